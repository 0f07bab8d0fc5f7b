"""Reads and writes of claims (one row per claim of an article) and facts (the cross-check of each story)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from recoupe.facts.records import Claim, Fact
from recoupe.store.connection import StoreConnection
from recoupe.store.sql import select_in


class Facts(StoreConnection):
    """The claims of the articles and the facts of the stories."""

    def save_claims(self, article: str, claims: Sequence[Claim]) -> None:
        """Replace the claims of one article."""
        with self.transaction():
            self.db.execute("DELETE FROM claims WHERE article = ?", (article,))
            self.db.executemany(
                "INSERT INTO claims (id, article, start, end, data, vector) VALUES (?,?,?,?,?,?)",
                [
                    (c.id, c.article, c.start, c.end, json.dumps(c.to_dict(), ensure_ascii=False), c.vector)
                    for c in claims
                ],
            )

    def claims_of(self, articles: Sequence[str]) -> list[Claim]:
        """The claims of these articles, by article then text order."""
        rows = select_in(self.db.execute, "SELECT data, vector FROM claims WHERE article IN ({marks})", articles)
        claims = [Claim.from_dict(json.loads(row["data"]), bytes(row["vector"])) for row in rows]
        order = {a: i for i, a in enumerate(articles)}
        return sorted(claims, key=lambda c: (order.get(c.article, len(order)), c.start))

    def count_claims(self) -> int:
        """How many claims the store holds."""
        return int(self.db.execute("SELECT count(*) FROM claims").fetchone()[0])

    def replace_facts(self, story: str, facts: Sequence[Fact]) -> None:
        """The facts of one story, instead of those it had."""
        with self.transaction():
            self.db.execute("DELETE FROM facts WHERE story = ?", (story,))
            self.db.executemany(
                """INSERT INTO facts (id, story, event, status, independent_sources, position, data)
                   VALUES (?,?,?,?,?,?,?)""",
                [
                    (
                        f.id,
                        f.story,
                        f.event,
                        f.status,
                        f.independent_sources,
                        i,
                        json.dumps(f.to_dict(), ensure_ascii=False),
                    )
                    for i, f in enumerate(facts)
                ],
            )

    def mark_facts_pending(self, story: str, language: str) -> None:
        """Remember that the facts of a story are to be found again (with the rules of `language`)."""
        self.db.execute("INSERT OR IGNORE INTO facts_pending (story, language) VALUES (?, ?)", (story, language))

    def facts_pending(self) -> list[tuple[str, str]]:
        """The stories whose facts are to be found again, with their language, in story order."""
        rows = self.db.execute("SELECT story, language FROM facts_pending ORDER BY story")
        return [(str(row["story"]), str(row["language"])) for row in rows]

    def clear_facts_pending(self, story: str) -> None:
        """The facts of a story are current."""
        self.db.execute("DELETE FROM facts_pending WHERE story = ?", (story,))

    def facts(self, story: str | None = None) -> list[Fact]:
        """The facts of one story, or of every story, in the order they were found."""
        if story is None:
            rows = self.db.execute("SELECT data FROM facts ORDER BY story, position")
        else:
            rows = self.db.execute("SELECT data FROM facts WHERE story = ? ORDER BY position", (story,))
        return [Fact.from_dict(json.loads(row["data"])) for row in rows]
