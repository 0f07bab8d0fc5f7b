"""Dates: the publication date inferred from the text when metadata has none, and the day of the happening.

Hand-written over rule data (rules/<lang>/dates.toml) rather than dateparser: dateparser parses one string
at a time, cannot find the dates inside running text cheaply, does not check that "vendredi 24 janvier"
names a Friday (which is how a missing year is recovered), and knows nothing of "la veille" relative to the
date mentioned before it. Its French month and weekday words are the same data kept here.

Without metadata, the day of writing is the latest date the text writes out (past a dateline or "hier,
jeudi 16 mai 2024", which state it), moved to the weekday "ce jeudi" names. A date written without its year
("le 18 février") takes the year from, in order: the publication date, the text's own dates written in full,
a reference date from outside the text (`near`: the dates of the story the article joins), the year the text
names most. Only the first three settle it. The happening an article reports is the day its lead names
relative to the writing ("vendredi", "hier"), else the day of writing.
"""

from __future__ import annotations

import re
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from itertools import pairwise

from recoupe.config import Config
from recoupe.records import Article
from recoupe.rules import Dates, LanguageRules, load_language

FUTURE_WINDOW = 40  # characters before a date where a future cue is looked for
YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
LEAD_CHARS = 400  # the lead, where an article says when its happening took place
HAPPENING_WINDOW = 7  # days before publication in which a lead's date can be the happening reported
# News writing names the days of the past week by their weekday ("mardi"); a day of the month written without
# weekday or "dernier" ("le 18 février") is a week old or more. Measured on 100 French Wikinews reports: no
# such date fell within the six days before the report, thirteen fell further back.
WEEKDAY_NAMED_DAYS = 7
PAST_WINDOW = 7  # a date without year lies at most this many days after its reference
NEAR_WINDOW = 183  # days either side of `near` in which a date without year is looked for
SCANS_KEPT = 4  # texts whose scan is kept: an article's text and its lead, with room for the one before
# A day in a page's address: /2019/04/16/, 2019-04-16, 20190416 (not inside a longer number: ids are numbers too).
URL_DAY = re.compile(
    r"(?<![\d])(?P<y>(?:19|20)\d\d)(?P<sep>[/_-]?)(?P<m>0[1-9]|1[0-2])(?P=sep)(?P<d>0[1-9]|[12]\d|3[01])(?![\d])"
)
URL_MONTH = re.compile(r"/(?P<y>(?:19|20)\d\d)/(?P<m>0[1-9]|1[0-2])/")
URL_WORDS = re.compile(r"[-_/+.]+")
DATELINE_MENTIONS = 3  # a dateline is among the first dates of a text
MONTH_SLACK_DAYS = 22  # from the middle of a month known from metadata to a day just outside it
MID_MONTH = 15  # a month known without its day stands for its middle day when years are weighed
# A dateline: a place in capitals (or none) and a comma before the date, an agency in brackets or a dash after.
DATELINE_BEFORE = re.compile(r"(?:^|\n)[ \t]*(?:[A-ZÀ-Ý][\w'’ -]{0,40},[ \t]*)?$")
DATELINE_AFTER = re.compile(r"^[ \t]*(?:\([^()\n]{1,40}\)[ \t]*)?\.?[ \t]*[-–—]")


@dataclass(frozen=True)
class Mention:
    """A date found in the text: where, what it resolves to, and how it was written."""

    start: int
    end: int
    day: date | None  # None when it cannot be resolved (no year, no reference)
    future: bool = False
    explicit: bool = False  # day, month and year (or weekday) written out
    kind: str = "date"  # date (a day of a month), relative, anaphoric or weekday
    settled: bool = True  # False when the year is only guessed from the years the text names
    today: bool = False  # names the day of writing: "aujourd'hui", "ce jeudi"
    bare: bool = False  # a day of the month without weekday nor "dernier": written a week or more later
    background: bool = False  # a starting point ("depuis le 24 février 2022"): past, but not the news


@dataclass(frozen=True)
class Dating:
    """When an article was written and when the happening it reports took place."""

    published: date | None
    inferred: bool = False  # published read from the text rather than metadata
    settled: bool = True  # False when an inferred date rests on a guessed year
    happening: date | None = None  # the day the article reports on
    before: date | None = None  # an undated text is older than this (a date it looks forward to)
    weekday: int | None = None  # the weekday an undated lead gives its happening ("a déclaré vendredi")


class DateRules:
    """The date words of one language, compiled once."""

    def __init__(self, dates: Dates) -> None:
        self.months: list[str] = list(dates.months)
        self.weekdays: list[str] = list(dates.weekdays)
        self.first_day = set(dates.first_day)
        self.relative: dict[str, int] = dict(dates.relative)
        self.anaphoric: dict[str, int] = dict(dates.anaphoric)
        self.future_cues: list[str] = list(dates.future_cues)
        self.background_cues: list[str] = list(dates.background_cues)
        self.this: list[str] = list(dates.this)
        self.article: list[str] = list(dates.article)
        self.next: list[str] = list(dates.next)
        self.last: list[str] = list(dates.last)
        self.parts_of_day: list[str] = list(dates.parts_of_day)

    @classmethod
    def of_language(cls, rules: LanguageRules) -> DateRules:
        """The date words of a language; a RulesError when its folder has no dates.toml."""
        if rules.dates is None:
            raise rules.missing("dates.toml", "reading dates")
        return cls(rules.dates)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Weekday? day month year?, an ISO date, a relative or anaphoric expression, or a weekday."""
        months = "|".join(self.months)
        weekdays = "|".join(self.weekdays)
        words = "|".join(re.escape(w) for w in sorted([*self.relative, *self.anaphoric], key=len, reverse=True))
        first = "|".join(self.first_day)
        this, article = "|".join(self.this), "|".join(self.article)
        direction = "|".join([*self.next, *self.last])
        parts = "|".join(self.parts_of_day)
        # Every alternative starts a word with a digit or the first letter of one of these words: said up front,
        # it lets the scan skip every other position at once (3.5 times faster on the wikinews corpus, with
        # the same matches).
        leading = [*self.months, *self.weekdays, *self.first_day, *self.relative, *self.anaphoric, *self.this]
        starts = "".join(sorted({re.escape(w[0]) for w in [*leading, *self.article] if w}))
        return re.compile(
            rf"\b(?=[\d{starts}])(?:"
            rf"(?P<full>(?:(?:(?P<this>\b(?:{this}))\s+|\b(?:{article})\s+)?(?P<wd>\b(?:{weekdays}))\s+)?"
            rf"\b(?P<d>\d{{1,2}}|{first})\s+(?P<m>{months})\b(?:\s+(?P<y>\d{{4}})\b)?(?:\s+(?P<dir>{direction})\b)?)"
            rf"|(?P<iso>\b\d{{4}}-\d{{2}}-\d{{2}}\b)"
            rf"|(?P<rel>\b(?:{words})\b)"
            rf"|(?P<lone>(?:(?P<lthis>\b(?:{this}))\s+|\b(?:{article})\s+)?\b(?P<lwd>{weekdays})\b"
            rf"(?:\s+(?P<ldir>{direction}|{parts})\b)?))",
            re.IGNORECASE,
        )


class DateReader:
    """Finds and resolves the dates of a text."""

    def __init__(self, config: Config) -> None:
        self.rules = DateRules.of_language(load_language(config.rules_dir, config.language))
        # The last texts scanned with what each scan found: an article's text and its lead are read several times
        # in turn (its publication date, the dates it mentions, the day it reports, by the pipeline and by the
        # clusterer), with different references.
        self._scans: OrderedDict[str, tuple[list[re.Match[str]], list[int]]] = OrderedDict()

    def _scan(self, text: str) -> tuple[list[re.Match[str]], list[int]]:
        scanned = self._scans.get(text)
        if scanned is None:
            scanned = (list(self.rules.pattern.finditer(text)), [int(y) for y in YEAR.findall(text)])
            self._scans[text] = scanned
            if len(self._scans) > SCANS_KEPT:
                self._scans.popitem(last=False)
        return scanned

    def mentions(self, text: str, published: date | None, near: date | None = None) -> list[Mention]:
        """Every date mention, resolved against the publication date where one is needed."""
        rules = self.rules
        matches, years = self._scan(text)
        # Without a publication date, the latest date written with its year dates those written without one.
        anchor = None if published else self._latest_dated(matches, text, years)
        found: list[Mention] = []
        last: date | None = None
        for match in matches:
            future = self._future(text, match.start(), match.group())
            day, settled = self._resolve(match, published or near, anchor, years, last, future, bool(published))
            kind = _kind(match, self.rules)
            explicit = match.group("iso") is not None or (
                kind == "date" and bool(match.group("y") or match.group("wd"))
            )
            today = kind == "relative" and self.rules.relative.get(match.group().lower()) == 0
            today = today or bool(match.group("lthis") or match.group("this"))
            bare = bool(match.group("full")) and not match.group("wd") and (match.group("dir") or "") not in rules.last
            background = _after_cue(text, match.start(), rules.background_cues)
            found.append(
                Mention(
                    match.start(),
                    match.end(),
                    day,
                    future,
                    explicit=explicit and day is not None,
                    kind=kind,
                    settled=settled,
                    today=today,
                    bare=bare,
                    background=background,
                )
            )
            if day is not None:
                last = day
        return found

    def dating(
        self, text: str, published: str | None = None, near: date | None = None, url: str | None = None
    ) -> Dating:
        """The publication date (from metadata, else the page's address, else the text), the happening's day and
        a bound. Metadata that gives only a month ("2020-08") places the dates the text writes without a year."""
        given = parse_iso(published) if published else None
        if given is not None:
            return Dating(given, happening=self._happening(text, given) or given)
        from_url = self.url_day(url) if url else None
        if from_url is not None:
            return Dating(from_url, True, happening=self._happening(text, from_url) or from_url)
        month = parse_month(published) if published else None
        month = month or (url_month(url) if url else None)
        found = self.mentions(text, None, month or near)
        past = [m for m in found if m.day is not None and not m.future and not m.background and m.kind == "date"]
        later = [m.day for m in found if m.day is not None and m.future]
        before = min(later) if later else None
        if not past:
            # A date written without year and nothing to place it is left for a reference to settle.
            unplaced = any(m.kind == "date" and m.day is None and not m.future for m in found)
            lead = _lead(text)
            named = [m for m in found if m.kind == "weekday" and m.end <= len(lead) and not m.future]
            weekday = _weekday(text[named[0].start : named[0].end], self.rules) if named else None
            return Dating(None, settled=not unplaced, before=before, weekday=weekday)
        if month is not None:
            # Metadata gave the month: a date the text gives far from it is not the day of writing.
            past = [m for m in past if abs(((m.day or date.min) - month).days) <= MONTH_SLACK_DAYS] or past
        latest = max(past, key=lambda m: (m.day or date.min, m.settled))
        stated = self._stated(text, found)
        if stated is not None:
            return Dating(stated, True, True, self._happening(text, stated) or stated)
        day = latest.day or date.min
        # "ce jeudi" names the day of writing: the first such weekday after the latest date named, a week or
        # more after it when that date was written without its weekday.
        weekdays = {_weekday(text[m.start : m.end], self.rules) for m in found if m.today and not m.future}
        weekdays.discard(None)
        if len(weekdays) == 1:
            if latest.bare:
                day += timedelta(days=WEEKDAY_NAMED_DAYS)
            day += timedelta(days=((weekdays.pop() or 0) - day.weekday()) % 7)
        if month is not None and abs((day - month).days) > MONTH_SLACK_DAYS:
            return Dating(None, settled=True, before=before)  # the text's dates are not of the month it was published
        return Dating(day, True, latest.settled, self._happening(text, day) or day)

    def url_day(self, url: str) -> date | None:
        """The day a page's address gives, in digits or in words ("-16-avril-2019")."""
        day = url_day(url)
        if day is not None:
            return day
        path = URL_WORDS.sub(" ", url.split("://", 1)[-1].partition("/")[2])
        for match in self.rules.pattern.finditer(path):
            if match.group("full") and match.group("y"):
                return self._resolve(match, None, None, [], None, False, False)[0]
        return None

    def _stated(self, text: str, found: list[Mention]) -> date | None:
        """The day of writing when the text states it: a dated dateline opening the text, or a relative word
        set beside a date ("hier, jeudi 16 mai 2024" was written on the 17th)."""
        first = found[0] if found else None
        if first and first.kind == "date" and first.explicit and first.day and not text[: first.start].strip():
            return first.day
        for mention in found[:DATELINE_MENTIONS]:
            if mention.kind == "date" and mention.day is not None and mention.settled and _dateline(text, mention):
                return mention.day
        for mention, following in pairwise(found):
            beside = not text[mention.end : following.start].strip(" ,")
            if beside and mention.kind == "relative" and following.kind == "date" and following.explicit:
                offset = self.rules.relative[text[mention.start : mention.end].lower()]
                return following.day - timedelta(days=offset) if following.day else None
        return None

    def _happening(self, text: str, published: date) -> date | None:
        """The day the lead reports, within a week before publication: the first day it names relative to the
        writing ("hier", "vendredi"), else the first date it writes out with its weekday. A date opening the
        text is a dateline (it dates the writing); one without weekday is background ("le scrutin du 17")."""
        lead = _lead(text)
        recent = [
            m
            for m in self.mentions(lead, published)
            if m.day is not None
            and not m.future
            and 0 <= (published - m.day).days <= HAPPENING_WINDOW
            and not (m.start == 0 and m.kind == "date")
            and not m.background
        ]
        deictic = [m for m in recent if m.kind != "date"]
        # A day of the month written bare is most often background ("le scrutin du 17"); one opening a sentence
        # ("Le 3 novembre, ...") sets the scene of what follows, when the lead names no other day.
        chosen = deictic or [m for m in recent if not m.bare or self._opens_sentence(lead, m)]
        return chosen[0].day if chosen else None

    def _opens_sentence(self, text: str, mention: Mention) -> bool:
        stop = text.rfind(". ", 0, mention.start)
        start = max(stop + 2 if stop >= 0 else 0, text.rfind("\n", 0, mention.start) + 1)
        before = text[start : mention.start].strip().lower()
        return before in ("", *self.rules.article)

    def _latest_dated(self, matches: list[re.Match[str]], text: str, years: list[int]) -> date | None:
        days = []
        for match in matches:
            if match.group("iso") or (match.group("full") and match.group("y")):
                day, _ = self._resolve(match, None, None, years, None, False, False)
                since = _after_cue(text, match.start(), self.rules.background_cues)
                if day is not None and not since and not self._future(text, match.start(), match.group()):
                    days.append(day)
        return max(days) if days else None

    def _resolve(
        self,
        match: re.Match[str],
        reference: date | None,
        anchor: date | None,
        years: list[int],
        last: date | None,
        future: bool,
        published: bool,
    ) -> tuple[date | None, bool]:
        """The day a mention names and whether its year is settled. `reference` is the publication date when
        `published`, else a date from outside the text; `anchor` the text's latest date written in full."""
        rules = self.rules
        if match.group("iso"):
            return _safe_date(*(int(p) for p in match.group("iso").split("-"))), True
        if match.group("full"):
            day_text = match.group("d").lower()
            day = 1 if day_text in rules.first_day else int(day_text)
            month = rules.months.index(match.group("m").lower()) + 1
            if match.group("y"):
                return _safe_date(int(match.group("y")), month, day), True
            weekday = match.group("wd")
            if weekday:
                # A reference from outside the text (a publication month, the story's dates) is nearer the
                # text's own time than the years it names, which are often those of earlier happenings.
                context = reference if published or not years or reference is not None else None
                # The weekday picks one year near the context; near the years the text names, it is a guess.
                found = self._year_by_weekday(day, month, rules.weekdays.index(weekday.lower()), context, years)
                return found, context is not None
            direction = (match.group("dir") or "").lower()
            base = reference if published else anchor
            if base is not None:
                return _around(base, month, day, future or direction in rules.next, direction in rules.last), True
            if reference is not None:
                return _nearest(reference, month, day), True
            # The nearest plausible year is the one the text names most: a guess that a reference may replace.
            return (_safe_date(_likeliest_year(years), month, day) if years else None), False
        if match.group("rel"):
            word = match.group("rel").lower()
            if word in rules.relative:
                return (reference + timedelta(days=rules.relative[word]) if published and reference else None), True
            since = last or (reference if published else None)
            return (since + timedelta(days=rules.anaphoric[word]) if since else None), True
        if not published or reference is None:
            return None, True
        weekday = rules.weekdays.index(match.group("lwd").lower())
        direction = (match.group("ldir") or "").lower()
        if direction in rules.next or future:
            ahead = (weekday - reference.weekday()) % 7
            return reference + timedelta(days=ahead or (0 if match.group("lthis") else 7)), True
        return reference - timedelta(days=(reference.weekday() - weekday) % 7), True

    def _year_by_weekday(
        self, day: int, month: int, weekday: int, reference: date | None, years: list[int]
    ) -> date | None:
        """The year in which day/month falls on the weekday written beside it, nearest the context."""
        if reference is not None:
            candidates = [reference.year + offset for offset in (0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5, -6, 6)]
        else:
            candidates = [y + offset for y in sorted(set(years), reverse=True) for offset in (0, 1, -1)]
        for year in candidates:
            candidate = _safe_date(year, month, day)
            if candidate is not None and candidate.weekday() == weekday:
                return candidate
        return None

    def _future(self, text: str, start: int, matched: str) -> bool:
        return _after_cue(text, start, self.rules.future_cues) or any(
            word in matched.lower().split() for word in self.rules.next
        )


def _dateline(text: str, mention: Mention) -> bool:
    """Whether a date is written as a dateline ("PARIS, 2 juillet (Reuters) -", "10 novembre 2012. -")."""
    line_start = text.rfind("\n", 0, mention.start) + 1
    before = text[line_start : mention.start]
    return bool(DATELINE_BEFORE.search(before)) and bool(DATELINE_AFTER.match(text[mention.end : mention.end + 50]))


def url_day(url: str) -> date | None:
    """The day a page's address gives in digits (/2019/04/16/, 20190416-, 2019-04-16)."""
    path = url.split("://", 1)[-1].partition("/")[2]
    for match in URL_DAY.finditer(path):
        day = _safe_date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
        if day is not None:
            return day
    return None


def url_month(url: str) -> date | None:
    """The middle of the month a page's address gives (/2019/04/), for placing dates written without a year."""
    match = URL_MONTH.search(url.split("://", 1)[-1])
    return date(int(match.group("y")), int(match.group("m")), MID_MONTH) if match else None


def parse_month(value: str) -> date | None:
    """The middle of the month of a `YYYY-MM` value, or None."""
    try:
        year, month = (int(part) for part in value[:7].split("-"))
        return date(year, month, MID_MONTH)
    except ValueError:
        return None


def _likeliest_year(years: list[int]) -> int:
    """The year a text names most often (the latest among equals): its own year, more often than not."""
    counts = Counter(years)
    return max(counts, key=lambda year: (counts[year], year))


def _after_cue(text: str, start: int, cues: list[str]) -> bool:
    """Whether the words just before `start` end with one of the cues."""
    before = text[max(0, start - FUTURE_WINDOW) : start].lower().rstrip()
    return any(before.endswith(cue) for cue in cues)


def _lead(text: str) -> str:
    """The opening paragraph, where a report says when its happening took place."""
    end = text.find("\n\n", 1)
    return text[: end if 0 < end < LEAD_CHARS else LEAD_CHARS]


def _kind(match: re.Match[str], rules: DateRules) -> str:
    if match.group("full") or match.group("iso"):
        return "date"
    if match.group("rel"):
        return "relative" if match.group("rel").lower() in rules.relative else "anaphoric"
    return "weekday"


def _weekday(written: str, rules: DateRules) -> int | None:
    return next((rules.weekdays.index(w) for w in written.lower().split() if w in rules.weekdays), None)


def complete_published(article: Article, reader: DateReader | None = None, near: date | None = None) -> None:
    """Fill `published` from the text when metadata gave none; normalise a metadata date to its day."""
    reader = reader or DateReader(Config())
    if article.published and not article.published_inferred:
        day = parse_iso(article.published)
        if day is not None:
            article.published = day.isoformat()
        return
    if article.published and parse_month(article.published) is not None:
        return  # a month from metadata is kept as given: the clusterer places the text's dates within it
    dating = reader.dating(article.text, None, near, article.source)
    article.published = dating.published.isoformat() if dating.published else None
    article.published_inferred = dating.published is not None


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


def _around(reference: date, month: int, day: int, forward: bool, backward: bool) -> date | None:
    """The day/month nearest the reference: the next one when the text looks forward, the last one before it
    when it says "dernier", else the latest one up to a week after the reference."""
    years = (reference.year - 1, reference.year, reference.year + 1)
    candidates = [c for c in (_safe_date(y, month, day) for y in years) if c is not None]
    if forward:
        return min((c for c in candidates if c > reference), default=None)
    if backward:
        return max((c for c in candidates if c < reference), default=None)
    return max((c for c in candidates if c <= reference + timedelta(days=PAST_WINDOW)), default=None)


def _nearest(near: date, month: int, day: int) -> date | None:
    """The day/month closest to a reference date from outside the text."""
    candidates = [_safe_date(year, month, day) for year in (near.year - 1, near.year, near.year + 1)]
    dated = [c for c in candidates if c is not None and abs((c - near).days) <= NEAR_WINDOW]
    return min(dated, key=lambda c: abs((c - near).days)) if dated else None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
