"""The indexes the pipeline keeps beside the records: near-copy LSH bands and the clustering state (document
frequencies of terms, blocking keys of stories, counters, story and event states)."""

from __future__ import annotations

import json
from collections import Counter, OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from recoupe.records import Event
from recoupe.store.connection import StoreConnection
from recoupe.store.sql import marks, select_in

KNOWN_DFS = 300_000  # document frequencies kept in memory (about 40 MB)


class Index(StoreConnection):
    """Near-copy bands and clustering state. Document frequencies and counters added in a transaction are kept
    in memory and written as it commits."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        # Document frequencies and counters added inside a transaction, written when it commits: an article adds
        # one to each of its few hundred terms, and the articles of a batch share many of them.
        self._pending_terms: Counter[str] = Counter()
        self._pending_counts: Counter[str] = Counter()
        # Committed document frequencies of the terms looked up last, most recent last, so that an article's
        # common lemmas are not read from SQLite again; true while no other connection writes, which
        # PRAGMA data_version tells.
        self._known_dfs: OrderedDict[str, int] = OrderedDict()
        self._data_version: int | None = None

    def _write_pending(self) -> None:
        """Write the document frequencies and counters added during the transaction."""
        super()._write_pending()
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

    def _end_pending(self, committed: bool) -> None:
        """Add the committed document frequencies to those known, and forget the transaction's additions."""
        super()._end_pending(committed)
        if committed:
            known = self._known_dfs
            for term, added in self._pending_terms.items():
                if term in known:
                    known[term] += added
        self._pending_terms.clear()
        self._pending_counts.clear()

    # --- near-copy index (MinHash LSH bands) -----------------------------------------------------

    def add_lsh_bands(self, article: str, band_keys: Sequence[str], signature: bytes) -> None:
        """Index an article's MinHash signature under its LSH band keys."""
        self.db.executemany("INSERT INTO lsh_bands (band_key, article) VALUES (?,?)", [(k, article) for k in band_keys])
        self.db.execute("INSERT OR REPLACE INTO minhashes (article, signature) VALUES (?,?)", (article, signature))

    def lsh_candidates(self, band_keys: Sequence[str]) -> dict[str, bytes]:
        """Articles sharing at least one band key, with their signatures."""
        sql = """SELECT DISTINCT m.article, m.signature FROM lsh_bands b JOIN minhashes m ON m.article = b.article
                 WHERE b.band_key IN ({marks})"""
        return dict(select_in(self._tuples, sql, band_keys))

    # --- clustering state (stories/cluster.py) -----------------------------------------------------

    def term_dfs(self, terms: Sequence[str]) -> dict[str, int]:
        """Document frequencies of the given lemmas (absent ones are 0)."""
        version = self._tuples("PRAGMA data_version").fetchone()[0]
        known = self._known_dfs
        if version != self._data_version:  # another connection wrote: what is known may be out of date
            known.clear()
            self._data_version = version
        wanted = set(terms)
        missing = [term for term in wanted if term not in known]
        found = dict(select_in(self._tuples, "SELECT term, df FROM term_df WHERE term IN ({marks})", missing))
        for term in missing:
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
        """The value of a named counter, with what the open transaction added."""
        row = self._tuples("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return (int(row[0]) if row else 0) + self._pending_counts[name]

    def bump(self, name: str, by: int = 1) -> None:
        """Add `by` to a named counter (at once outside a transaction, at its commit inside one)."""
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
        rare_keys = "SELECT key FROM key_df WHERE key IN ({marks}) AND df <= ?"
        rare = [r[0] for r in select_in(self.db.execute, rare_keys, keys, after=[max_df])]
        if not rare:
            return []
        # Bound whole, not a chunk at a time: the counts and the limit are across every key (an article's few).
        rows = self.db.execute(
            f"""SELECT story, count(*) AS shared FROM story_keys WHERE key IN ({marks(len(rare))})
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

    def story_state(self, story_id: str) -> dict[str, Any] | None:
        """The clusterer's private state of a story, or None."""
        row = self.db.execute("SELECT state FROM stories WHERE id = ?", (story_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def event_state(self, event_id: str) -> dict[str, Any] | None:
        """The clusterer's private state of an event, or None."""
        row = self.db.execute("SELECT state FROM events WHERE id = ?", (event_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def event_states(self, story: str) -> list[tuple[Event, dict[str, Any]]]:
        """The events of a story with the clusterer's state of each."""
        rows = self.db.execute("SELECT id, story, date, title, state FROM events WHERE story = ? ORDER BY id", (story,))
        return [
            (Event(id=r["id"], story=r["story"], date=r["date"], title=r["title"]), json.loads(r["state"]))
            for r in rows
        ]
