"""Invented texts read with the French rules into a store's people, for the entity and name tests."""

from __future__ import annotations

from recoupe.config import Config
from recoupe.people.entities import EntityResolver
from recoupe.read.nlp import Reader
from recoupe.records import Article, Entity
from recoupe.rules import LanguageRules, load_language
from recoupe.store import Store


def french(config: Config) -> LanguageRules:
    """The French rules of the test configuration (read again each time: a few small files)."""
    return load_language(config.rules_dir, "fr")


def resolve_all(reader: Reader, config: Config, store: Store, texts: list[str]) -> list[Entity]:
    """The persons of the store once every text is read and its entities stored, each mention's span checked."""
    resolver = EntityResolver(french(config), store)
    for i, text in enumerate(texts):
        article = Article(id=f"a{i}", source=f"mem{i}", text=text, content_hash=f"h{i}")
        entities, mentions = resolver.resolve(reader.nlp(text), article)
        for mention in mentions:
            assert text[mention.start : mention.end] == mention.text
        for entity in entities:
            store.upsert_entity(entity)
    return [e for e in store.entities() if e.type == "PER"]
