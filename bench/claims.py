"""Cross-checking quality: claims located, facts grouped, statuses, on the seeds, the dev annotations and the demo.

Ingests each corpus into a fresh in-memory store through the whole pipeline (facts stage included), then
compares the facts it holds with the gold:

- seeds: ../shared/gold/seeds-claims.json (mentions as snippets of the seed texts);
- dev: bench/dev_claims.json, our annotation of two events of ../shared/dev (mentions as offsets into the dev
  texts, checked against a hash of their words);
- demo: the built-in example, whose job-cut figures of two outlets must be contested and the agreed one not.

Figures: mentions located (a claim covers the mention), pair recall (gold pairs of one fact grouped), pair
precision (grouped pairs of located claims that are one gold fact), statuses right (confirmed for a fact of two
or more articles, single_source for a fact of one), contested facts.

    .venv/bin/python bench/claims.py          # the figures
    .venv/bin/python bench/claims.py --fit    # also fit the alignment weights, written to rules/facts.toml
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS_GOLD = SHARED / "gold" / "seeds-claims.json"
DEV_GOLD = ROOT / "bench" / "dev_claims.json"
DEV_ARTICLES = SHARED / "dev" / "articles.jsonl"
DEV_EVENTS = SHARED / "dev" / "events.jsonl"
QUOTE_MARKS = str.maketrans({"’": "'", "‘": "'", "«": '"', "»": '"', "“": '"', "”": '"', "″": '"', "„": '"'})
TARGETS = {"pair recall": 0.9, "pair precision": 0.9}
FIT_GRID = {
    "words": (0.4, 0.5, 0.6, 0.7),
    "vector": (0.0, 0.1, 0.2, 0.3),
    "entities": (0.0, 0.1, 0.2),
    "numbers": (0.2,),
    "threshold": tuple(x / 100 for x in range(30, 66, 2)),
    "min_words": (0.1, 0.2, 0.3),
    "other_day": (0.1, 0.2),
}


@dataclass
class GoldFact:
    """A gold fact: its id, whether one article alone states it, and where each article states it."""

    id: str
    single: bool
    statement: str
    wording_differs: bool
    mentions: list[tuple[str, int, int]] = field(default_factory=list)  # article id, start, end (cleaned text)
    missing: int = 0


def fold(text: str) -> tuple[str, list[int]]:
    """Text lower-cased without accents, one quote-mark style and single spaces, with each character's offset."""
    from recoupe.people.names import strip_accents

    out: list[str] = []
    index: list[int] = []
    space = False
    for i, char in enumerate(text):
        folded = strip_accents(char).lower().translate(QUOTE_MARKS)
        if folded.isspace() or not folded:
            if space or not folded:
                continue
            folded, space = " ", True
        else:
            space = False
        for c in folded:
            out.append(c)
            index.append(i)
    return "".join(out), index


def locate(text: str, words: str) -> tuple[int, int] | None:
    """The span of `words` in `text`, compared folded."""
    haystack, index = fold(text)
    needle = fold(words)[0].strip()
    at = haystack.find(needle)
    if at < 0 or not needle:
        return None
    return index[at], index[at + len(needle) - 1] + 1


def ingest(raws: Sequence[Any], facts: bool = True) -> Any:
    """A fresh in-memory store holding these inputs, through every stage."""
    from recoupe.config import Config
    from recoupe.pipeline import Pipeline
    from recoupe.store import Store

    config = Config(db=Path(":memory:"), facts=facts)
    store = Store(":memory:")
    report = Pipeline(config, store, shared_models(config)).run(raws)
    if report.failed:
        raise SystemExit(f"ingest failed: {report.failed[0]}")
    return store


_MODELS: list[Any] = []


def shared_models(config: Any) -> Any:
    """One set of models for every corpus of the run."""
    from recoupe.models import Models

    if not _MODELS:
        _MODELS.append(Models(config))
    return _MODELS[0]


def seeds() -> tuple[Any, list[GoldFact]]:
    """The seeds ingested, and their gold facts located in the cleaned texts."""
    from recoupe.records import RawArticle

    paths = sorted((SHARED / "seeds").glob("*.txt"))
    raws = [RawArticle(str(p), p.read_text(encoding="utf-8"), "text", str(p)) for p in paths]
    store = ingest(raws)
    by_name = {Path(a.source).name: a for a in store.articles()}
    gold = json.loads(SEEDS_GOLD.read_text(encoding="utf-8"))
    facts = []
    for item in gold["facts"]:
        fact = GoldFact(item["id"], bool(item.get("single")), item["statement"], bool(item.get("wording_differs")))
        for mention in item["mentions"]:
            article = by_name[mention["doc"]]
            span = locate(article.text, mention["snippet"])
            if span is None:
                fact.missing += 1
            else:
                fact.mentions.append((article.id, *span))
        facts.append(fact)
    return store, facts


def dev() -> tuple[Any, list[GoldFact]]:
    """The annotated dev events ingested, and our gold facts located in the cleaned texts."""
    from recoupe.records import RawArticle

    gold = json.loads(DEV_GOLD.read_text(encoding="utf-8"))
    events = {json.loads(line)["id"]: json.loads(line)["event"] for line in DEV_EVENTS.open(encoding="utf-8")}
    wanted = {f["event"] for f in gold["facts"]}
    texts = {}
    raws = []
    for line in DEV_ARTICLES.open(encoding="utf-8"):
        item = json.loads(line)
        if events.get(item["id"]) in wanted:
            texts[item["id"]] = item["text"]
            raws.append(
                RawArticle(
                    item["url"],
                    item["text"],
                    "text",
                    item["id"],
                    item.get("title"),
                    item.get("published"),
                    item.get("outlet"),
                )
            )
    store = ingest(raws)
    by_source = {a.source: a for a in store.articles()}
    by_dev_id = {raw.origin: by_source[raw.source] for raw in raws if raw.source in by_source}
    facts = []
    for item in gold["facts"]:
        fact = GoldFact(item["id"], bool(item.get("single")), item["statement"], False)
        for mention in item["mentions"]:
            words = texts[mention["doc"]][mention["start"] : mention["end"]]
            if hashlib.sha256(words.encode()).hexdigest()[:12] != mention["sha"]:
                raise SystemExit(f"{DEV_GOLD}: {item['id']} {mention['doc']}: the dev text changed under it")
            article = by_dev_id.get(mention["doc"])
            span = locate(article.text, words) if article else None
            if article is None or span is None:
                fact.missing += 1
            else:
                fact.mentions.append((article.id, *span))
        facts.append(fact)
    return store, facts


@dataclass
class Scores:
    """The figures of one corpus."""

    mentions: int = 0
    located: int = 0
    gold_pairs: int = 0
    pairs_found: int = 0
    grouped_pairs: int = 0
    grouped_right: int = 0
    statuses: int = 0
    statuses_right: int = 0
    contested: int = 0
    errors: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The figures, one a line."""
        recall = self.pairs_found / self.gold_pairs if self.gold_pairs else 1.0
        precision = self.grouped_right / self.grouped_pairs if self.grouped_pairs else 1.0
        return [
            f"mentions located  {self.located}/{self.mentions}",
            f"pair recall       {recall:.3f} ({self.pairs_found}/{self.gold_pairs})  target >= 0.9",
            f"pair precision    {precision:.3f} ({self.grouped_right}/{self.grouped_pairs})  target >= 0.9",
            f"statuses right    {self.statuses_right}/{self.statuses}",
            f"contested facts   {self.contested}",
        ]


def claim_spans(claims: Iterable[Any]) -> dict[str, list[Any]]:
    """The claims of each article."""
    out: dict[str, list[Any]] = {}
    for claim in claims:
        out.setdefault(claim.article, []).append(claim)
    return out


def covering(claims: dict[str, list[Any]], article: str, start: int, end: int) -> list[str]:
    """The ids of the claims of an article that overlap a span."""
    return [c.id for c in claims.get(article, []) if c.start < end and start < c.end]


def score(
    gold: Sequence[GoldFact],
    groups: Sequence[Sequence[Any]],
    claims: dict[str, list[Any]],
    statuses: dict[str, str] | None = None,
) -> Scores:
    """Pair recall and precision of claim groups against gold facts; statuses when given (claim id -> status)."""
    scores = Scores()
    fact_of: dict[str, int] = {}
    for index, members in enumerate(groups):
        for claim in members:
            fact_of[claim.id] = index
    gold_of: dict[str, set[str]] = {}
    located: dict[str, list[list[str]]] = {}
    for fact in gold:
        scores.mentions += len(fact.mentions) + fact.missing
        spans = []
        for article, start, end in fact.mentions:
            ids = covering(claims, article, start, end)
            if ids:
                scores.located += 1
                spans.append(ids)
                for claim_id in ids:
                    gold_of.setdefault(claim_id, set()).add(fact.id)
        located[fact.id] = spans
        for first, second in itertools.combinations(spans, 2):
            scores.gold_pairs += 1
            if {fact_of.get(c) for c in first} & {fact_of.get(c) for c in second}:
                scores.pairs_found += 1
            else:
                scores.errors.append(f"{fact.id}: not grouped")
        if len(fact.mentions) + fact.missing >= 2 and len(spans) < 2:
            scores.gold_pairs += 1
            scores.errors.append(f"{fact.id}: a mention not located")
        if statuses is not None and spans:
            expected = "single_source" if fact.single else "confirmed"
            found = statuses.get(spans[0][0])
            scores.statuses += 1
            if found == expected:
                scores.statuses_right += 1
            else:
                scores.errors.append(f"{fact.id}: status {found}, expected {expected}")
    for members in groups:
        for a, b in itertools.combinations(members, 2):
            if a.article == b.article or a.id not in gold_of or b.id not in gold_of:
                continue
            scores.grouped_pairs += 1
            if gold_of[a.id] & gold_of[b.id]:
                scores.grouped_right += 1
            else:
                scores.errors.append(
                    f"grouped {sorted(gold_of[a.id])} with {sorted(gold_of[b.id])}: {a.text[:60]!r} / {b.text[:60]!r}"
                )
    return scores


def stored_groups(store: Any) -> tuple[list[list[Any]], dict[str, list[Any]], dict[str, str], list[Any]]:
    """The facts of a store as groups of claims, its claims by article, each claim's status, the facts."""
    articles = [a.id for a in store.articles()]
    claims = store.claims_of(articles)
    by_id = {c.id: c for c in claims}
    facts = store.facts()
    groups = [[by_id[m.claim] for m in fact.claims if m.claim in by_id] for fact in facts]
    statuses = {m.claim: fact.status for fact in facts for m in fact.claims}
    return groups, claim_spans(claims), statuses, facts


def report(name: str, store: Any, gold: Sequence[GoldFact], show: Sequence[str] = ()) -> Scores:
    """Print the figures of one corpus and the facts asked for with every wording."""
    groups, claims, statuses, facts = stored_groups(store)
    scores = score(gold, groups, claims, statuses)
    scores.contested = sum(1 for f in facts if f.status == "contested")
    print(f"\n== {name}: {len(claims)} articles, {sum(len(v) for v in claims.values())} claims, {len(facts)} facts")
    for line in scores.lines():
        print("  " + line)
    for error in scores.errors:
        print("  - " + error)
    fact_of = {m.claim: fact for fact in facts for m in fact.claims}
    for fact in gold:
        if fact.id not in show or not fact.mentions:
            continue
        ids = covering(claims, *fact.mentions[0])
        found = next((fact_of[c] for c in ids if c in fact_of), None)
        if found is None:
            continue
        print(f"  {fact.id} ({fact.statement}): {found.status}, {found.chain}")
        for wording, outlets in found.wordings:
            print(f"      « {wording[:110]} » — {', '.join(outlets)}")
    return scores


def demo() -> bool:
    """The demo's job-cut figures of two outlets contested, the agreed figure not; prints what it found."""
    from recoupe.config import Config
    from recoupe.example import paths
    from recoupe.ingest.files import read_path

    config = Config()
    store = ingest([raw for path in paths() for raw in read_path(path, config)])
    facts = store.facts()
    print(
        f"\n== demo: {len(store.articles())} articles, {len(facts)} facts, "
        f"{sum(1 for f in facts if f.status == 'contested')} contested"
    )
    ok = True
    jobs = [f for f in facts if any(d.kind == "figure" and d.about.startswith("postes") for d in f.differences)]
    contested_jobs = [
        f
        for f in jobs
        if f.status == "contested" and {"95", "140"} <= {v.value for d in f.differences for v in d.variants}
    ]
    agreed = [f for f in facts if "120 postes" in " ".join(c.text for c in f.claims)]
    for fact in [*contested_jobs, *agreed]:
        print(f"  {fact.status:13} {fact.chain}")
        for claim in fact.claims:
            print(f"      {claim.outlet}: « {claim.text[:100]} »")
        for difference in fact.differences:
            print(f"      differs on {difference.text}")
    if not contested_jobs:
        ok = False
        print("  FAIL: the job-cut figures (140 and 95 postes) are not one contested fact")
    if not agreed or any(f.status == "contested" for f in agreed) or len(agreed[0].outlets) < 2:
        ok = False
        print("  FAIL: the agreed figure (120 postes) is not a fact of two outlets without contest")
    return ok


def fit(corpora: Sequence[tuple[Any, list[GoldFact]]]) -> None:
    """Grid search of the alignment weights on the seeds and dev gold: best pair F1, then fewest wrong pairs."""
    from recoupe.config import Config
    from recoupe.facts.alignment import AlignmentWeights, Scorer, candidate_pairs, group, links, weights_dict
    from recoupe.facts.stage import vocabulary_vectors

    config = Config()
    reader = shared_models(config).reader(config.language)
    vectors = vocabulary_vectors(reader.nlp.vocab) if reader is not None else None
    prepared = []
    for store, gold in corpora:
        for story in store.stories():
            articles = story.articles
            claims = store.claims_of(articles)
            days = {a: e.date for e in store.events(story.id) for a in e.articles}
            pairs = candidate_pairs(claims, Scorer(claims, vectors))
            prepared.append((claims, pairs, days, gold))
    names = list(FIT_GRID)
    best: tuple[float, int, AlignmentWeights] | None = None
    for values in itertools.product(*(FIT_GRID[n] for n in names)):
        weights = AlignmentWeights(**dict(zip(names, values, strict=True)))
        total = Scores()
        for claims, pairs, days, gold in prepared:
            groups = group(claims, links(pairs, weights, days), days)
            part = score(gold, groups, claim_spans(claims))
            total.gold_pairs += part.gold_pairs
            total.pairs_found += part.pairs_found
            total.grouped_pairs += part.grouped_pairs
            total.grouped_right += part.grouped_right
        recall = total.pairs_found / max(total.gold_pairs, 1)
        precision = total.grouped_right / max(total.grouped_pairs, 1)
        f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
        key = (round(f1, 4), -(total.grouped_pairs - total.grouped_right))
        if best is None or key > (best[0], best[1]):
            best = (key[0], key[1], weights)
    assert best is not None
    weights = best[2]
    path = config.rules_dir / "facts.toml"
    lines = [
        "# How two claims of different articles are scored and when they state one fact (recoupe.facts.alignment).",
        "# Fitted by `bench/claims.py --fit` on the seeds' gold and the dev annotations (bench/dev_claims.json):",
        f"# the best pair F1 over the grid ({best[0]:.3f}), then the fewest wrong pairs.",
    ]
    lines += [f"{name} = {value:g}" for name, value in weights_dict(weights).items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"fitted: {weights_dict(weights)} (pair F1 {best[0]:.3f}), written to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fit", action="store_true", help="fit the alignment weights first")
    args = parser.parse_args()
    seed_store, seed_gold = seeds()
    dev_store, dev_gold = dev()
    if args.fit:
        fit([(seed_store, seed_gold), (dev_store, dev_gold)])
        seed_store, seed_gold = seeds()
        dev_store, dev_gold = dev()
    seed_scores = report("seeds", seed_store, seed_gold, show=("F5", "F8"))
    report("dev (bench/dev_claims.json)", dev_store, dev_gold)
    demo_ok = demo()
    recall = seed_scores.pairs_found / max(seed_scores.gold_pairs, 1)
    precision = seed_scores.grouped_right / max(seed_scores.grouped_pairs, 1)
    met = (
        recall >= TARGETS["pair recall"]
        and precision >= TARGETS["pair precision"]
        and seed_scores.statuses_right == seed_scores.statuses
        and seed_scores.contested == 0
        and demo_ok
    )
    print(f"\ntargets {'met' if met else 'NOT met'}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
