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
    "words": (0.4, 0.6, 0.8),
    "vector": (0.0, 0.1, 0.2, 0.3),
    "entities": (0.0, 0.1, 0.2),
    "numbers": (0.1, 0.2),
    "counted": (0.0, 0.1, 0.2),
    "threshold": tuple(x / 100 for x in range(20, 62, 2)),
    "min_words": (0.1,),
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


def demo_store() -> Any:
    """The built-in example ingested."""
    from recoupe.config import Config
    from recoupe.example import paths
    from recoupe.ingest.files import read_path

    config = Config()
    return ingest([raw for path in paths() for raw in read_path(path, config)])


DEMO_FIGURES = {
    "jobs": ("140 postes", "95 postes"),
    "agreed": ("120 postes",),
    "homes": ("1 200 foyers", "1 500 foyers"),
}


def demo_gold(store: Any) -> list[GoldFact]:
    """The demo check as gold facts for the fit: the claims writing the job-cut figures of its two outlets are
    one fact, and so are those writing the agreed figure, and those counting the homes without power (the
    example is our own text)."""
    claims = store.claims_of([a.id for a in store.articles()])
    gold = []
    for name, figures in DEMO_FIGURES.items():
        fact = GoldFact(name, False, name, False)
        for claim in claims:
            if any(figure in claim.text for figure in figures):
                fact.mentions.append((claim.article, claim.start, claim.end))
        gold.append(fact)
    return gold


def demo(store: Any | None = None) -> bool:
    """The demo's job-cut figures of two outlets contested, the agreed figure not; prints what it found."""
    store = store if store is not None else demo_store()
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


@dataclass
class Fold:
    """One story of a corpus as the fit sees it: its claims, their score blocks (computed once), the event day
    of each article and the gold facts it holds."""

    name: str
    claims: list[Any]
    blocks: list[Any]
    days: dict[str, str | None]
    gold: list[GoldFact]
    split_pairs: int  # gold pairs whose mentions lie in this story and another: never grouped


def folds(corpora: Sequence[tuple[str, Any, list[GoldFact]]]) -> list[Fold]:
    """Each story of each corpus with the gold facts whose mentions lie in it."""
    from recoupe.config import Config
    from recoupe.facts.alignment import Scorer, candidate_pairs
    from recoupe.facts.stage import vocabulary_vectors

    config = Config()
    reader = shared_models(config).reader(config.language)
    vectors = vocabulary_vectors(reader.nlp.vocab) if reader is not None else None
    out = []
    for name, store, gold in corpora:
        story_of = {a: story.id for story in store.stories() for a in story.articles}
        for story in store.stories():
            claims = store.claims_of(story.articles)
            days = {a: e.date for e in store.events(story.id) for a in e.articles}
            inside, split = [], 0
            for fact in gold:
                here = [m for m in fact.mentions if story_of.get(m[0]) == story.id]
                if not here:
                    continue
                # Pairs with a mention in another story (the clusterer split them): counted once, as missed.
                elsewhere = len(fact.mentions) - len(here) + fact.missing
                if min(fact.mentions, key=lambda m: m[0])[0] in {m[0] for m in here}:
                    split += len(here) * elsewhere
                inside.append(GoldFact(fact.id, fact.single, fact.statement, fact.wording_differs, here))
            blocks = candidate_pairs(claims, Scorer(claims, vectors))
            out.append(Fold(f"{name}:{story.id}", claims, blocks, days, inside, split))
    return out


@dataclass(frozen=True)
class Counts:
    """What a fit scores weights on: gold pairs found, grouped pairs right, single facts left alone."""

    found: int = 0
    pairs: int = 0
    right: int = 0
    grouped: int = 0
    alone: int = 0
    singles: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.values(), other.values(), strict=True)))

    def values(self) -> tuple[int, ...]:
        return (self.found, self.pairs, self.right, self.grouped, self.alone, self.singles)

    @property
    def recall(self) -> float:
        return self.found / self.pairs if self.pairs else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.grouped if self.grouped else 1.0

    @property
    def kept_alone(self) -> float:
        return self.alone / self.singles if self.singles else 1.0

    @property
    def quality(self) -> float:
        """The geometric mean of pair recall, pair precision and the share of single facts left alone."""
        return float((self.recall * self.precision * self.kept_alone) ** (1 / 3))


def counts(fold: Fold, weights: Any) -> Counts:
    """The figures of one story's grouping under these weights."""
    from recoupe.facts.alignment import group, links

    groups = group(fold.claims, links(fold.blocks, weights, fold.days), fold.days)
    claims = claim_spans(fold.claims)
    part = score(fold.gold, groups, claims)
    articles_of = {c.id: {m.article for m in g} for g in groups for c in g}
    alone = singles = 0
    for fact in fold.gold:
        ids = covering(claims, *fact.mentions[0]) if fact.single and fact.mentions else []
        if ids:
            singles += 1
            alone += all(len(articles_of[c]) == 1 for c in ids)
    return Counts(
        part.pairs_found, part.gold_pairs + fold.split_pairs, part.grouped_right, part.grouped_pairs, alone, singles
    )


def fit(
    corpora: Sequence[tuple[str, Any, list[GoldFact]]],
    required: Sequence[tuple[str, Any, list[GoldFact]]] = (),
    write: bool = True,
) -> None:
    """Grid search of the alignment weights, cross-validated by story: each story's figures with the weights
    fitted on the others; then the weights fitted on every story, written to rules/facts.toml. Weights that do
    not group every gold pair of the `required` corpora (the demo check) are left out when some do."""
    from datetime import UTC, datetime

    from recoupe.config import Config
    from recoupe.facts.alignment import AlignmentWeights, weights_dict

    stories = folds(corpora)
    names = list(FIT_GRID)
    grid = [AlignmentWeights(**dict(zip(names, v, strict=True))) for v in itertools.product(*FIT_GRID.values())]
    table = [[counts(fold, weights) for fold in stories] for weights in grid]  # weights x story
    checks = folds(required)
    passing = [r for r, w in enumerate(grid) if all(counts(f, w).found == counts(f, w).pairs for f in checks)]
    allowed = passing or list(range(len(grid)))
    print(f"\n== fit: {len(passing)} of {len(grid)} weightings pass the required checks")

    def best(keep: Sequence[int]) -> int:
        """The grid row best on these stories: quality, then fewest wrong pairs, then the first in the grid."""

        def key(row: int) -> tuple[float, int, int]:
            total = sum((table[row][i] for i in keep), Counts())
            return (round(total.quality, 6), -(total.grouped - total.right), -row)

        return max(allowed, key=key)

    held_out = Counts()
    print(
        f"\n== fit: {len(grid)} weightings, {len(stories)} stories, each scored with the weights fitted on the others"
    )
    for i, fold in enumerate(stories):
        row = best([j for j in range(len(stories)) if j != i])
        part = table[row][i]
        held_out = held_out + part
        print(
            f"  {fold.name:34} recall {part.recall:.3f} ({part.found}/{part.pairs})  precision {part.precision:.3f} "
            f"({part.right}/{part.grouped})  singles alone {part.alone}/{part.singles}"
        )
    print(
        f"  held out, pooled: recall {held_out.recall:.3f}, precision {held_out.precision:.3f}, "
        f"singles alone {held_out.kept_alone:.3f}"
    )
    row = best(range(len(stories)))
    total = sum(table[row], Counts())
    weights = grid[row]
    print(
        f"  fitted on all: {weights_dict(weights)} (recall {total.recall:.3f}, precision {total.precision:.3f}, "
        f"singles alone {total.kept_alone:.3f})"
    )
    if not write:
        return
    path = Config().rules_dir / "facts.toml"
    day = datetime.now(UTC).date().isoformat()
    lines = [
        "# How two claims of different articles are scored and when they state one fact (recoupe.facts.alignment).",
        f"# Fitted {day} by `bench/claims.py --fit`: a grid search over {len(grid)} weightings on the seeds' gold",
        f"# and our dev annotation (bench/dev_claims.json), {len(stories)} stories, the best geometric mean of pair",
        "# recall, pair precision and single facts left alone, then the fewest wrong pairs, among the weightings",
        f"# that group each of the demo's figures told by several outlets ({len(passing)} of {len(grid)}).",
        f"# Cross-validated by story (each scored with weights fitted on the others), pooled: recall "
        f"{held_out.recall:.3f},",
        f"# precision {held_out.precision:.3f}, singles alone {held_out.kept_alone:.3f}. On all stories: recall "
        f"{total.recall:.3f}, precision {total.precision:.3f}.",
    ]
    lines += [f"{name} = {value:g}" for name, value in weights_dict(weights).items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"  written to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fit", action="store_true", help="fit the alignment weights first, written to facts.toml")
    parser.add_argument(
        "--cross-validate", action="store_true", help="with --fit: print the cross-validated figures, write nothing"
    )
    args = parser.parse_args()
    seed_store, seed_gold = seeds()
    dev_store, dev_gold = dev()
    if args.fit:
        example = demo_store()
        fit(
            [("seeds", seed_store, seed_gold), ("dev", dev_store, dev_gold)],
            [("demo", example, demo_gold(example))],
            write=not args.cross_validate,
        )
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
