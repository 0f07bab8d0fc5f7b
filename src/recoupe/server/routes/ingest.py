"""Ingest over HTTP: JSON articles or uploaded files (both need the token)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile

from recoupe.server.bodies import SafeJSONRoute
from recoupe.server.deps import READER, WRITER, State
from recoupe.server.schemas import ERRORS, IngestReport
from recoupe.server.uploads import IngestIn, ingest_uploads, raw_article, report_json

router = APIRouter(prefix="/api", dependencies=[READER], responses=ERRORS, route_class=SafeJSONRoute)


# Plain `def`: an ingest takes seconds of CPU, so it runs in a worker thread, never on the event loop.
@router.post(
    "/ingest", summary="Ingest JSON articles (needs the token)", dependencies=[WRITER], response_model=IngestReport
)
def ingest_json(state: State, body: IngestIn) -> dict[str, Any]:
    raws = [raw_article(article, number) for number, article in enumerate(body.articles, start=1)]
    return report_json(state.ingest(raws))


@router.post(
    "/ingest/files",
    summary="Ingest uploaded files: .txt, .html, .json, .jsonl (needs the token)",
    dependencies=[WRITER],
    response_model=IngestReport,
)
def ingest_files(state: State, uploads: Annotated[list[UploadFile], File()]) -> dict[str, Any]:
    return report_json(ingest_uploads(state, uploads))
