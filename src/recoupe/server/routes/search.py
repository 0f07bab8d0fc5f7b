"""Full-text search over the articles, as JSON."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from recoupe.server import views
from recoupe.server.deps import READER, Limit, Offset, State
from recoupe.server.schemas import ERRORS, SearchOut

router = APIRouter(prefix="/api", dependencies=[READER], responses=ERRORS)


@router.get("/search", summary="Full-text search, filtered by speaker, outlet and date range", response_model=SearchOut)
async def search(
    state: State,
    q: Annotated[str, Query(max_length=500)] = "",
    speaker: str | None = None,
    outlet: str | None = None,
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Articles matching the words and the filters: among the 1,000 articles stored last that match the words, the
    most relevant first (bm25), then older matches, stored last first; without words, newest first."""
    if date_from and date_to and date_from > date_to:
        raise HTTPException(422, "'from' is after 'to'")
    hits = await run_in_threadpool(
        state.read,
        lambda store: store.search_articles(
            q,
            speaker=speaker or None,
            outlet=outlet or None,
            date_from=date_from.isoformat() if date_from else None,
            date_to=date_to.isoformat() if date_to else None,
            limit=limit,
            offset=offset,
        ),
    )  # in a worker thread, as the search page does
    for hit in hits:
        hit["snippet"] = views.snippet_text(hit["snippet"])
    return {"query": q, "limit": limit, "offset": offset, "results": hits}
