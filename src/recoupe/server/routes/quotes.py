"""Quotes and the speakers (entities) who said them, as JSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from recoupe.server import views
from recoupe.server.deps import READER, Limit, Offset, State, found, speaker_id
from recoupe.server.schemas import ERRORS, EntityStatementsOut, QuoteOut, QuotesOut, SpeakersOut

EVERY_SPEAKER = 10**9  # top_speakers' limit that lists them all

router = APIRouter(prefix="/api", dependencies=[READER], responses=ERRORS)


@router.get("/quotes", summary="Quotes of one article or by one speaker (an id or a name)", response_model=QuotesOut)
async def list_quotes(
    state: State,
    article: str | None = None,
    speaker: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    if article is None and speaker is None:
        raise HTTPException(422, "give an article or a speaker")
    with state.reading() as store:
        if speaker is not None:
            speaker = speaker_id(state, store, speaker)
        if speaker is not None and article is None:
            quotes = store.speaker_statements(speaker, limit, offset)
            total = store.count_statements(speaker)
            return {"total": total, "limit": limit, "offset": offset, "quotes": quotes}
        assert article is not None
        found(article, "article", store.article(article))
        every = store.quotes(article=article, speakers=[speaker] if speaker else None)
    page = [q.to_dict() for q in every[offset : offset + limit]]
    return {"total": len(every), "limit": limit, "offset": offset, "quotes": page}


@router.get("/quotes/{quote_id}", summary="One quote", response_model=QuoteOut)
async def get_quote(state: State, quote_id: str) -> dict[str, Any]:
    with state.reading() as store:
        quote = found(quote_id, "quote", store.quote(quote_id))
    data: dict[str, Any] = quote.to_dict()
    return data


@router.get("/entities", summary="The speakers quoted most", response_model=SpeakersOut)
async def list_entities(state: State, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    with state.reading() as store:
        # Counting every speaker's quotes is one pass whatever the page: done once per version of the store.
        speakers: list[dict[str, Any]] = state.memo(store, "every speaker", lambda s: s.top_speakers(EVERY_SPEAKER))
    return {"total": len(speakers), "limit": limit, "offset": offset, "speakers": speakers[offset : offset + limit]}


@router.get(
    "/entities/{entity_id}",
    summary="An entity with its statements across outlets and time",
    response_model=EntityStatementsOut,
)
async def get_entity(state: State, entity_id: str, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    with state.reading() as store:
        return views.entity(store, entity_id, limit, offset)
