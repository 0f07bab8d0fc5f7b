"""Exports of a whole store: the JSON contract (analysis.schema.json v1), JSON Lines, CSV and Markdown."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, Literal

from recoupe.records import Article
from recoupe.store import Store

ExportFormat = Literal["json", "jsonl", "csv", "md"]
Table = Literal["articles", "stories", "events", "entities", "quotes"]
TABLES: tuple[Table, ...] = ("articles", "stories", "events", "entities", "quotes")

# fetched_at (when a web page was fetched) is beyond the contract's fields, which the contract allows.
ARTICLE_FIELDS = (
    "id", "source", "outlet", "title", "published", "published_inferred", "language", "text", "removed",
    "foreign_fragments", "duplicate_of", "story", "event", "fetched_at",
)  # fmt: skip


def article_record(article: Article) -> dict[str, Any]:
    """An article as the contract describes it."""
    data = article.to_dict()
    data["foreign_fragments"] = [
        {"start": f.start, "end": f.end, "language": f.language} for f in article.foreign_fragments
    ]
    return {key: data[key] for key in ARTICLE_FIELDS}


def iter_table(store: Store, table: Table) -> Iterator[dict[str, Any]]:
    """The records of one table of the contract, in a stable order."""
    if table == "articles":
        for article in store.articles():
            yield article_record(article)
    elif table == "stories":
        for story in store.stories():
            yield story.to_dict()
    elif table == "events":
        for event in store.events():
            yield event.to_dict()
    elif table == "entities":
        for entity in store.entities():
            yield entity.to_dict()
    else:
        for quote in store.quotes():
            yield quote.to_dict()


def analysis(store: Store) -> dict[str, Any]:
    """The whole store as one document valid against analysis.schema.json (version 1)."""
    document: dict[str, Any] = {"version": 1}
    for table in TABLES:
        document[table] = list(iter_table(store, table))
    return document


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
    """A readable report: each story with its dated events, articles and quotes."""
    entities = {e.id: e for e in store.entities()}
    articles = {a.id: a for a in store.articles()}
    quotes_by_article: dict[str, list[Any]] = {}
    for quote in store.quotes():
        quotes_by_article.setdefault(quote.article, []).append(quote)
    lines = [f"# recoupe analysis: {len(articles)} articles, {len(store.stories())} stories", ""]
    for story in store.stories():
        lines += [f"## {_md(story.title)}", "", f"{len(story.articles)} articles, {len(story.events)} events.", ""]
        for event in store.events(story.id):
            lines.append(f"### {event.date or 'undated'}: {_md(event.title)}")
            lines.append("")
            for article_id in event.articles:
                article = articles[article_id]
                copy = f" (near-copy of {article.duplicate_of})" if article.duplicate_of else ""
                lines.append(f"- {_md(article.title or article.id)}: {article.outlet or article.source}{copy}")
                for quote in quotes_by_article.get(article_id, []):
                    speaker = entities[quote.speaker].name if quote.speaker in entities else "unattributed"
                    lines.append(f"  - **{_md(speaker)}** ({quote.kind}): « {_md(quote.text)} »")
            lines.append("")
    return "\n".join(lines)


def _md(text: str) -> str:
    """Text safe to place inline in Markdown."""
    return " ".join(text.split()).replace("[", "\\[").replace("]", "\\]").replace("*", "\\*").replace("_", "\\_")
