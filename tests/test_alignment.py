"""Alignment scores computed as blocks of arrays equal those of the definition, pair by pair; the cross-check
of a story runs once per ingest run, and a run cut short leaves it for the next."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from recoupe.config import Config
from recoupe.facts.alignment import AlignmentWeights, PairScore, Scorer, align, candidate_pairs, stem
from recoupe.facts.records import Claim, CountedFigure
from recoupe.models import Models
from recoupe.pipeline import Pipeline
from recoupe.records import RawArticle
from recoupe.store import Store

WORDS = {
    "grève": (1.0, 0.0, 0.0),
    "arrêt": (0.9, 0.3, 0.0),  # close to "grève": a partial match
    "port": (0.0, 1.0, 0.0),
    "quai": (0.1, 0.95, 0.2),
    "accord": (0.0, 0.0, 1.0),
}


def toy_vectors(word: str) -> np.ndarray[Any, np.dtype[np.float32]] | None:
    raw = WORDS.get(word)
    if raw is None:
        return None
    vector = np.array(raw, dtype=np.float32)
    return vector / np.float32(np.linalg.norm(vector))


def claim(
    article: str,
    n: int,
    lemmas: Sequence[str],
    entities: Sequence[str] = (),
    numbers: Sequence[float] = (),
    counts: Sequence[str] = (),
) -> Claim:
    rows = [v for w in lemmas if (v := toy_vectors(w)) is not None]
    vector = np.mean(rows, axis=0).astype(np.float32) if rows else np.zeros(3, dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    return Claim(
        id=f"{article}-{n}",
        article=article,
        start=n * 10,
        end=n * 10 + 5,
        text=" ".join(lemmas),
        lemmas=tuple(lemmas),
        entities=tuple(entities),
        numbers=tuple(numbers),
        # Its figures: its first values, each counting the noun given for it.
        figures=tuple(
            CountedFigure(n, noun, f"{n:g} {noun}", 0, 1)
            for n, noun in zip(numbers[: len(counts)], counts, strict=True)
        ),
        vector=(vector / norm).tobytes() if norm else b"",
    )


CLAIMS = [
    claim("a1", 0, ["grève", "port", "docker", "lundi"], ["ent_port"], [140], ["dockers"]),
    claim("a1", 1, ["accord", "signer", "ministre"], ["ent_min"]),
    claim("a1", 2, []),
    claim("a2", 0, ["arrêt", "quai", "docker"], ["ent_port"], [140, 3], ["postes", "grues"]),
    claim("a2", 1, ["accord", "ministre", "signature"], ["ent_min", "ent_port"]),
    claim("a3", 0, ["grève", "port", "docker", "lundi"], ["ent_port"], [95], ["Dockers"]),
    claim("a3", 1, ["pluie", "météo"]),
]


def by_definition(claims: Sequence[Claim], a: Claim, b: Claim, vectors: bool) -> PairScore:
    """The score of one pair written out as the module's docstring defines it, one loop per word."""
    count: dict[str, int] = {}
    for c in claims:
        for word in {stem(w) for w in c.lemmas}:
            count[word] = count.get(word, 0) + 1
    idf = {w: math.log(1 + len(claims) / n) for w, n in count.items()}

    def first_lemmas(c: Claim) -> dict[str, str]:
        first: dict[str, str] = {}
        for lemma in c.lemmas:
            first.setdefault(stem(lemma), lemma)
        return first

    def match(x: tuple[str, str], y: tuple[str, str]) -> float:
        if x[0] == y[0]:
            return 1.0
        vx, vy = (toy_vectors(x[1]), toy_vectors(y[1])) if vectors else (None, None)
        if vx is None or vy is None:
            return 0.0
        similarity = float(np.dot(vx, vy))
        return similarity if similarity >= 0.55 else 0.0

    fa, fb = list(first_lemmas(a).items()), list(first_lemmas(b).items())
    weight_a, weight_b = sum(idf[w] for w, _ in fa), sum(idf[w] for w, _ in fb)
    found_a = sum(idf[x[0]] * max((match(x, y) for y in fb), default=0.0) for x in fa)
    found_b = sum(idf[y[0]] * max((match(x, y) for x in fa), default=0.0) for y in fb)
    words = math.sqrt(found_a / weight_a * found_b / weight_b) if weight_a and weight_b else 0.0
    va, vb = a.unit_vector(), b.unit_vector()
    vector = max(0.0, float(np.dot(va, vb))) if len(va) and len(vb) else 0.0
    ea, eb = set(a.entities), set(b.entities)
    entities = len(ea & eb) / min(len(ea), len(eb)) if ea and eb else 0.0
    numbers = 1.0 if set(a.numbers) & set(b.numbers) else 0.0
    counted = 1.0 if {f.counts.lower() for f in a.figures} & {f.counts.lower() for f in b.figures} else 0.0
    return PairScore(min(words, 1.0), min(vector, 1.0), entities, numbers, counted)


@pytest.mark.parametrize("vectors", [True, False])
def test_blocks_score_every_pair_as_the_definition(vectors: bool) -> None:
    scorer = Scorer(CLAIMS, toy_vectors if vectors else None)
    blocks = candidate_pairs(CLAIMS, scorer)
    assert [(b.first[0].article, b.second[0].article) for b in blocks] == [("a1", "a2"), ("a1", "a3"), ("a2", "a3")]
    seen = 0
    for block in blocks:
        for i, a in enumerate(block.first):
            for j, b in enumerate(block.second):
                expected = by_definition(CLAIMS, a, b, vectors)
                got = block.pair(i, j)
                for part in ("words", "vector", "entities", "numbers", "counted"):
                    assert getattr(got, part) == pytest.approx(getattr(expected, part), abs=1e-6), (a.id, b.id, part)
                seen += 1
    assert seen == 3 * 2 + 3 * 2 + 2 * 2
    # A close word counts in part: "arrêt" for "grève", "quai" for "port".
    soft = scorer.score(CLAIMS[0], CLAIMS[3]).words
    assert (soft > 0.5) if vectors else (0.0 < soft < 0.5)


def test_an_exact_copy_aligns_claim_to_claim_and_scores_as_its_original() -> None:
    copy = [
        claim("a0", c.start // 10, c.lemmas, c.entities, c.numbers, [f.counts for f in c.figures])
        for c in CLAIMS
        if c.article == "a1"
    ]
    claims = [*copy, *CLAIMS]
    scorer = Scorer(claims, toy_vectors)
    blocks = {(b.first[0].article, b.second[0].article): b for b in candidate_pairs(claims, scorer)}
    assert np.allclose(blocks[("a0", "a2")].total(AlignmentWeights()), blocks[("a1", "a2")].total(AlignmentWeights()))
    assert blocks[("a0", "a2")].first[0].id == "a0-0"  # the block names the copy's claims, not the original's
    groups = {frozenset(c.id for c in g) for g in align(claims, AlignmentWeights(), vectors=toy_vectors)}
    assert frozenset({"a0-0", "a1-0", "a2-0", "a3-0"}) in groups
    assert frozenset({"a0-1", "a1-1", "a2-1"}) in groups
    assert frozenset({"a3-1"}) in groups  # stated by one article only


def report(name: str, text: str) -> RawArticle:
    return RawArticle(source=f"https://{name}.example/greve", content=text, format="text", origin=f"mem:{name}")


STRIKE = (
    "Grève au port de Valmer\n\nLes dockers du port de Valmer ont cessé le travail lundi matin pour protester "
    "contre la suppression de 140 postes annoncée par la direction du terminal.\n\n"
    "La direction du terminal affirme que le plan de réduction des effectifs est inévitable."
)


def test_facts_are_found_at_the_end_of_a_run_and_a_cut_run_leaves_them_to_the_next(
    tmp_path: Path, models: Models
) -> None:
    config = Config(db=tmp_path / "store.db")
    store = Store(config.db)
    pipeline = Pipeline(config, store, models)
    second = STRIKE + "\n\nUn syndicat des dockers parle d'une mobilisation historique sur les quais de Valmer."
    pipeline.run([report("le-quotidien", STRIKE), report("la-gazette", second)])
    assert store.facts_pending() == []
    stories = store.stories()
    assert stories and all(store.facts(s.id) for s in stories)
    # A run stopped after its batches were committed, before its end: the marks are in the store.
    story = stories[0].id
    with store.transaction():
        store.replace_facts(story, [])
        store.mark_facts_pending(story, "fr")
    reopened = Store(config.db)
    Pipeline(config, reopened, models).run([])
    assert reopened.facts_pending() == []
    assert reopened.facts(story)
