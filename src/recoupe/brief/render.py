"""The brief as Markdown, as one self-contained HTML page (screen and print), or as JSON."""

from __future__ import annotations

import json
from html import escape

from recoupe.brief.build import Brief, Line, Source

CSS = """
body{font:16px/1.5 Georgia,serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;background:#fff}
h1{font-size:1.7rem;line-height:1.2;margin-bottom:.2rem}h2{font-size:1.2rem;border-bottom:1px solid #ccc;
margin-top:2rem}h3{font-size:1.05rem;margin-bottom:.3rem}.meta{color:#555;font-style:italic}
ul{padding-left:1.2rem}li{margin:.35rem 0}.date{font-weight:bold;white-space:nowrap}
.src{font-size:.8rem;color:#555}.src a{color:#24527a}.flag{color:#a33;font-weight:bold}
blockquote{margin:0;font-style:italic}ol.sources{font-size:.8rem;color:#333}
@media (max-width:600px){body{font-size:15px;margin:1rem auto}}
@media print{body{max-width:none;margin:0;font-size:11pt}a{color:#000;text-decoration:none}
h2{break-after:avoid}li{break-inside:avoid}}
"""


class _Footnotes:
    """Numbers every distinct source once, in order of first use."""

    def __init__(self) -> None:
        self.sources: list[Source] = []
        self._index: dict[Source, int] = {}

    def refs(self, line: Line) -> list[int]:
        numbers = []
        for source in line.sources:
            if source not in self._index:
                self.sources.append(source)
                self._index[source] = len(self.sources)
            numbers.append(self._index[source])
        return numbers


def to_json(brief: Brief) -> str:
    """The brief as indented JSON."""
    return json.dumps(brief.to_dict(), ensure_ascii=False, indent=2) + "\n"


def to_markdown(brief: Brief) -> str:
    """The brief as Markdown with numbered source notes (article, outlet, character span)."""
    notes = _Footnotes()
    out = [f"# {_md(brief.title)}", "", f"_{_summary(brief)}_", ""]

    def item(line: Line, text: str) -> str:
        refs = "".join(f"[^{n}]" for n in notes.refs(line))
        return f"- {text} {refs}"

    out += ["## Timeline", ""]
    out += [item(ln, f"**{ln.date or 'undated'}** — {_md(ln.text)} ({_md(ln.note or '')})") for ln in brief.timeline]
    out += ["", "## Who said what", ""]
    for section in brief.statements:
        out += [f"### {_md(section.title)}", ""]
        for ln in section.lines:
            outlets = ", ".join(sorted({s.outlet for s in ln.sources}))
            out.append(item(ln, f"« {_md(ln.text)} » — {_md(outlets)}{f' ({ln.date})' if ln.date else ''}"))
        out.append("")
    out += ["## Key figures", ""]
    out += [
        item(ln, f"{_md(ln.text)} — {_md(', '.join(sorted({s.outlet for s in ln.sources})))}") for ln in brief.figures
    ]
    out += ["", "## Where outlets differ", ""]
    out += [item(ln, f"{_md(ln.text)}") for ln in brief.differences] or ["- No differences found."]
    out += ["", "## Coverage", ""]
    out += [item(ln, _md(ln.text)) for ln in brief.coverage]
    out += [item(ln, _md(ln.text)) for ln in brief.copies]
    out += ["", "## Sources", ""]
    out += [
        f"[^{i}]: {_md(s.outlet)}, {s.date or 'undated'}, article `{s.article}`, characters {s.start}–{s.end}"
        for i, s in enumerate(notes.sources, start=1)
    ]
    return "\n".join(out) + "\n"


def to_html(brief: Brief) -> str:
    """The brief as one self-contained HTML page; every piece of article text is escaped."""
    notes = _Footnotes()

    def refs(line: Line) -> str:
        links = " ".join(f'<a href="#s{n}">[{n}]</a>' for n in notes.refs(line))
        return f' <span class="src">{links}</span>'

    parts = [
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{escape(brief.title)}</title><style>{CSS}</style></head><body>",
        f'<h1>{escape(brief.title)}</h1><p class="meta">{escape(_summary(brief))}</p>',
        '<h2 id="timeline">Timeline</h2><ul>',
    ]
    for ln in brief.timeline:
        parts.append(
            f'<li><span class="date">{escape(ln.date or "undated")}</span> — {escape(ln.text)} '
            f"<em>({escape(ln.note or '')})</em>{refs(ln)}</li>"
        )
    parts.append('</ul><h2 id="statements">Who said what</h2>')
    for section in brief.statements:
        parts.append(f"<h3>{escape(section.title)}</h3><ul>")
        for ln in section.lines:
            outlets = ", ".join(sorted({s.outlet for s in ln.sources}))
            when = f" ({escape(ln.date)})" if ln.date else ""
            quote = f"<blockquote>« {escape(ln.text)} »</blockquote>"
            parts.append(f"<li>{quote}— {escape(outlets)}{when}{refs(ln)}</li>")
        parts.append("</ul>")
    parts.append('<h2 id="figures">Key figures</h2><ul>')
    for ln in brief.figures:
        outlets = ", ".join(sorted({s.outlet for s in ln.sources}))
        parts.append(f"<li>{escape(ln.text)} — {escape(outlets)}{refs(ln)}</li>")
    parts.append('</ul><h2 id="differences">Where outlets differ</h2><ul>')
    parts += [f'<li><span class="flag">≠</span> {escape(ln.text)}{refs(ln)}</li>' for ln in brief.differences] or [
        "<li>No differences found.</li>"
    ]
    parts.append('</ul><h2 id="coverage">Coverage</h2><ul>')
    parts += [f"<li>{escape(ln.text)}{refs(ln)}</li>" for ln in [*brief.coverage, *brief.copies]]
    parts.append('</ul><h2 id="sources">Sources</h2><ol class="sources">')
    for i, s in enumerate(notes.sources, start=1):
        parts.append(
            f'<li id="s{i}">{escape(s.outlet)}, {escape(s.date or "undated")}, '
            f"article <code>{escape(s.article)}</code>, characters {s.start}–{s.end}</li>"
        )
    parts.append("</ol></body></html>\n")
    return "\n".join(parts)


def _summary(brief: Brief) -> str:
    span = f"{brief.first_date} – {brief.last_date}" if brief.first_date else "undated"
    return f"{brief.articles} articles from {len(brief.outlets)} outlets, {span}"


def _md(text: str) -> str:
    """Text safe inline in Markdown."""
    flat = " ".join(text.split())
    for ch in "\\`*_[]<>|":
        flat = flat.replace(ch, "\\" + ch)
    return flat
