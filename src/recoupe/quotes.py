"""Quotations and their speakers. (Placeholder: being rewritten.)"""

from __future__ import annotations

from spacy.tokens import Doc

from recoupe.config import Config
from recoupe.records import Article, Entity, Mention, Quote


class QuoteExtractor:
    """Finds direct, indirect and mixed quotes with their speakers."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def extract(self, doc: Doc, article: Article, entities: list[Entity], mentions: list[Mention]) -> list[Quote]:
        """The quotes of one article."""
        return []
