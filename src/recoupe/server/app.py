"""`create_app`: the JSON API (OpenAPI at /api/openapi.json) and the web pages, assembled from the routers.

Errors are JSON under /api/: {"error": {"status": ..., "message": ...}}; elsewhere they are pages.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recoupe.config import Config
from recoupe.server import auth, views
from recoupe.server.rendering import STATIC_DIR, error_page, templates
from recoupe.server.routes import articles, forms, ingest, pages, quotes, search, stories
from recoupe.server.state import AppState
from recoupe.store import Store

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
API_ROUTERS = (stories.router, articles.router, quotes.router, search.router, ingest.router)
PAGE_ROUTERS = (pages.router, forms.router)


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


def create_app(config: Config, store: Store | str | Path, token: str | None = None) -> FastAPI:
    """The whole app over a store (a Store object, or the path of one); the token defaults to <db>.token."""
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
    app.state.templates = templates()
    for router in API_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(views.NotFound, _not_found)
    app.add_exception_handler(RequestValidationError, _bad_input)
    app.add_middleware(SecurityHeaders)
    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(status: int, message: str, details: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"status": status, "message": message}
    if details is not None:
        body["details"] = jsonable_encoder(details)
    return JSONResponse({"error": body}, status_code=status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if not _is_api(request):
        return error_page(request, exc.status_code, str(exc.detail), exc.headers)
    response = _error(exc.status_code, str(exc.detail))
    response.headers.update(exc.headers or {})
    return response


async def _not_found(request: Request, exc: Exception) -> Response:
    if not _is_api(request):
        return error_page(request, 404, str(exc))
    return _error(404, str(exc))


async def _bad_input(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not _is_api(request):
        return error_page(request, 422, "invalid request: " + "; ".join(_messages(exc)))
    return _error(422, "invalid request", exc.errors())


def _messages(exc: RequestValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', '')}" for err in exc.errors()]


# How `recoupe serve` hands its configuration to the worker processes uvicorn starts (they cannot be given objects).
WORKER_CONFIG = "RECOUPE_SERVE_CONFIG"


def worker_environment(config: Config) -> dict[str, str]:
    """The environment variable from which worker_app rebuilds `config` in a worker process."""
    values = {k: str(v) if isinstance(v, Path) else v for k, v in vars(config).items()}
    return {WORKER_CONFIG: json.dumps(values)}


def worker_app() -> FastAPI:
    """The app of one worker process of `recoupe serve` (a uvicorn factory): its configuration comes from the
    environment the command set, its token from <db>.token, which the command created before starting any."""
    defaults = Config()
    values = json.loads(os.environ[WORKER_CONFIG])
    config = defaults.with_overrides(
        **{k: Path(v) if isinstance(getattr(defaults, k), Path) else v for k, v in values.items()}
    )
    return create_app(config, config.db)
