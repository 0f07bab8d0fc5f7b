"""The story brief: one consolidated, source-attributed account of a story, extractive and deterministic.

Every line carries its sources: the article, its outlet and the character span of the words it comes from.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from recoupe.config import Config
from recoupe.facts.figures import FigureReader
from recoupe.facts.outlets import outlet_name
from recoupe.facts.records import Claim, CountedFigure, Difference, Fact
from recoupe.facts.statements import StatementGrouper
from recoupe.records import Article, Event, Quote
from recoupe.store import Store

SENTENCE = re.compile(r"[^.!?…\n]+[.!?…]?")
MAX_STATEMENTS_PER_SPEAKER = 6
# Bump when build_brief gives another output from the same store: briefs saved by the older code are then stale.
BRIEF_FORMAT = 2
MAX_SINGLE_PER_EVENT = 8  # single-source claims listed under an event; the count of the others is said


class BriefError(LookupError):
    """The story asked for does not exist."""


@dataclass(frozen=True)
class Source:
    """Where a line comes from: an article, its outlet, its date and a character span of its text."""

    article: str
    outlet: str
    date: str | None
    start: int
    end: int


SourceOf = Callable[[str, int, int], Source]  # article id, start, end -> the source


@dataclass
class Line:
    """One line of the brief with the sources it comes from."""

    text: str
    sources: list[Source]
    date: str | None = None
    note: str | None = None


@dataclass
class Section:
    """A titled list of lines ("Inès Caradec", "Key figures")."""

    title: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class EventFacts:
    """One event's cross-check: its confirmed facts, then its single-source claims, then what is contested."""

    title: str
    date: str | None
    confirmed: list[Line] = field(default_factory=list)
    single_source: list[Line] = field(default_factory=list)
    contested: list[Line] = field(default_factory=list)
    more_single: int = 0  # single-source claims not listed

    def lines(self) -> list[Line]:
        """Its lines in the order they are shown."""
        return [*self.confirmed, *self.single_source, *self.contested]


@dataclass
class Brief:
    """The whole account of a story."""

    story: str
    title: str
    articles: int
    outlets: list[str]
    first_date: str | None
    last_date: str | None
    timeline: list[Line]
    statements: list[Section]
    figures: list[Line]
    differences: list[Line]
    coverage: list[Line]
    copies: list[Line]
    facts: list[EventFacts] = field(default_factory=list)
    compared: str = ""  # what "Where outlets differ" compared

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[Line]:
        """Every line of every section."""
        out = [*self.timeline, *self.figures, *self.differences, *self.coverage, *self.copies]
        for event in self.facts:
            out.extend(event.lines())
        for section in self.statements:
            out.extend(section.lines)
        return out


@cache
def figure_reader(folder: Path) -> FigureReader:
    """One reader per rule folder: its patterns are compiled once."""
    return FigureReader(folder)


def builder_key(config: Config) -> str:
    """What a built brief depends on besides its story: the code's brief format and the figure rules."""
    return f"{BRIEF_FORMAT}:{figure_reader(config.language_rules).digest}"


def outlet_of(article: Article) -> str:
    """The outlet's name, else the source's host, else "unknown outlet" (never one outlet per file)."""
    return outlet_name(article)


def build_brief(store: Store, story_id: str, config: Config | None = None) -> Brief:
    """The brief of one story, from what the store holds."""
    story = store.story(story_id)
    if story is None:
        raise BriefError(f"no story '{story_id}' in {store.path}")
    config = config or Config()
    articles = {a.id: a for a in store.articles(story.articles)}
    outlets = {a.id: outlet_of(a) for a in articles.values()}
    events = store.events(story.id)
    quotes = store.brief_quotes(story.id)
    speakers = sorted({q.speaker for q in quotes if q.speaker})
    names = {e.id: e.name for e in store.entities(speakers)}
    grouper = StatementGrouper()  # the speakers' statements and the attribution check read the same quotes

    def source(article_id: str, start: int, end: int) -> Source:
        return Source(article_id, outlets[article_id], articles[article_id].published, start, end)

    timeline = []
    for event in events:
        members = [articles[a] for a in event.articles if a in articles]
        if not members:
            continue
        lead = members[0]
        start, end = _first_sentence(lead.text)
        carried_by = sorted({outlets[a.id] for a in members})
        timeline.append(
            Line(
                text=lead.text[start:end],
                sources=[source(lead.id, start, end), *(source(a.id, *_first_sentence(a.text)) for a in members[1:])],
                date=event.date,
                note=f"{event.title} — {', '.join(carried_by)}",
            )
        )

    statements = _statements(grouper, quotes, names, outlets, source)
    facts = store.facts(story.id)
    claims = store.claims_of(list(articles))
    figures = _figures(claims, outlets, source)
    fact_sections, fact_differences = _facts(facts, events, names, source)
    attribution_differences = _attribution_differences(grouper, quotes, names, outlets, source)
    across = sum(1 for f in facts if len({c.article for c in f.claims}) > 1)
    compared = (
        f"Compared the figures (what each counts), days, speakers and confirmations or denials of the {across} "
        f"fact{'s' if across != 1 else ''} that two or more articles state, and the speakers of quotes carried by "
        "several outlets."
    )
    coverage = []
    for outlet in sorted(set(outlets.values())):
        covered = [e.date or "undated" for e in events if any(outlets[a] == outlet for a in e.articles)]
        own = [a for a in articles.values() if outlets[a.id] == outlet]
        coverage.append(Line(text=f"{outlet}: {', '.join(covered)}", sources=[_lead(a, source) for a in own]))
    copies = []
    for a in articles.values():
        if a.duplicate_of:
            original = articles.get(a.duplicate_of) or store.article(a.duplicate_of)
            of = f"{outlet_of(original)} ({original.title or original.id})" if original else a.duplicate_of
            copies.append(
                Line(text=f"{outlets[a.id]} ({a.title or a.id}) is a near-copy of {of}", sources=[_lead(a, source)])
            )
    dates = sorted(d for d in (e.date for e in events) if d)
    return Brief(
        story=story.id,
        title=story.title,
        articles=len(articles),
        outlets=sorted(set(outlets.values())),
        first_date=dates[0] if dates else None,
        last_date=dates[-1] if dates else None,
        timeline=timeline,
        statements=statements,
        figures=figures,
        differences=[*fact_differences, *attribution_differences],
        coverage=coverage,
        copies=copies,
        facts=fact_sections,
        compared=compared,
    )


def _statements(
    grouper: StatementGrouper, quotes: list[Quote], names: dict[str, str], outlets: dict[str, str], source: SourceOf
) -> list[Section]:
    """Key statements of each speaker: grouped across outlets, most carried first."""
    by_speaker: dict[str, list[Quote]] = defaultdict(list)
    for quote in quotes:
        if quote.speaker is not None and quote.kind != "indirect":
            by_speaker[quote.speaker].append(quote)
    sections = []
    for speaker, spoken in sorted(by_speaker.items(), key=lambda kv: (-len(kv[1]), names.get(kv[0], kv[0]))):
        groups = grouper.group(spoken)
        groups.sort(
            key=lambda s: (
                -len({outlets[q.article] for q in s.quotes}),
                -len({q.article for q in s.quotes}),
                -len(s.text),
            )
        )
        lines = []
        for statement in groups[:MAX_STATEMENTS_PER_SPEAKER]:
            sources = [source(q.article, q.start, q.end) for q in statement.quotes]
            dates = sorted(d for d in (s.date for s in sources) if d)
            lines.append(Line(text=statement.text, sources=sources, date=dates[0] if dates else None))
        sections.append(Section(title=names.get(speaker, speaker), lines=lines))
    return sections


def _figures(claims: list[Claim], outlets: dict[str, str], source: SourceOf) -> list[Line]:
    """Key figures of the claims, each saying what it counts ("12 300 civils tués"), grouped by thing and value;
    no clock time, date, rank or score is one (the claim reader leaves them out)."""
    by_value: dict[tuple[str, float], list[tuple[Claim, CountedFigure]]] = defaultdict(list)
    for claim in claims:
        for figure in claim.figures:
            by_value[(figure.counts.lower(), figure.value)].append((claim, figure))
    lines = []
    for (counts, value), found in sorted(by_value.items()):
        text = f"{_number(value)} {counts}"
        qualified = found[0][1].text
        if not qualified.startswith(_number(value)):
            text = f"{text} ({qualified})"
        given_by = next((f.source for _c, f in found if f.source), None)
        lines.append(
            Line(
                text=text + (f", selon {given_by}" if given_by else ""),
                sources=[source(c.article, f.start, f.end) for c, f in found],
                note=given_by,
            )
        )
    return lines


def _facts(
    facts: list[Fact], events: list[Event], names: dict[str, str], source: SourceOf
) -> tuple[list[EventFacts], list[Line]]:
    """Each event's facts by status, and the differences of the contested ones."""
    sections: dict[str | None, EventFacts] = {e.id: EventFacts(e.title, e.date) for e in events}
    differences = []
    for fact in facts:
        section = sections.setdefault(fact.event, EventFacts("Other articles", None))
        sources = [source(c.article, c.start, c.end) for c in fact.claims]
        wordings = fact.wordings
        text = fact.statement if len(wordings) < 2 else " / ".join(f"« {w} » ({', '.join(o)})" for w, o in wordings)
        line = Line(text=text, sources=sources, note=fact.chain)
        if fact.status == "confirmed":
            section.confirmed.append(line)
        elif fact.status == "contested":
            said = "; ".join(_difference_text(d, names) for d in fact.differences)
            section.contested.append(Line(text=text, sources=sources, note=f"{fact.chain}; differs on {said}"))
            for difference in fact.differences:
                differences.append(
                    Line(text=_difference_text(difference, names), sources=sources, note=difference.kind)
                )
        elif len(section.single_source) < MAX_SINGLE_PER_EVENT:
            section.single_source.append(line)
        else:
            section.more_single += 1
    return [s for s in sections.values() if s.lines()], differences


def _difference_text(difference: Difference, names: dict[str, str]) -> str:
    """What was compared and each value with its outlets, speakers by name."""
    values = "; ".join(f"{names.get(v.value, v.value)} ({', '.join(v.outlets)})" for v in difference.variants)
    return f"{difference.about}: {values}"


def _attribution_differences(
    grouper: StatementGrouper, quotes: list[Quote], names: dict[str, str], outlets: dict[str, str], source: SourceOf
) -> list[Line]:
    """The same words attributed to different people by different outlets."""
    differences = []
    for statement in grouper.group([q for q in quotes if q.kind != "indirect"]):
        speakers = {q.speaker for q in statement.quotes if q.speaker}
        if len(speakers) > 1:
            parts = []
            for speaker in sorted(speakers):
                given_by = sorted({outlets[q.article] for q in statement.quotes if q.speaker == speaker})
                parts.append(f"{names.get(speaker, speaker)} ({', '.join(given_by)})")
            who = "; ".join(parts)
            differences.append(
                Line(
                    text=f"« {statement.text[:120]} » attributed to {who}",
                    sources=[source(q.article, q.start, q.end) for q in statement.quotes],
                    note="attribution",
                )
            )
    return differences


def _lead(article: Article, source: SourceOf) -> Source:
    """The article's first sentence as the source of a line about the whole article."""
    return source(article.id, *_first_sentence(article.text))


def _first_sentence(text: str) -> tuple[int, int]:
    match = SENTENCE.search(text)
    if match is None:
        return 0, min(len(text), 200)
    start, end = match.span()
    while start < end and text[start].isspace():
        start += 1
    return start, min(end, start + 300)


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ") if value == int(value) else f"{value:g}".replace(".", ",")
