"""Fit the story and event models of the clusterer on the development sets, and write them as rule data.

The texts are read once by recoupe's pipeline into a store (`--fr-db`, `--en-db`: stores made by
`recoupe --db X ingest` of dev/ and dev-en/, as bench/quality.py does; made here when not given). The readings
(lemmas, entities) are then replayed through the clusterer in ingest order with the gold placement forced
("teacher forcing"): at each text, every candidate story the blocking keys bring and every event of the gold
story the dates allow gives one row of pair features (stories/features.py), labelled by whether it is the
gold one. This is the distribution the model meets at run time, centroids built from earlier members
included. A logistic regression is fitted per level; the two join thresholds are then chosen by replaying
the training texts through the real clusterer and keeping those of best B-cubed F1 (stories, then events).

Cross-validation is by story: the stories are cut into folds; each fold's model is fitted on the rows whose
text and candidate both belong to the other folds, its thresholds chosen on the other folds' texts only, and
the held-out texts are scored in a replay of all texts (so that they can be confused with any other story).

    .venv/bin/python bench/fit_clustering.py            # fit on dev/ and dev-en/, write rules/*/clustering.toml
    .venv/bin/python bench/fit_clustering.py --fr-db dev.db --en-db dev-en.db   # reuse stores of both sets

The English model (words only: no English entity model yet) is also written as rules/clustering.toml, the
model of every language that has no clustering.toml of its own.
    .venv/bin/python bench/fit_clustering.py --check    # the 5-fold figures, nothing written
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from recoupe.config import Config
from recoupe.records import Analysis
from recoupe.store import Store
from recoupe.stories.cluster import Clusterer
from recoupe.stories.dates import DateReader, complete_published, event_dates
from recoupe.stories.features import EVENT_FEATURES, STORY_FEATURES, ClusteringModel, LinkModel, Profile
from recoupe.stories.near_copies import NearCopyIndex

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "src" / "recoupe" / "rules"
SEED = 16
FOLDS = 5
REGULARISATION = 100.0  # scikit-learn's C: features are cosines of a few tenths, a strong penalty flattens them
STORY_THRESHOLDS = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6)
EVENT_THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
# The direction a feature can push: a shared word, name, figure or day never argues against a join, days apart
# never for it. Without these bounds the fit takes the names one story's events all share for a sign of
# two events and gives them a negative weight, which fails on the first story told otherwise.
SIGNS = {
    "terms": 1,
    "headline": 1,
    "entities": 1,
    "names": 1,
    "numbers": 1,
    "same_day": 1,
    "same_weekday": 1,
    "closest": 1,
    "closest_title": 1,
    "margin": 1,
    "event_terms": 1,
    "event_headline": 1,
    "days_apart": -1,
}
# Before any fitting: every feature counts for a join, dates apart and no shared words against.
START = ClusteringModel(
    LinkModel(STORY_FEATURES, (4.0, 3.0, 3.0, 0.0, 1.0, -2.0, 0.0, 2.0, 1.0), -2.5, 0.5),
    LinkModel(EVENT_FEATURES, (4.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, -3.0, 0.0, 1.0, 1.0, 2.0), -2.5, 0.5),
)


@dataclass(frozen=True)
class Gold:
    """One text's gold placement, keyed by its url (the stored article's source)."""

    url: str
    story: str
    event: str


@dataclass
class Rows:
    """Pair features with their labels, the text's gold story and the candidate's."""

    features: list[list[float]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    stories: list[tuple[str, str]] = field(default_factory=list)

    def add(self, features: list[float], label: bool, story: str, candidate_story: str) -> None:
        """One row."""
        self.features.append(features)
        self.labels.append(int(label))
        self.stories.append((story, candidate_story))

    def within(self, stories: set[str]) -> tuple[np.ndarray, np.ndarray]:
        """Features and labels of the rows whose text and candidate both belong to `stories`."""
        keep = [i for i, (a, b) in enumerate(self.stories) if a in stories and b in stories]
        return np.array([self.features[i] for i in keep]), np.array([self.labels[i] for i in keep])


def readings(db: Path) -> list[Analysis]:
    """The stored articles in ingest order, as the clusterer receives them (placement and inferred dates reset)."""
    with Store(db) as store:
        analyses = []
        for article in store.articles():
            lemmas, _ = store.article_features(article.id)
            ids = sorted({m.entity for m in store.mentions(article=article.id)})
            if article.published_inferred:
                article.published, article.published_inferred = None, False
            article.duplicate_of = article.story = article.event = None
            analyses.append(Analysis(article=article, entities=store.entities(ids), lemmas=lemmas))
    return analyses


class Teacher(Clusterer):
    """A clusterer that records the features of every candidate and then takes the gold placement."""

    def __init__(self, config: Config, store: Store, gold: Mapping[str, Gold]) -> None:
        super().__init__(config, store, DateReader(config), START)
        self.gold = gold
        self.story_rows, self.event_rows = Rows(), Rows()
        self.current: Gold | None = None
        self.story_of: dict[str, str] = {}  # gold story -> story id
        self.event_of: dict[str, str] = {}
        self.gold_of_story: dict[str, str] = {}  # story id -> gold story
        self.gold_of_event: dict[str, str] = {}

    def _best_story(self, profile: Profile, model: ClusteringModel) -> str | None:
        assert self.current is not None
        target = self.story_of.get(self.current.story)
        for story_id, features in self.story_candidates(profile):
            self.story_rows.add(features, story_id == target, self.current.story, self.gold_of_story[story_id])
        return target

    def _best_event(self, story_id: str, profile: Profile, model: ClusteringModel) -> str | None:
        assert self.current is not None
        target = self.event_of.get(self.current.event)
        for event_id, features in self.event_candidates(story_id, profile):
            self.event_rows.add(features, event_id == target, self.current.story, self.current.story)
        return target

    def placed(self, gold: Gold, story_id: str, event_id: str) -> None:
        """Remember which ids the gold story and event got."""
        self.story_of.setdefault(gold.story, story_id)
        self.event_of.setdefault(gold.event, event_id)
        self.gold_of_story[story_id] = gold.story
        self.gold_of_event[event_id] = gold.event


def replay(
    analyses: Sequence[Analysis],
    config: Config,
    model: ClusteringModel | None,
    teacher: Mapping[str, Gold] | None = None,
) -> tuple[dict[str, str], dict[str, str], dict[str, str | None], Teacher | None]:
    """Place the texts in order into a fresh store: stories, events and event dates by url (and the teacher)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "replay.db")
        reader = DateReader(config)
        clusterer = Teacher(config, store, teacher) if teacher is not None else Clusterer(config, store, reader, model)
        near_copies = NearCopyIndex(config, store)
        stories, events = {}, {}
        with store.transaction():
            for original in analyses:
                article = replace(original.article)
                analysis = replace(original, article=article)
                complete_published(article, clusterer.dates)
                analysis.event_dates = event_dates(article.text, article.published, clusterer.dates)
                article.duplicate_of = near_copies.find_and_add(article)
                if isinstance(clusterer, Teacher):
                    clusterer.current = clusterer.gold[article.source]
                article.story, article.event = clusterer.place(analysis)
                if isinstance(clusterer, Teacher):
                    clusterer.placed(clusterer.gold[article.source], article.story, article.event)
                store.save_analysis(analysis)
                stories[article.source], events[article.source] = article.story, article.event
        dates = {e.id: e.date for e in store.events()}
        store.close()
    return (
        stories,
        events,
        {url: dates.get(event) for url, event in events.items()},
        (clusterer if isinstance(clusterer, Teacher) else None),
    )


def per_item(
    predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable], scored: Sequence[str]
) -> dict[str, tuple[float, float]]:
    """B-cubed precision and recall of each scored item, against whole clusters over every gold item; an item
    left unplaced (refused by the pipeline) is a cluster of its own."""
    by_predicted: dict[Hashable, set[str]] = defaultdict(set)
    by_gold: dict[Hashable, set[str]] = defaultdict(set)
    for item in gold:
        by_predicted[predicted.get(item, ("unplaced", item))].add(item)
        by_gold[gold[item]].add(item)
    found = {}
    for item in scored:
        mine, truth = by_predicted[predicted.get(item, ("unplaced", item))], by_gold[gold[item]]
        shared = len(mine & truth)
        found[item] = (shared / len(mine), shared / len(truth))
    return found


def precision_recall(items: Mapping[str, tuple[float, float]]) -> tuple[float, float]:
    """Mean B-cubed precision and recall of per-item figures."""
    n = len(items) or 1
    return sum(p for p, _ in items.values()) / n, sum(r for _, r in items.values()) / n


def f1(items: Mapping[str, tuple[float, float]]) -> float:
    """B-cubed F1 of per-item precision and recall."""
    if not items:
        return 0.0
    precision = sum(p for p, _ in items.values()) / len(items)
    recall = sum(r for _, r in items.values()) / len(items)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _logistic(features: np.ndarray, labels: np.ndarray, names: tuple[str, ...], fallback: LinkModel) -> LinkModel:
    """An L2-penalised logistic regression whose weights keep the sign each feature can argue for (SIGNS)."""
    if not len(labels):
        return fallback  # no rows at all
    if len(set(labels.tolist())) < 2:
        # One answer only (a set whose stories each hold one event: every candidate was the one): no feature
        # tells anything, the answer's rate (Laplace-smoothed) is the probability of every pair.
        joined = float(labels.mean())
        rate = (joined * len(labels) + 1) / (len(labels) + 2)
        bias = round(math.log(rate / (1 - rate)), 4)
        return LinkModel(names, tuple(0.0 for _ in names), bias, fallback.threshold)
    x = np.hstack([features, np.ones((len(features), 1))])
    y = labels.astype(float)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ theta
        p = 1.0 / (1.0 + np.exp(-z))
        nll = float(np.sum(np.logaddexp(0.0, z) - y * z))
        penalty = float(theta[:-1] @ theta[:-1]) / (2 * REGULARISATION)
        gradient = x.T @ (p - y)
        gradient[:-1] += theta[:-1] / REGULARISATION
        return nll + penalty, gradient

    bounds = [_bound(SIGNS.get(name, 0)) for name in names] + [(None, None)]
    fitted = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B", bounds=bounds)
    weights = tuple(round(float(w), 4) for w in fitted.x[:-1])
    return LinkModel(names, weights, round(float(fitted.x[-1]), 4), fallback.threshold)


def _bound(sign: int) -> tuple[float | None, float | None]:
    return (0.0, None) if sign > 0 else (None, 0.0) if sign < 0 else (None, None)


def fit(
    analyses: Sequence[Analysis], gold: Mapping[str, Gold], stories: set[str], config: Config, rows: tuple[Rows, Rows]
) -> ClusteringModel:
    """The models fitted on the rows and texts of `stories`, their thresholds chosen by replay."""
    story_x, story_y = rows[0].within(stories)
    event_x, event_y = rows[1].within(stories)
    model = ClusteringModel(
        _logistic(story_x, story_y, STORY_FEATURES, START.story),
        _logistic(event_x, event_y, EVENT_FEATURES, START.event),
    )
    train = [a for a in analyses if gold[a.article.source].story in stories]
    urls = [a.article.source for a in train]
    gold_stories = {u: gold[u].story for u in urls}
    gold_events = {u: gold[u].event for u in urls}

    def story_score(candidate: ClusteringModel) -> float:
        placed = replay(train, config, candidate)
        return f1(per_item(placed[0], gold_stories, urls)) + f1(per_item(placed[1], gold_events, urls))

    model = _best_threshold(model, STORY_THRESHOLDS, story_score, "story")
    return _best_threshold(model, EVENT_THRESHOLDS, story_score, "event")


def _best_threshold(model: ClusteringModel, thresholds: Sequence[float], score: object, level: str) -> ClusteringModel:
    assert callable(score)
    best: tuple[float, ClusteringModel] | None = None
    for threshold in thresholds:
        link = replace(getattr(model, level), threshold=threshold)
        candidate = replace(model, **{level: link})
        value = float(score(candidate))
        if best is None or value > best[0] + 1e-9:
            best = (value, candidate)
    assert best is not None
    return best[1]


def folds_of(stories: Sequence[str], folds: int) -> list[set[str]]:
    """The stories cut into `folds` groups at random (seeded)."""
    order = sorted(set(stories))
    random.Random(SEED).shuffle(order)
    return [set(order[i::folds]) for i in range(folds)]


def prepare(db: Path, labels: Sequence[tuple[str, str, str]]) -> tuple[list[Analysis], dict[str, Gold], Config]:
    """The readings of a store and the gold of its texts (texts the pipeline refused are left out)."""
    gold = {url: Gold(url, story, event) for url, story, event in labels}
    analyses = [a for a in readings(db) if a.article.source in gold]
    return analyses, gold, Config()


def cross_validate(
    db: Path, labels: Sequence[tuple[str, str, str]], folds: int = FOLDS
) -> tuple[dict[str, tuple[float, float]], dict[str, tuple[float, float]], dict[str, str | None]]:
    """Per-text B-cubed (precision, recall) of events and of stories, and event dates, from held-out folds."""
    analyses, gold, config = prepare(db, labels)
    teacher = replay(analyses, config, None, gold)[3]
    assert teacher is not None
    rows = (teacher.story_rows, teacher.event_rows)
    all_stories = {g.story for g in gold.values()}
    events_scored: dict[str, tuple[float, float]] = {}
    stories_scored: dict[str, tuple[float, float]] = {}
    dates: dict[str, str | None] = {}
    gold_events = {u: g.event for u, g in gold.items()}
    gold_stories = {u: g.story for u, g in gold.items()}
    for held in folds_of([g.story for g in gold.values()], folds):
        model = fit(analyses, gold, all_stories - held, config, rows)
        stories, events, days, _ = replay(analyses, config, model)
        scored = [u for u in gold if gold[u].story in held]
        events_scored.update(per_item(events, gold_events, scored))
        stories_scored.update(per_item(stories, gold_stories, scored))
        dates.update({u: days.get(u) for u in scored})
    return events_scored, stories_scored, dates


def write_model(model: ClusteringModel, path: Path, source: str) -> None:
    """The fitted models as a rule file."""
    lines = [
        f"# Written by bench/fit_clustering.py on {source} ({date.today().isoformat()}): do not edit by hand, refit.",
        "# Logistic regressions over pair features (recoupe.stories.features); a join needs the threshold.",
    ]
    for level in ("story", "event"):
        link: LinkModel = getattr(model, level)
        lines += ["", f"[{level}]", f"bias = {link.bias}", f"threshold = {link.threshold}", "", f"[{level}.weights]"]
        lines += [f"{name} = {weight}" for name, weight in zip(link.names, link.weights, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    """Fit on every set given and write its rule file (or only print the cross-validated figures)."""
    sys.path.insert(0, str(Path(__file__).parent))
    import quality

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fr-db", type=Path, help="a store holding dev/ (made when not given)")
    parser.add_argument("--en-db", type=Path, help="a store holding dev-en/ (made when not given)")
    parser.add_argument("--sets", default="fr,en")
    parser.add_argument("--check", action="store_true", help="print the cross-validated F1, write nothing")
    args = parser.parse_args()
    for name in args.sets.split(","):
        texts = quality.load_set(name)
        labels = [(t.url, t.story, t.event) for t in texts]
        with tempfile.TemporaryDirectory() as tmp:
            db = getattr(args, f"{name}_db") or quality.ingest(texts, Path(tmp))
            if args.check:
                events, stories, _ = cross_validate(db, labels)
                print(f"{name}: events F1 {f1(events):.3f}, stories F1 {f1(stories):.3f} ({FOLDS}-fold by story)")
                continue
            analyses, gold, config = prepare(db, labels)
            teacher = replay(analyses, config, None, gold)[3]
            assert teacher is not None
            model = fit(
                analyses, gold, {g.story for g in gold.values()}, config, (teacher.story_rows, teacher.event_rows)
            )
        source = f"{'dev/' if name == 'fr' else 'dev-en/'} ({len(analyses)} texts)"
        path = RULES / name / "clustering.toml"
        write_model(model, path, source)
        print(f"{name}: {json.dumps(model.to_dict())} -> {path}")
        if name == "en":  # words only, no entities: the model for a language without one of its own
            write_model(model, RULES / "clustering.toml", f"{source}, the model of languages without their own")


if __name__ == "__main__":
    main()
