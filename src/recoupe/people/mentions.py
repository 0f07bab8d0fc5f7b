"""The one record of a mention of someone in an article's text, shared by the entity resolver and the speaker finder."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonMention:
    """Someone named in the text: a person by name, or by a role noun bound to a name ("la porte-parole de la
    mairie"); the speaker finder also reads organisations and places that speak through this record."""

    start: int
    end: int
    text: str
    entity: str  # the store-wide entity id ("" while a name is not resolved yet)
    gender: str = ""  # "m", "f", or "" when nothing in the text or the store says
    role: bool = False  # named by a role noun rather than by name
