"""The cross-check of one story: its claims aligned into facts, each with its sources and its status.

A fact is `confirmed` when two or more independent sources state it, `single_source` when one does (however
many outlets relay it), and `contested` when its claims disagree: figures counting the same thing with other
values, other days, other speakers for the same words, or one claim confirming what another denies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from itertools import combinations
from typing import Any

from recoupe.facts.alignment import AlignmentWeights, WordVectors, align
from recoupe.facts.independence import Origin, SourceTracer, chain
from recoupe.facts.outlets import outlet_name
from recoupe.facts.records import Claim, Difference, Fact, FactClaim, Status, Variant, fold
from recoupe.facts.statements import SAME_STATEMENT as SAME_WORDS
from recoupe.facts.statements import containment
from recoupe.records import Article, stable_id


class CrossChecker:
    """Aligns the claims of a story into facts and weighs their sources."""

    def __init__(self, weights: AlignmentWeights, tracer: SourceTracer, weekdays: Sequence[str] = ()) -> None:
        self.weights = weights
        self.tracer = tracer
        self.weekdays = tuple(fold(w) for w in weekdays)  # Monday first, as rules/<lang>/dates.toml lists them

    def check(
        self,
        story: str,
        articles: Mapping[str, Article],
        claims: Sequence[Claim],
        event_days: Mapping[str, str | None] | None = None,
        vectors: WordVectors | None = None,
    ) -> list[Fact]:
        """The facts of one story from its articles' claims; `event_days` gives each article's event day."""
        claims = [c for c in claims if c.article in articles]
        article_origins = {a.id: self.tracer.article_origin(a, articles) for a in articles.values()}
        facts = []
        for group in align(claims, self.weights, event_days, vectors):
            origins = [self.tracer.claim_origin(c, article_origins[c.article]) for c in group]
            facts.append(self._fact(story, articles, group, origins))
        return facts

    def _fact(
        self, story: str, articles: Mapping[str, Article], group: Sequence[Claim], origins: Sequence[Origin]
    ) -> Fact:
        outlets = [outlet_name(articles[c.article]) for c in group]
        members = tuple(
            FactClaim(c.id, c.article, outlet, c.start, c.end, c.text, origin.label, c.speaker)
            for c, outlet, origin in zip(group, outlets, origins, strict=True)
        )
        differences = tuple(differences_of(group, outlets, self.weekdays))
        sources = len({o.key for o in origins})
        status: Status = "contested" if differences else "confirmed" if sources >= 2 else "single_source"
        events = [articles[c.article].event for c in group]
        event = max(set(events), key=lambda e: (events.count(e), e or "")) if events else None
        return Fact(
            id=stable_id("fct", story, *sorted(c.id for c in group)),
            story=story,
            event=event,
            statement=group[0].text,
            status=status,
            independent_sources=sources,
            outlets=tuple(sorted(set(outlets))),
            chain=chain(outlets, origins),
            claims=members,
            differences=differences,
        )


def differences_of(group: Sequence[Claim], outlets: Sequence[str], weekdays: Sequence[str] = ()) -> list[Difference]:
    """What the claims of one fact disagree on: the figures counting one thing, the days, the speakers of a
    quote, confirmation against denial. Only claims of different articles are compared; `weekdays` are the
    language's weekday names, folded, Monday first."""
    found: list[Difference] = []
    by_noun: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    counts_of: dict[str, str] = {}
    for claim, outlet in zip(group, outlets, strict=True):
        for figure in claim.figures:
            by_noun[figure.noun][_number(figure.value)].add(outlet)
            counts_of.setdefault(figure.noun, figure.counts)
    for noun, values in sorted(by_noun.items()):
        if len(values) > 1 and _several_articles(group, lambda c, n=noun: any(f.noun == n for f in c.figures)):
            found.append(Difference("figure", counts_of[noun], _variants(values)))
    dated = [(c, o) for c, o in zip(group, outlets, strict=True) if c.dates]
    if any(a.article != b.article and _other_days(a, b, weekdays) for (a, _), (b, _) in combinations(dated, 2)):
        days: dict[str, set[str]] = defaultdict(set)
        for claim, outlet in dated:
            days[", ".join(claim.dates)].add(outlet)
        found.append(Difference("date", "the day", _variants(days)))
    spoken = [(c, o) for c, o in zip(group, outlets, strict=True) if c.speaker and c.quote]
    # Other speakers for the same words: quotes that share most of their words (two wordings of one quote by
    # two speakers is an error of attribution somewhere, not a disagreement between outlets).
    if spoken and min(_overlap(spoken[0][0], c) for c, _ in spoken) < SAME_WORDS:
        spoken = []
    speakers: dict[str, set[str]] = defaultdict(set)
    for claim, outlet in spoken:
        speakers[claim.speaker or ""].add(outlet)
    if len(speakers) > 1 and len({c.article for c, _ in spoken}) > 1:
        found.append(Difference("attribution", "the speaker", _variants(speakers)))
    stances: dict[str, set[str]] = defaultdict(set)
    for claim, outlet in zip(group, outlets, strict=True):
        if claim.stance:
            stances[claim.stance].add(outlet)
    if len(stances) > 1:
        found.append(Difference("stance", "confirmed or denied", _variants(stances)))
    return found


def _other_days(a: Claim, b: Claim, weekdays: Sequence[str]) -> bool:
    """Whether two claims name other days, compared only where both say as much: two sets of calendar days
    without one in common, or two sets of weekdays without one in common ("lundi" against "mardi", or against
    a calendar day that was a Tuesday). "lundi soir" and "2020-08-10", a Monday, agree."""
    days_a, days_b = _calendar_days(a.dates), _calendar_days(b.dates)
    if days_a and days_b and not days_a & days_b:
        return True
    weekdays_a, weekdays_b = _weekdays(a.dates, days_a, weekdays), _weekdays(b.dates, days_b, weekdays)
    return bool(weekdays_a and weekdays_b and not weekdays_a & weekdays_b)


def _calendar_days(dates: Sequence[str]) -> set[date]:
    found = set()
    for written in dates:
        try:
            found.add(date.fromisoformat(written))
        except ValueError:
            continue  # a day written without its year or reference: words, not a calendar day
    return found


def _weekdays(dates: Sequence[str], days: set[date], weekdays: Sequence[str]) -> set[int]:
    """The weekdays a claim names: those of its calendar days and the weekday words of its other dates."""
    named = {day.weekday() for day in days}
    for written in dates:
        named.update(weekdays.index(word) for word in fold(written).split() if word in weekdays)
    return named


def _overlap(a: Claim, b: Claim) -> float:
    """Share of the smaller claim's lemmas found in the other."""
    return containment(set(a.lemmas), set(b.lemmas))


def _several_articles(group: Sequence[Claim], has: Any) -> bool:
    return len({c.article for c in group if has(c)}) > 1


def _variants(values: Mapping[str, set[str]]) -> tuple[Variant, ...]:
    return tuple(Variant(value, tuple(sorted(outlets))) for value, outlets in sorted(values.items()))


def _number(value: float) -> str:
    """A value as French writes it: "12 300", "1,5"."""
    return f"{value:,.0f}".replace(",", " ") if value == int(value) else f"{value:g}".replace(".", ",")
