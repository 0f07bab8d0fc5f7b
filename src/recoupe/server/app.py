"""`create_app`: the JSON API (OpenAPI at /api/openapi.json) and the web pages, assembled from the routers.

Errors are JSON under /api/: {"error": {"status": ..., "message": ...}}; elsewhere they are pages.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import AsyncIterator, Iterable
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
from recoupe.server.deps import presented_token
from recoupe.server.guards import BodyLimit, HostGuard, WriteGuard
from recoupe.server.rendering import STATIC_DIR, error_page, templates
from recoupe.server.routes import articles, docs, downloads, forms, ingest, pages, quotes, search, stories
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
# A JSON body of 1,000 articles of a few pages each, or a few uploaded files; larger bodies are refused (413)
# before they are parsed, whether their size is announced (Content-Length) or streamed.
MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_ECHOED_CHARS = 200  # of a value quoted back in an error
API_ROUTERS = (stories.router, articles.router, quotes.router, search.router, ingest.router)
PAGE_ROUTERS = (pages.router, forms.router, docs.router, downloads.router)


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


def create_app(
    config: Config,
    store: Store | str | Path,
    token: str | None = None,
    allowed_hosts: Iterable[str] | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    """The whole app over a store (a Store object, or the path of one); the token defaults to <db>.token.

    `allowed_hosts`: the Host names it answers to (guards.served_hosts); None answers any, for a caller that
    does not listen on a socket (tests)."""
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
    # The last added runs first: headers on every answer, the Host check, the token of writes, the body size.
    app.add_middleware(BodyLimit, limit=max_body_bytes)
    app.add_middleware(WriteGuard, token_of=lambda: state.token, presented=presented_token)
    app.add_middleware(HostGuard, allowed=None if allowed_hosts is None else frozenset(allowed_hosts))
    app.add_middleware(SecurityHeaders)
    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(status: int, message: str, details: Any = None) -> JSONResponse:
    body: dict[str, Any] = {"status": status, "message": _printable(message)}
    if details is not None:
        body["details"] = jsonable_encoder(details)
    return JSONResponse({"error": body}, status_code=status)


def _printable(text: str) -> str:
    """Text that can be written as UTF-8 whatever the client sent (a lone surrogate is shown escaped)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _problems(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Each validation error as the field it is about and what is wrong, never the value sent: a value may be
    megabytes long, nested thousands deep or not encodable."""
    problems = []
    for err in exc.errors():
        message = str(err.get("msg", ""))
        context = err.get("ctx") or {}
        if err.get("type") == "json_invalid" and "error" in context:
            message = f"{message}: {context['error']}"
        field = ".".join(str(part) for part in err.get("loc", ()))
        problems.append(
            {
                "field": _printable(field[:MAX_ECHOED_CHARS]),
                "message": _printable(message[:MAX_ECHOED_CHARS]),
                "type": str(err.get("type", "")),
            }
        )
    return problems


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if not _is_api(request):
        return error_page(request, exc.status_code, _printable(str(exc.detail)), exc.headers)
    response = _error(exc.status_code, str(exc.detail))
    response.headers.update(exc.headers or {})
    return response


async def _not_found(request: Request, exc: Exception) -> Response:
    if not _is_api(request):
        return error_page(request, 404, str(exc))
    return _error(404, str(exc))


async def _bad_input(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = _problems(exc)
    message = "invalid request: " + "; ".join(f"{p['field']}: {p['message']}" for p in problems[:10])
    if not _is_api(request):
        return error_page(request, 422, message)
    return _error(422, message, problems)


# How `recoupe serve` hands its configuration and the hosts it serves to the worker processes uvicorn starts
# (they cannot be given objects).
WORKER_CONFIG = "RECOUPE_SERVE_CONFIG"
HOSTS_VARIABLE = "RECOUPE_SERVE_HOSTS"


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
    hosts = os.environ.get(HOSTS_VARIABLE)
    return create_app(config, config.db, allowed_hosts=None if hosts is None else json.loads(hosts))
