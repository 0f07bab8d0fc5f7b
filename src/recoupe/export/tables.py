"""The tables of the JSON contract (analysis.schema.json, version 2), read from a store as plain records.

Version 2 adds `facts` to version 1's tables, whose keys are unchanged; the schema's copy is
export/analysis.schema.json."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from recoupe.facts.records import Fact
from recoupe.records import Article
from recoupe.store import Store

Table = Literal["articles", "stories", "events", "entities", "quotes", "facts"]
TABLES: tuple[Table, ...] = ("articles", "stories", "events", "entities", "quotes", "facts")
CONTRACT_VERSION = 2
SCHEMA = Path(__file__).parent / "analysis.schema.json"

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
    elif table == "quotes":
        for quote in store.quotes():
            yield quote.to_dict()
    else:
        for fact in store.facts():
            yield fact_record(fact)


def fact_record(fact: Fact) -> dict[str, Any]:
    """A fact as the contract describes it: its claims with article, span, words, outlet and source."""
    return {
        "id": fact.id,
        "story": fact.story,
        "event": fact.event or "",
        "statement": fact.statement,
        "status": fact.status,
        "independent_sources": fact.independent_sources,
        "outlets": list(fact.outlets),
        "chain": fact.chain,
        "claims": [
            {
                "article": c.article,
                "start": c.start,
                "end": c.end,
                "text": c.text,
                "outlet": c.outlet,
                "source": c.source,
            }
            for c in fact.claims
        ],
        "differences": [d.to_dict() for d in fact.differences],
    }


def analysis(store: Store) -> dict[str, Any]:
    """The whole store as one document valid against analysis.schema.json (version 2)."""
    document: dict[str, Any] = {"version": CONTRACT_VERSION}
    for table in TABLES:
        document[table] = list(iter_table(store, table))
    return document
