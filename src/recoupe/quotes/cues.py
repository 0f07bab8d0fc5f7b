"""Reporting cues: the rule data of rules/<lang>/quotes.toml and the test of whether a token is a reporting verb.

Shared by the quote finder and the entity resolver (an inverted subject after a reporting verb is a person even
when the NER misses it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Token

from recoupe.config import read_rules

VERB_POS = frozenset({"VERB", "AUX", "NOUN", "ADJ"})  # the tagger often reads a participle as ADJ or NOUN


@dataclass(frozen=True)
class QuoteRules:
    """Reporting verbs, source cues, title cues and pronouns of one language."""

    verbs: frozenset[str]
    not_before_that: frozenset[str]
    source_cues: tuple[str, ...]
    opening_cues: tuple[str, ...]
    title_cues: frozenset[str]
    link_cues: frozenset[str]
    min_words: int
    subordinators: frozenset[str]
    inverting: frozenset[str]
    connectives: tuple[str, ...]
    time_words: frozenset[str]
    pronouns: dict[str, str]
    cue_pronouns: dict[str, str]
    impersonal_words: frozenset[str]
    copulas: frozenset[str]
    endings: tuple[tuple[str, str], ...]

    @classmethod
    def load(cls, folder: Path) -> QuoteRules:
        """Rules from quotes.toml of a language folder."""
        data = read_rules(folder / "quotes.toml")
        return cls(
            verbs=frozenset(v.removeprefix("s'") for v in data["reporting_verbs"]),
            not_before_that=frozenset(data.get("not_before_that", [])),
            source_cues=tuple(data["source_cues"]),
            opening_cues=tuple(data.get("opening_cues", [])),
            title_cues=frozenset(data["title_cues"]),
            link_cues=frozenset(data.get("link_cues", [])),
            min_words=int(data.get("min_words", 4)),
            subordinators=frozenset(data["subordinators"]),
            inverting=frozenset(data.get("inverting", [])),
            connectives=tuple(data.get("connectives", [])),
            time_words=frozenset(data.get("time_words", [])),
            pronouns=dict(data["pronouns"]),
            cue_pronouns=dict(data.get("cue_pronouns", {})),
            impersonal_words=frozenset(data.get("impersonal", [])),
            copulas=frozenset(data.get("impersonal_copulas", [])),
            # Longest ending first, so "aient" is tried before "ent".
            endings=tuple(sorted(((e, s) for e, s in data.get("verb_endings", [])), key=lambda p: -len(p[0]))),
        )

    def reporting_lemma(self, token: Token) -> str | None:
        """The reporting verb a token is a form of, or None.

        spaCy's lemma first; when the lemmatizer leaves a form unchanged (it does for some finite forms right
        after a closing quote mark: "» indique X"), the form is reduced by the conjugation endings of the rule
        file and checked against the verb list again.
        """
        if token.pos_ not in VERB_POS:
            return None
        lemma = token.lemma_.lower()
        if lemma in self.verbs:
            return lemma
        form = token.lower_.split("-")[0]  # "déclare-t-il"
        for ending, infinitive in self.endings:
            if form.endswith(ending) and len(form) > len(ending) + 1:
                candidate = form[: len(form) - len(ending)] + infinitive
                if candidate in self.verbs:
                    return candidate
        return None

    def impersonal(self, token: Token) -> bool:
        """Whether a pronoun stands for no one: "il faut", "il y a", "il est (adjectif) de / que"."""
        following = [t.lower_ for t in token.doc[token.i + 1 : token.i + 4]]
        if not following:
            return False
        if following[0] in self.impersonal_words:
            return True
        if following[0] in self.copulas and len(following) == 3:
            adjective = token.doc[token.i + 2]
            return adjective.pos_ in {"ADJ", "NOUN"} and following[2] in {"de", "d'", "d’", "que", "qu'", "qu’"}
        return False
