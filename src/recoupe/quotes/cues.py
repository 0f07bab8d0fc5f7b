"""Reporting cues: the rules of rules/<lang>/quotes.toml, compiled, and the test of whether a token is a reporting verb.

Shared by the quote finder and the entity resolver (an inverted subject after a reporting verb is a person even
when the NER misses it).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from recoupe.rules import Quotes

# The tagger often reads a participle as ADJ or NOUN, and a word it does not know as X ("a tweeté").
VERB_POS = frozenset({"VERB", "AUX", "NOUN", "ADJ", "X"})


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
    complements: frozenset[str]  # after "il est (adjectif)": "de", "que"
    inverted_pronouns: frozenset[str]  # "-il" in "a-t-il ajouté"
    endings: tuple[tuple[str, str], ...]
    cue_subject_words: int  # words of a subject before the reporting verb of a cue after a quote ('", X said')

    @classmethod
    def of(cls, quotes: Quotes) -> QuoteRules:
        """The quote rules of a language, from its quotes.toml record."""
        return cls(
            # Pronominal verbs are matched on their lemma without the pronoun ("s'interroger" -> "interroger").
            verbs=frozenset(v.removeprefix(quotes.reflexive_prefix) for v in quotes.reporting_verbs),
            not_before_that=quotes.not_before_that,
            source_cues=quotes.source_cues,
            opening_cues=quotes.opening_cues,
            title_cues=quotes.title_cues,
            link_cues=quotes.link_cues,
            min_words=quotes.min_words,
            subordinators=quotes.subordinators,
            inverting=quotes.inverting,
            connectives=quotes.connectives,
            time_words=quotes.time_words,
            pronouns=dict(quotes.pronouns),
            cue_pronouns=dict(quotes.cue_pronouns),
            impersonal_words=quotes.impersonal,
            copulas=quotes.impersonal_copulas,
            complements=quotes.impersonal_complements,
            inverted_pronouns=quotes.inverted_pronouns,
            # Longest ending first, so "aient" is tried before "ent".
            endings=tuple(sorted(quotes.verb_endings, key=lambda p: -len(p[0]))),
            cue_subject_words=quotes.cue_subject_words,
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
            return adjective.pos_ in {"ADJ", "NOUN"} and following[2] in self.complements
        return False
