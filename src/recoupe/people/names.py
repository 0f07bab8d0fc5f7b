"""Person names and role nouns: the rule data and the folding that lets variants of one name compare equal."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from recoupe.config import Config
from recoupe.records import Entity
from recoupe.rules import LanguageRules, Names, Roles, load_language

if TYPE_CHECKING:  # the store imports this module (facts/records.py): its type only
    from recoupe.store import Store


def strip_accents(text: str) -> str:
    """The text without diacritics ("Sergueï" -> "Serguei")."""
    if text.isascii():  # most words and names: nothing to strip, and the check costs a tenth of NFD
        return text
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


@dataclass(frozen=True)
class Role:
    """A role noun ("porte-parole", "ministre") and the gender it implies ("m", "f" or "")."""

    head: str
    gender: str


@dataclass(frozen=True)
class NameRules:
    """Titles, transliteration folds, role nouns and NER stoplist of one language."""

    titles: dict[str, str]
    folds: tuple[tuple[re.Pattern[str], str], ...]
    not_persons: frozenset[str]
    particles: frozenset[str]  # lower-case words that begin a surname ("de Villepin"): never a role to drop
    roles: tuple[Role, ...]  # longest first, so "premier ministre" wins over "ministre"
    premodifiers: frozenset[str]
    offices: dict[str, str]  # folded role phrase -> the first phrase naming the same office
    glued: tuple[str, ...]  # short words scraping glues to a name ("Duvalest ouvert" for "Duval est")
    aliases: dict[str, str]  # folded spelling -> the spelling of the same name compared ("pekin" -> "beijing")

    @classmethod
    def of(cls, names: Names, roles: Roles, aliases: Mapping[str, str] | None = None) -> NameRules:
        """The name rules of a language, from its names.toml and roles.toml records and the aliases of every
        language."""
        return cls(
            aliases={fold_plain(a): fold_plain(b) for a, b in (aliases or {}).items()},
            titles=dict(names.titles),
            folds=tuple((re.compile(a), b) for a, b in names.folds),
            not_persons=frozenset(fold_plain(n) for n in names.not_persons),
            particles=names.particles,
            roles=tuple(sorted((Role(h, g) for h, g in roles.heads), key=lambda r: -len(r.head.split()))),
            premodifiers=roles.premodifiers,
            glued=names.glued_words,
            offices={_role_key(p): _role_key(group[0]) for group in roles.same_office for p in group},
        )

    @classmethod
    def of_language(cls, rules: LanguageRules) -> NameRules:
        """The name rules of a language; a RulesError when its folder has no names.toml or roles.toml."""
        if rules.names is None:
            raise rules.missing("names.toml", "reading person names")
        if rules.roles is None:
            raise rules.missing("roles.toml", "reading person names")
        return cls.of(rules.names, rules.roles, rules.aliases.names)

    def fold(self, name: str) -> str:
        """A name reduced so its spelling variants compare equal ("Dmitry" and "Dmitri" -> "dmitri", "Poutine"
        and "Putin" -> "putin"): the words of person names are folded one by one, without the aliases of
        whole names ("Un" of "Kim Jong Un" is no "UN")."""
        folded = fold_plain(name)
        for pattern, replacement in self.folds:
            folded = pattern.sub(replacement, folded)
        return folded

    def fold_entity(self, name: str) -> str:
        """The key of a place's or an organisation's name, the same in every language ("Pékin", "Beijing")."""
        folded = fold_plain(name)
        return self.aliases.get(folded, folded)

    def office(self, role_key: str) -> str:
        """A folded role phrase mapped onto one name per office ("chef du kremlin" -> "president russe")."""
        key = _role_key(role_key)
        return self.offices.get(key, key)

    def person_key(self, tokens: list[str]) -> tuple[str, str]:
        """(first names, surname) keys of a name given as tokens, titles removed."""
        words = [t for t in tokens if t not in self.titles]
        if not words:
            return "", ""
        return " ".join(self.fold(w) for w in words[:-1]), self.fold(words[-1])


def _role_key(phrase: str) -> str:
    """A role phrase folded, with the spaces the tokenizer leaves around hyphens and apostrophes removed."""
    return fold_plain(phrase).replace(" - ", "-").replace(" -", "-").replace("' ", "'")


def fold_plain(text: str) -> str:
    """Lower case, no accents, apostrophes unified, spacing collapsed."""
    return " ".join(strip_accents(text).lower().replace("’", "'").split())


@cache
def function_words(language: str) -> frozenset[str]:
    """spaCy's function words of a language, as written and without accents (looked up once per language:
    spaCy's registry look-up is slow)."""
    try:
        # Imported here: a command that only reads the store (stories, quotes, the server's pages) loads no spaCy.
        from spacy.util import get_lang_class

        words = get_lang_class(language).Defaults.stop_words
    except ImportError:
        return frozenset()
    return frozenset(words) | frozenset(strip_accents(w) for w in words)


def find(store: Store, name: str, config: Config | None = None) -> list[Entity]:
    """The entities whose name or a variant matches `name`, ignoring case, accents and transliteration."""
    config = config or Config()
    rules = NameRules.of_language(load_language(config.rules_dir, config.language))
    query = [rules.fold(w) for w in name.split()]
    if not query:
        return []
    matches: list[Entity] = []
    for entity in store.entities():
        for variant in [entity.name, *entity.variants]:
            words = [rules.fold(w) for w in variant.split()]
            if any(words[i : i + len(query)] == query for i in range(len(words) - len(query) + 1)):
                matches.append(entity)
                break
    return sorted(matches, key=lambda e: (e.type != "PER", e.name))
