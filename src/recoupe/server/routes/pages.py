"""The HTML pages: story list, story, article, speaker, search. Server-rendered from escaped templates."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from recoupe.server import views
from recoupe.server.deps import READER, Limit, Offset, State
from recoupe.server.rendering import render, speaker_url
from recoupe.server.state import AppState
from recoupe.store import Store, queries

PAGE_SIZE = 30

router = APIRouter(dependencies=[READER], include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def story_list(
    request: Request,
    state: State,
    offset: Offset = 0,
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    outlet: Annotated[str, Query(max_length=300)] = "",
    language: Annotated[str, Query(max_length=10)] = "",
    size: Annotated[str, Query(max_length=6)] = "",
    sort: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The stories, filtered by dates, outlet, language and size, sorted latest, largest or by most outlets."""
    try:
        filters = views.StoryFilters(
            _date(date_from, "from"),
            _date(date_to, "to"),
            outlet or None,
            language or None,
            _count(size, "size"),
            sort or "latest",
        )
    except ValueError as err:
        raise HTTPException(422, str(err)) from err

    def read(store: Store) -> tuple[dict[str, Any], list[str], list[str]]:
        page = views.story_list(store, filters, PAGE_SIZE, offset)
        outlets = state.memo(store, "outlets", lambda s: s.outlets())
        languages = state.memo(store, "languages", queries.languages)
        return page, outlets, languages

    page, outlets, languages = await run_in_threadpool(state.read, read)
    context = {
        "page": page,
        "page_size": PAGE_SIZE,
        "filters": filters,
        "query": urlencode(filters.query()),
        "outlets": outlets,
        "languages": languages,
        "orders": list(queries.STORY_ORDERS),
    }
    return render(request, "stories.html", context)


def _count(value: str, name: str) -> int:
    """A count of at least 1 from a form field, 1 when left empty."""
    if not value:
        return 1
    if not value.isdigit():
        raise HTTPException(422, f"'{name}' must be a whole number of articles")
    return int(value)


@router.get("/stories/{story_id}", response_class=HTMLResponse)
async def story_page(request: Request, state: State, story_id: str) -> Response:
    story, brief = await run_in_threadpool(_story_and_brief, state, story_id)
    return render(request, "story.html", {"story": story, "brief": brief})


def _story_and_brief(state: AppState, story_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A story and its brief, read in a worker thread: a brief not built yet takes long enough to stall every
    other request if it ran on the event loop."""
    with state.reading() as store:
        story = views.story(store, story_id)
        views.cross_check(store, story)
    return story, state.brief(story_id)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
async def article_page(
    request: Request, state: State, article_id: str, span: Annotated[str, Query(max_length=30)] = ""
) -> Response:
    """An article, its quotes and mentions marked; `span=START-END` marks the words of a claim too."""
    claim = _span(span)
    with state.reading() as store:
        view = views.article(store, article_id)
    body = views.article_html(view, speaker_url, claim)
    return render(request, "article.html", {**view, "body": body, "span": claim})


@router.get("/speakers/{entity_id}", response_class=HTMLResponse)
async def speaker_page(request: Request, state: State, entity_id: str, offset: Offset = 0) -> Response:
    with state.reading() as store:
        entity = views.entity(store, entity_id, 100, offset)
    return render(request, "speaker.html", {"entity": entity})


@router.get("/search", response_class=HTMLResponse)
async def search_page(
    request: Request,
    state: State,
    q: Annotated[str, Query(max_length=500)] = "",
    speaker: str = "",
    outlet: str = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    # Empty form fields arrive as "": they mean "no filter", so dates are checked here rather than by type.
    start, end = _date(date_from, "from"), _date(date_to, "to")
    searched = bool(q.strip() or speaker or outlet or start or end)

    def read(store: Store) -> tuple[list[dict[str, Any]], int, Markup, Any]:
        filters = (speaker or None, outlet or None, start, end)
        results = store.search_articles(q, *filters, limit=limit, offset=offset) if searched else []
        labels = queries.article_labels(store, [r["id"] for r in results])
        for result in results:
            result.update(labels.get(result["id"], {}))
        total = queries.count_matches(store, q, *filters) if searched else 0
        options = state.memo(store, "speaker options", lambda s: speaker_options(s.top_speakers(200)))
        outlets = state.memo(store, "outlets", lambda s: s.outlets())
        return results, total, _selected(options, speaker), outlets

    # In a worker thread: a full-text query can take tens of milliseconds, during which SQLite lets other
    # threads run, while on the event loop it would hold up every other request.
    results, total, options, outlets = await run_in_threadpool(state.read, read)
    form = {"q": q, "speaker": speaker, "outlet": outlet, "from": date_from, "to": date_to}
    context = {
        "form": form,
        "query": urlencode({k: v for k, v in form.items() if v}),
        "total": total,
        "results": results,
        "searched": searched,
        "speaker_options": options,
        "outlets": outlets,
        "limit": limit,
        "offset": offset,
    }
    return render(request, "search.html", context)


def speaker_options(speakers: list[dict[str, Any]]) -> Markup:
    """The search form's speaker <option>s, escaped, none selected. Built once per version of the store: written by
    the template, 200 options took 3 ms of every search page."""
    option = Markup('<option value="{}">{} ({})</option>')
    return Markup("").join(option.format(s["id"], s["name"], s["quotes"]) for s in speakers)


def _selected(options: Markup, value: str) -> Markup:
    """The options with the one of this value selected."""
    if not value:
        return options
    return options.replace(
        Markup('<option value="{}">').format(value), Markup('<option value="{}" selected>').format(value), 1
    )


SPAN = re.compile(r"^(\d{1,9})-(\d{1,9})$")


def _span(value: str) -> tuple[int, int] | None:
    """The characters START-END of an article a link asks to mark, checked to be a span (start before end)."""
    if not value:
        return None
    found = SPAN.match(value)
    if found is None or int(found.group(1)) >= int(found.group(2)):
        raise HTTPException(422, "'span' must be START-END with START < END")
    return int(found.group(1)), int(found.group(2))


def _date(value: str, name: str) -> str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError as err:
        raise HTTPException(422, f"'{name}' must be a date like 2024-03-01") from err
