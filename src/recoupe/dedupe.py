"""Near-copy detection. (Placeholder: being rewritten.)"""

from __future__ import annotations

from recoupe.config import Config
from recoupe.records import Article
from recoupe.store import Store


class NearCopyIndex:
    """Finds the earlier article a new one copies, and indexes the new one."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store

    def find_and_add(self, article: Article) -> str | None:
        """The id of the earlier article this one near-copies, or None; the article is indexed either way."""
        return None
