"""The interface language of a request and its gettext catalogue (Babel): French by default, English as a choice.

The language is chosen by `?lang=` (then kept in a cookie), else the cookie, else Accept-Language. Templates get
`gettext`/`ngettext` through Jinja's i18n extension; they read the language of the page being rendered from a
context variable, so that macros imported without context translate too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.support import NullTranslations, Translations
from starlette.requests import Request

LOCALE_DIR = Path(__file__).parent.parent / "locale"
DOMAIN = "recoupe"
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LANG_COOKIE = "recoupe_lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600

_current: ContextVar[str] = ContextVar("recoupe_ui_language", default=DEFAULT_LANGUAGE)


def _(message: str) -> str:
    """Marks a message for extraction; translated where it is shown (by `gettext`)."""
    return message


@cache
def catalogue(language: str) -> NullTranslations:
    """The compiled catalogue of a language (an empty one for a language without a catalogue)."""
    return Translations.load(LOCALE_DIR, [language], domain=DOMAIN)


def language() -> str:
    """The interface language of the page being rendered."""
    return _current.get()


@contextmanager
def using(lang: str) -> Iterator[None]:
    """Render in this language inside the block."""
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """The message in the current interface language."""
    return catalogue(language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural message for count, by the current language's plural rule."""
    return catalogue(language()).ngettext(singular, plural, count)


def asked_language(request: Request) -> str | None:
    """The language named by the `lang` query parameter, if it is one the interface has."""
    asked = request.query_params.get("lang", "").strip().lower()
    return asked if asked in LANGUAGES else None


def request_language(request: Request) -> str:
    """The interface language for a request: ?lang=, then the cookie, then Accept-Language, then French."""
    asked = asked_language(request)
    if asked:
        return asked
    kept = request.cookies.get(LANG_COOKIE, "")
    if kept in LANGUAGES:
        return kept
    return accepted_language(request.headers.get("accept-language", ""))


def accepted_language(header: str) -> str:
    """The interface language a browser's Accept-Language header prefers most (by q), French if none fits."""
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for item in header.split(","):
        tag, _sep, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        # Strictly greater: of equal weights, the one the browser lists first wins.
        if q > best_q:
            best, best_q = primary, q
    return best


def day(value: str | None) -> str:
    """An ISO date or timestamp written as a reader of the current language expects ('10 novembre 2012')."""
    if not value:
        return gettext("date unknown")
    try:
        parsed = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value[:10]
    return format_date(parsed, format="long", locale=language())


ENTITY_TYPES = {"PER": _("person"), "ORG": _("organisation"), "LOC": _("place"), "MISC": _("other")}
QUOTE_KINDS = {"direct": _("direct"), "indirect": _("indirect"), "mixed": _("partly quoted")}


def entity_type(code: str) -> str:
    """An entity type code (PER, ORG...) as a word of the interface language."""
    return gettext(ENTITY_TYPES.get(code, _("other")))


def quote_kind(kind: str) -> str:
    """A quote kind (direct, indirect, mixed) as a word of the interface language."""
    return gettext(QUOTE_KINDS.get(kind, kind))


STATUS_LABELS = {"confirmed": _("confirmed"), "single_source": _("single source"), "contested": _("contested")}
# What a difference compared, by kind; a figure's difference says what the figure counts, in the article's words.
DIFFERENCE_ABOUT = {"date": _("the day"), "attribution": _("the speaker"), "stance": _("confirmed or denied")}
STANCES = {"affirms": _("confirms"), "denies": _("denies")}
UNKNOWN_OUTLET = "unknown outlet"  # recoupe.facts.outlets.UNKNOWN_OUTLET, as the store keeps it
FOREIGN_REPORT = re.compile(r"^a report in (?P<languages>.+)$")


def status(code: str) -> str:
    """A fact's status (confirmed, single_source, contested) in the interface language."""
    return gettext(STATUS_LABELS.get(code, code))


def outlet(name: str | None) -> str:
    """An outlet's name, or 'unknown source' in the interface language."""
    return name if name and name != UNKNOWN_OUTLET else gettext("unknown source")


def difference_about(kind: str, about: str) -> str:
    """What a difference compared, in the interface language."""
    return gettext(DIFFERENCE_ABOUT[kind]) if kind in DIFFERENCE_ABOUT else about


def stance(code: str) -> str:
    """'affirms' or 'denies' as a verb of the interface language."""
    return gettext(STANCES.get(code, code))


@cache
def _language_codes() -> dict[str, str]:
    """Language codes by their English names ('Spanish': 'es'), as the fact reader writes origins."""
    return {name: code for code, name in Locale.parse("en").languages.items()}


def source_label(label: str) -> str:
    """An origin the store labels in English ('a report in Spanish or Russian') in the interface language; an
    agency's or outlet's name as it is."""
    found = FOREIGN_REPORT.match(label)
    if found is None:
        return outlet(label)
    names = Locale.parse(language()).languages
    codes = [_language_codes().get(name, name) for name in found.group("languages").split(" or ")]
    spoken = format_list([names.get(code, code) for code in codes], style="or", locale=language())
    return gettext("a report in %(languages)s") % {"languages": spoken}


def chain(counts: Mapping[str, Any]) -> str:
    """How the reports of a fact add up, worded for the reader: '3 outlets, all citing TASS: 1 independent source'
    (counts as views.fact_view gives them)."""
    outlets, reports, copies = int(counts["outlets"]), int(counts["reports"]), int(counts["copies"])
    sources = int(counts["sources"])
    relayed = [source_label(label) for label in counts["relayed"]]
    said = ngettext("%(num)d outlet", "%(num)d outlets", outlets) % {"num": outlets}
    if reports > outlets:
        said = ngettext("%(num)d report from %(outlets)s", "%(num)d reports from %(outlets)s", reports) % {
            "num": reports,
            "outlets": said,
        }
    if copies:
        said += ngettext(", %(num)d a near-copy of another", ", %(num)d near-copies of others", copies) % {
            "num": copies
        }
    if sources == 1 and reports > 1 and relayed:
        said += gettext(", all citing %(source)s") % {"source": relayed[0]}
    elif relayed:
        said += gettext(", relaying %(sources)s") % {"sources": format_list(relayed, locale=language())}
    independent = ngettext("%(num)d independent source", "%(num)d independent sources", sources) % {"num": sources}
    return gettext("%(reports)s: %(sources)s") % {"reports": said, "sources": independent}


def variant(value: str, kind: str) -> str:
    """One value a difference compares, for the reader: days written out, confirmations as verbs."""
    if kind == "stance":
        return stance(value)
    if kind == "date":
        return ", ".join(day(part) if ISO_DAY.match(part) else part for part in value.split(", "))
    return value


ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def language_name(code: str) -> str:
    """A language code ('fr', 'en') as the language's name in the interface language ('français', 'English')."""
    return str(Locale.parse(language()).languages.get(code, code))
