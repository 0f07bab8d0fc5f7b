"""The story brief: one consolidated, source-attributed account of a story, extractive and deterministic.

Every line carries its sources: the article, its outlet and the character span of the words it comes from.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from itertools import combinations
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import urlparse

from recoupe.config import Config
from recoupe.facts.figures import Figure, FigureReader
from recoupe.facts.statements import StatementGrouper
from recoupe.records import Article, Quote
from recoupe.store import Store

SENTENCE = re.compile(r"[^.!?…\n]+[.!?…]?")
MAX_STATEMENTS_PER_SPEAKER = 6
# Bump when build_brief gives another output from the same store: briefs saved by the older code are then stale.
BRIEF_FORMAT = 1


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[Line]:
        """Every line of every section."""
        out = [*self.timeline, *self.figures, *self.differences, *self.coverage, *self.copies]
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
    """The outlet's name, else the source's host, else the file name."""
    if article.outlet:
        return article.outlet
    host = urlparse(article.source).hostname if article.source.startswith("http") else None
    return host.removeprefix("www.") if host else PurePath(article.source).name


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
    figures, figure_differences = _figures(figure_reader(config.language_rules), articles, outlets, source)
    attribution_differences = _attribution_differences(grouper, quotes, names, outlets, source)
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
        differences=[*figure_differences, *attribution_differences],
        coverage=coverage,
        copies=copies,
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
        groups.sort(key=lambda s: (-len({outlets[q.article] for q in s.quotes}), -len(s.text)))
        lines = []
        for statement in groups[:MAX_STATEMENTS_PER_SPEAKER]:
            sources = [source(q.article, q.start, q.end) for q in statement.quotes]
            dates = sorted(d for d in (s.date for s in sources) if d)
            lines.append(Line(text=statement.text, sources=sources, date=dates[0] if dates else None))
        sections.append(Section(title=names.get(speaker, speaker), lines=lines))
    return sections


def _figures(
    reader: FigureReader, articles: dict[str, Article], outlets: dict[str, str], source: SourceOf
) -> tuple[list[Line], list[Line]]:
    """Key figures grouped by what they count and value; outlets that disagree on one quantity flagged."""
    found: list[Figure] = [f for a in articles.values() for f in reader.read(a.id, a.text)]
    by_value: dict[tuple[str, float], list[Figure]] = defaultdict(list)
    for figure in found:
        by_value[(figure.key, figure.value)].append(figure)
    lines = []
    for (_key, _value), figures in sorted(by_value.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        first = figures[0]
        given_by = first.source or next((f.source for f in figures if f.source), None)
        text = first.text + (f", selon {given_by}" if given_by else "")
        lines.append(Line(text=text, sources=[source(f.article, f.start, f.end) for f in figures], note=given_by))
    differences = []
    by_key: dict[str, list[Figure]] = defaultdict(list)
    for figure in found:
        by_key[figure.key].append(figure)
    for key, figures in sorted(by_key.items()):
        outlets_by_value: dict[float, set[str]] = defaultdict(set)
        for figure in figures:
            outlets_by_value[figure.value].add(outlets[figure.article])
        # A disagreement is two outlets giving two values, not one article counting two things.
        if any(a - b and b - a for a, b in combinations(outlets_by_value.values(), 2)):
            variants = "; ".join(f"{_number(v)} ({', '.join(sorted(o))})" for v, o in sorted(outlets_by_value.items()))
            differences.append(
                Line(
                    text=f"{key}: {variants}",
                    sources=[source(f.article, f.start, f.end) for f in figures],
                    note="figures",
                )
            )
    return lines, differences


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
