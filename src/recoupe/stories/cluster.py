"""Incremental story and event clustering.

A new article is compared with a few candidate stories found through blocking keys (its rarer entities and
terms), never with the whole store. It joins the story a fitted model (stories/features.py) finds likeliest,
when likely enough, or starts one; inside the story it joins the event the event model finds likeliest from
vocabulary, headline, entities, figures and dates, or starts a new dated event. An event is one happening:
the day an article reports on (not the day it was published) must be the event's, the day before or after,
and a text that looks forward to a date cannot join an event after it. A date the text gives without its
year takes the year nearest the story's dates. Each story and event keeps a bounded centroid of TF-IDF
lemma weights and entity counts in the store, so adding an article costs the same whatever the store's size.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, OrderedDict
from collections.abc import Callable
from datetime import date
from operator import itemgetter
from typing import Any, TypeVar

from recoupe.config import Config, ConfigError
from recoupe.records import Analysis, Event, Story, stable_id
from recoupe.store import Store
from recoupe.stories.dates import DateReader, Dating, event_dates, parse_iso
from recoupe.stories.features import (
    ClusteringModel,
    Profile,
    cosine,
    event_features,
    load_model,
    numbers_of,
    story_features,
)

T = TypeVar("T")

CENTROID_TERMS = 300  # terms kept per centroid
BLOCK_TERMS = 10  # highest-weighted terms of an article used as blocking keys
CANDIDATE_STORIES = 12
EVENT_STORIES = 3  # candidate stories, the nearest in words, whose events are compared one by one
STATE_CACHE = 20_000  # story states kept parsed in memory
EVENT_CACHE = 200  # stories whose event states stay parsed in memory (about 200 kB each): a stream is dated
MAX_KEY_STORIES = 100  # a key shared by more stories than this is too common to block on
HEADLINE_TERMS = 40  # terms kept per headline centroid
NUMBERS_KEPT = 100  # figures kept per event
NAME_TERMS = 100  # name words kept per centroid
EVENT_GAP_DAYS = 1  # an event is one happening: its reports are of its day, the day before or the day after
STORY_GAP_DAYS = 7  # events this near a text's happening tell its story apart (the nearest in words)
ENTITY_TYPES = ("PER", "ORG", "LOC")
NAME_TYPES = ("PER", "ORG", "LOC", "MISC")  # a name's words match whatever type the model gave it
WORD = re.compile(r"\w[\w'’-]*\w|\w")


class Clusterer:
    """Places each new article into a story and an event."""

    def __init__(
        self, config: Config, store: Store, dates: DateReader | None = None, model: ClusteringModel | None = None
    ) -> None:
        self.config = config
        self.store = store
        self.dates = dates or DateReader(config)
        self._readers: dict[str, DateReader] = {config.language: self.dates}  # the date words of each language
        self._model = model  # one model for every language (a fitting run); else each language's own
        self._models: dict[str, ClusteringModel] = {}
        # Parsed story and event states, most recently used last. This clusterer is the store's only writer
        # while it runs, so the copies stay true; the bound keeps memory flat on very large stores.
        self._states: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._events: OrderedDict[str, dict[str, tuple[Event, dict[str, Any]]]] = OrderedDict()

    def model(self, language: str) -> ClusteringModel:
        """The fitted story and event models for articles in `language`."""
        if self._model is not None:
            return self._model
        if language not in self._models:
            self._models[language] = load_model(self.config.rules_dir, language)
        return self._models[language]

    def reader(self, language: str) -> DateReader:
        """The date reader of a language; the configured language's when it has no date words."""
        if language not in self._readers:
            try:
                self._readers[language] = DateReader(self.config.with_overrides(language=language))
            except ConfigError:  # no rules folder or no dates.toml for it (RulesError is a ConfigError)
                self._readers[language] = self.dates
        return self._readers[language]

    def _story_state(self, story_id: str) -> dict[str, Any] | None:
        return _recent(self._states, story_id, lambda: self.store.story_state(story_id), STATE_CACHE)

    def _event_states(self, story_id: str) -> dict[str, tuple[Event, dict[str, Any]]]:
        events = _recent(
            self._events,
            story_id,
            lambda: {event.id: (event, state) for event, state in self.store.event_states(story_id)},
            EVENT_CACHE,
        )
        assert events is not None  # the loader never gives None
        return events

    def place(self, analysis: Analysis) -> tuple[str, str]:
        """The (story id, event id) the article joins, creating them when needed."""
        article = analysis.article
        profile = self.profile(analysis)
        self.store.add_document_terms(list(profile.terms))
        if article.duplicate_of:
            original = self.store.article(article.duplicate_of)
            if original is not None and original.story and original.event:
                self._join(original.story, original.event, profile, analysis)
                return original.story, original.event
        model = self.model(article.language)
        story_id = self._best_story(profile, model)
        if not profile.settled:
            self._redate(analysis, profile, story_id)
        event_id = self._best_event(story_id, profile, model) if story_id else None
        if story_id is None:
            story_id = stable_id("sto", article.id)
        if event_id is None:
            event_id = stable_id("evt", article.id)
        self._join(story_id, event_id, profile, analysis)
        return story_id, event_id

    def profile(self, analysis: Analysis) -> Profile:
        """TF-IDF weights of the article's lemmas against the store's document frequencies (L2-normalised)."""
        # Lemma pairs carry what single words do not: "volonté politique", "désarmement nucléaire".
        lemmas = analysis.lemmas
        counts = Counter(lemmas)
        headline = Counter(self._headline_words(analysis))
        documents = self.store.counter("documents") + 1
        dfs = self.store.term_dfs([*counts, *headline])
        terms = _tfidf(counts, dfs, documents)
        entities = {e.id for e in analysis.entities if e.type in ENTITY_TYPES}
        dating = self._dating(analysis)
        day = dating.happening if dating.settled else None
        headline_terms = _tfidf(headline, dfs, documents)
        numbers = numbers_of(analysis.article.text)
        profile = Profile(terms, entities, day, headline_terms, dating.before, dating.settled, dating.weekday, numbers)
        profile.titled = bool(analysis.article.title)
        profile.names = _unit(_name_words(analysis, terms))
        return profile

    def _dating(self, analysis: Analysis) -> Dating:
        article = analysis.article
        metadata = None if article.published_inferred else article.published
        return self.reader(article.language).dating(article.text, metadata, url=article.source)

    def _redate(self, analysis: Analysis, profile: Profile, story_id: str | None) -> None:
        """Settle a guessed year: the one nearest the dates of the story joined (the guess starts a story)."""
        span = (self._story_state(story_id) or {}).get("days") if story_id else None
        near = parse_iso(span[1]) if span else None
        if near is None:
            profile.day = self._dating(analysis).happening  # nothing better than the guess
            return
        article = analysis.article
        reader = self.reader(article.language)
        dating = reader.dating(article.text, None, near, article.source)
        if dating.published is not None:
            article.published, article.published_inferred = dating.published.isoformat(), True
            analysis.event_dates = event_dates(article.text, article.published, reader)
        profile.day, profile.before, profile.weekday = dating.happening, dating.before, dating.weekday

    def _headline_words(self, analysis: Analysis) -> list[str]:
        """The headline's words (the lead sentence's when there is none) that are content lemmas of the text."""
        article = analysis.article
        headline = article.title or _first_sentence(article.text)
        content = set(analysis.lemmas)
        return [w for w in (w.lower() for w in WORD.findall(headline)) if w in content]

    # --- choosing ---------------------------------------------------------------------------------

    def story_candidates(self, profile: Profile) -> list[tuple[str, list[float]]]:
        """The stories the blocking keys bring, each with the article's features against it."""
        keys = self._keys(profile)
        states = [
            (story_id, self._story_state(story_id) or {})
            for story_id, _shared in self.store.stories_by_keys(keys, CANDIDATE_STORIES, MAX_KEY_STORIES)
        ]
        # The events of the stories nearest in words only (those the dates allow): loading every candidate's
        # events costs a read of each on a large store, and a story far in words has no event near enough.
        nearest = sorted(states, key=lambda s: -cosine(profile.terms, s[1].get("centroid", {}), s[1].get("norm")))
        near = {story_id for story_id, _state in nearest[:EVENT_STORIES]}
        found = []
        for story_id, state in states:
            # A story whose events are all too far in time to join still continues in a new event: its
            # centroid stands in, as for the stories further in words.
            events = (self._joinable(story_id, profile) if story_id in near else []) or [state]
            found.append((story_id, story_features(profile, state, events)))
        return found

    def _joinable(self, story_id: str, profile: Profile) -> list[dict[str, Any]]:
        """The states of the story's events the dates allow the article to join."""
        return [
            state
            for event, state in self._event_states(story_id).values()
            if self._may_join(profile, parse_iso(event.date) if event.date else None, state, STORY_GAP_DAYS)
        ]

    def event_candidates(self, story_id: str, profile: Profile) -> list[tuple[str, list[float]]]:
        """The events of a story the dates allow, each with the article's features against it."""
        allowed = []
        for event, state in self._event_states(story_id).values():
            day = parse_iso(event.date) if event.date else None
            if self._may_join(profile, day, state):
                words = cosine(profile.terms, state.get("centroid", {}), state.get("norm"))
                # Titles written by editors name the happening; a lead sentence standing in for one does not.
                title = cosine(profile.headline, state.get("titles", {})) if profile.titled else 0.0
                allowed.append((event.id, state, day, words, title))
        nearest = max((words for *_, words, _title in allowed), default=0.0)
        nearest_title = max((title for *_, title in allowed), default=0.0)
        found = []
        for i, (event_id, state, day, words, title) in enumerate(allowed):
            others = max((other[3] for j, other in enumerate(allowed) if j != i), default=0.0)
            closest, closest_title = words >= nearest, title >= nearest_title > 0
            found.append((event_id, event_features(profile, state, day, closest, closest_title, words - others)))
        return found

    def _best_story(self, profile: Profile, model: ClusteringModel) -> str | None:
        return _likeliest(self.story_candidates(profile), model.story.probability, model.story.threshold)

    def _best_event(self, story_id: str, profile: Profile, model: ClusteringModel) -> str | None:
        found = self.event_candidates(story_id, profile)
        return _likeliest(found, model.event.probability, model.event.threshold)

    @staticmethod
    def _may_join(profile: Profile, day: date | None, state: dict[str, Any], gap: int = EVENT_GAP_DAYS) -> bool:
        """Whether the dates allow the article's happening to be the event's (at most `gap` days apart)."""
        if profile.day and state.get("before") and profile.day.isoformat() >= state["before"]:
            return False  # a member looks forward to a date the article's happening is past
        if day is None:
            return True
        if profile.day:
            return abs((profile.day - day).days) <= gap
        if profile.before and day >= profile.before:
            return False  # the text looks forward to a date the event is past
        return profile.weekday is None or day.weekday() == profile.weekday

    def _keys(self, profile: Profile) -> list[str]:
        # Single lemmas only: a rare lemma pair is too specific to bring two articles of a story together.
        words = [t for t in profile.terms if "_" not in t]
        top = sorted(words, key=lambda t: (-profile.terms[t], t))[:BLOCK_TERMS]
        return [f"e:{e}" for e in sorted(profile.entities)] + [f"t:{t}" for t in top]

    # --- updating ---------------------------------------------------------------------------------

    def _join(self, story_id: str, event_id: str, profile: Profile, analysis: Analysis) -> None:
        article = analysis.article
        title = article.title or _first_sentence(article.text)
        story_state = self._story_state(story_id) or {"n": 0, "centroid": {}, "entities": {}, "days": None}
        self._states[story_id] = story_state
        story_state["centroid"] = _merge(story_state["centroid"], profile.terms, story_state["n"])
        story_state["norm"] = _norm(story_state["centroid"])
        story_headline = _merge(story_state.get("headline", {}), profile.headline, story_state["n"], HEADLINE_TERMS)
        story_state["headline"], story_state["headline_norm"] = story_headline, _norm(story_headline)
        story_state["entities"] = _count(story_state["entities"], profile.entities, CENTROID_TERMS)
        story_state["names"] = _merge(story_state.get("names", {}), profile.names, story_state["n"], NAME_TERMS)
        story_state["names_norm"] = _norm(story_state["names"])
        if profile.day:
            story_state["days"] = _widen(story_state["days"], profile.day)
        story_state["n"] += 1
        # A story is named by its first headline; a lead sentence stands in until an article brings one.
        if not story_state.get("title") or (article.title and not story_state.get("titled")):
            story_state["title"] = title if article.title else _short(title)
            story_state["titled"] = bool(article.title)
        story_title = story_state["title"]
        self.store.upsert_story(Story(id=story_id, title=story_title), story_state)
        self.store.add_story_keys(story_id, self._keys(profile))

        events = self._event_states(story_id)
        event, event_state = events.get(event_id) or (None, {"n": 0, "centroid": {}, "days": {}})
        event_state["centroid"] = _merge(event_state["centroid"], profile.terms, event_state["n"])
        event_state["norm"] = _norm(event_state["centroid"])
        headline = event_state.get("headline", {})
        event_state["headline"] = _merge(headline, profile.headline, event_state["n"], HEADLINE_TERMS)
        event_state["headline_norm"] = _norm(event_state["headline"])
        if profile.titled:
            titled = event_state.get("titled", 0)
            event_state["titles"] = _merge(event_state.get("titles", {}), profile.headline, titled, HEADLINE_TERMS)
            event_state["titled"] = titled + 1
        event_state["entities"] = _count(event_state.get("entities", {}), profile.entities, CENTROID_TERMS)
        event_state["names"] = _merge(event_state.get("names", {}), profile.names, event_state["n"], NAME_TERMS)
        event_state["names_norm"] = _norm(event_state["names"])
        event_state["numbers"] = _count(event_state.get("numbers", {}), profile.numbers, NUMBERS_KEPT)
        if profile.before and not profile.day:
            earlier = event_state.get("before")
            event_state["before"] = min(earlier, profile.before.isoformat()) if earlier else profile.before.isoformat()
        if profile.day:
            days: dict[str, int] = event_state["days"]
            days[profile.day.isoformat()] = days.get(profile.day.isoformat(), 0) + 1
        event_state["n"] += 1
        event_date = max(event_state["days"].items(), key=lambda kv: (kv[1], kv[0]))[0] if event_state["days"] else None
        event_title = event.title if event is not None else title
        stored = Event(id=event_id, story=story_id, date=event_date, title=event_title)
        events[event_id] = (stored, event_state)
        self.store.upsert_event(stored, event_state)


def _tfidf(counts: Counter[str], dfs: dict[str, int], documents: int) -> dict[str, float]:
    """L2-normalised TF-IDF weights; terms in every document drop out."""
    weights = {t: (1 + math.log(c)) * math.log((documents + 1) / (dfs.get(t, 0) + 1)) for t, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items() if w > 0}


def _name_words(analysis: Analysis, terms: dict[str, float]) -> dict[str, float]:
    """The TF-IDF weights of the words of the article's entity names. Words, not entity ids: the model may
    type one name differently in two texts (a cathedral as a place here, a person there) or name it in full
    in one and in short in the other; the lemma weights make a name common to many stories count little."""
    words = {w for e in analysis.entities if e.type in NAME_TYPES for w in WORD.findall(e.name.lower())}
    return {w: terms[w] for w in words if w in terms}


def _unit(vector: dict[str, float]) -> dict[str, float]:
    norm = _norm(vector) or 1.0
    return {t: w / norm for t, w in vector.items()}


def _likeliest(
    candidates: list[tuple[str, list[float]]], probability: Callable[[list[float]], float], threshold: float
) -> str | None:
    """The candidate of highest probability, when it reaches the threshold."""
    best: tuple[float, str] | None = None
    for candidate, features in candidates:
        p = probability(features)
        if p >= threshold and (best is None or p > best[0]):
            best = (p, candidate)
    return best[1] if best else None


def _count(counts: dict[str, int], items: set[str], keep: int) -> dict[str, int]:
    """Counts of the members' items, one more member added, cut to the most frequent."""
    counts = dict(counts)
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:keep])


def _norm(vector: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in vector.values()))


def _merge(centroid: dict[str, float], terms: dict[str, float], n: int, keep: int = CENTROID_TERMS) -> dict[str, float]:
    """The running mean of the members' vectors, cut to the strongest terms."""
    merged = {t: w * n / (n + 1) for t, w in centroid.items()}
    for t, w in terms.items():
        merged[t] = merged.get(t, 0.0) + w / (n + 1)
    if len(merged) <= keep:
        return merged
    return dict(heapq.nlargest(keep, merged.items(), key=itemgetter(1)))


def _widen(span: list[str] | None, day: date) -> list[str]:
    iso = day.isoformat()
    if not span:
        return [iso, iso]
    return [min(span[0], iso), max(span[1], iso)]


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: text.rfind(" ", 0, limit)] + "…"


def _first_sentence(text: str, limit: int = 120) -> str:
    line = text.strip().split("\n", 1)[0]
    end = line.find(". ")
    sentence = line[: end + 1] if 0 < end < limit else line[:limit]
    return sentence.strip()


def _recent(cache: OrderedDict[str, T], key: str, load: Callable[[], T | None], bound: int) -> T | None:
    """`key`'s value from a most-recently-used cache of at most `bound` entries, loaded on a miss (None: absent)."""
    value = cache.get(key)
    if value is not None:
        cache.move_to_end(key)
        return value
    value = load()
    if value is not None:
        cache[key] = value
        if len(cache) > bound:
            cache.popitem(last=False)
    return value
