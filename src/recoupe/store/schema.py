"""The store's schema: the migrations that build it, one version at a time, and the version a file is at."""

from __future__ import annotations

import sqlite3

# Each migration moves the schema one version up. Never edit a released one: append.
MIGRATIONS: tuple[str, ...] = (
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
    # 6: claims of each article (the data and the word vector they are aligned on) and the facts of each story
    """
    CREATE TABLE claims (
        id TEXT PRIMARY KEY,
        article TEXT NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        data TEXT NOT NULL,
        vector BLOB NOT NULL
    );
    CREATE INDEX claims_article ON claims(article, start);
    CREATE TABLE facts (
        id TEXT PRIMARY KEY,
        story TEXT NOT NULL,
        event TEXT,
        status TEXT NOT NULL,
        independent_sources INTEGER NOT NULL,
        position INTEGER NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX facts_story ON facts(story, position);
    """,
    # 7: the stories whose facts are to be found again (an article joined them), cross-checked at the end of a run
    """
    CREATE TABLE facts_pending (
        story TEXT PRIMARY KEY,
        language TEXT NOT NULL
    );
    """,
    # 8: search: the index's vocabulary, for the forms of a word (store/search.py), and the entities' spellings
    # indexed as the articles are, for the other spellings of a name
    """
    CREATE VIRTUAL TABLE articles_vocab USING fts5vocab(articles_fts, 'row');
    CREATE VIRTUAL TABLE entities_fts USING fts5(
        variants, content='entities', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
    );
    INSERT INTO entities_fts(entities_fts) VALUES ('rebuild');
    CREATE TRIGGER entities_ai AFTER INSERT ON entities BEGIN
        INSERT INTO entities_fts(rowid, variants) VALUES (new.rowid, new.variants);
    END;
    CREATE TRIGGER entities_ad AFTER DELETE ON entities BEGIN
        INSERT INTO entities_fts(entities_fts, rowid, variants) VALUES ('delete', old.rowid, old.variants);
    END;
    CREATE TRIGGER entities_au AFTER UPDATE OF variants ON entities BEGIN
        INSERT INTO entities_fts(entities_fts, rowid, variants) VALUES ('delete', old.rowid, old.variants);
        INSERT INTO entities_fts(rowid, variants) VALUES (new.rowid, new.variants);
    END;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The store file cannot be opened or is not a recoupe store of a version this code reads."""


def schema_version(db: sqlite3.Connection) -> int:
    """The schema version the database is at (0 for a new one)."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, path: str) -> None:
    """Bring the database at `path` up to SCHEMA_VERSION, each migration in its own transaction."""
    version = schema_version(db)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: store schema version {version} is newer than this recoupe ({SCHEMA_VERSION}); upgrade recoupe"
        )
    for number in range(version, SCHEMA_VERSION):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in split_sql(MIGRATIONS[number]):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number + 1}")
            db.execute("COMMIT")
        except sqlite3.Error:
            db.execute("ROLLBACK")
            raise


def split_sql(script: str) -> list[str]:
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
