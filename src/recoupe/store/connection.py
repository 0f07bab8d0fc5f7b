"""The connection core of a store: opening the SQLite file, transactions and the writer lock."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from recoupe.store.schema import StoreError, migrate, schema_version

CACHE_KIB = 64 * 1024  # SQLite's page cache per connection


class StoreConnection:
    """One connection to a store file (WAL mode), or to a store in memory with path ':memory:'. The parts of
    `Store` are built on it; one of them (the clustering state) writes what it gathered in a transaction through
    the two hooks `_write_pending` and `_end_pending`."""

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
            migrate(self.db, self.path)
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path}: not a usable recoupe store ({err})") from err
        self._depth = 0

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The schema version of the store file."""
        return schema_version(self.db)

    def _tuples(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
        """A query's rows as plain tuples, for the hot look-ups of clustering and near-copies: building a
        sqlite3.Row for each of an article's few hundred terms costs more than the query."""
        cursor = self.db.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, args)

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
        committed = False
        try:
            yield
            self._write_pending()
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
            committed = True
        finally:
            self._depth = 0
            self._end_pending(committed)

    def _write_pending(self) -> None:
        """Write what was gathered in memory during the transaction, just before it commits."""

    def _end_pending(self, committed: bool) -> None:
        """Forget what was gathered during the transaction, once it committed or rolled back."""

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
