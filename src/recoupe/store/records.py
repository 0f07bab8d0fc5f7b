"""Reads and writes of the records: articles, entities, mentions, quotes, stories, events and fetches."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from recoupe.records import Analysis, Article, Entity, Event, Fetch, Mention, Quote, Story
from recoupe.store.connection import StoreConnection
from recoupe.store.sql import marks, select_in


def article_from_row(row: sqlite3.Row) -> Article:
    """The article of an `articles` row (the columns its fields do not name are left out)."""
    data = dict(row)
    data["published_inferred"] = bool(data["published_inferred"])
    for column in ("removed", "foreign_fragments"):
        data[column] = json.loads(data[column])
    return Article.from_dict(data)


def quote_from_row(row: sqlite3.Row) -> Quote:
    """The quote of a `quotes` row."""
    return Quote.from_dict(dict(row))


def entity_from_row(row: sqlite3.Row) -> Entity:
    """The entity of an `entities` row."""
    return Entity.from_dict({**dict(row), "variants": json.loads(row["variants"])})


class Records(StoreConnection):
    """The records the pipeline writes and reads back, one table each."""

    def _row(self, table: str, record_id: str) -> sqlite3.Row | None:
        """The row of `table` with this id, or None."""
        row: sqlite3.Row | None = self.db.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,)).fetchone()
        return row

    def _rows(self, table: str, order: str, ids: Sequence[str] | None) -> list[sqlite3.Row]:
        """The rows of `table` sorted on the column `order`: all of them, or those with the given ids."""
        if ids is None:
            return list(self.db.execute(f"SELECT * FROM {table} ORDER BY {order}"))
        rows = select_in(self.db.execute, f"SELECT * FROM {table} WHERE id IN ({{marks}})", ids)
        return sorted(rows, key=lambda row: row[order])

    # --- articles -----------------------------------------------------------------------------

    def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        """The content hashes among `hashes` already stored."""
        sql = "SELECT content_hash FROM articles WHERE content_hash IN ({marks})"
        return {row[0] for row in select_in(self.db.execute, sql, set(hashes))}

    def save_analysis(self, analysis: Analysis) -> None:
        """Store one analysed article with its entities, mentions and quotes."""
        a = analysis.article
        with self.transaction():
            self.db.execute(
                """INSERT INTO articles (id, source, outlet, title, published, published_inferred, language,
                       text, removed, foreign_fragments, content_hash, fetched_at, duplicate_of, story, event,
                       lemmas, event_dates)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                (
                    a.id,
                    a.source,
                    a.outlet,
                    a.title,
                    a.published,
                    int(a.published_inferred),
                    a.language,
                    a.text,
                    json.dumps(a.removed, ensure_ascii=False),
                    json.dumps([f.to_dict() for f in a.foreign_fragments], ensure_ascii=False),
                    a.content_hash,
                    a.fetched_at,
                    a.duplicate_of,
                    a.story,
                    a.event,
                    json.dumps(analysis.lemmas, ensure_ascii=False),
                    json.dumps(analysis.event_dates),
                ),
            )
            for entity in analysis.entities:
                self.upsert_entity(entity)
            self.db.executemany(
                "INSERT OR IGNORE INTO mentions (article, start, end, text, entity) VALUES (?,?,?,?,?)",
                [(m.article, m.start, m.end, m.text, m.entity) for m in analysis.mentions],
            )
            self.db.executemany(
                """INSERT OR REPLACE INTO quotes (id, article, text, start, end, kind, speaker, speaker_mention,
                       cue, confidence) VALUES (?,?,?,?,?,?,?,?,?,?)""",
                [
                    (q.id, q.article, q.text, q.start, q.end, q.kind, q.speaker, q.speaker_mention, q.cue, q.confidence)
                    for q in analysis.quotes
                ],
            )

    def set_placement(self, article: str, story: str | None, event: str | None, duplicate_of: str | None) -> None:
        """Record which story and event an article belongs to, and what it copies."""
        self.db.execute(
            "UPDATE articles SET story = ?, event = ?, duplicate_of = ? WHERE id = ?",
            (story, event, duplicate_of, article),
        )

    def article(self, article_id: str) -> Article | None:
        """One article by id, or None."""
        row = self._row("articles", article_id)
        return article_from_row(row) if row else None

    def articles(self, ids: Sequence[str] | None = None) -> list[Article]:
        """Articles in ingest order; all of them, or those with the given ids."""
        return [article_from_row(row) for row in self._rows("articles", "seq", ids)]

    def article_features(self, article_id: str) -> tuple[list[str], list[str]]:
        """The stored content lemmas and mentioned event dates of an article."""
        row = self.db.execute("SELECT lemmas, event_dates FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return [], []
        return json.loads(row["lemmas"]), json.loads(row["event_dates"])

    def count_articles(self) -> int:
        """How many articles are stored."""
        return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    # --- entities and mentions ------------------------------------------------------------------

    def upsert_entity(self, entity: Entity) -> None:
        """Insert an entity, or add its new variants to the stored one with the same id."""
        row = self.db.execute("SELECT variants FROM entities WHERE id = ?", (entity.id,)).fetchone()
        if row is None:
            self.db.execute(
                "INSERT INTO entities (id, name, type, variants, wikidata) VALUES (?,?,?,?,?)",
                (entity.id, entity.name, entity.type, json.dumps(entity.variants, ensure_ascii=False), entity.wikidata),
            )
            return
        variants = json.loads(row["variants"])
        merged = variants + [v for v in entity.variants if v not in variants]
        if merged != variants:
            self.db.execute(
                "UPDATE entities SET variants = ? WHERE id = ?", (json.dumps(merged, ensure_ascii=False), entity.id)
            )

    def entity(self, entity_id: str) -> Entity | None:
        """One entity by id, or None."""
        row = self._row("entities", entity_id)
        return entity_from_row(row) if row else None

    def entities(self, ids: Sequence[str] | None = None) -> list[Entity]:
        """Entities ordered by id; all of them, or those with the given ids."""
        return [entity_from_row(row) for row in self._rows("entities", "id", ids)]

    def mentions(self, article: str | None = None, entity: str | None = None) -> list[Mention]:
        """Mentions of one article or one entity, in text order."""
        sql, args = "SELECT * FROM mentions", []
        if article is not None:
            sql, args = sql + " WHERE article = ?", [article]
        elif entity is not None:
            sql, args = sql + " WHERE entity = ?", [entity]
        sql += " ORDER BY article, start"
        return [Mention.from_dict(dict(r)) for r in self.db.execute(sql, args)]

    # --- quotes -------------------------------------------------------------------------------

    def quote(self, quote_id: str) -> Quote | None:
        """One quote by id, or None."""
        row = self._row("quotes", quote_id)
        return quote_from_row(row) if row else None

    def quotes(self, article: str | None = None, speakers: Sequence[str] | None = None) -> list[Quote]:
        """Quotes of one article, or by any of the given speaker entity ids, in article order."""
        sql = "SELECT q.* FROM quotes q JOIN articles a ON a.id = q.article"
        where: list[str] = []
        args: list[Any] = []
        if article is not None:
            where.append("q.article = ?")
            args.append(article)
        if speakers is not None:
            # Bound whole, not a chunk at a time, so that one order holds across them: callers ask for the few
            # entity ids of one speaker.
            where.append(f"q.speaker IN ({marks(len(speakers))})")
            args.extend(speakers)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY a.seq, q.start"
        return [quote_from_row(r) for r in self.db.execute(sql, args)]

    # --- stories and events ---------------------------------------------------------------------

    def upsert_story(self, story: Story, state: dict[str, Any] | None = None) -> None:
        """Write a story's title and the clusterer's private state for it."""
        self.db.execute(
            """INSERT INTO stories (id, title, state) VALUES (?,?,?)
               ON CONFLICT(id) DO UPDATE SET title = excluded.title, state = excluded.state""",
            (story.id, story.title, json.dumps(state or {}, ensure_ascii=False)),
        )

    def upsert_event(self, event: Event, state: dict[str, Any] | None = None) -> None:
        """Write an event's story, date, title and the clusterer's private state for it."""
        self.db.execute(
            """INSERT INTO events (id, story, date, title, state) VALUES (?,?,?,?,?)
               ON CONFLICT(id) DO UPDATE SET story = excluded.story, date = excluded.date,
                   title = excluded.title, state = excluded.state""",
            (event.id, event.story, event.date, event.title, json.dumps(state or {}, ensure_ascii=False)),
        )

    def stories(self) -> list[Story]:
        """Every story with its events (by date) and articles (in ingest order)."""
        return [self._story(row) for row in self.db.execute("SELECT id, title FROM stories ORDER BY id")]

    def story(self, story_id: str) -> Story | None:
        """One story by id with its events and articles, or None."""
        row = self.db.execute("SELECT id, title FROM stories WHERE id = ?", (story_id,)).fetchone()
        return self._story(row) if row else None

    def _story(self, row: sqlite3.Row) -> Story:
        events = [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM events WHERE story = ? ORDER BY date IS NULL, date, id", (row["id"],)
            )
        ]
        articles = [r[0] for r in self.db.execute("SELECT id FROM articles WHERE story = ? ORDER BY seq", (row["id"],))]
        return Story(id=row["id"], title=row["title"], events=events, articles=articles)

    def events(self, story: str | None = None) -> list[Event]:
        """Events of one story or of all, by date."""
        sql, args = "SELECT id, story, date, title FROM events", []
        if story is not None:
            sql, args = sql + " WHERE story = ?", [story]
        sql += " ORDER BY story, date IS NULL, date, id"
        return [self._event(r) for r in self.db.execute(sql, args)]

    def event(self, event_id: str) -> Event | None:
        """One event by id with its articles, or None."""
        row = self.db.execute("SELECT id, story, date, title FROM events WHERE id = ?", (event_id,)).fetchone()
        return self._event(row) if row else None

    def _event(self, row: sqlite3.Row) -> Event:
        articles = [r[0] for r in self.db.execute("SELECT id FROM articles WHERE event = ? ORDER BY seq", (row["id"],))]
        return Event(id=row["id"], story=row["story"], date=row["date"], title=row["title"], articles=articles)

    # --- fetches ------------------------------------------------------------------------------

    def record_fetch(self, fetch: Fetch) -> None:
        """Remember one fetched URL (replacing an earlier record of it)."""
        self.db.execute(
            """INSERT OR REPLACE INTO fetches (url, final_url, fetched_at, status, etag, last_modified, article, error)
               VALUES (?,?,?,?,?,?,?,?)""",
            (
                fetch.url,
                fetch.final_url,
                fetch.fetched_at,
                fetch.status,
                fetch.etag,
                fetch.last_modified,
                fetch.article,
                fetch.error,
            ),
        )

    def fetch_record(self, url: str) -> Fetch | None:
        """What is known of an earlier fetch of `url`, or None."""
        row = self.db.execute("SELECT * FROM fetches WHERE url = ?", (url,)).fetchone()
        return Fetch(**dict(row)) if row else None

    def stored_urls(self, urls: Iterable[str]) -> set[str]:
        """The URLs among `urls` whose page is already stored, as an article's source or a fetch that made one."""
        wanted = set(urls)
        found: set[str] = set()
        for sql in (
            "SELECT source FROM articles WHERE source IN ({marks})",
            "SELECT url FROM fetches WHERE article IS NOT NULL AND url IN ({marks})",
        ):
            found.update(row[0] for row in select_in(self.db.execute, sql, wanted))
        return found
