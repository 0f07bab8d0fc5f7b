"""Files to download from a story page: its brief in each brief format, and its quotes as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from recoupe.brief.build import build_brief
from recoupe.brief.render import FORMATS
from recoupe.formats import UnknownFormat
from recoupe.server.deps import READER, State
from recoupe.store import Store, queries

router = APIRouter(dependencies=[READER], include_in_schema=False)

MEDIA_TYPES = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8", "json": "application/json"}
QUOTE_COLUMNS = (
    "id",
    "article",
    "article_title",
    "outlet",
    "published",
    "language",
    "kind",
    "speaker",
    "speaker_name",
    "confidence",
    "start",
    "end",
    "text",
)
QUOTES_PER_READ = 1000


def not_found(message: str) -> Response:
    """A download that does not exist: the reason in plain text (a file's address has no page to show it in)."""
    return PlainTextResponse(message, status_code=404)


def attachment(body: str, name: str, media_type: str) -> Response:
    """A file the browser saves under `name` (an id-based name: ids are safe in a header)."""
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/stories/{story_id}/brief.{fmt}")
async def brief_file(state: State, story_id: str, fmt: str) -> Response:
    """The story's brief as a file in one of the brief formats (md, html, json)."""
    try:
        render = FORMATS[fmt].render
    except UnknownFormat as err:
        return not_found(str(err))

    def write(store: Store) -> str | None:
        if store.story(story_id) is None:
            return None
        return render(build_brief(store, story_id, state.config))

    body = await run_in_threadpool(state.read, write)
    if body is None:
        return not_found(f"no story with id {story_id!r}")
    return attachment(body, f"{story_id}-brief.{fmt}", MEDIA_TYPES.get(fmt, "text/plain; charset=utf-8"))


@router.get("/stories/{story_id}/quotes.csv")
async def quotes_file(state: State, story_id: str) -> Response:
    """Every quote of the story, one row each, with its speaker's name and its article's outlet and date."""

    def write(store: Store) -> str | None:
        if store.story(story_id) is None:
            return None
        out = io.StringIO()
        writer = csv.DictWriter(out, QUOTE_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        offset = 0
        while True:
            _total, rows = queries.filtered_quotes(store, story=story_id, limit=QUOTES_PER_READ, offset=offset)
            writer.writerows(_row(r) for r in rows)
            if len(rows) < QUOTES_PER_READ:
                return out.getvalue()
            offset += QUOTES_PER_READ

    body = await run_in_threadpool(state.read, write)
    if body is None:
        return not_found(f"no story with id {story_id!r}")
    return attachment(body, f"{story_id}-quotes.csv", "text/csv; charset=utf-8")


def _row(quote: dict[str, Any]) -> dict[str, Any]:
    # A cell starting with =, +, - or @ is a formula to a spreadsheet: quoted text is untrusted input.
    return {k: f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for k, v in quote.items()}
