"""Dates: publication date inference and event dates. (Placeholder: being rewritten.)"""

from __future__ import annotations

from recoupe.records import Article


def complete_published(article: Article) -> None:
    """Fill `published` from the text when metadata gave none."""


def event_dates(text: str, published: str | None) -> list[str]:
    """ISO dates of the happenings the text mentions."""
    return []
