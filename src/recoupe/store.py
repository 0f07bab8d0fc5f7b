"""The SQLite store: the only module that talks SQL. Schema, migrations, reads and writes."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from recoupe.records import (
    Analysis,
    Article,
    Entity,
    Event,
    Fetch,
    ForeignFragment,
    Mention,
    Quote,
    Story,
)

# Each migration moves the schema one version up. Never edit a released one: append.
MIGRATIONS: list[str] = [
    # 1: articles, entities, mentions, quotes, stories, events, full-text search
    """
    CREATE TABLE articles (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL,
        outlet TEXT,
        title TEXT,
        published TEXT,
        published_inferred INTEGER NOT NULL DEFAULT 0,
        language TEXT NOT NULL,
        text TEXT NOT NULL,
        removed TEXT NOT NULL DEFAULT '[]',
        foreign_fragments TEXT NOT NULL DEFAULT '[]',
        content_hash TEXT NOT NULL UNIQUE,
        fetched_at TEXT,
        duplicate_of TEXT,
        story TEXT,
        event TEXT,
        lemmas TEXT NOT NULL DEFAULT '[]',
        event_dates TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX articles_source ON articles(source);
    CREATE INDEX articles_story ON articles(story);
    CREATE INDEX articles_event ON articles(event);
    CREATE TABLE entities (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        variants TEXT NOT NULL DEFAULT '[]',
        wikidata TEXT
    );
    CREATE TABLE mentions (
        article TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        entity TEXT NOT NULL,
        PRIMARY KEY (article, start, end)
    );
    CREATE INDEX mentions_entity ON mentions(entity);
    CREATE TABLE quotes (
        id TEXT PRIMARY KEY,
        article TEXT NOT NULL,
        text TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        kind TEXT NOT NULL,
        speaker TEXT,
        speaker_mention TEXT,
        cue TEXT,
        confidence REAL
    );
    CREATE INDEX quotes_article ON quotes(article);
    CREATE INDEX quotes_speaker ON quotes(speaker);
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE events (
        id TEXT PRIMARY KEY,
        story TEXT NOT NULL,
        date TEXT,
        title TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX events_story ON events(story);
    CREATE TABLE lsh_bands (
        band_key TEXT NOT NULL,
        article TEXT NOT NULL
    );
    CREATE INDEX lsh_bands_key ON lsh_bands(band_key);
    CREATE TABLE minhashes (
        article TEXT PRIMARY KEY,
        signature BLOB NOT NULL
    );
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='seq', tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.seq, old.title, old.text);
    END;
    """,
    # 2: clustering state: document frequencies of lemmas, blocking keys of stories, counters
    """
    CREATE TABLE term_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE story_keys (key TEXT NOT NULL, story TEXT NOT NULL, PRIMARY KEY (key, story)) WITHOUT ROWID;
    CREATE TABLE key_df (key TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    """,
    # 3: web/api queries: articles by outlet and by date, newest first, without scanning the table
    """
    CREATE INDEX articles_outlet_published ON articles(outlet, published);
    CREATE INDEX articles_published ON articles(published);
    """,
    # 4: what was fetched from the web, when, and the validators for conditional requests (feeds)
    """
    CREATE TABLE fetches (
        url TEXT PRIMARY KEY,
        final_url TEXT,
        fetched_at TEXT NOT NULL,
        status INTEGER,
        etag TEXT,
        last_modified TEXT,
        article TEXT,
        error TEXT
    ) WITHOUT ROWID;
    """,
    # 5: built story briefs (JSON), each valid while its story has the same articles and builder
    """
    CREATE TABLE briefs (
        story TEXT PRIMARY KEY,
        articles INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        builder TEXT NOT NULL,
        brief TEXT NOT NULL
    );
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
CACHE_KIB = 64 * 1024  # SQLite's page cache per connection
KNOWN_DFS = 300_000  # document frequencies kept in memory (about 40 MB)


class StoreError(Exception):
    """The store file cannot be opened or is not a recoupe store of a version this code reads."""


def _article_from_row(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        source=row["source"],
        text=row["text"],
        content_hash=row["content_hash"],
        title=row["title"],
        outlet=row["outlet"],
        published=row["published"],
        published_inferred=bool(row["published_inferred"]),
        language=row["language"],
        removed=json.loads(row["removed"]),
        foreign_fragments=[ForeignFragment.from_dict(f) for f in json.loads(row["foreign_fragments"])],
        fetched_at=row["fetched_at"],
        duplicate_of=row["duplicate_of"],
        story=row["story"],
        event=row["event"],
    )


def _quote_from_row(row: sqlite3.Row) -> Quote:
    return Quote(
        id=row["id"],
        article=row["article"],
        text=row["text"],
        start=row["start"],
        end=row["end"],
        kind=row["kind"],
        speaker=row["speaker"],
        speaker_mention=row["speaker_mention"],
        cue=row["cue"],
        confidence=row["confidence"],
    )


def _entity_from_row(row: sqlite3.Row) -> Entity:
    return Entity(
        id=row["id"],
        name=row["name"],
        type=row["type"],
        variants=json.loads(row["variants"]),
        wikidata=row["wikidata"],
    )


class Store:
    """A recoupe store in one SQLite file (WAL mode), or in memory with path ':memory:'."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            if self.path != ":memory:":
                self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            # Clustering reads and updates the document frequency of each of an article's terms, a b-tree of
            # millions of rows on a large store: SQLite's default 2 MB page cache kept it on disk pages.
            self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path}: not a usable recoupe store ({err})") from err
        self._depth = 0
        # Document frequencies and counters added inside a transaction, written when it commits: an article adds
        # one to each of its few hundred terms, and the articles of a batch share many of them.
        self._pending_terms: Counter[str] = Counter()
        self._pending_counts: Counter[str] = Counter()
        # Committed document frequencies of the terms looked up last, most recent last, so that an article's
        # common lemmas are not read from SQLite again; true while no other connection writes, which
        # PRAGMA data_version tells.
        self._known_dfs: OrderedDict[str, int] = OrderedDict()
        self._data_version: int | None = None

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def _tuples(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
        """A query's rows as plain tuples, for the hot look-ups of clustering and near-copies: building a
        sqlite3.Row for each of an article's few hundred terms costs more than the query."""
        cursor = self.db.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, args)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- schema -------------------------------------------------------------------------------

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: store schema version {version} is newer than this recoupe "
                f"({SCHEMA_VERSION}); upgrade recoupe"
            )
        for number in range(version, SCHEMA_VERSION):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _split_sql(MIGRATIONS[number]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")
                self.db.execute("COMMIT")
            except sqlite3.Error:
                self.db.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of work: everything inside is committed together or not at all."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
            self._write_pending()
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
            known = self._known_dfs
            for term, added in self._pending_terms.items():
                if term in known:
                    known[term] += added
        finally:
            self._depth = 0
            self._pending_terms.clear()
            self._pending_counts.clear()

    def _write_pending(self) -> None:
        """Write the document frequencies and counters added during the transaction."""
        if self._pending_terms:
            self.db.executemany(
                "INSERT INTO term_df (term, df) VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
                sorted(self._pending_terms.items()),  # in key order: each b-tree page is visited once
            )
        for name, by in sorted(self._pending_counts.items()):
            self.db.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + ?",
                (name, by, by),
            )

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Held by whoever ingests into this store file (a command, watch, each server process): they take
        turns, since each keeps part of the store (story states, the entity index) in memory while it writes."""
        if self.path == ":memory:" or sys.platform == "win32":  # one process only, or no flock
            yield
            return
        import fcntl

        with open(f"{self.path}.ingest-lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
            yield

    # --- articles -----------------------------------------------------------------------------

    def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        """The content hashes among `hashes` already stored."""
        wanted = list(set(hashes))
        found: set[str] = set()
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT content_hash FROM articles WHERE content_hash IN ({marks})", chunk)
            found.update(row[0] for row in rows)
        return found

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
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _article_from_row(row) if row else None

    def articles(self, ids: Sequence[str] | None = None) -> list[Article]:
        """Articles in ingest order; all of them, or those with the given ids."""
        if ids is None:
            return [_article_from_row(r) for r in self.db.execute("SELECT * FROM articles ORDER BY seq")]
        out: list[Article] = []
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            out.extend(
                _article_from_row(r)
                for r in self.db.execute(f"SELECT * FROM articles WHERE id IN ({marks}) ORDER BY seq", chunk)
            )
        return out

    def article_features(self, article_id: str) -> tuple[list[str], list[str]]:
        """The stored content lemmas and mentioned event dates of an article."""
        row = self.db.execute("SELECT lemmas, event_dates FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return [], []
        return json.loads(row["lemmas"]), json.loads(row["event_dates"])

    def count_articles(self) -> int:
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
        row = self.db.execute("SELECT * FROM entities WHERE id = ?", (entity_id,)).fetchone()
        return _entity_from_row(row) if row else None

    def entities(self, ids: Sequence[str] | None = None) -> list[Entity]:
        """Entities ordered by id; all of them, or those with the given ids."""
        if ids is None:
            return [_entity_from_row(r) for r in self.db.execute("SELECT * FROM entities ORDER BY id")]
        out: list[Entity] = []
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            out.extend(
                _entity_from_row(r)
                for r in self.db.execute(f"SELECT * FROM entities WHERE id IN ({marks}) ORDER BY id", chunk)
            )
        return out

    def mentions(self, article: str | None = None, entity: str | None = None) -> list[Mention]:
        """Mentions of one article or one entity, in text order."""
        sql, args = "SELECT * FROM mentions", []
        if article is not None:
            sql, args = sql + " WHERE article = ?", [article]
        elif entity is not None:
            sql, args = sql + " WHERE entity = ?", [entity]
        sql += " ORDER BY article, start"
        return [
            Mention(article=r["article"], start=r["start"], end=r["end"], text=r["text"], entity=r["entity"])
            for r in self.db.execute(sql, args)
        ]

    # --- quotes -------------------------------------------------------------------------------

    def quotes(self, article: str | None = None, speakers: Sequence[str] | None = None) -> list[Quote]:
        """Quotes of one article, or by any of the given speaker entity ids, in article order."""
        sql = "SELECT q.* FROM quotes q JOIN articles a ON a.id = q.article"
        where: list[str] = []
        args: list[Any] = []
        if article is not None:
            where.append("q.article = ?")
            args.append(article)
        if speakers is not None:
            where.append(f"q.speaker IN ({','.join('?' * len(speakers))})")
            args.extend(speakers)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY a.seq, q.start"
        return [_quote_from_row(r) for r in self.db.execute(sql, args)]

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

    def story_state(self, story_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT state FROM stories WHERE id = ?", (story_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def event_state(self, event_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT state FROM events WHERE id = ?", (event_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def stories(self) -> list[Story]:
        """Every story with its events (by date) and articles (in ingest order)."""
        return [self._story(row) for row in self.db.execute("SELECT id, title FROM stories ORDER BY id")]

    def story(self, story_id: str) -> Story | None:
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
        row = self.db.execute("SELECT id, story, date, title FROM events WHERE id = ?", (event_id,)).fetchone()
        return self._event(row) if row else None

    def _event(self, row: sqlite3.Row) -> Event:
        articles = [r[0] for r in self.db.execute("SELECT id FROM articles WHERE event = ? ORDER BY seq", (row["id"],))]
        return Event(id=row["id"], story=row["story"], date=row["date"], title=row["title"], articles=articles)

    # --- near-copy index (MinHash LSH bands) -----------------------------------------------------

    def add_lsh_bands(self, article: str, band_keys: Sequence[str], signature: bytes) -> None:
        """Index an article's MinHash signature under its LSH band keys."""
        self.db.executemany("INSERT INTO lsh_bands (band_key, article) VALUES (?,?)", [(k, article) for k in band_keys])
        self.db.execute("INSERT OR REPLACE INTO minhashes (article, signature) VALUES (?,?)", (article, signature))

    def lsh_candidates(self, band_keys: Sequence[str]) -> dict[str, bytes]:
        """Articles sharing at least one band key, with their signatures."""
        out: dict[str, bytes] = {}
        for chunk in _chunks(list(band_keys), 500):
            marks = ",".join("?" * len(chunk))
            rows = self._tuples(
                f"""SELECT DISTINCT m.article, m.signature FROM lsh_bands b JOIN minhashes m ON m.article = b.article
                    WHERE b.band_key IN ({marks})""",
                chunk,
            )
            out.update(rows)
        return out

    # --- clustering state (cluster.py) ------------------------------------------------------------

    def term_dfs(self, terms: Sequence[str]) -> dict[str, int]:
        """Document frequencies of the given lemmas (absent ones are 0)."""
        version = self._tuples("PRAGMA data_version").fetchone()[0]
        known = self._known_dfs
        if version != self._data_version:  # another connection wrote: what is known may be out of date
            known.clear()
            self._data_version = version
        wanted = set(terms)
        missing = [term for term in wanted if term not in known]
        for chunk in _chunks(missing, 500):
            marks = ",".join("?" * len(chunk))
            found = dict(self._tuples(f"SELECT term, df FROM term_df WHERE term IN ({marks})", chunk))
            for term in chunk:
                known[term] = found.get(term, 0)
        out: dict[str, int] = {}
        pending = self._pending_terms
        for term in wanted:
            known.move_to_end(term)
            df = known[term] + pending[term]
            if df:
                out[term] = df
        while len(known) > KNOWN_DFS:
            known.popitem(last=False)
        return out

    def add_document_terms(self, terms: Sequence[str]) -> None:
        """Count one more document holding each of the (distinct) terms."""
        self._pending_terms.update(set(terms))
        self.bump("documents")

    def counter(self, name: str) -> int:
        row = self._tuples("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return (int(row[0]) if row else 0) + self._pending_counts[name]

    def bump(self, name: str, by: int = 1) -> None:
        self._pending_counts[name] += by
        self._write_unless_in_transaction()

    def _write_unless_in_transaction(self) -> None:
        if not self._depth:
            with self.transaction():
                pass  # the pending counts are written as it commits

    def stories_by_keys(self, keys: Sequence[str], limit: int, max_df: int) -> list[tuple[str, int]]:
        """Stories sharing blocking keys with an article, most shared first; keys on over `max_df` stories are
        too common to block on and are ignored."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rare = [
            r[0] for r in self.db.execute(f"SELECT key FROM key_df WHERE key IN ({marks}) AND df <= ?", [*keys, max_df])
        ]
        if not rare:
            return []
        marks = ",".join("?" * len(rare))
        rows = self.db.execute(
            f"""SELECT story, count(*) AS shared FROM story_keys WHERE key IN ({marks})
                GROUP BY story ORDER BY shared DESC, story LIMIT ?""",
            [*rare, limit],
        )
        return [(r[0], r[1]) for r in rows]

    def add_story_keys(self, story: str, keys: Sequence[str]) -> None:
        """Index a story under blocking keys, counting each key's stories once."""
        for key in set(keys):
            inserted = self.db.execute(
                "INSERT OR IGNORE INTO story_keys (key, story) VALUES (?, ?)", (key, story)
            ).rowcount
            if inserted:
                self.db.execute(
                    "INSERT INTO key_df (key, df) VALUES (?, 1) ON CONFLICT(key) DO UPDATE SET df = df + 1", (key,)
                )

    def event_states(self, story: str) -> list[tuple[Event, dict[str, Any]]]:
        """The events of a story with the clusterer's state of each."""
        rows = self.db.execute("SELECT id, story, date, title, state FROM events WHERE story = ? ORDER BY id", (story,))
        return [
            (Event(id=r["id"], story=r["story"], date=r["date"], title=r["title"]), json.loads(r["state"]))
            for r in rows
        ]

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
        wanted = list(set(urls))
        found: set[str] = set()
        for chunk in _chunks(wanted, 400):
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.db.execute(f"SELECT source FROM articles WHERE source IN ({marks})", chunk))
            rows = self.db.execute(
                f"SELECT url FROM fetches WHERE article IS NOT NULL AND url IN ({marks})",
                chunk,
            )
            found.update(r[0] for r in rows)
        return found

    # --- web/api queries -------------------------------------------------------------------------
    # Light rows (dicts without article bodies) for pages and the JSON API, paged with limit/offset.

    def story_summaries(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Stories with their article and event counts and date range, the latest events first."""
        rows = self.db.execute(
            """SELECT s.id, s.title,
                   (SELECT count(*) FROM articles a WHERE a.story = s.id) AS articles,
                   (SELECT count(*) FROM events e WHERE e.story = s.id) AS events,
                   (SELECT min(date) FROM events e WHERE e.story = s.id) AS first_date,
                   (SELECT max(date) FROM events e WHERE e.story = s.id) AS last_date
               FROM stories s ORDER BY last_date IS NULL, last_date DESC, s.id LIMIT ? OFFSET ?""",
            (limit, offset),
        )
        return [dict(r) for r in rows]

    def timelines(self, stories: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """The events of each story by date, with their article count: id, date, title, articles."""
        out: dict[str, list[dict[str, Any]]] = {s: [] for s in stories}
        for chunk in _chunks(list(stories), 500):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"""SELECT e.id, e.story, e.date, e.title,
                        (SELECT count(*) FROM articles a WHERE a.event = e.id) AS articles
                    FROM events e WHERE e.story IN ({marks}) ORDER BY e.story, e.date IS NULL, e.date, e.id""",
                chunk,
            )
            for r in rows:
                out[r["story"]].append(dict(r))
        return out

    def quote(self, quote_id: str) -> Quote | None:
        """One quote by id, or None."""
        row = self.db.execute("SELECT * FROM quotes WHERE id = ?", (quote_id,)).fetchone()
        return _quote_from_row(row) if row else None

    def count_stories(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM stories").fetchone()[0])

    def data_stamp(self) -> int:
        """A number that changes whenever articles are added (every ingest adds some): a cache key."""
        return int(self.db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0])

    def article_headers(self, story: str | None = None, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Id, title, outlet, dates and placement of a story's articles (or of the given ids), in ingest order."""
        columns = "id, source, title, outlet, published, published_inferred, duplicate_of, story, event"
        if story is not None:
            rows = self.db.execute(f"SELECT {columns} FROM articles WHERE story = ? ORDER BY seq", (story,))
            return [dict(r) for r in rows]
        out: list[dict[str, Any]] = []
        for chunk in _chunks(list(ids or []), 500):
            marks = ",".join("?" * len(chunk))
            out.extend(dict(r) for r in self.db.execute(f"SELECT {columns} FROM articles WHERE id IN ({marks})", chunk))
        return out

    def story_quotes(self, story: str, limit: int = 200) -> list[dict[str, Any]]:
        """Quotes of a story's articles with their speaker's name and the article's outlet and date."""
        rows = self.db.execute(
            """SELECT q.*, e.name AS speaker_name, a.outlet, a.published, a.title AS article_title
               FROM articles a JOIN quotes q ON q.article = a.id LEFT JOIN entities e ON e.id = q.speaker
               WHERE a.story = ? ORDER BY a.published IS NULL, a.published, a.seq, q.start LIMIT ?""",
            (story, limit),
        )
        return [dict(r) for r in rows]

    def speaker_statements(self, entity: str, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Quotes by one speaker across outlets and time, oldest first, with the article's outlet and date."""
        rows = self.db.execute(
            """SELECT q.*, a.outlet, a.published, a.title AS article_title, a.story
               FROM quotes q JOIN articles a ON a.id = q.article
               WHERE q.speaker = ? ORDER BY a.published IS NULL, a.published, a.seq, q.start LIMIT ? OFFSET ?""",
            (entity, limit, offset),
        )
        return [dict(r) for r in rows]

    def count_statements(self, entity: str) -> int:
        return int(self.db.execute("SELECT count(*) FROM quotes WHERE speaker = ?", (entity,)).fetchone()[0])

    def top_speakers(self, limit: int = 200) -> list[dict[str, Any]]:
        """Speakers with the most quotes: id, name and count."""
        rows = self.db.execute(
            """SELECT e.id, e.name, c.quotes FROM
                   (SELECT speaker, count(*) AS quotes FROM quotes WHERE speaker IS NOT NULL GROUP BY speaker
                    ORDER BY quotes DESC LIMIT ?) c
               JOIN entities e ON e.id = c.speaker ORDER BY c.quotes DESC, e.name""",
            (limit,),
        )
        return [dict(r) for r in rows]

    def outlets(self) -> list[str]:
        """Every outlet name seen, sorted."""
        rows = self.db.execute("SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL ORDER BY outlet")
        return [r[0] for r in rows]

    def search_articles(
        self,
        query: str = "",
        speaker: str | None = None,
        outlet: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        limit: int = 20,
        offset: int = 0,
        ranked: int | None = None,
    ) -> list[dict[str, Any]]:
        """Article headers matching the words and the filters, with a snippet whose hits sit between U+E000 and
        U+E001: among the `ranked` (default RANKED_MATCHES) articles stored last that match the words, the best
        first, then older matches, stored last first. Without words, the filtered articles newest first. Dates
        compare as ISO strings, `date_to` inclusive of the day."""
        where: list[str] = []
        args: list[Any] = []
        if speaker is not None:
            if query.strip():
                # Tested on each match's rowid from a list of the speaker's articles built once through the
                # quotes_speaker index, rather than by reading every match's article row; `+ 0` keeps SQLite
                # from handing the list to FTS5, which would run the whole MATCH once per article in it.
                where.append(
                    "articles_fts.rowid + 0 IN "
                    "(SELECT s.seq FROM quotes q JOIN articles s ON s.id = q.article WHERE q.speaker = ?)"
                )
            else:
                # IN (subquery) lets SQLite start from the speaker's quotes instead of testing every article.
                where.append("a.id IN (SELECT q.article FROM quotes q WHERE q.speaker = ?)")
            args.append(speaker)
        if outlet is not None:
            where.append("a.outlet = ?")
            args.append(outlet)
        if date_from is not None:
            where.append("a.published >= ?")
            args.append(date_from)
        if date_to is not None:
            where.append("a.published < ?")
            args.append(date_to + "\uffff")  # every timestamp within the last day sorts below it
        columns = "a.id, a.title, a.outlet, a.published, a.story, a.event, a.duplicate_of"
        filters = " AND ".join(where)
        if query.strip():
            match = _fts_query(query)
            return self._ranked_matches(match, columns, filters, args, limit, offset, ranked or RANKED_MATCHES)
        # Newest first, undated last (NULL sorts lowest); the (outlet, published) index serves the order.
        sql = f"""SELECT {columns}, NULL AS snippet FROM articles a {"WHERE " + filters if where else ""}
                  ORDER BY a.published DESC LIMIT ? OFFSET ?"""
        return [dict(r) for r in self.db.execute(sql, [*args, limit, offset])]

    def _ranked_matches(
        self, match: str, columns: str, filters: str, args: list[Any], limit: int, offset: int, ranked: int
    ) -> list[dict[str, Any]]:
        """search_articles with words: the `ranked` matches stored last, best first (bm25), then older matches."""
        # FTS5 scores every match it ranks (~1.5 µs each, 10-30 ms for a common word's 9,000 matches in 100,000
        # articles) and reads each one's article row to test the filters; ranking only the matches stored last
        # bounds both, while a rarer word or several words, with fewer matches, are ranked whole.
        last = self.db.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (match, ranked - 1),
        ).fetchone()
        floor = int(last[0]) if last else 0  # fewer matches than `ranked`: every one is ranked
        source = f"""FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid WHERE articles_fts MATCH ?
                     {"AND " + filters if filters else ""}"""
        select = f"SELECT {columns}, snippet(articles_fts, 1, char(57344), char(57345), '…', 16) AS snippet {source}"
        hits = [
            dict(r)
            for r in self.db.execute(
                f"{select} AND articles_fts.rowid >= ? ORDER BY rank LIMIT ? OFFSET ?",
                [match, *args, floor, limit, offset],
            )
        ]
        if not floor or len(hits) == limit:
            return hits
        if hits or not offset:
            first_older = offset + len(hits)
        else:  # the page starts past the ranked matches: how many were there?
            count = f"SELECT count(*) {source} AND articles_fts.rowid >= ?"
            first_older = int(self.db.execute(count, [match, *args, floor]).fetchone()[0])
        older = self.db.execute(
            f"{select} AND articles_fts.rowid < ? ORDER BY articles_fts.rowid DESC LIMIT ? OFFSET ?",
            [match, *args, floor, limit - len(hits), max(0, offset - first_older)],
        )
        return hits + [dict(r) for r in older]

    # --- search ---------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[tuple[Article, str]]:
        """Full-text search over titles and bodies: articles with a highlighted snippet, best first."""
        rows = self.db.execute(
            """SELECT a.*, snippet(articles_fts, 1, '[', ']', '…', 12) AS snip FROM articles_fts
               JOIN articles a ON a.seq = articles_fts.rowid WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?""",
            (_fts_query(query), limit),
        )
        return [(_article_from_row(r), r["snip"]) for r in rows]

    # --- brief cache ----------------------------------------------------------------------------
    # A story's brief is built from its articles, their quotes, its events and its speakers' names. The pipeline
    # only adds articles to a story (none is edited or deleted, and set_placement, which could move one, serves
    # tests only), its title and events change only when one joins, and an entity's name never changes; so
    # (article count, highest article seq) names a version of everything a brief reads.

    def brief_quotes(self, story: str) -> list[Quote]:
        """Quotes of a story's articles, in ingest order then text order: what its brief is built from."""
        rows = self.db.execute(
            """SELECT q.* FROM articles a JOIN quotes q ON q.article = a.id WHERE a.story = ?
               ORDER BY a.seq, q.start""",
            (story,),
        )
        return [_quote_from_row(r) for r in rows]

    def story_stamp(self, story: str) -> tuple[int, int]:
        """(article count, highest article seq) of a story: changes whenever an article joins it."""
        row = self.db.execute(
            "SELECT count(*), coalesce(max(seq), 0) FROM articles WHERE story = ?", (story,)
        ).fetchone()
        return int(row[0]), int(row[1])

    def cached_brief(self, story: str, stamp: tuple[int, int], builder: str) -> str | None:
        """The brief JSON saved for this version of the story by this builder, or None."""
        row = self.db.execute(
            "SELECT brief FROM briefs WHERE story = ? AND articles = ? AND last_seq = ? AND builder = ?",
            (story, *stamp, builder),
        ).fetchone()
        return str(row[0]) if row else None

    def save_brief(self, story: str, stamp: tuple[int, int], builder: str, brief: str, wait: float = 0.1) -> bool:
        """Keep a built brief, replacing the story's older one. A cache must not stall a page: when another
        connection holds the write lock (an ingest) for over `wait` seconds, nothing is saved and this says
        False."""
        timeout = int(self.db.execute("PRAGMA busy_timeout").fetchone()[0])
        self.db.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
        try:
            self.db.execute(
                """INSERT INTO briefs (story, articles, last_seq, builder, brief) VALUES (?,?,?,?,?)
                   ON CONFLICT(story) DO UPDATE SET articles = excluded.articles, last_seq = excluded.last_seq,
                       builder = excluded.builder, brief = excluded.brief""",
                (story, *stamp, builder, brief),
            )
        except sqlite3.OperationalError as err:
            if "locked" not in str(err):
                raise
            return False
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {timeout}")
        return True

    def fresh_briefs(self, builder: str) -> int:
        """How many stories have a saved brief of their current version by this builder."""
        row = self.db.execute(
            """SELECT count(*) FROM briefs b WHERE b.builder = ?
                   AND b.articles = (SELECT count(*) FROM articles a WHERE a.story = b.story)
                   AND b.last_seq = (SELECT coalesce(max(seq), 0) FROM articles a WHERE a.story = b.story)""",
            (builder,),
        ).fetchone()
        return int(row[0])

    def clear_briefs(self) -> None:
        """Forget every saved brief (they are built again when asked for)."""
        self.db.execute("DELETE FROM briefs")


# How many of the matches stored last search ranks by relevance (the rest follow, stored last first).
RANKED_MATCHES = 1000


def _fts_query(text: str) -> str:
    """Quote each word so user input is never read as FTS5 syntax."""
    words = [w.replace('"', '""') for w in text.split()]
    return " ".join(f'"{w}"' for w in words) or '""'


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
