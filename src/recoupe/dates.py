"""Dates: the publication date inferred from the text when metadata has none, and the dates of happenings.

Hand-written over rule data (rules/<lang>/dates.toml) rather than dateparser: dateparser parses one string
at a time, cannot find the dates inside running text cheaply, does not check that "vendredi 24 janvier"
names a Friday (which is how a missing year is recovered), and knows nothing of "la veille" relative to the
date mentioned before it. Its French month and weekday words are the same data kept here.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path

from recoupe.config import Config
from recoupe.records import Article

FUTURE_WINDOW = 40  # characters before a date where a future cue is looked for
YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


@dataclass(frozen=True)
class Mention:
    """A date found in the text: where, what it resolves to, and how it was written."""

    start: int
    end: int
    day: date | None  # None when it cannot be resolved (no year, no reference)
    future: bool = False
    explicit: bool = False  # day, month and year (or weekday) written out


class DateRules:
    """The date words of one language, compiled once."""

    def __init__(self, folder: Path) -> None:
        data = tomllib.loads((folder / "dates.toml").read_text(encoding="utf-8"))
        self.months: list[str] = data["months"]
        self.weekdays: list[str] = data["weekdays"]
        self.first_day = set(data["first_day"])
        self.relative: dict[str, int] = data["relative"]
        self.anaphoric: dict[str, int] = data["anaphoric"]
        self.future_cues: list[str] = data["future"]["cues"]

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Weekday? day month year?, or month year, or a relative or anaphoric expression, or a weekday."""
        months = "|".join(self.months)
        weekdays = "|".join(self.weekdays)
        words = "|".join(re.escape(w) for w in sorted([*self.relative, *self.anaphoric], key=len, reverse=True))
        first = "|".join(self.first_day)
        return re.compile(
            rf"(?P<full>(?:(?P<wd>{weekdays})\s+)?(?P<d>\d{{1,2}}|{first})\s+(?P<m>{months})(?:\s+(?P<y>\d{{4}}))?)"
            rf"|(?P<iso>\b\d{{4}}-\d{{2}}-\d{{2}}\b)"
            rf"|(?P<rel>\b(?:{words})\b)"
            rf"|(?P<lone>\b(?:ce |le )?(?:{weekdays})\b(?:\s+(?:dernier|prochain|matin|soir|après-midi))?)",
            re.IGNORECASE,
        )


class DateReader:
    """Finds and resolves the dates of a text."""

    def __init__(self, config: Config) -> None:
        self.rules = DateRules(config.language_rules)

    def mentions(self, text: str, published: date | None) -> list[Mention]:
        """Every date mention, resolved against the publication date where one is needed."""
        years = [int(y) for y in YEAR.findall(text)]
        found: list[Mention] = []
        last: date | None = None
        for match in self.rules.pattern.finditer(text):
            future = self._future(text, match.start(), match.group())
            day = self._resolve(match, published, years, last)
            explicit = bool(match.group("full") and (match.group("y") or match.group("wd"))) or bool(match.group("iso"))
            found.append(Mention(match.start(), match.end(), day, future, explicit and day is not None))
            if day is not None:
                last = day
        return found

    def _resolve(
        self, match: re.Match[str], published: date | None, years: list[int], last: date | None
    ) -> date | None:
        rules = self.rules
        if match.group("iso"):
            return _safe_date(*(int(p) for p in match.group("iso").split("-")))
        if match.group("full"):
            day_text = match.group("d").lower()
            day = 1 if day_text in rules.first_day else int(day_text)
            month = rules.months.index(match.group("m").lower()) + 1
            if match.group("y"):
                return _safe_date(int(match.group("y")), month, day)
            weekday = match.group("wd")
            if weekday:
                return self._year_by_weekday(day, month, rules.weekdays.index(weekday.lower()), published, years)
            if published is not None:
                candidate = _safe_date(published.year, month, day)
                # A day-month without year is the most recent such day on or before publication.
                if candidate is not None and candidate > published + timedelta(days=7):
                    candidate = _safe_date(published.year - 1, month, day)
                return candidate
            return None
        if match.group("rel"):
            word = match.group("rel").lower()
            if word in rules.relative:
                return published + timedelta(days=rules.relative[word]) if published else None
            reference = last or published
            return reference + timedelta(days=rules.anaphoric[word]) if reference else None
        lone = match.group("lone").lower()
        if published is None:
            return None
        weekday = next(i for i, w in enumerate(rules.weekdays) if w in lone)
        delta = (published.weekday() - weekday) % 7
        if "prochain" in lone:
            return published + timedelta(days=(weekday - published.weekday()) % 7 or 7)
        return published - timedelta(days=delta)

    def _year_by_weekday(
        self, day: int, month: int, weekday: int, published: date | None, years: list[int]
    ) -> date | None:
        """The year in which day/month falls on the weekday written beside it, nearest the context."""
        context = [published.year] if published else sorted(set(years), reverse=True)
        candidates = [y + offset for y in context for offset in (0, 1, -1)] or []
        for year in candidates:
            candidate = _safe_date(year, month, day)
            if candidate is not None and candidate.weekday() == weekday:
                return candidate
        return None

    def _future(self, text: str, start: int, matched: str) -> bool:
        before = text[max(0, start - FUTURE_WINDOW) : start].lower()
        return any(before.rstrip().endswith(cue) for cue in self.rules.future_cues) or "prochain" in matched.lower()


def complete_published(article: Article, reader: DateReader | None = None) -> None:
    """Fill `published` from the text when metadata gave none: the latest explicit past date it names."""
    if article.published:
        day = parse_iso(article.published)
        if day is not None:
            article.published = day.isoformat()
        return
    reader = reader or DateReader(Config())
    explicit = [m.day for m in reader.mentions(article.text, None) if m.explicit and not m.future and m.day]
    if explicit:
        article.published = max(explicit).isoformat()
        article.published_inferred = True


def event_dates(text: str, published: str | None, reader: DateReader | None = None) -> list[str]:
    """ISO dates of the happenings the text mentions, resolved against the publication date."""
    reader = reader or DateReader(Config())
    base = parse_iso(published) if published else None
    days = [m.day for m in reader.mentions(text, base) if m.day is not None and not m.future]
    return [d.isoformat() for d in days]


def parse_iso(value: str) -> date | None:
    """The date part of an ISO 8601 date or datetime, or None."""
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
