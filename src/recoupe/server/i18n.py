"""The interface language of a request and its gettext catalogue (Babel): French by default, English as a choice.

The language is chosen by `?lang=` (then kept in a cookie), else the cookie, else Accept-Language. Templates get
`gettext`/`ngettext` through Jinja's i18n extension; they read the language of the page being rendered from a
context variable, so that macros imported without context translate too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.dates import format_date
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
