"""The tables of the JSON contract (analysis.schema.json, version 1), read from a store as plain records."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from recoupe.records import Article
from recoupe.store import Store

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
