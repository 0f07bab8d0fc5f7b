"""Pictures of a story drawn on the server as inline SVG (no script, no library): its events on a time axis,
which outlet covered which event, and quotes per speaker. Every text is escaped."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from markupsafe import Markup, escape

from recoupe.server import i18n

WIDTH = 640  # of every chart, in SVG units; the page scales it down on narrow screens
AXIS_MARGIN = 40
ROW_HEIGHT = 22
MAX_MARK_RADIUS = 14
MIN_MARK_RADIUS = 4
BAR_LABEL_WIDTH = 200
TOP_SPEAKERS = 10


def _svg(height: int, body: Markup, label: str) -> Markup:
    return Markup('<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%">{}</svg>').format(
        label, WIDTH, height, body
    )


def timeline(events: list[dict[str, Any]], label: str) -> Markup:
    """The story's events on a time axis, each a circle sized by its articles; undated ones after, in order."""
    dated = [(dt.date.fromisoformat(e["date"][:10]), e) for e in events if e.get("id") and e.get("date")]
    undated = [e for e in events if e.get("id") and not e.get("date")]
    if not dated and not undated:
        return Markup()
    most = max((len(e["articles"]) for e in events if e.get("id")), default=1) or 1
    span_days = max((dated[-1][0] - dated[0][0]).days, 1) if dated else 1
    usable = WIDTH - 2 * AXIS_MARGIN
    # Undated events get their own share of the axis, after the dated ones, in the order they come.
    dated_width = usable * (len(dated) / (len(dated) + len(undated)))
    marks = Markup()
    middle = 40
    for day, event in dated:
        x = AXIS_MARGIN + (dated_width * (day - dated[0][0]).days / span_days if len(dated) > 1 else 0)
        marks += _mark(x, middle, len(event["articles"]), most, event.get("label") or event.get("title") or "")
    step = (usable - dated_width) / max(len(undated), 1)
    for index, event in enumerate(undated):
        x = AXIS_MARGIN + dated_width + step * (index + 0.5)
        marks += _mark(x, middle, len(event["articles"]), most, event.get("label") or "", undated=True)
    axis = Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888"/>').format(
        AXIS_MARGIN, middle, WIDTH - AXIS_MARGIN, middle
    )
    ends = Markup()
    if dated:
        ends = Markup(
            '<text x="{}" y="75" font-size="11">{}</text><text x="{}" y="75" font-size="11" text-anchor="end">{}</text>'
        ).format(
            AXIS_MARGIN,
            i18n.day(dated[0][0].isoformat()),
            AXIS_MARGIN + max(dated_width, 60),
            i18n.day(dated[-1][0].isoformat()),
        )
    return _svg(85, axis + marks + ends, label)


def _mark(x: float, y: float, articles: int, most: int, title: str, undated: bool = False) -> Markup:
    radius = MIN_MARK_RADIUS + (MAX_MARK_RADIUS - MIN_MARK_RADIUS) * articles / most
    fill = "#bbb" if undated else "#2b6cb0"
    return Markup(
        '<circle class="event-mark" cx="{:.1f}" cy="{:.1f}" r="{:.1f}" fill="{}"><title>{}</title></circle>'
    ).format(x, y, radius, fill, title)


def coverage(events: list[dict[str, Any]], label: str) -> Markup:
    """A grid: a row per outlet, a column per event, a filled cell where the outlet has an article."""
    placed = [e for e in events if e.get("id")]
    outlets = sorted({a["outlet"] for e in placed for a in e["articles"] if a.get("outlet")})
    if not outlets or not placed:
        return Markup()
    cell = min(ROW_HEIGHT, (WIDTH - BAR_LABEL_WIDTH) / len(placed))
    body = Markup()
    for row, outlet in enumerate(outlets):
        y = row * ROW_HEIGHT + 4
        body += Markup('<text x="0" y="{}" font-size="12">{}</text>').format(y + 14, outlet)
        for column, event in enumerate(placed):
            covered = any(a.get("outlet") == outlet for a in event["articles"])
            body += Markup('<rect class="{}" x="{:.1f}" y="{}" width="{:.1f}" height="{}" fill="{}"/>').format(
                "covered" if covered else "gap",
                BAR_LABEL_WIDTH + column * cell,
                y,
                cell - 2,
                ROW_HEIGHT - 4,
                "#2b6cb0" if covered else "#eee",
            )
    return _svg(len(outlets) * ROW_HEIGHT + 8, body, label)


def speaker_bars(quotes: list[dict[str, Any]], label: str) -> Markup:
    """Bars of the quotes each speaker has in the story, the most quoted first."""
    counts = Counter(q.get("speaker_name") or q["speaker"] for q in quotes if q.get("speaker"))
    top = counts.most_common(TOP_SPEAKERS)
    if not top:
        return Markup()
    most = top[0][1]
    body = Markup()
    for row, (name, count) in enumerate(top):
        y = row * ROW_HEIGHT + 4
        length = (WIDTH - BAR_LABEL_WIDTH - 40) * count / most
        body += Markup(
            '<text x="0" y="{}" font-size="12">{}</text><rect class="bar" x="{}" y="{}" width="{:.1f}" height="{}" '
            'fill="#2b6cb0"/><text x="{:.1f}" y="{}" font-size="12">{}</text>'
        ).format(
            y + 14,
            escape(name),
            BAR_LABEL_WIDTH,
            y,
            length,
            ROW_HEIGHT - 4,
            BAR_LABEL_WIDTH + length + 4,
            y + 14,
            count,
        )
    return _svg(len(top) * ROW_HEIGHT + 8, body, label)
