"""The brief as Markdown, as one self-contained HTML page (screen and print), or as JSON: the brief formats.

Every string from the articles goes through recoupe.escape: `escape.markdown` in Markdown, the autoescaping
template environment in HTML.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from jinja2 import Environment, PackageLoader

from recoupe import escape
from recoupe.brief.build import Brief, Line, Source
from recoupe.formats import Registry, plural

HTML_TEMPLATE = "brief.html.j2"


@dataclass(frozen=True)
class Item:
    """A line as rendered: its source-note numbers and the outlets that carried it."""

    line: Line
    refs: list[int]

    @property
    def outlets(self) -> str:
        """The distinct outlets of its sources, sorted, comma-separated."""
        return ", ".join(sorted({s.outlet for s in self.line.sources}))


@dataclass(frozen=True)
class Statements:
    """The lines of one speaker's section."""

    title: str
    items: list[Item]


@dataclass(frozen=True)
class EventItems:
    """One event's cross-check as rendered."""

    title: str
    date: str | None
    confirmed: list[Item]
    single_source: list[Item]
    contested: list[Item]
    more_single: int


@dataclass
class Numbered:
    """The brief's sections as rendered, with every distinct source numbered once in order of first use."""

    facts: list[EventItems] = field(default_factory=list)
    timeline: list[Item] = field(default_factory=list)
    statements: list[Statements] = field(default_factory=list)
    figures: list[Item] = field(default_factory=list)
    differences: list[Item] = field(default_factory=list)
    coverage: list[Item] = field(default_factory=list)  # the coverage lines, then the near-copies
    sources: list[Source] = field(default_factory=list)

    @classmethod
    def of(cls, brief: Brief) -> Numbered:
        """Number the sources of the brief in the order its sections are rendered."""
        numbered = cls()
        index: dict[Source, int] = {}

        def items(lines: list[Line]) -> list[Item]:
            out = []
            for line in lines:
                refs = []
                for source in line.sources:
                    if source not in index:
                        numbered.sources.append(source)
                        index[source] = len(numbered.sources)
                    refs.append(index[source])
                out.append(Item(line, refs))
            return out

        numbered.facts = [
            EventItems(e.title, e.date, items(e.confirmed), items(e.single_source), items(e.contested), e.more_single)
            for e in brief.facts
        ]
        numbered.timeline = items(brief.timeline)
        numbered.statements = [Statements(s.title, items(s.lines)) for s in brief.statements]
        numbered.figures = items(brief.figures)
        numbered.differences = items(brief.differences)
        numbered.coverage = items([*brief.coverage, *brief.copies])
        return numbered


def to_json(brief: Brief) -> str:
    """The brief as indented JSON."""
    return json.dumps(brief.to_dict(), ensure_ascii=False, indent=2) + "\n"


def to_markdown(brief: Brief) -> str:
    """The brief as Markdown with numbered source notes (article, outlet, character span)."""
    md = escape.markdown
    numbered = Numbered.of(brief)

    def bullet(item: Item, text: str) -> str:
        return f"- {text} {''.join(f'[^{n}]' for n in item.refs)}"

    out = [f"# {md(brief.title)}", "", f"_{md(summary(brief))}_", ""]
    out += ["## Cross-check", ""]
    for event in numbered.facts:
        out += [f"### {md(event.date or 'undated')} — {md(event.title)}", ""]
        for label, items in (
            ("Confirmed", event.confirmed),
            ("Single source", event.single_source),
            ("Contested", event.contested),
        ):
            if items:
                out += [f"**{label}**", ""]
                out += [bullet(it, f"{md(it.line.text)} — {md(it.outlets)} ({md(it.line.note or '')})") for it in items]
                out.append("")
        if event.more_single:
            out += [f"_{event.more_single} more single-source claims._", ""]
    if not numbered.facts:
        out += ["- No facts cross-checked.", ""]
    out += ["## Timeline", ""]
    out += [
        bullet(it, f"**{md(it.line.date or 'undated')}** — {md(it.line.text)} ({md(it.line.note or '')})")
        for it in numbered.timeline
    ]
    out += ["", "## Who said what", ""]
    for section in numbered.statements:
        out += [f"### {md(section.title)}", ""]
        for it in section.items:
            when = f" ({md(it.line.date)})" if it.line.date else ""
            out.append(bullet(it, f"« {md(it.line.text)} » — {md(it.outlets)}{when}"))
        out.append("")
    out += ["## Key figures", ""]
    out += [bullet(it, f"{md(it.line.text)} — {md(it.outlets)}") for it in numbered.figures]
    out += ["", "## Where outlets differ", "", f"_{md(brief.compared)}_", ""]
    out += [bullet(it, md(it.line.text)) for it in numbered.differences] or ["- No differences found."]
    out += ["", "## Coverage", ""]
    out += [bullet(it, md(it.line.text)) for it in numbered.coverage]
    out += ["", "## Sources", ""]
    out += [
        f"[^{i}]: {md(s.outlet)}, {md(s.date or 'undated')}, article {escape.markdown_code(s.article)}, "
        f"characters {s.start}–{s.end}"
        for i, s in enumerate(numbered.sources, start=1)
    ]
    return "\n".join(out) + "\n"


@cache
def _environment() -> Environment:
    """The brief's template environment, built once: the template is read and compiled at its first use."""
    return escape.html_environment(PackageLoader("recoupe.brief", "templates"))


def to_html(brief: Brief) -> str:
    """The brief as one self-contained HTML page, from its Jinja template; every value in it is escaped."""
    template = _environment().get_template(HTML_TEMPLATE)
    return template.render(brief=brief, summary=summary(brief), numbered=Numbered.of(brief))


def summary(brief: Brief) -> str:
    """The brief's one-line summary: articles, outlets and the dates they span."""
    span = f"{brief.first_date} – {brief.last_date}" if brief.first_date else "undated"
    outlets = len(brief.outlets)
    return f"{plural(brief.articles, 'article')} from {plural(outlets, 'outlet')}, {span}"


@dataclass(frozen=True)
class BriefFormat:
    """One way to write a brief."""

    name: str
    description: str
    render: Callable[[Brief], str]


FORMATS = Registry(
    "brief",
    [
        BriefFormat("md", "Markdown with numbered source notes", to_markdown),
        BriefFormat("html", "one self-contained HTML page, for screen and print", to_html),
        BriefFormat("json", "the brief's fields as JSON", to_json),
    ],
)
