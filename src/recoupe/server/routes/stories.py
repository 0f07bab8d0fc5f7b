"""Stories, their briefs and their events, as JSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from recoupe.server import views
from recoupe.server.deps import READER, Limit, Offset, State, found
from recoupe.server.schemas import ERRORS, BriefOut, EventOut, StoriesOut, StoryOut

# Read handlers are `async def` on purpose: each is a few milliseconds of SQLite and Python, and running them
# on the event loop beats handing each to a worker thread (measured by bench/api.py: p95 halved, throughput
# up a third). Slow work (briefs, searches, ingests) runs in a worker thread.
router = APIRouter(prefix="/api", dependencies=[READER], responses=ERRORS)


@router.get("/stories", summary="Stories, latest first, each with its timeline", response_model=StoriesOut)
async def list_stories(state: State, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    with state.reading() as store:
        return views.stories(store, limit, offset)


@router.get(
    "/stories/{story_id}", summary="A story: its events with their articles and quotes", response_model=StoryOut
)
async def get_story(state: State, story_id: str) -> dict[str, Any]:
    with state.reading() as store:
        return views.story(store, story_id)


@router.get(
    "/stories/{story_id}/brief",
    summary="The story brief: timeline, statements, figures, differences, coverage",
    response_model=BriefOut,
)
async def get_brief(state: State, story_id: str) -> dict[str, Any]:
    with state.reading() as store:
        found(story_id, "story", store.story(story_id))
    return await run_in_threadpool(state.brief, story_id)


@router.get("/events/{event_id}", summary="An event with its articles", response_model=EventOut)
async def get_event(state: State, event_id: str) -> dict[str, Any]:
    with state.reading() as store:
        return views.event(store, event_id)
