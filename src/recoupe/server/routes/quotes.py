"""Quotes and the speakers (entities) who said them, as JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from recoupe.records import QuoteKind
from recoupe.server import views
from recoupe.server.deps import READER, DateRange, Limit, Offset, State, found, speaker_id
from recoupe.server.schemas import ERRORS, EntityStatementsOut, QuoteOut, QuotesOut, SpeakersOut
from recoupe.store import queries

EVERY_SPEAKER = 10**9  # top_speakers' limit that lists them all

router = APIRouter(prefix="/api", dependencies=[READER], responses=ERRORS)


@router.get(
    "/quotes",
    summary="Quotes filtered by speaker (an id or a name), article, story, outlet, kind, language and dates",
    response_model=QuotesOut,
)
async def list_quotes(
    state: State,
    dates: DateRange,
    article: Annotated[str | None, Query(max_length=100)] = None,
    speaker: Annotated[str | None, Query(max_length=300, description="an entity's id or one of its names")] = None,
    story: Annotated[str | None, Query(max_length=100)] = None,
    outlet: Annotated[str | None, Query(max_length=300)] = None,
    kind: QuoteKind | None = None,
    language: Annotated[str | None, Query(max_length=10)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The quotes every filter given keeps, in the order their articles were stored, each with its speaker's name
    and its article's outlet, date, language, story and title."""
    if article is None and speaker is None and story is None and outlet is None:
        raise HTTPException(422, "give an article, a speaker, a story or an outlet")
    with state.reading() as store:
        if article is not None:
            found(article, "article", store.article(article))
        if story is not None:
            found(story, "story", store.story(story))
        total, quotes = queries.filtered_quotes(
            store,
            speakers=[speaker_id(state, store, speaker)] if speaker is not None else None,
            story=story,
            article=article,
            outlet=outlet,
            kind=kind,
            language=language,
            date_from=dates.start,
            date_to=dates.end,
            limit=limit,
            offset=offset,
        )
    return {"total": total, "limit": limit, "offset": offset, "quotes": quotes}


@router.get("/quotes/{quote_id}", summary="One quote", response_model=QuoteOut)
async def get_quote(state: State, quote_id: str) -> dict[str, Any]:
    with state.reading() as store:
        quote = found(quote_id, "quote", store.quote(quote_id))
    data: dict[str, Any] = quote.to_dict()
    return data


@router.get(
    "/entities",
    summary="The speakers quoted most, in articles of a story, outlet, language and dates if given",
    response_model=SpeakersOut,
)
async def list_entities(
    state: State,
    dates: DateRange,
    story: Annotated[str | None, Query(max_length=100)] = None,
    outlet: Annotated[str | None, Query(max_length=300)] = None,
    language: Annotated[str | None, Query(max_length=10)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Speakers with their quotes counted in the articles the filters keep, most quoted first."""
    filters = {"story": story, "outlet": outlet, "language": language, "date_from": dates.start, "date_to": dates.end}
    with state.reading() as store:
        if story is not None:
            found(story, "story", store.story(story))
        if any(value is not None for value in filters.values()):
            total, page = queries.filtered_speakers(store, **filters, limit=limit, offset=offset)
            return {"total": total, "limit": limit, "offset": offset, "speakers": page}
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
