"""The text exports of a whole store: the JSON contract, JSON Lines, CSV and a Markdown report."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from recoupe import escape
from recoupe.export.tables import TABLES, Table, analysis, iter_table
from recoupe.records import Quote
from recoupe.store import Store


def to_json(store: Store) -> str:
    """The contract document as indented JSON."""
    return json.dumps(analysis(store), ensure_ascii=False, indent=2) + "\n"


def to_jsonl(store: Store, table: Table | None = None) -> Iterator[str]:
    """One JSON object per line, each tagged with its table (`"type"`), or the records of one table."""
    for name in (table,) if table else TABLES:
        for record in iter_table(store, name):
            yield (
                json.dumps(
                    record if table else {"type": name[:-1] if name != "stories" else "story", **record},
                    ensure_ascii=False,
                )
                + "\n"
            )


def to_csv(store: Store, table: Table) -> str:
    """One table as CSV; list values are joined with ' | ', nested values written as JSON."""
    records = list(iter_table(store, table))
    out = io.StringIO()
    if not records:
        return ""
    writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({key: _cell(value) for key, value in record.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return " | ".join(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def to_markdown(store: Store) -> str:
    """A readable report: each story with its dated events, articles (linked to their page) and quotes."""
    md = escape.markdown
    entities = {e.id: e for e in store.entities()}
    articles = {a.id: a for a in store.articles()}
    quotes_by_article: dict[str, list[Quote]] = {}
    for quote in store.quotes():
        quotes_by_article.setdefault(quote.article, []).append(quote)
    lines = [f"# recoupe analysis: {len(articles)} articles, {len(store.stories())} stories", ""]
    for story in store.stories():
        lines += [f"## {md(story.title)}", "", f"{len(story.articles)} articles, {len(story.events)} events.", ""]
        for event in store.events(story.id):
            lines.append(f"### {md(event.date or 'undated')}: {md(event.title)}")
            lines.append("")
            for article_id in event.articles:
                article = articles[article_id]
                copy = f" (near-copy of {md(article.duplicate_of)})" if article.duplicate_of else ""
                title = escape.markdown_link(article.title or article.id, article.source)
                lines.append(f"- {title}: {md(article.outlet or article.source)}{copy}")
                for quote in quotes_by_article.get(article_id, []):
                    speaker = entities[quote.speaker].name if quote.speaker in entities else "unattributed"
                    lines.append(f"  - **{md(speaker)}** ({md(quote.kind)}): « {md(quote.text)} »")
            lines.append("")
    return "\n".join(lines)
