"""The brief cache: each story's built brief, kept while the story is the version it was built from.

A story's brief is built from its articles, their quotes, its events and its speakers' names. The pipeline only
adds articles to a story (none is edited or deleted, and set_placement, which could move one, serves tests
only), its title and events change only when one joins, and an entity's name never changes; so (article count,
highest article seq) names a version of everything a brief reads."""

from __future__ import annotations

import sqlite3

from recoupe.records import Quote
from recoupe.store.connection import StoreConnection
from recoupe.store.records import quote_from_row


class Briefs(StoreConnection):
    """Saved story briefs and the story versions they were built from."""

    def brief_quotes(self, story: str) -> list[Quote]:
        """Quotes of a story's articles, in ingest order then text order: what its brief is built from."""
        rows = self.db.execute(
            """SELECT q.* FROM articles a JOIN quotes q ON q.article = a.id WHERE a.story = ?
               ORDER BY a.seq, q.start""",
            (story,),
        )
        return [quote_from_row(r) for r in rows]

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
