"""The page templates (autoescaped Jinja2) and how a page or an error page is rendered."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from recoupe.server import charts, i18n, views
from recoupe.server.i18n import _

SERVER_DIR = Path(__file__).parent
TEMPLATES_DIR = SERVER_DIR / "templates"
STATIC_DIR = SERVER_DIR / "static"


def templates() -> Jinja2Templates:
    """The page templates, with the filters and globals they use."""
    # autoescape=True for every template: all article text, titles and names are untrusted.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # The callables read the language of the page being rendered (i18n.using in render()).
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["snippet"] = views.snippet_html
    env.filters["day"] = i18n.day
    env.filters["entity_type"] = i18n.entity_type
    env.filters["quote_kind"] = i18n.quote_kind
    env.filters["status"] = i18n.status
    env.filters["language_name"] = i18n.language_name
    env.filters["outlet"] = i18n.outlet
    env.filters["outlet_of"] = lambda item: i18n.outlet(views.outlet_of(item))
    env.filters["chain"] = i18n.chain
    env.filters["source_label"] = i18n.source_label
    env.filters["variant"] = i18n.variant
    env.globals["difference_about"] = i18n.difference_about
    env.globals["speaker_url"] = speaker_url
    env.globals["ui_language"] = i18n.language
    env.globals["chart_timeline"] = charts.timeline
    env.globals["chart_coverage"] = charts.coverage
    env.globals["chart_speakers"] = charts.speaker_bars
    return Jinja2Templates(env=env)


def speaker_url(entity_id: str) -> str:
    """The page of an entity."""
    return "/speakers/" + url_quote(entity_id, safe="")


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A template rendered as the response, in the request's interface language (kept in a cookie when asked)."""
    pages: Jinja2Templates = request.app.state.templates
    lang = i18n.request_language(request)
    switch = {other: language_url(request, other) for other in i18n.LANGUAGES}
    with i18n.using(lang):
        response = pages.TemplateResponse(
            request, name, {**context, "lang": lang, "switch": switch}, status_code=status
        )
    if i18n.asked_language(request):
        response.set_cookie(i18n.LANG_COOKIE, lang, max_age=i18n.LANG_COOKIE_MAX_AGE, samesite="lax")
    response.headers["content-language"] = lang
    return response


def language_url(request: Request, lang: str) -> str:
    """This page's address in another interface language."""
    query = request.url.include_query_params(lang=lang).query
    return request.url.path + "?" + query


# What an error page says, by status: the server's detail is English and meant for API clients and logs.
ERROR_MESSAGES = {
    400: _("The request could not be understood."),
    401: _("This needs the server's token: open the login page; it is in the .token file beside the store."),
    404: _("Nothing here: no story, article or speaker has this address."),
    413: _("What was sent is too large."),
    422: _("Some fields of the request are not valid."),
}
GENERIC_ERROR = _("Something went wrong on the server.")
# Field names in the server's English detail: "'from' must be..." or "invalid request: query.to: ...".
FIELD_PATTERN = re.compile(r"'([A-Za-z_]+)'|(?:^invalid request: |; )(?:[a-z]+\.)?([A-Za-z_]+):")


def error_page(request: Request, status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """An error as a page in the interface language, with the status it stands for and the fields at fault."""
    fields = sorted({a or b for a, b in FIELD_PATTERN.findall(message)}) if status == 422 else []
    context = {"status": status, "message": ERROR_MESSAGES.get(status, GENERIC_ERROR), "fields": fields}
    response = render(request, "error.html", context, status)
    response.headers.update(headers or {})
    return response
