"""Stories, their briefs and their events, as JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from recoupe.facts.outlets import UNKNOWN_OUTLET
from recoupe.facts.records import STATUSES, Fact, Status
from recoupe.server import views
from recoupe.server.deps import READER, DateRange, Limit, Offset, State, found
from recoupe.server.schemas import ERRORS, BriefOut, EventOut, FactsOut, StoriesOut, StoryOut
from recoupe.store import Store, queries

# Read handlers are `async def` on purpose: each is a few milliseconds of SQLite and Python, and running them
# on the event loop beats handing each to a worker thread (measured by bench/api.py: p95 halved, throughput
# up a third). Slow work (briefs, searches, ingests) runs in a worker thread.
router = APIRouter(prefix="/api", dependencies=[READER], responses=ERRORS)
StoryOrder = Literal["latest", "largest", "outlets"]  # queries.STORY_ORDERS


@router.get(
    "/stories",
    summary="Stories filtered by search words, dates, outlet, language and size; latest, largest or most outlets first",
    response_model=StoriesOut,
)
async def list_stories(
    state: State,
    dates: DateRange,
    q: Annotated[str, Query(max_length=500, description="search words an article of the story matches")] = "",
    outlet: Annotated[str | None, Query(max_length=300)] = None,
    language: Annotated[str | None, Query(max_length=10)] = None,
    size: Annotated[int, Query(ge=1, le=1_000_000, description="at least this many articles")] = 1,
    sort: StoryOrder = "latest",
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The stories with an article that matches every filter given, each with its timeline of events."""

    def read(store: Store) -> tuple[int, list[dict[str, Any]]]:
        total, summaries = queries.matching_story_summaries(
            store,
            words=q,
            date_from=dates.start,
            date_to=dates.end,
            outlet=outlet,
            language=language,
            min_articles=size,
            order=sort,
            limit=limit,
            offset=offset,
        )
        timelines = store.timelines([s["id"] for s in summaries])
        for summary in summaries:
            summary.update(article_count=summary["articles"], event_count=summary["events"])
            summary["timeline"] = timelines[summary["id"]]
            for event in summary["timeline"]:
                event["article_count"] = event["articles"]
        return total, summaries

    # Search words cost a full-text query: a worker thread's, as searches are; the rest is quick enough here.
    total, summaries = await run_in_threadpool(state.read, read) if q.strip() else state.read(read)
    return {"total": total, "limit": limit, "offset": offset, "stories": summaries}


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


@router.get(
    "/stories/{story_id}/facts",
    summary="The story's facts: each with its status, independent sources, claims (article and span) and differences",
    response_model=FactsOut,
)
async def list_facts(
    state: State,
    story_id: str,
    status: Status | None = None,
    event: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The facts the cross-check found in the story, in its order, optionally of one status or one event."""
    with state.reading() as store:
        story = found(story_id, "story", store.story(story_id))
        if event is not None and event not in story.events:
            raise HTTPException(422, f"'event': {event!r} is no event of story {story_id!r}")
        facts = [f for f in store.facts(story_id) if event is None or f.event == event]
        counts = {s: sum(1 for f in facts if f.status == s) for s in STATUSES}
        kept = [f for f in facts if status is None or f.status == status]
        page = kept[offset : offset + limit]
        shown = _fact_json(store, story_id, page)
    return {"story": story_id, "total": len(kept), "limit": limit, "offset": offset, "counts": counts, "facts": shown}


def _fact_json(store: Store, story_id: str, facts: Sequence[Fact]) -> list[dict[str, Any]]:
    """Facts as the API gives them: the export's fields, each claim's near-copy link, the reports counted as one
    source, the wordings with their outlets and the speakers of attribution differences by name."""
    copy_of = {str(a["id"]): a["duplicate_of"] for a in store.article_headers(story=story_id) if a["duplicate_of"]}
    speakers = sorted({v.value for f in facts for d in f.differences if d.kind == "attribution" for v in d.variants})
    names = {e.id: e.name for e in store.entities(speakers)} if speakers else {}
    shown = []
    for fact in facts:
        data = fact.to_dict()
        for claim in data["claims"]:
            claim["copy_of"] = copy_of.get(claim["article"])
        for difference in data["differences"]:
            for variant in difference["variants"]:
                if difference["kind"] == "attribution":
                    variant["name"] = names.get(variant["value"])
        data["sources"] = fact_sources(fact, copy_of)
        data["wordings"] = [{"text": text, "outlets": outlets} for text, outlets in fact.wordings]
        shown.append(data)
    return shown


def fact_sources(fact: Fact, copy_of: Mapping[str, str]) -> list[dict[str, Any]]:
    """The reports of a fact grouped by the source they rest on, as the cross-check counted them: one group per
    source label, except that texts of unknown outlet are each their own source (with their near-copies)."""
    groups: dict[str, dict[str, Any]] = {}
    for claim in fact.claims:
        key = claim.source
        if claim.source == UNKNOWN_OUTLET:
            key = f"{UNKNOWN_OUTLET}:{_original(claim.article, copy_of)}"
        group = groups.setdefault(
            key, {"source": claim.source, "relayed": False, "outlets": [], "articles": [], "copies": []}
        )
        # Resting on something else than the outlet's own work: a wire, another outlet's report, a translation.
        group["relayed"] |= claim.source not in (claim.outlet, UNKNOWN_OUTLET)
        for field, value in (("outlets", claim.outlet), ("articles", claim.article)):
            if value not in group[field]:
                group[field].append(value)
        if claim.article in copy_of and claim.article not in group["copies"]:
            group["copies"].append(claim.article)
    return list(groups.values())


def _original(article: str, copy_of: Mapping[str, str]) -> str:
    """The article a chain of near-copies starts from."""
    seen = {article}
    while article in copy_of and copy_of[article] not in seen:
        article = copy_of[article]
        seen.add(article)
    return article
