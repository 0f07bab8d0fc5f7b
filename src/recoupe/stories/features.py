"""What tells two reports of one happening from two happenings: pair features and the fitted model over them.

An article is compared with the running state of a story or an event (centroids of its members): words
(TF-IDF cosine of lemmas, and of headline words), entities (the share of the article's people, organisations
and places the cluster holds, and the TF-IDF cosine of the words of their names, so that a name in every
story counts little and one name typed or written two ways still matches), numbers (the share of the article's
figures it holds), and time (the distance in days between the article's happening and the cluster's). Among
the events of a story, the margin in words over the nearest other event tells which happening a text reports.
A language without an entity model gives no entities: the entity features are then zero and a "no entities"
indicator lets the model lean on words.

The weights are a logistic regression fitted by bench/fit_clustering.py on the development sets, one model
for stories and one for events, stored as data (rules/<lang>/clustering.toml, else rules/clustering.toml).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from recoupe.config import read_rules

NUMBER = re.compile(r"(?<![\w,.])\d+(?:[.,]\d+)?(?![\w])")
YEARS = re.compile(r"(?:19|20)\d\d")
MIN_NUMBER = 10  # one-digit numbers ("2 morts", "3 jours") are too common to tell happenings apart
FAR_DAYS = 30.0  # distances in days between a text and a story are scaled by this and capped at 1
EVENT_FAR_DAYS = 7.0  # and between a text and an event by this: one happening spans a day or a few
MODEL_FILE = "clustering.toml"

STORY_FEATURES = (
    "terms",
    "entities",
    "names",
    "no_entities",
    "headline",
    "days_apart",
    "undated",
    "event_terms",
    "event_headline",
)
EVENT_FEATURES = (
    "terms",
    "headline",
    "entities",
    "names",
    "no_entities",
    "numbers",
    "same_day",
    "next_day",
    "same_weekday",
    "days_apart",
    "undated",
    "closest",
    "closest_title",
    "margin",
)


@dataclass
class Profile:
    """What the clusterer compares: TF-IDF lemma and headline weights, entities, figures, the happening's day."""

    terms: dict[str, float]
    entities: set[str]
    day: date | None  # the day of the happening reported
    headline: dict[str, float]
    before: date | None = None  # an undated text looks forward to this date: its happening is earlier
    settled: bool = True  # False when the day rests on a year guessed from the text alone
    weekday: int | None = None  # an undated lead's weekday for its happening ("a déclaré vendredi")
    numbers: set[str] = field(default_factory=set)
    titled: bool = False  # the headline is an editor's title, not the lead sentence standing in for one
    names: dict[str, float] = field(default_factory=dict)  # TF-IDF weights of the words of its entities' names


def numbers_of(text: str) -> set[str]:
    """The figures a text gives (not years, not one-digit counts), written the same way ("1,5" as "1.5")."""
    found = set()
    for match in NUMBER.finditer(text):
        value = match.group().replace(",", ".")
        if YEARS.fullmatch(value):
            continue
        try:
            if float(value) < MIN_NUMBER and "." not in value:
                continue
        except ValueError:
            continue
        found.add(value)
    return found


def cosine(terms: Mapping[str, float], centroid: Mapping[str, float], norm: float | None = None) -> float:
    """Cosine of an article's unit vector with a centroid whose norm may be known already."""
    if not terms or not centroid:
        return 0.0
    small, large = (terms, centroid) if len(terms) <= len(centroid) else (centroid, terms)
    dot = sum(w * large.get(t, 0.0) for t, w in small.items())
    return dot / (norm or math.sqrt(sum(w * w for w in centroid.values())) or 1.0)


def share(items: set[str], counts: Mapping[str, int]) -> float:
    """Share of the article's items the cluster already holds."""
    if not items:
        return 0.0
    return sum(1 for item in items if item in counts) / len(items)


def days_apart(day: date | None, span: Sequence[str] | None) -> float | None:
    """Days between the article's happening and a cluster's first-to-last span (0 inside it), or None."""
    if day is None or not span:
        return None
    first, last = date.fromisoformat(span[0]), date.fromisoformat(span[1])
    if first <= day <= last:
        return 0.0
    return float(min(abs((day - first).days), abs((day - last).days)))


def story_features(profile: Profile, state: Mapping[str, Any], events: Sequence[Mapping[str, Any]] = ()) -> list[float]:
    """The features of an article against a story's state and the states of the events it may join, in
    STORY_FEATURES order. A story's centroid blurs its events; the closest event says whether the article
    continues one of them."""
    entities = state.get("entities", {})
    no_entities = not profile.entities or not entities
    apart = days_apart(profile.day, state.get("days"))
    return [
        cosine(profile.terms, state.get("centroid", {}), state.get("norm")),
        0.0 if no_entities else share(profile.entities, entities),
        cosine(profile.names, state.get("names", {}), state.get("names_norm")),
        1.0 if no_entities else 0.0,
        cosine(profile.headline, state.get("headline", {}), state.get("headline_norm")),
        0.0 if apart is None else min(apart / FAR_DAYS, 1.0),
        1.0 if apart is None else 0.0,
        max((cosine(profile.terms, e.get("centroid", {}), e.get("norm")) for e in events), default=0.0),
        max((cosine(profile.headline, e.get("headline", {}), e.get("headline_norm")) for e in events), default=0.0),
    ]


def event_features(
    profile: Profile,
    state: Mapping[str, Any],
    day: date | None,
    closest: bool = True,
    closest_title: bool = False,
    margin: float = 0.0,
) -> list[float]:
    """The features of an article against an event's state and date, in EVENT_FEATURES order. `closest`: no
    other event of the story is nearer in words; `closest_title`: none is nearer by the titles of both;
    `margin`: how much nearer in words than the nearest other event (negative when another is nearer)."""
    entities = state.get("entities", {})
    no_entities = not profile.entities or not entities
    apart = float(abs((profile.day - day).days)) if profile.day and day else None
    return [
        cosine(profile.terms, state.get("centroid", {}), state.get("norm")),
        cosine(profile.headline, state.get("headline", {}), state.get("headline_norm")),
        0.0 if no_entities else share(profile.entities, entities),
        cosine(profile.names, state.get("names", {}), state.get("names_norm")),
        1.0 if no_entities else 0.0,
        share(profile.numbers, state.get("numbers", {})),
        1.0 if apart == 0 else 0.0,
        1.0 if apart == 1 else 0.0,  # the day after: a follow-up, or the next happening of the story
        # An undated text whose lead names the weekday of the event's day ("a annoncé lundi").
        1.0 if apart is None and day and profile.weekday is not None and day.weekday() == profile.weekday else 0.0,
        0.0 if apart is None else min(apart / EVENT_FAR_DAYS, 1.0),
        1.0 if apart is None else 0.0,
        1.0 if closest else 0.0,
        1.0 if closest_title else 0.0,
        margin,
    ]


@dataclass(frozen=True)
class LinkModel:
    """A logistic regression over pair features: the probability that an article belongs to a cluster."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def __post_init__(self) -> None:
        if len(self.names) != len(self.weights):
            raise ValueError(f"{len(self.names)} feature names for {len(self.weights)} weights")
        if not 0 < self.threshold < 1:
            raise ValueError(f"threshold must be in (0, 1), got {self.threshold}")

    def probability(self, features: Sequence[float]) -> float:
        """The fitted probability of a join."""
        z = self.bias + sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-z))

    def to_dict(self) -> dict[str, Any]:
        """The model as rule data."""
        return {
            "bias": self.bias,
            "threshold": self.threshold,
            "weights": dict(zip(self.names, self.weights, strict=True)),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], names: tuple[str, ...], where: str) -> LinkModel:
        """The model of rule data, its weights in the order of `names` (a missing one is an error naming it)."""
        weights = data.get("weights", {})
        missing = [n for n in names if n not in weights]
        if missing or "bias" not in data or "threshold" not in data:
            raise ValueError(f"{where}: missing {', '.join(missing) or 'bias or threshold'}")
        return cls(names, tuple(float(weights[n]) for n in names), float(data["bias"]), float(data["threshold"]))


@dataclass(frozen=True)
class ClusteringModel:
    """The fitted story and event models of one language."""

    story: LinkModel
    event: LinkModel

    def to_dict(self) -> dict[str, Any]:
        """The models as rule data."""
        return {"story": self.story.to_dict(), "event": self.event.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "clustering") -> ClusteringModel:
        """The models of rule data."""
        return cls(
            LinkModel.from_dict(data.get("story", {}), STORY_FEATURES, f"{where} [story]"),
            LinkModel.from_dict(data.get("event", {}), EVENT_FEATURES, f"{where} [event]"),
        )


def load_model(rules_dir: Path, language: str) -> ClusteringModel:
    """The fitted models of a language (rules/<lang>/clustering.toml), else the shared ones."""
    path = rules_dir / language / MODEL_FILE
    if not path.exists():
        path = rules_dir / MODEL_FILE
    return ClusteringModel.from_dict(read_rules(path), str(path))
