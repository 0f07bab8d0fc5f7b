"""Full-text search over the articles, as JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from recoupe.server import views
from recoupe.server.deps import READER, DateRange, Limit, Offset, State, speaker_id
from recoupe.server.schemas import ERRORS, SearchOut
from recoupe.store import Store, queries

router = APIRouter(prefix="/api", dependencies=[READER], responses=ERRORS)


@router.get(
    "/search",
    summary="Full-text search, filtered by speaker (id or name), outlet and date range",
    response_model=SearchOut,
)
async def search(
    state: State,
    dates: DateRange,
    q: Annotated[str, Query(max_length=500)] = "",
    speaker: str | None = None,
    outlet: str | None = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Articles matching the words and the filters: among the 1,000 articles stored last that match the words, the
    most relevant first (bm25), then older matches, stored last first; without words, newest first. `speaker` is an
    entity's id or one of its names; `total` counts the matches over every page."""

    def read(store: Store) -> tuple[int, list[dict[str, Any]]]:
        filters = (
            speaker_id(state, store, speaker) if speaker else None,
            outlet or None,
            dates.start,
            dates.end,
        )
        hits = store.search_articles(q, *filters, limit=limit, offset=offset)
        return queries.count_matches(store, q, *filters), hits

    total, hits = await run_in_threadpool(state.read, read)  # in a worker thread, as the search page does
    for hit in hits:
        hit["excerpt"], hit["hits"] = excerpt(hit["snippet"])
        hit["snippet"] = views.snippet_text(hit["snippet"])
    return {"query": q, "total": total, "limit": limit, "offset": offset, "results": hits}


def excerpt(snippet: str | None) -> tuple[str | None, list[dict[str, int]]]:
    """A snippet as plain text and where its hits are in it (`start`, `end`); markers that do not pair are
    dropped."""
    if snippet is None:
        return None, []
    text: list[str] = []
    hits: list[dict[str, int]] = []
    length, opened = 0, None
    for char in snippet:
        if char == queries.HIT_OPEN and opened is None:
            opened = length
        elif char == queries.HIT_CLOSE and opened is not None:
            hits.append({"start": opened, "end": length})
            opened = None
        elif char not in (queries.HIT_OPEN, queries.HIT_CLOSE):
            text.append(char)
            length += 1
    return "".join(text), hits
