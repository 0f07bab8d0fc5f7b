"""One statement, many reports: quotes of the same words (identical, trimmed or lightly reworded) grouped.

Similarity is the containment of the shorter quote's word set in the longer one's: a trimmed quote is fully
contained in the full one, a light rewording shares most words. difflib or MinHash would also do; containment
is exact, needs no tuning of shingle sizes for two-line texts, and is cheap for the few quotes of one story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from recoupe.people.names import function_words, strip_accents
from recoupe.records import Quote

WORDS = re.compile(r"\w+")
SAME_STATEMENT = 0.6  # share of the shorter quote's words found in the longer one
MIN_WORDS = 5  # content words a quote needs before it can be matched with another


@dataclass
class Statement:
    """The quotes that report one statement; the longest is its text."""

    quotes: list[Quote] = field(default_factory=list)

    @property
    def text(self) -> str:
        return max(self.quotes, key=lambda q: (len(q.text), q.id)).text


def containment(a: set[str], b: set[str]) -> float:
    """Share of the smaller word set found in the larger."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return len(small & large) / len(small)


@dataclass(frozen=True)
class Wording:
    """How a quote's text is compared: all its words in order (an exact repeat) and its content words."""

    exact: str
    vocabulary: frozenset[str]


class StatementGrouper:
    """Groups quotes into statements, reading each distinct quote text once however many groupings it enters
    (a brief groups each speaker's quotes, then all of them)."""

    def __init__(self, language: str = "fr") -> None:
        self.stop = function_words(language)
        self._wordings: dict[str, Wording] = {}

    def wording(self, text: str) -> Wording:
        """The words of a quote's text, folded (no accents, lower case)."""
        found = self._wordings.get(text)
        if found is None:
            words = WORDS.findall(strip_accents(text).lower())
            found = Wording(" ".join(words), frozenset(w for w in words if w not in self.stop and len(w) > 1))
            self._wordings[text] = found
        return found

    def group(self, quotes: list[Quote]) -> list[Statement]:
        """Quotes grouped into statements, in the order of each statement's first quote.

        A quote joins the first statement whose words contain enough of its own; an index from each word to the
        statements holding it counts the shared words, so a quote is compared only with statements it shares a
        word with rather than with every statement so far."""
        statements: list[Statement] = []
        vocabularies: list[set[str]] = []  # the words of every quote of each statement
        holding: dict[str, list[int]] = {}  # word -> statements whose vocabulary holds it
        by_words: dict[str, int] = {}  # the same words are the same statement, however short
        for quote in quotes:
            wording = self.wording(quote.text)
            vocabulary = wording.vocabulary
            match = by_words.get(wording.exact)
            if match is None and len(vocabulary) >= MIN_WORDS:
                match = self._first_containing(vocabulary, vocabularies, holding)
            if match is None:
                match = len(statements)
                statements.append(Statement([quote]))
                vocabularies.append(set())
            else:
                statements[match].quotes.append(quote)
            for word in vocabulary - vocabularies[match]:
                holding.setdefault(word, []).append(match)
            vocabularies[match] |= vocabulary
            by_words.setdefault(wording.exact, match)
        return statements

    @staticmethod
    def _first_containing(
        vocabulary: frozenset[str], vocabularies: list[set[str]], holding: dict[str, list[int]]
    ) -> int | None:
        """The first statement of MIN_WORDS words or more that shares SAME_STATEMENT of the smaller word set."""
        shared: dict[int, int] = {}
        for word in vocabulary:
            for index in holding.get(word, ()):
                shared[index] = shared.get(index, 0) + 1
        # Same figure as containment(): the shared words over the size of the smaller set.
        matching = (
            index
            for index, count in shared.items()
            if len(vocabularies[index]) >= MIN_WORDS
            and count / min(len(vocabulary), len(vocabularies[index])) >= SAME_STATEMENT
        )
        return min(matching, default=None)


def group_statements(quotes: list[Quote], language: str = "fr") -> list[Statement]:
    """Quotes grouped into statements, in the order of each statement's first quote."""
    return StatementGrouper(language).group(quotes)
