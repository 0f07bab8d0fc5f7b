"""A batch's tables into a store, through the Store API, so that every command works on it and ingest continues.

Besides the records, the store gets what its incremental stages keep: the document frequencies of the
articles' terms, their near-copy bands, the stories' blocking keys and the story and event states. Rows come
to this process one article at a time (toLocalIterator), in the batch's article order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from recoupe.config import Config
from recoupe.records import Analysis, Article, Entity, Event, ForeignFragment, Mention, Quote, Story
from recoupe.spark.corpus import TermCounter
from recoupe.spark.tables import SCHEMAS, table_path
from recoupe.store import Store
from recoupe.stories.near_copies import band_keys

ARTICLES_PER_TRANSACTION = 500


@dataclass(frozen=True)
class ImportReport:
    """What an import added, and the articles it passed over because the store held them already."""

    articles: int
    skipped: int
    entities: int
    stories: int
    events: int
    errors: list[tuple[str, int | None, str]]


def import_batch(spark: SparkSession, folder: str, store: Store, config: Config) -> ImportReport:
    """Load the batch written under `folder` into the store."""

    def read(name: str) -> Any:
        return spark.read.schema(SCHEMAS[name]).parquet(table_path(folder, name))

    quotes = read("quotes").groupBy("article").agg(F.collect_list(F.struct(*SCHEMAS["quotes"].names)).alias("quotes"))
    mentions = (
        read("mentions").groupBy("article").agg(F.collect_list(F.struct(*SCHEMAS["mentions"].names)).alias("mentions"))
    )
    articles = (
        read("articles")
        .join(quotes.withColumnRenamed("article", "id"), "id", "left")
        .join(mentions.withColumnRenamed("article", "id"), "id", "left")
        .orderBy("order")
    )
    counter = TermCounter(config)
    stored = skipped = 0
    rows = articles.toLocalIterator()
    while True:
        chunk = [row.asDict(recursive=True) for row in _take(rows, ARTICLES_PER_TRANSACTION)]
        if not chunk:
            break
        known = store.known_hashes([row["content_hash"] for row in chunk])
        with store.transaction():
            for row in chunk:
                if row["content_hash"] in known:
                    skipped += 1
                    continue
                _add_article(store, counter, row)
                stored += 1
    entities = _load(read("entities").toLocalIterator(), store, lambda row: store.upsert_entity(Entity.from_dict(row)))
    stories = _load(read("stories").toLocalIterator(), store, lambda row: _add_story(store, row))
    events = _load(read("events").toLocalIterator(), store, lambda row: _add_event(store, row))
    errors = [(r["origin"], r["line"], r["message"]) for r in read("errors").orderBy("order").toLocalIterator()]
    return ImportReport(stored, skipped, entities, stories, events, errors)


def _take(rows: Iterator[Any], size: int) -> list[Any]:
    out = []
    for row in rows:
        out.append(row)
        if len(out) == size:
            break
    return out


def _load(rows: Iterator[Any], store: Store, add: Any) -> int:
    count = 0
    with store.transaction():
        for row in rows:
            add(row.asDict(recursive=True))
            count += 1
    return count


def _add_article(store: Store, counter: TermCounter, row: dict[str, Any]) -> None:
    """One article with its mentions and quotes, its terms counted, its bands indexed, its story's keys added."""
    fields = {name: row[name] for name in Article.__dataclass_fields__ if name in row}
    article = Article.from_dict(fields)
    article.foreign_fragments = [ForeignFragment.from_dict(f) for f in row["foreign_fragments"]]
    analysis = Analysis(
        article=article,
        mentions=[Mention.from_dict(m) for m in sorted(row["mentions"] or [], key=lambda m: (m["start"], m["end"]))],
        quotes=[Quote.from_dict(q) for q in sorted(row["quotes"] or [], key=lambda q: q["start"])],
        lemmas=list(row["lemmas"]),
        event_dates=list(row["event_dates"]),
    )
    store.save_analysis(analysis)
    store.add_document_terms(sorted(counter.terms(analysis)))
    signature = np.array(row["signature"], dtype=np.int64).view(np.uint64)
    store.add_lsh_bands(article.id, band_keys(signature), signature.tobytes())
    if article.story is not None:
        store.add_story_keys(article.story, list(row["keys"]))


def _add_story(store: Store, row: dict[str, Any]) -> None:
    store.upsert_story(Story(id=row["id"], title=row["title"]), json.loads(row["state"]))


def _add_event(store: Store, row: dict[str, Any]) -> None:
    event = Event(id=row["id"], story=row["story"], date=row["date"], title=row["title"])
    store.upsert_event(event, json.loads(row["state"]))
