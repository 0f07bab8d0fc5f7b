"""Alignment: the claims of different articles of one story that state the same thing, grouped into facts.

Two claims are scored on their words (the IDF-weighted share of content lemmas they have in common, IDF taken
over the story's claims, so that "Poutine" in every sentence of a story about Poutine weighs little), on the
cosine of their mean word vectors, and on the entities they both name. Pairs are taken best first; a pair
joins its two claims' facts unless that would put two claims of one article, or of two articles that the
clusterer dated to different days, into one fact (two happenings), so a chain of loose matches cannot merge
two facts. The weights and the threshold are data (rules/facts.toml), fitted by bench/claims.py --fit.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from recoupe.facts.records import Claim, fold
from recoupe.rules import key, parse_record

FACTS_FILE = "facts.toml"
FIELDS = ("words", "vector", "entities", "numbers", "threshold", "min_words", "other_day")


@dataclass(frozen=True, kw_only=True)
class AlignmentWeights:
    """How two claims are scored and when they state the same thing (rules/facts.toml)."""

    words: float = key("words", 0.5)
    vector: float = key("vector", 0.3)
    entities: float = key("entities", 0.2)
    numbers: float = key("numbers", 0.2)
    threshold: float = key("threshold", 0.5)
    # Below this share of weighted words in common, a pair is not one fact however close its vectors are.
    min_words: float = key("min_words", 0.1)
    # Claims in articles the clusterer dated to different days must agree this much more.
    other_day: float = key("other_day", 0.2)

    def __post_init__(self) -> None:
        for name in FIELDS:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"alignment weight {name!r} must be between 0 and 1, got {value!r}")


def load_weights(rules_dir: Path) -> AlignmentWeights:
    """The alignment weights of rules/facts.toml; the defaults when the file is absent."""
    path = rules_dir / FACTS_FILE
    if not path.is_file():
        return AlignmentWeights()
    return parse_record(path, path.read_text(encoding="utf-8"), AlignmentWeights)


@dataclass(frozen=True)
class PairScore:
    """The parts of the score of two claims, kept apart so that the weights can be fitted on them."""

    words: float
    vector: float
    entities: float
    numbers: float  # 1 when both write one same value ("140" and "140 postes"), else 0

    def total(self, weights: AlignmentWeights) -> float:
        """The weighted score."""
        return (
            weights.words * self.words
            + weights.vector * self.vector
            + weights.entities * self.entities
            + weights.numbers * self.numbers
        )


WordVectors = Callable[[str], "np.ndarray[Any, np.dtype[np.float32]] | None"]
STEM_CHARS = 6  # folded lemmas that share this many first letters are one word ("négociation", "négocier")
SOFT_MATCH = 0.55  # two different words whose vectors are this close count as a partial match ("signe", "signal")


def stem(lemma: str) -> str:
    """The key two lemmas are matched on: folded, cut to STEM_CHARS letters."""
    return fold(lemma)[:STEM_CHARS]


class Scorer:
    """Scores pairs of claims of one story; with word vectors, different words of close meaning match in part."""

    def __init__(self, claims: Sequence[Claim], vectors: WordVectors | None = None) -> None:
        frequency: Counter[str] = Counter()
        self._stems = {c.id: frozenset(stem(lemma) for lemma in c.lemmas) for c in claims}
        for claim in claims:
            frequency.update(self._stems[claim.id])
        total = max(len(claims), 1)
        self.idf = {word: math.log(1 + total / count) for word, count in frequency.items()}
        self._vectors = {c.id: c.unit_vector() for c in claims}
        self._weights = {c.id: self._weight(self._stems[c.id]) for c in claims}
        self._word_vectors: dict[str, tuple[list[str], np.ndarray[Any, np.dtype[np.float32]] | None]] = {}
        self._lookup = vectors
        if vectors is not None:
            for claim in claims:
                self._word_vectors[claim.id] = self._matrix(claim, vectors)

    def _matrix(
        self, claim: Claim, vectors: WordVectors
    ) -> tuple[list[str], np.ndarray[Any, np.dtype[np.float32]] | None]:
        """The claim's distinct stems and the unit vectors of their first lemma (a zero row for a word without)."""
        first: dict[str, str] = {}
        for lemma in claim.lemmas:
            first.setdefault(stem(lemma), lemma)
        stems = list(first)
        rows = []
        for word in stems:
            vector = vectors(first[word])
            rows.append(vector if vector is not None else None)
        size = next((len(r) for r in rows if r is not None), 0)
        if not size:
            return stems, None
        matrix = np.zeros((len(stems), size), dtype=np.float32)
        for i, row in enumerate(rows):
            if row is not None:
                matrix[i] = row
        return stems, matrix

    def _weight(self, stems: frozenset[str]) -> float:
        return sum(self.idf.get(word, 0.0) for word in stems)

    def _soft_shared(self, a: Claim, b: Claim) -> tuple[float, float]:
        """The weight of a's words found in b and of b's words found in a, a close word counting in part."""
        stems_a, matrix_a = self._word_vectors.get(a.id, ([], None))
        stems_b, matrix_b = self._word_vectors.get(b.id, ([], None))
        if matrix_a is None or matrix_b is None:
            shared = self._weight(self._stems[a.id] & self._stems[b.id])
            return shared, shared
        similarity = matrix_a @ matrix_b.T
        same = np.array([[x == y for y in stems_b] for x in stems_a], dtype=bool)
        similarity = np.where(same, 1.0, np.where(similarity >= SOFT_MATCH, similarity, 0.0))
        idf_a = np.array([self.idf.get(w, 0.0) for w in stems_a])
        idf_b = np.array([self.idf.get(w, 0.0) for w in stems_b])
        return float(idf_a @ similarity.max(axis=1)), float(idf_b @ similarity.max(axis=0))

    def score(self, a: Claim, b: Claim) -> PairScore:
        """Words, vector and entities in common, each between 0 and 1."""
        found_a, found_b = self._soft_shared(a, b)
        weight_a, weight_b = self._weights[a.id], self._weights[b.id]
        # The geometric mean of the two shares: a short claim fully inside a long one still scores well.
        words = math.sqrt((found_a / weight_a) * (found_b / weight_b)) if weight_a > 0 and weight_b > 0 else 0.0
        va, vb = self._vectors[a.id], self._vectors[b.id]
        vector = max(0.0, float(np.dot(va, vb))) if len(va) and len(va) == len(vb) else 0.0
        ea, eb = set(a.entities), set(b.entities)
        entities = len(ea & eb) / min(len(ea), len(eb)) if ea and eb else 0.0
        numbers = 1.0 if set(a.numbers) & set(b.numbers) else 0.0
        return PairScore(min(words, 1.0), min(vector, 1.0), entities, numbers)


def candidate_pairs(claims: Sequence[Claim], scorer: Scorer) -> list[tuple[Claim, Claim, PairScore]]:
    """Every pair of claims of two different articles, scored."""
    by_article: dict[str, list[Claim]] = {}
    for claim in claims:
        by_article.setdefault(claim.article, []).append(claim)
    articles = sorted(by_article)
    pairs = []
    for i, first in enumerate(articles):
        for second in articles[i + 1 :]:
            for a in by_article[first]:
                for b in by_article[second]:
                    pairs.append((a, b, scorer.score(a, b)))
    return pairs


def align(
    claims: Sequence[Claim],
    weights: AlignmentWeights,
    days: Mapping[str, str | None] | None = None,
    vectors: WordVectors | None = None,
) -> list[list[Claim]]:
    """The claims grouped into facts (lists of claims, one per article at most), in text order of their first
    claim; a claim no other article states is a fact of its own. `days` gives each article's event day."""
    pairs = candidate_pairs(claims, Scorer(claims, vectors))
    return group(claims, links(pairs, weights, days or {}), days or {})


def links(
    pairs: Sequence[tuple[Claim, Claim, PairScore]], weights: AlignmentWeights, days: Mapping[str, str | None]
) -> list[tuple[str, str, bool]]:
    """The pairs that state one fact, best first, each with whether its claims write one same number.

    Each claim of a pair is the other's best match in its
    article (two outlets telling one story in many sentences match sentence to sentence), and the pair scores
    above the threshold, higher for articles of events on different days."""
    best: dict[tuple[str, str], float] = {}  # (claim, the other article) -> its best score there
    totals = []
    for a, b, parts in pairs:
        total = parts.total(weights)
        totals.append(total)
        for claim, other in ((a, b.article), (b, a.article)):
            key = (claim.id, other)
            best[key] = max(best.get(key, 0.0), total)
    scored = []
    for (a, b, parts), total in zip(pairs, totals, strict=True):
        if parts.words < weights.min_words:
            continue
        if total < best[(a.id, b.article)] or total < best[(b.id, a.article)]:
            continue
        day_a, day_b = days.get(a.article), days.get(b.article)
        needed = weights.threshold + (weights.other_day if day_a and day_b and day_a != day_b else 0.0)
        if total >= needed:
            scored.append((total, a.id, b.id, parts.numbers > 0))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    return [(a, b, same_number) for _score, a, b, same_number in scored]


def group(
    claims: Sequence[Claim], links: Sequence[tuple[str, str, bool]], days: Mapping[str, str | None] | None = None
) -> list[list[Claim]]:
    """Claims joined along links taken in order. A link is skipped when it would put two claims of one article
    in one group, or join groups of events on different days without a number both claims write (the figure
    an outlet disputes a week later is the same fact; the next sentence on the same subject is not)."""
    days = days or {}
    by_id = {c.id: c for c in claims}
    parent = {c.id: c.id for c in claims}
    articles: dict[str, set[str]] = {c.id: {c.article} for c in claims}
    dated: dict[str, set[str]] = {c.id: {d} if (d := days.get(c.article)) else set() for c in claims}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, same_number in links:
        ra, rb = root(a), root(b)
        if ra == rb or articles[ra] & articles[rb]:
            continue
        if dated[ra] and dated[rb] and not dated[ra] & dated[rb] and not same_number:
            continue
        parent[rb] = ra
        articles[ra] |= articles.pop(rb)
        dated[ra] |= dated.pop(rb)
    groups: dict[str, list[Claim]] = {}
    for claim in claims:
        groups.setdefault(root(claim.id), []).append(by_id[claim.id])
    return sorted(groups.values(), key=lambda g: (g[0].article, g[0].start))


def weights_dict(weights: AlignmentWeights) -> dict[str, float]:
    """The weights as the TOML file writes them."""
    return {name: float(getattr(weights, name)) for name in FIELDS}
