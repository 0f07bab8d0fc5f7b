"""The JSON API (with its OpenAPI description at /api/openapi.json) and the app factory that adds the web pages.

Reads are open to loopback clients; other clients and every ingest need the store's token
(`Authorization: Bearer <token>`). Errors are JSON: {"error": {"status": ..., "message": ...}}.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, HTTPException, Query, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest import files
from recoupe.pipeline import RunReport
from recoupe.records import RawArticle
from recoupe.store import Store
from recoupe.web import auth, views
from recoupe.web.state import AppState

# No inline script or style, nothing from elsewhere: injected markup that slipped through could not run.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
MAX_ARTICLES_PER_REQUEST = 1000


class SecurityHeaders:
    """Adds the strict CSP and friends to every response (plain ASGI: no per-request task overhead)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def app_state(request: Request) -> AppState:
    """The state of the app serving this request."""
    state: AppState = request.app.state.recoupe
    return state


TOKEN_COOKIE = "recoupe_token"


def _presented_token(request: Request) -> str | None:
    return auth.bearer(request.headers.get("authorization")) or request.headers.get("x-recoupe-token")


def _reader_token(request: Request) -> str | None:
    """Browsers on another machine show the token through the cookie the /login page sets."""
    return _presented_token(request) or request.cookies.get(TOKEN_COOKIE)


async def require_reader(request: Request) -> None:
    """Reads are open on loopback; anyone else shows the token."""
    if request.client is not None and auth.is_loopback(request.client.host):
        return
    if not auth.token_matches(app_state(request).token, _reader_token(request)):
        raise HTTPException(
            401, "reading from another machine needs the token (open /login)", {"WWW-Authenticate": "Bearer"}
        )


async def require_token(request: Request) -> None:
    """Writes always need the token."""
    if not auth.token_matches(app_state(request).token, _presented_token(request)):
        raise HTTPException(401, "missing or invalid token", {"WWW-Authenticate": "Bearer"})


class ArticleIn(BaseModel):
    """One article to ingest: its text or its HTML, with what is known about it."""

    text: str | None = Field(None, max_length=20_000_000)
    html: str | None = Field(None, max_length=20_000_000)
    url: str | None = None
    title: str | None = None
    published: str | None = None
    outlet: str | None = None

    @model_validator(mode="after")
    def _has_body(self) -> ArticleIn:
        if not (self.text or "").strip() and not (self.html or "").strip():
            raise ValueError("an article needs a non-empty 'text' or 'html'")
        return self


class IngestIn(BaseModel):
    """A batch of articles to ingest."""

    articles: list[ArticleIn] = Field(min_length=1, max_length=MAX_ARTICLES_PER_REQUEST)


def _report_json(report: RunReport) -> dict[str, Any]:
    return {
        "stored": report.stored,
        "skipped": report.skipped,
        "failed": [{"origin": e.origin, "line": e.line, "message": e.message} for e in report.failed],
    }


def _raw(article: ArticleIn, number: int) -> RawArticle:
    html = (article.html or "").strip()
    origin = article.url or f"request#{number}"
    return RawArticle(
        source=origin,
        content=(article.html if html else article.text) or "",
        format="html" if html else "text",
        origin=origin,
        title=article.title,
        published=article.published,
        outlet=article.outlet,
    )


def _found(ident: str, kind: str, value: Any) -> Any:
    if value is None:
        raise HTTPException(404, f"no {kind} with id {ident!r}")
    return value


# Read handlers are `async def` on purpose: each is a few milliseconds of SQLite and Python, and running them
# on the event loop beats handing each to a worker thread (measured by bench/api.py: p95 halved, throughput
# up a third). Ingest, which takes seconds, stays a plain `def` and runs in a worker thread.
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]

api = APIRouter(prefix="/api", dependencies=[Depends(require_reader)])


@api.get("/stories", summary="Stories, latest first, each with its timeline")
async def list_stories(request: Request, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    with app_state(request).reading() as store:
        return views.stories(store, limit, offset)


@api.get("/stories/{story_id}", summary="A story: its events with their articles and quotes")
async def get_story(request: Request, story_id: str) -> dict[str, Any]:
    with app_state(request).reading() as store:
        return views.story(store, story_id)


@api.get("/stories/{story_id}/brief", summary="The story brief: timeline, statements, figures, differences, coverage")
async def get_brief(request: Request, story_id: str) -> dict[str, Any]:
    state = app_state(request)
    with state.reading() as store:
        _found(story_id, "story", store.story(story_id))
    return await run_in_threadpool(state.brief, story_id)


@api.get("/events/{event_id}", summary="An event with its articles")
async def get_event(request: Request, event_id: str) -> dict[str, Any]:
    with app_state(request).reading() as store:
        return views.event(store, event_id)


@api.get("/articles/{article_id}", summary="An article with its quotes, mentions and entities")
async def get_article(request: Request, article_id: str) -> dict[str, Any]:
    with app_state(request).reading() as store:
        return views.article_json(views.article(store, article_id))


@api.get("/quotes", summary="Quotes of one article or by one speaker")
async def list_quotes(
    request: Request,
    article: str | None = None,
    speaker: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    if article is None and speaker is None:
        raise HTTPException(422, "give an article or a speaker")
    with app_state(request).reading() as store:
        if speaker is not None and article is None:
            _found(speaker, "entity", store.entity(speaker))
            return {"quotes": store.speaker_statements(speaker, limit, offset)}
        assert article is not None
        _found(article, "article", store.article(article))
        quotes = store.quotes(article=article, speakers=[speaker] if speaker else None)
    return {"quotes": [q.to_dict() for q in quotes[offset : offset + limit]]}


@api.get("/quotes/{quote_id}", summary="One quote")
async def get_quote(request: Request, quote_id: str) -> dict[str, Any]:
    with app_state(request).reading() as store:
        quote = _found(quote_id, "quote", store.quote(quote_id))
    data: dict[str, Any] = quote.to_dict()
    return data


@api.get("/entities", summary="The speakers quoted most")
async def list_entities(request: Request, limit: Limit = 100) -> dict[str, Any]:
    with app_state(request).reading() as store:
        return {"speakers": store.top_speakers(limit)}


@api.get("/entities/{entity_id}", summary="An entity with its statements across outlets and time")
async def get_entity(request: Request, entity_id: str, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    with app_state(request).reading() as store:
        return views.entity(store, entity_id, limit, offset)


@api.get("/search", summary="Full-text search, filtered by speaker, outlet and date range")
async def search(
    request: Request,
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
        app_state(request).read,
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


@api.post("/ingest", summary="Ingest JSON articles (needs the token)", dependencies=[Depends(require_token)])
def ingest_json(request: Request, body: IngestIn) -> dict[str, Any]:
    raws = [_raw(article, number) for number, article in enumerate(body.articles, start=1)]
    with app_state(request).writing() as pipeline:
        return _report_json(pipeline.run(raws))


@api.post(
    "/ingest/files",
    summary="Ingest uploaded files: .txt, .html, .json, .jsonl (needs the token)",
    dependencies=[Depends(require_token)],
)
def ingest_files(request: Request, uploads: Annotated[list[UploadFile], File()]) -> dict[str, Any]:
    return _report_json(ingest_uploads(app_state(request), uploads))


UPLOAD_SUFFIXES = {".txt", ".html", ".htm", ".json", ".jsonl"}


def ingest_uploads(state: AppState, uploads: list[UploadFile]) -> RunReport:
    """Run uploaded files through the pipeline; a file of an unknown kind is refused (422) before any is read."""
    for upload in uploads:
        if Path(upload.filename or "").suffix.lower() not in UPLOAD_SUFFIXES:
            raise HTTPException(422, f"{upload.filename!r}: expected .txt, .html, .json or .jsonl")
    inputs: list[RawArticle | InputError] = []
    with tempfile.TemporaryDirectory(prefix="recoupe-upload-") as tmp:
        for number, upload in enumerate(uploads, start=1):
            # Only the suffix of the client's name is used (it picks the reader), never its path.
            path = Path(tmp) / f"upload-{number}{Path(upload.filename or '').suffix.lower()}"
            path.write_bytes(upload.file.read())
            for item in files.read_path(path, state.config):
                inputs.append(_named(item, path.name, upload.filename or path.name))
        with state.writing() as pipeline:
            return pipeline.run(inputs)


def _named(item: RawArticle | InputError, temp_name: str, filename: str) -> RawArticle | InputError:
    """Name an upload's articles and errors after the uploaded file, not the temporary copy."""
    if isinstance(item, InputError):
        return InputError(item.origin.replace(temp_name, filename).rsplit("/", 1)[-1], item.message, item.line)
    if item.source.startswith(("http://", "https://")):
        return item
    where = item.origin.rsplit("/", 1)[-1].replace(temp_name, filename)
    return RawArticle(
        source=where,
        content=item.content,
        format=item.format,
        origin=where,
        title=item.title,
        published=item.published,
        outlet=item.outlet,
        fetched_at=item.fetched_at,
    )


def _error(status: int, message: str, details: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"status": status, "message": message}
    if details is not None:
        body["details"] = jsonable_encoder(details)
    return JSONResponse({"error": body}, status_code=status)


def create_app(config: Config, store: Store | str | Path, token: str | None = None) -> FastAPI:
    """The whole app over a store (a Store object, or the path of one); the token defaults to <db>.token."""
    from recoupe.web import pages  # the pages import this module's dependencies

    if token is None:
        path = store.path if isinstance(store, Store) else str(store)
        # An in-memory store has nowhere to keep a token: it gets one for this process only.
        token = secrets.token_urlsafe(32) if path == ":memory:" else auth.ensure_token(path)[0]
    state = AppState(config, store, token)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()

    app = FastAPI(
        lifespan=lifespan,
        title="recoupe",
        summary="Cross-checked French news: stories, events, articles, quotes, speakers.",
        version="0.1.0",
        openapi_url="/api/openapi.json",
        docs_url=None,  # the interactive docs load scripts from a CDN, which the CSP forbids
        redoc_url=None,
    )
    app.state.recoupe = state
    app.include_router(api)
    pages.install(app)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not request.url.path.startswith("/api/"):
            return pages.error_page(request, exc.status_code, str(exc.detail), exc.headers)
        response = _error(exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(views.NotFound)
    async def not_found(request: Request, exc: views.NotFound) -> Response:
        if not request.url.path.startswith("/api/"):
            return pages.error_page(request, 404, str(exc))
        return _error(404, str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_input(request: Request, exc: RequestValidationError) -> Response:
        if not request.url.path.startswith("/api/"):
            return pages.error_page(request, 422, "invalid request: " + "; ".join(_messages(exc)))
        return _error(422, "invalid request", exc.errors())

    app.add_middleware(SecurityHeaders)
    return app


# How `recoupe serve` hands its configuration to the worker processes uvicorn starts (they cannot be given objects).
WORKER_CONFIG = "RECOUPE_SERVE_CONFIG"


def worker_environment(config: Config) -> dict[str, str]:
    """The environment variable from which worker_app rebuilds `config` in a worker process."""
    values = {f.name: getattr(config, f.name) for f in fields(config)}
    return {WORKER_CONFIG: json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in values.items()})}


def worker_app() -> FastAPI:
    """The app of one worker process of `recoupe serve` (a uvicorn factory): its configuration comes from the
    environment the command set, its token from <db>.token, which the command created before starting any."""
    defaults = Config()
    values = json.loads(os.environ[WORKER_CONFIG])
    config = defaults.with_overrides(
        **{k: Path(v) if isinstance(getattr(defaults, k), Path) else v for k, v in values.items()}
    )
    return create_app(config, config.db)


def _messages(exc: RequestValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', '')}" for err in exc.errors()]
