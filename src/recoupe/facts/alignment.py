"""Alignment: the claims of different articles of one story that state the same thing, grouped into facts.

Two claims are scored on their words (the IDF-weighted share of content lemmas they have in common, IDF taken
over the story's claims, so that "Poutine" in every sentence of a story about Poutine weighs little), on the
cosine of their mean word vectors, on the entities they both name, on a value both write and on a thing both
count ("1 200 foyers" and "1 500 foyers" state one fact, which their values then contest). Pairs are taken best
first; a pair joins its two claims' facts unless that would put two claims of one article, or of two articles
that the clusterer dated to different days, into one fact (two happenings), so a chain of loose matches cannot
merge two facts. The weights and the threshold are data (rules/facts.toml), fitted by bench/claims.py --fit.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from recoupe.facts.records import VECTOR_DTYPE, Claim, fold
from recoupe.rules import key, parse_record

FACTS_FILE = "facts.toml"
FIELDS = ("words", "vector", "entities", "numbers", "counted", "threshold", "min_words", "other_day")


@dataclass(frozen=True, kw_only=True)
class AlignmentWeights:
    """How two claims are scored and when they state the same thing (rules/facts.toml)."""

    words: float = key("words", 0.5)
    vector: float = key("vector", 0.3)
    entities: float = key("entities", 0.2)
    numbers: float = key("numbers", 0.2)
    counted: float = key("counted", 0.0)
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
    counted: float = 0.0  # 1 when figures of both count one same thing ("1 200 foyers", "1 500 foyers"), else 0

    def total(self, weights: AlignmentWeights) -> float:
        """The weighted score."""
        return float(weighted(weights, self))


WordVectors = Callable[[str], "np.ndarray[Any, np.dtype[np.float32]] | None"]
Matrix = np.ndarray[Any, np.dtype[Any]]


def weighted(weights: AlignmentWeights, parts: Any) -> Any:
    """The weighted sum of a pair's parts (Features) or of a block's (Block): the one score formula of both."""
    return (
        weights.words * parts.words
        + weights.vector * parts.vector
        + weights.entities * parts.entities
        + weights.numbers * parts.numbers
        + weights.counted * parts.counted
    )


STEM_CHARS = 6  # folded lemmas that share this many first letters are one word ("négociation", "négocier")
SOFT_MATCH = 0.55  # two different words whose vectors are this close count as a partial match ("signe", "signal")


def stem(lemma: str) -> str:
    """The key two lemmas are matched on: folded, cut to STEM_CHARS letters."""
    return fold(lemma)[:STEM_CHARS]


@dataclass(frozen=True)
class Features:
    """What the claims of one article are scored on, as arrays (one row per claim, or per word of a claim)."""

    key: int  # the same for two articles whose claims are alike
    claims: tuple[Claim, ...]
    word_stems: Matrix  # the stem id of each distinct stem of each claim, claim after claim
    word_vectors: Matrix  # the unit vector of the first lemma of each of those stems (zeros without one)
    word_idf: Matrix
    worded: Matrix  # the rows of the claims that have words
    word_starts: Matrix  # where each of those claims' words start in the word rows
    weights: Matrix  # the IDF weight of each claim's stems
    vectors: Matrix  # each claim's unit mean vector (zeros without one)
    entities: Matrix  # claim x entity of the story: 1 where the claim names it
    numbers: Matrix  # claim x value of the story: 1 where the claim writes it
    counted: Matrix  # claim x counted noun of the story: 1 where a figure of the claim counts it


@dataclass(frozen=True)
class Block:
    """The score parts of every claim of one article against every claim of another (rows: `first`)."""

    first: tuple[Claim, ...]
    second: tuple[Claim, ...]
    words: Matrix
    vector: Matrix
    entities: Matrix
    numbers: Matrix
    counted: Matrix

    def total(self, weights: AlignmentWeights) -> Matrix:
        """The weighted scores."""
        scores: Matrix = weighted(weights, self)
        return scores

    def pair(self, i: int, j: int) -> PairScore:
        """The parts of one pair."""
        return PairScore(
            float(self.words[i, j]),
            float(self.vector[i, j]),
            float(self.entities[i, j]),
            float(self.numbers[i, j]),
            float(self.counted[i, j]),
        )


class Scorer:
    """Scores the claims of one story article against article, as arrays; with word vectors, different words
    of close meaning match in part.

    The scores of two articles come as one block of arrays: a story of 60 articles holds tens of thousands of
    claim pairs, too many to score one by one in Python. Articles whose claims are alike (exact copies) are
    scored once."""

    def __init__(self, claims: Sequence[Claim], vectors: WordVectors | None = None) -> None:
        frequency: Counter[str] = Counter()
        for claim in claims:
            frequency.update({stem(lemma) for lemma in claim.lemmas})
        total = max(len(claims), 1)
        self.idf = {word: math.log(1 + total / count) for word, count in frequency.items()}
        self._stem_ids = {word: i for i, word in enumerate(sorted(frequency))}
        self._stem_idf = np.array([self.idf[word] for word in sorted(frequency)], dtype=np.float64)
        self._lookup = vectors
        self._word_cache: dict[str, np.ndarray[Any, np.dtype[np.float32]] | None] = {}
        self._entity_ids = {e: i for i, e in enumerate(sorted({e for c in claims for e in c.entities}))}
        self._number_ids = {n: i for i, n in enumerate(sorted({n for c in claims for n in c.numbers}))}
        self._counted_ids = {n: i for i, n in enumerate(sorted({f.noun for c in claims for f in c.figures}))}
        dims = {len(c.vector) // np.dtype(VECTOR_DTYPE).itemsize for c in claims if c.vector}
        self._claim_dim = dims.pop() if len(dims) == 1 else 0  # claims of two models are not compared on vectors
        self._word_dim = self._find_word_dim(claims)
        self._features: dict[tuple[object, ...], Features] = {}

    def _find_word_dim(self, claims: Sequence[Claim]) -> int:
        """The length of the word vectors: that of the first lemma that has one (0 without any)."""
        for claim in claims:
            for lemma in claim.lemmas:
                vector = self._word_vector(lemma)
                if vector is not None:
                    return len(vector)
        return 0

    def _word_vector(self, lemma: str) -> np.ndarray[Any, np.dtype[np.float32]] | None:
        if self._lookup is None:
            return None
        if lemma not in self._word_cache:
            self._word_cache[lemma] = self._lookup(lemma)
        return self._word_cache[lemma]

    def features(self, claims: Sequence[Claim]) -> Features:
        """The arrays of the claims of one article, computed once for claims alike."""
        key = tuple(_signature(c) for c in claims)
        if key not in self._features:
            self._features[key] = self._build(tuple(claims), len(self._features))
        return replace(self._features[key], claims=tuple(claims))

    def _build(self, claims: tuple[Claim, ...], key: int) -> Features:
        word_stems: list[int] = []
        rows = []
        worded, starts, weights = [], [], []
        for i, claim in enumerate(claims):
            first: dict[str, str] = {}
            for lemma in claim.lemmas:
                first.setdefault(stem(lemma), lemma)
            weights.append(sum(self.idf.get(word, 0.0) for word in first))
            if first:
                worded.append(i)
                starts.append(len(word_stems))
            for word, lemma in first.items():
                word_stems.append(self._stem_ids[word])
                rows.append(self._word_vector(lemma))
        word_vectors = np.zeros((len(rows), self._word_dim), dtype=np.float32)
        for i, row in enumerate(rows):
            if row is not None and len(row) == self._word_dim:
                word_vectors[i] = row
        vectors = np.zeros((len(claims), self._claim_dim), dtype=np.float32)
        entities = np.zeros((len(claims), len(self._entity_ids)), dtype=np.float64)
        numbers = np.zeros((len(claims), len(self._number_ids)), dtype=np.float64)
        counted = np.zeros((len(claims), len(self._counted_ids)), dtype=np.float64)
        for i, claim in enumerate(claims):
            vector = claim.unit_vector()
            if len(vector) == self._claim_dim:
                vectors[i] = vector
            for entity in set(claim.entities):
                entities[i, self._entity_ids[entity]] = 1.0
            for number in set(claim.numbers):
                numbers[i, self._number_ids[number]] = 1.0
            for figure in claim.figures:
                counted[i, self._counted_ids[figure.noun]] = 1.0
        stem_ids = np.array(word_stems, dtype=np.int64)
        return Features(
            key=key,
            claims=claims,
            word_stems=stem_ids,
            word_vectors=word_vectors,
            word_idf=self._stem_idf[stem_ids],
            worded=np.array(worded, dtype=np.int64),
            word_starts=np.array(starts, dtype=np.int64),
            weights=np.array(weights, dtype=np.float64),
            vectors=vectors,
            entities=entities,
            numbers=numbers,
            counted=counted,
        )

    def blocks(self, claims: Sequence[Claim]) -> Iterator[Block]:
        """The scores of every pair of claims of two different articles, one block per pair of articles (in
        order of their ids), each pair of articles alike scored once."""
        by_article: dict[str, list[Claim]] = {}
        for claim in claims:
            by_article.setdefault(claim.article, []).append(claim)
        features = [self.features(by_article[article]) for article in sorted(by_article)]
        seen: dict[tuple[int, int], Block] = {}
        for i, first in enumerate(features):
            for second in features[i + 1 :]:
                key = (first.key, second.key)
                if key not in seen:
                    seen[key] = self._score(first, second)
                yield replace(seen[key], first=first.claims, second=second.claims)
            if not any(f.key == first.key for f in features[i + 1 :]):
                # No article after this one has its claims: the blocks of its row are not asked for again.
                seen = {k: v for k, v in seen.items() if k[0] != first.key}

    def block(self, first: Sequence[Claim], second: Sequence[Claim]) -> Block:
        """The scores of every claim of `first` against every claim of `second`."""
        return self._score(self.features(first), self.features(second))

    def score(self, a: Claim, b: Claim) -> PairScore:
        """Words, vector and entities in common of two claims, each between 0 and 1."""
        return self.block([a], [b]).pair(0, 0)

    def _score(self, a: Features, b: Features) -> Block:
        words = np.zeros((len(a.claims), len(b.claims)))
        if len(a.worded) and len(b.worded):
            words[np.ix_(a.worded, b.worded)] = self._words(a, b)
        vector = np.clip(a.vectors @ b.vectors.T, 0.0, 1.0).astype(np.float64)
        shared = a.entities @ b.entities.T
        named = np.minimum(a.entities.sum(axis=1)[:, None], b.entities.sum(axis=1)[None, :])
        entities = np.divide(shared, named, out=np.zeros_like(shared), where=named > 0)
        numbers = ((a.numbers @ b.numbers.T) > 0).astype(np.float64)
        counted = ((a.counted @ b.counted.T) > 0).astype(np.float64)
        return Block(a.claims, b.claims, words, vector, entities, numbers, counted)

    def _words(self, a: Features, b: Features) -> Matrix:
        """The IDF-weighted share of words in common of the worded claims of a and b: the geometric mean of the
        share of a's words found in b and of b's found in a (a short claim fully inside a long one still scores
        well), a close word counting in part."""
        same = a.word_stems[:, None] == b.word_stems[None, :]
        if self._word_dim:
            similarity = a.word_vectors @ b.word_vectors.T
            matches = np.where(same, 1.0, np.where(similarity >= SOFT_MATCH, similarity, 0.0))
        else:
            matches = same.astype(np.float64)
        # Each word's best match in each claim of the other article, then summed per claim, weighted by IDF.
        best_in_b = np.maximum.reduceat(matches, b.word_starts, axis=1)
        found_a = np.add.reduceat(a.word_idf[:, None] * best_in_b, a.word_starts, axis=0)
        best_in_a = np.maximum.reduceat(matches, a.word_starts, axis=0)
        found_b = np.add.reduceat(best_in_a * b.word_idf[None, :], b.word_starts, axis=1)
        share_a = found_a / a.weights[a.worded][:, None]
        share_b = found_b / b.weights[b.worded][None, :]
        return np.minimum(np.sqrt(share_a * share_b), 1.0)


def _signature(claim: Claim) -> tuple[object, ...]:
    """What a claim is scored on: two claims alike in all of it score alike."""
    return (claim.lemmas, claim.entities, claim.numbers, tuple(f.noun for f in claim.figures), claim.vector)


def candidate_pairs(claims: Sequence[Claim], scorer: Scorer) -> list[Block]:
    """The scores of every pair of claims of two different articles, one block per pair of articles."""
    return list(scorer.blocks(claims))


def align(
    claims: Sequence[Claim],
    weights: AlignmentWeights,
    days: Mapping[str, str | None] | None = None,
    vectors: WordVectors | None = None,
) -> list[list[Claim]]:
    """The claims grouped into facts (lists of claims, one per article at most), in text order of their first
    claim; a claim no other article states is a fact of its own. `days` gives each article's event day."""
    blocks = Scorer(claims, vectors).blocks(claims)
    return group(claims, links(blocks, weights, days or {}), days or {})


def links(
    blocks: Iterable[Block], weights: AlignmentWeights, days: Mapping[str, str | None]
) -> list[tuple[str, str, bool]]:
    """The pairs that state one fact, best first, each with whether its claims write one same number.

    Each claim of a pair is the other's best match in its article (two outlets telling one story in many
    sentences match sentence to sentence), and the pair scores above the threshold, higher for articles of
    events on different days."""
    scored = []
    for block in blocks:
        if not block.first or not block.second:
            continue
        total = block.total(weights)
        day_a, day_b = days.get(block.first[0].article), days.get(block.second[0].article)
        needed = weights.threshold + (weights.other_day if day_a and day_b and day_a != day_b else 0.0)
        best = (total >= total.max(axis=1, keepdims=True)) | (total >= total.max(axis=0, keepdims=True))
        kept = (block.words >= weights.min_words) & best & (total >= needed)
        for i, j in zip(*np.nonzero(kept), strict=True):
            a, b = block.first[i], block.second[j]
            scored.append((float(total[i, j]), a.id, b.id, bool(block.numbers[i, j] > 0)))
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
