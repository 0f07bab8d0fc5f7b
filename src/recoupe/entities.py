"""Named entities and the merging of name variants. (Placeholder: being rewritten.)"""

from __future__ import annotations

from spacy.tokens import Doc

from recoupe.config import Config
from recoupe.records import Article, Entity, Mention, stable_id
from recoupe.store import Store

LABELS = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC"}


class EntityResolver:
    """Finds the entities of an article and binds them to store-wide ids."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store

    def resolve(self, doc: Doc, article: Article) -> tuple[list[Entity], list[Mention]]:
        """Entities of the article (with store-wide ids) and their mentions."""
        found: dict[str, Entity] = {}
        mentions: list[Mention] = []
        for ent in doc.ents:
            kind = LABELS.get(ent.label_, "MISC")
            entity_id = stable_id("ent", kind, ent.text.lower())
            entity = found.setdefault(entity_id, Entity(id=entity_id, name=ent.text, type=kind))  # type: ignore[arg-type]
            if ent.text not in entity.variants:
                entity.variants.append(ent.text)
            mentions.append(Mention(article.id, ent.start_char, ent.end_char, ent.text, entity_id))
        return list(found.values()), mentions
