"""The page templates (autoescaped Jinja2) and how a page or an error page is rendered."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from recoupe.server import views

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
    )
    env.filters["snippet"] = views.snippet_html
    env.filters["day"] = _day
    env.globals["speaker_url"] = speaker_url
    return Jinja2Templates(env=env)


def _day(value: str | None) -> str:
    """An ISO date or timestamp shown as its day."""
    return value[:10] if value else "date inconnue"


def speaker_url(entity_id: str) -> str:
    """The page of an entity."""
    return "/speakers/" + url_quote(entity_id, safe="")


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A template rendered as the response."""
    pages: Jinja2Templates = request.app.state.templates
    return pages.TemplateResponse(request, name, context, status_code=status)


def error_page(request: Request, status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """An error as a page, with the status it stands for."""
    response = render(request, "error.html", {"status": status, "message": message}, status)
    response.headers.update(headers or {})
    return response
