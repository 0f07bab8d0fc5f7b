"""Quotes and the speakers (entities) who said them, as JSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from recoupe.server import views
from recoupe.server.deps import READER, Limit, Offset, State, found

router = APIRouter(prefix="/api", dependencies=[READER])


@router.get("/quotes", summary="Quotes of one article or by one speaker")
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
        if speaker is not None and article is None:
            found(speaker, "entity", store.entity(speaker))
            return {"quotes": store.speaker_statements(speaker, limit, offset)}
        assert article is not None
        found(article, "article", store.article(article))
        quotes = store.quotes(article=article, speakers=[speaker] if speaker else None)
    return {"quotes": [q.to_dict() for q in quotes[offset : offset + limit]]}


@router.get("/quotes/{quote_id}", summary="One quote")
async def get_quote(state: State, quote_id: str) -> dict[str, Any]:
    with state.reading() as store:
        quote = found(quote_id, "quote", store.quote(quote_id))
    data: dict[str, Any] = quote.to_dict()
    return data


@router.get("/entities", summary="The speakers quoted most")
async def list_entities(state: State, limit: Limit = 100) -> dict[str, Any]:
    with state.reading() as store:
        return {"speakers": store.top_speakers(limit)}


@router.get("/entities/{entity_id}", summary="An entity with its statements across outlets and time")
async def get_entity(state: State, entity_id: str, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    with state.reading() as store:
        return views.entity(store, entity_id, limit, offset)
