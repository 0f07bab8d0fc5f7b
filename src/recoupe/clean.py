"""Cleaning: main text out of HTML, site furniture out of text. (Placeholder: being rewritten.)"""

from __future__ import annotations

import trafilatura

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.records import Article, RawArticle, stable_id


class Cleaner:
    """Turns a raw article into a cleaned one."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def clean(self, raw: RawArticle) -> Article:
        """Extract and clean the body of one raw article."""
        text = raw.content
        if raw.format == "html":
            text = trafilatura.extract(raw.content) or ""
        text = text.strip()
        if not text:
            raise InputError(raw.origin, "no article text found")
        return Article(
            id=stable_id("art", raw.content_hash), source=raw.source, text=text, content_hash=raw.content_hash,
            title=raw.title, outlet=raw.outlet, published=raw.published, fetched_at=raw.fetched_at,
        )
