"""Article text with quotes and entity mentions marked, built from escaped pieces only.

The text is untrusted: every piece of it goes through `markupsafe.escape`, and the only markup added is
made here from ids and names that are escaped too. Spans come from Quote.start/end and Mention.start/end.
Quotes are the outer layer (one element each, so a quote is always one element whose text is the quote);
mentions nest inside or outside them and are cut at quote boundaries when they cross one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from recoupe.records import Mention, Quote


@dataclass(frozen=True)
class Span:
    """A stretch of text to mark: [start, end) with the element that wraps it."""

    start: int
    end: int
    open_tag: Markup
    close_tag: Markup


def valid_span(start: int, end: int, length: int) -> bool:
    """Whether [start, end) is a non-empty stretch of a text of this length."""
    return 0 <= start < end <= length


def claim_span(start: int, end: int) -> Span:
    """The words of a claim a link points to: one <mark id="span">, the page's target."""
    return Span(start, end, Markup('<mark class="claim" id="span">'), Markup("</mark>"))


def _non_overlapping(spans: Sequence[Span]) -> list[Span]:
    """Keep spans left to right, the longest first at equal starts, dropping any that overlaps a kept one."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


def quote_spans(quotes: Sequence[Quote], length: int, speaker_names: dict[str, str]) -> list[Span]:
    """One <mark> per quote, with its id, kind and speaker as data attributes."""
    spans = []
    for quote in quotes:
        if not valid_span(quote.start, quote.end, length):
            continue
        speaker = speaker_names.get(quote.speaker or "", "")
        open_tag = Markup(
            '<mark class="quote quote-{}" id="q-{}" data-quote="{}" data-speaker="{}" title="{}">'
        ).format(quote.kind, quote.id, quote.id, quote.speaker or "", speaker or "locuteur inconnu")
        spans.append(Span(quote.start, quote.end, open_tag, Markup("</mark>")))
    return _non_overlapping(spans)


def mention_spans(mentions: Sequence[Mention], length: int, href: Callable[[str], str]) -> list[Span]:
    """One link per entity mention, to the entity's page."""
    spans = []
    for mention in mentions:
        if not valid_span(mention.start, mention.end, length):
            continue
        open_tag = Markup('<a class="entity" href="{}" data-entity="{}">').format(href(mention.entity), mention.entity)
        spans.append(Span(mention.start, mention.end, open_tag, Markup("</a>")))
    return _non_overlapping(spans)


def _inner(text: str, start: int, end: int, inner: Sequence[Span]) -> Markup:
    """Escaped text[start:end] with the inner spans (sorted, non-overlapping) clipped to it."""
    out = Markup()
    cursor = start
    for span in inner:
        s, e = max(span.start, start), min(span.end, end)
        if s >= e:
            continue
        out += escape(text[cursor:s]) + span.open_tag + escape(text[s:e]) + span.close_tag
        cursor = e
    return out + escape(text[cursor:end])


def highlight(text: str, outer: Sequence[Span], inner: Sequence[Span]) -> Markup:
    """The whole text escaped, outer spans wrapping their text (with inner spans inside), inner spans elsewhere."""
    out = Markup()
    cursor = 0
    for span in outer:
        out += _inner(text, cursor, span.start, inner)
        out += span.open_tag + _inner(text, span.start, span.end, inner) + span.close_tag
        cursor = span.end
    return out + _inner(text, cursor, len(text), inner)


def paragraphs(marked: Markup) -> list[Markup]:
    """Split highlighted text into paragraphs at blank lines, never inside an element."""
    # Blank lines inside a quote would split its element, so only split where no element is open.
    parts: list[Markup] = []
    depth = 0
    start = 0
    source = str(marked)
    i = 0
    while i < len(source):
        if source.startswith("</", i):
            depth -= 1
            i = source.index(">", i) + 1
            continue
        if source[i] == "<":
            depth += 1
            i = source.index(">", i) + 1
            continue
        if depth == 0 and source.startswith("\n\n", i):
            parts.append(Markup(source[start:i]))
            while i < len(source) and source[i] == "\n":
                i += 1
            start = i
            continue
        i += 1
    parts.append(Markup(source[start:]))
    return [p for p in parts if p.strip()]
