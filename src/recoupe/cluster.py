"""Incremental story and event clustering. (Placeholder: being rewritten.)"""

from __future__ import annotations

from recoupe.config import Config
from recoupe.records import Analysis, Event, Story, stable_id
from recoupe.store import Store


class Clusterer:
    """Places each new article into a story and an event."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store

    def place(self, analysis: Analysis) -> tuple[str, str]:
        """The (story id, event id) the article joins, creating them when needed."""
        article = analysis.article
        story = Story(id=stable_id("sto", article.id), title=article.title or article.text[:60])
        event = Event(id=stable_id("evt", article.id), story=story.id, date=article.published, title=story.title)
        self.store.upsert_story(story)
        self.store.upsert_event(event)
        return story.id, event.id
