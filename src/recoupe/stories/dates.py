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
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from itertools import pairwise

from recoupe.config import Config
from recoupe.records import Article
from recoupe.rules import Dates, LanguageRules, load_language

FUTURE_WINDOW = 40  # characters before a date where a future cue is looked for
YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
LEAD_CHARS = 400  # the lead, where an article says when its happening took place
WEEKDAY_YEAR_OFFSETS = (0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5, -6, 6)  # a day/month's weekday recurs within 11 years
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
# A run of digits in an address: an id that opens with the day it was made ("AV-201909270068"), a short day
# ("110820", "190416") or a Unix time ("1561729152"). A long run opening with a valid YYYYMMDD is read alone;
# the others are ambiguous (day first or year first, or any id) and read only when they fall in the month the
# metadata gives.
URL_NUMBER = re.compile(r"(?<![\d])\d{6,}(?![\d])")
STAMPED_ID_DIGITS = 12  # YYYYMMDD and at least four digits of a counter or a time
SHORT_DAY_DIGITS = 6
UNIX_TIME_DIGITS = 10
URL_WORDS = re.compile(r"[-_/+.]+")
# What joins two dates of one list: punctuation and at most two short words ("et le", "or", ", puis").
COORDINATED = re.compile(r"[\s,;]*(?:\w{1,4}\s+){0,2}")
DATELINE_MENTIONS = 3  # a dateline is among the first dates of a text
LINE = re.compile(r"[^\n]+")
SENTENCE_END = re.compile(r"[.!?…](?:[»\"”)]?\s|[»\"”)]?$)")  # a line that holds or ends a sentence
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
        for index, match in enumerate(matches):
            future = self._future(text, match.start(), match.group())
            # A date listed after one the text looks forward to is ahead too ("le 30 juin et le 7 juillet").
            if index and found[-1].future and COORDINATED.fullmatch(text[found[-1].end : match.start()]):
                future = True
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
        month = parse_month(published) if published else None
        from_url = self.url_day(url, month) if url else None
        if from_url is not None:
            return Dating(from_url, True, happening=self._happening(text, from_url) or from_url)
        month = month or (url_month(url) if url else None)
        found = self.mentions(text, None, month or near)
        past = [m for m in found if m.day is not None and not m.future and not m.background and m.kind == "date"]
        later = [m.day for m in found if m.day is not None and m.future]
        before = min(later) if later else None
        start, end = _lead_span(text)
        # The day the lead writes out with its weekday is what the report is about: when no year can be found
        # for it near the text's own dates, those dates are of other times, and a reference must settle it.
        unsettled = next((m for m in found if self._lead_weekday_date(text, m, start, end) and not m.settled), None)
        if not past:
            # A date written without year and nothing to place it is left for a reference to settle.
            unplaced = any(m.kind == "date" and m.day is None and not m.future for m in found)
            # The weekday is a hard bound on the events the text may join: only the opening paragraph's (often
            # the headline's) is taken. The body lead's weekday is as often a follow-up's day ("charged Friday"):
            # taken, it cost English dev events F1 0.838 -> 0.826 for no French gain.
            opening = len(_first_paragraph(text))
            named = [m for m in found if m.kind == "weekday" and m.end <= opening and not m.future]
            weekday = _weekday(text[named[0].start : named[0].end], self.rules) if named else None
            since = self._since_this_weekday(text, found)
            if since is not None and not unplaced:
                return Dating(since, True, True, self._happening(text, since) or since, before)
            return Dating(None, settled=not unplaced, before=before, weekday=weekday)
        stated = self._stated(text, found)
        if stated is not None:
            return Dating(stated, True, True, self._happening(text, stated) or stated)
        if month is not None:
            # Metadata gave the month: the day of writing is in it, the happening at most a week before it.
            past = [m for m in past if _in_month(m.day or date.min, month)]
        lead = self._lead_day(text, found)
        if lead is not None:
            # A report is written within a week of the happening its lead dates: a date further on is ahead of
            # it (a schedule the text gives without saying so) or page furniture.
            past = [m for m in past if (m.day or date.min) <= lead + timedelta(days=HAPPENING_WINDOW)]
        if not past:
            return Dating(None, settled=True, before=before)  # the text's dates are not of the month it was published
        latest = max(past, key=lambda m: (m.day or date.min, m.settled))
        day = latest.day or date.min
        # "ce jeudi" names the day of writing: the first such weekday on or after the latest date named, a week
        # or more after it when that date was written without its weekday on another day of the week. When the
        # lead dates the report, only the lead's "ce jeudi" counts: one further down may be another page's.
        weekdays = {
            _weekday(text[m.start : m.end], self.rules)
            for m in found
            if m.today and not m.future and (lead is None or m.start < end)
        }
        weekdays.discard(None)
        if len(weekdays) == 1:
            named_day = weekdays.pop() or 0
            if latest.bare and day.weekday() != named_day:
                day += timedelta(days=WEEKDAY_NAMED_DAYS)
            day += timedelta(days=(named_day - day.weekday()) % 7)
        if month is not None and not _in_month(day, month):
            return Dating(None, settled=True, before=before)
        return Dating(day, True, latest.settled and unsettled is None, self._happening(text, day) or day)

    def _lead_weekday_date(self, text: str, mention: Mention, start: int, end: int) -> bool:
        """Whether a mention is a day of the month the lead writes with its weekday, as past news."""
        if not start <= mention.start < end or mention.kind != "date" or mention.future or mention.background:
            return False
        return not mention.bare and _weekday(text[mention.start : mention.end], self.rules) is not None

    def _since_this_weekday(self, text: str, found: list[Mention]) -> date | None:
        """The day of writing from a starting point written with its weekday and "ce jeudi" after it ("bloqué
        depuis lundi 13 mai ... ce mercredi"): the first such weekday on or after it, within the week."""
        weekdays = {_weekday(text[m.start : m.end], self.rules) for m in found if m.today and not m.future}
        weekdays.discard(None)
        since = [
            m.day
            for m in found
            if m.background
            and m.day is not None
            and m.settled
            and not m.bare
            and m.kind == "date"
            and _weekday(text[m.start : m.end], self.rules) is not None
        ]
        if len(weekdays) != 1 or not since:
            return None
        day = max(since)
        return day + timedelta(days=((weekdays.pop() or 0) - day.weekday()) % 7)

    def _lead_day(self, text: str, found: list[Mention]) -> date | None:
        """The first day the lead writes out (with its weekday or year) as past news: what the report is about."""
        start, end = _lead_span(text)
        for mention in found:
            placed = start <= mention.start < end and mention.start > 0 and mention.kind == "date"
            if placed and mention.explicit and mention.settled and not mention.future and not mention.background:
                return mention.day
        return None

    def url_day(self, url: str, month: date | None = None) -> date | None:
        """The day a page's address gives, in digits or in words ("-16-avril-2019"); `month` (its middle day), the
        month of publication from metadata, lets ambiguous numbers be read."""
        day = url_day(url, month)
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
        # A day named relative to the writing ("hier", "vendredi") or written out with its weekday ("mercredi 17
        # avril") is the happening, the first one the lead names. A day of the month written bare is most often
        # background ("le scrutin du 17"); one opening a sentence ("Le 3 novembre, ...") sets the scene of what
        # follows, when the lead names no other day.
        relative = [m for m in recent if m.kind == "relative" or m.today]
        named = [m for m in recent if m.kind != "date" or _weekday(lead[m.start : m.end], self.rules) is not None]
        chosen = relative or named or [m for m in recent if not m.bare or self._opens_sentence(lead, m)]
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
                return self._year_by_weekday(
                    day, month, rules.weekdays.index(weekday.lower()), reference, anchor, years, published
                )
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
        self,
        day: int,
        month: int,
        weekday: int,
        reference: date | None,
        anchor: date | None,
        years: list[int],
        published: bool,
    ) -> tuple[date | None, bool]:
        """The year in which day/month falls on the weekday written beside it, and whether it is settled.

        A reference from outside the text (a publication date or month, the story's dates) is nearer the text's
        own time than the years it names, which are often those of earlier happenings; the text's latest date
        written in full comes next (its year or the one beside it). A year the text names is settled when the
        weekday falls in it; a year beside one it names is a guess."""
        if published or reference is not None:
            around = [reference.year + offset for offset in WEEKDAY_YEAR_OFFSETS] if reference else []
            return _on_weekday(day, month, weekday, around), True
        if anchor is not None:
            found = _on_weekday(day, month, weekday, [anchor.year, anchor.year - 1, anchor.year + 1])
            if found is not None:
                return found, True
        named = sorted(set(years), reverse=True)
        found = _on_weekday(day, month, weekday, named)
        if found is not None:
            return found, True
        beside = [y + offset for y in named for offset in (1, -1)]
        return _on_weekday(day, month, weekday, beside), False

    def _future(self, text: str, start: int, matched: str) -> bool:
        return _after_cue(text, start, self.rules.future_cues) or any(
            word in matched.lower().split() for word in self.rules.next
        )


def _on_weekday(day: int, month: int, weekday: int, years: list[int]) -> date | None:
    """The first of the years in which day/month falls on the weekday."""
    for year in years:
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate.weekday() == weekday:
            return candidate
    return None


def _dateline(text: str, mention: Mention) -> bool:
    """Whether a date is written as a dateline ("PARIS, 2 juillet (Reuters) -", "10 novembre 2012. -")."""
    line_start = text.rfind("\n", 0, mention.start) + 1
    before = text[line_start : mention.start]
    return bool(DATELINE_BEFORE.search(before)) and bool(DATELINE_AFTER.match(text[mention.end : mention.end + 50]))


def url_day(url: str, month: date | None = None) -> date | None:
    """The day a page's address gives in digits (/2019/04/16/, 20190416-, 2019-04-16, an id opening with
    YYYYMMDD); with the month of publication (its middle day), a six-digit day or a Unix time within it."""
    path = url.split("://", 1)[-1].partition("/")[2]
    for match in URL_DAY.finditer(path):
        day = _safe_date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
        if day is not None:
            return day
    numbers = [match.group() for match in URL_NUMBER.finditer(path)]
    for number in numbers:
        if len(number) >= STAMPED_ID_DIGITS and number[:2] in ("19", "20"):
            day = _safe_date(int(number[:4]), int(number[4:6]), int(number[6:8]))
            if day is not None:
                return day
    if month is None:
        return None
    for number in numbers:
        for day in _number_days(number):
            if (day.year, day.month) == (month.year, month.month):
                return day
    return None


def _number_days(number: str) -> list[date]:
    """The days a number of an address may stand for: DDMMYY or YYMMDD, or a Unix time (UTC)."""
    if len(number) == SHORT_DAY_DIGITS:
        a, b, c = (int(number[i : i + 2]) for i in (0, 2, 4))
        return [d for d in (_safe_date(2000 + c, b, a), _safe_date(2000 + a, b, c)) if d is not None]
    if len(number) == UNIX_TIME_DIGITS:
        return [datetime.fromtimestamp(int(number), UTC).date()]
    return []


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
    start, end = _lead_span(text)
    return text[start:end]


def _lead_span(text: str) -> tuple[int, int]:
    """Where the opening paragraph lies: past the lines that end without a sentence's end (a headline, a site's
    name, a photo caption), up to the paragraph's end or LEAD_CHARS on."""
    start = 0
    for line in LINE.finditer(text):
        if SENTENCE_END.search(line.group()):
            start = line.start()
            break
        if line.start() > LEAD_CHARS:
            break
    end = text.find("\n\n", start + 1)
    return start, end if start < end < start + LEAD_CHARS else min(len(text), start + LEAD_CHARS)


def _in_month(day: date, month: date) -> bool:
    """Whether a day can be the day of writing, or the happening, of a text published in the month of `month`."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first - timedelta(days=HAPPENING_WINDOW) <= day < following


def _kind(match: re.Match[str], rules: DateRules) -> str:
    if match.group("full") or match.group("iso"):
        return "date"
    if match.group("rel"):
        return "relative" if match.group("rel").lower() in rules.relative else "anaphoric"
    return "weekday"


def _weekday(written: str, rules: DateRules) -> int | None:
    return next((rules.weekdays.index(w) for w in written.lower().split() if w in rules.weekdays), None)


def complete_published(article: Article, reader: DateReader | None = None, near: date | None = None) -> None:
    """Fill `published` from the text when metadata gave none (not with a guessed year: the clusterer settles it
    from the story's dates, or it stays unknown); normalise a metadata date to its day."""
    reader = reader or DateReader(Config())
    if article.published and not article.published_inferred:
        day = parse_iso(article.published)
        if day is not None:
            article.published = day.isoformat()
        return
    if article.published and parse_month(article.published) is not None:
        return  # a month from metadata is kept as given: the clusterer places the text's dates within it
    dating = reader.dating(article.text, None, near, article.source)
    known = dating.published if dating.settled else None
    article.published = known.isoformat() if known else None
    article.published_inferred = known is not None


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


def _first_paragraph(text: str) -> str:
    """The text up to its first blank line, or its first LEAD_CHARS characters."""
    end = text.find("\n\n", 1)
    return text[: end if 0 < end < LEAD_CHARS else LEAD_CHARS]
