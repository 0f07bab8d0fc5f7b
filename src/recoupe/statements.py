"""One statement, many reports: quotes of the same words (identical, trimmed or lightly reworded) grouped.

Similarity is the containment of the shorter quote's word set in the longer one's: a trimmed quote is fully
contained in the full one, a light rewording shares most words. difflib or MinHash would also do; containment
is exact, needs no tuning of shingle sizes for two-line texts, and is cheap for the few quotes of one story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from recoupe.names import function_words, strip_accents
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


def group_statements(quotes: list[Quote], language: str = "fr") -> list[Statement]:
    """Quotes grouped into statements, in the order of each statement's first quote."""
    stop = function_words(language)
    statements: list[tuple[set[str], Statement]] = []
    by_words: dict[str, Statement] = {}  # the same words are the same statement, however short
    for quote in quotes:
        folded = strip_accents(quote.text).lower()
        exact = " ".join(WORDS.findall(folded))
        vocabulary = {w for w in WORDS.findall(folded) if w not in stop and len(w) > 1}
        match = by_words.get(exact)
        if match is None and len(vocabulary) >= MIN_WORDS:
            match = next(
                (st for v, st in statements if len(v) >= MIN_WORDS and containment(vocabulary, v) >= SAME_STATEMENT),
                None,
            )
        if match is None:
            match = Statement([quote])
            statements.append((vocabulary, match))
        else:
            match.quotes.append(quote)
            for i, (v, st) in enumerate(statements):
                if st is match:
                    statements[i] = (v | vocabulary, st)
        by_words.setdefault(exact, match)
    return [st for _, st in statements]
