"""ASGI guards that answer before the app reads anything: the Host header (DNS rebinding), the token of writes
and the size of bodies.

A web page on another site can make a browser send requests to a loopback server under a name the attacker's
DNS points at 127.0.0.1: such requests carry that name in `Host`, so only the names the server is reached by
are let in. A write without the token is refused before its body is read, so that an unauthenticated client
cannot make the server receive and buffer a large body.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recoupe.server import auth

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def served_hosts(host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The Host names a server listening on `host` answers to: that address, the loopback names when it listens
    on loopback or on every address, and the `extra` names given with --allowed-host."""
    names = {host_name(name) for name in extra}
    listen = host.strip().lower()
    if listen in WILDCARD_ADDRESSES or auth.is_loopback(listen.strip("[]")):
        names.update(LOOPBACK_NAMES)
    if listen not in WILDCARD_ADDRESSES:
        names.add(f"[{listen}]" if ":" in listen and not listen.startswith("[") else listen)
    return frozenset(names)


def host_name(header: str) -> str:
    """The name of a Host header without its port, lower case; an IPv6 address keeps its brackets."""
    value = header.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        return value[: end + 1] if end > 0 else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


async def _refuse(send: Send, status: int, message: str, headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"error": {"status": status, "message": message}}).encode()
    start_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": start_headers})
    await send({"type": "http.response.body", "body": body})


class HostGuard:
    """Answers 400 to a request whose Host header names no host this server serves (None: any host)."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str] | None) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allowed is not None and scope["type"] in ("http", "websocket"):
            name = host_name(Headers(scope=scope).get("host", ""))
            if name not in self.allowed:
                await _refuse(send, 400, f"this server does not serve the host {name[:100]!r}")
                return
        await self.app(scope, receive, send)


class WriteGuard:
    """Answers 401 to a write to the API without the token, before its body is read."""

    def __init__(self, app: ASGIApp, token_of: Callable[[], str], presented: Callable[[Headers], str | None]) -> None:
        self.app = app
        self.token_of = token_of
        self.presented = presented

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in WRITE_METHODS
            and scope["path"].startswith("/api/")
            and not auth.token_matches(self.token_of(), self.presented(Headers(scope=scope)))
        ):
            await _refuse(send, 401, "missing or invalid token", [(b"www-authenticate", b"Bearer")])
            return
        await self.app(scope, receive, send)


class BodyTooLarge(HTTPException):
    """A request body past the server's limit (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodyLimit:
    """Answers 413 to a body over `limit` bytes: at once when Content-Length says so, else as soon as the bytes
    received pass it (raised from `receive`, inside the app, so the app's error handler writes the answer)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        announced = Headers(scope=scope).get("content-length", "")
        if announced.isdigit() and int(announced) > self.limit:
            await _refuse(send, 413, str(BodyTooLarge(self.limit).detail))
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, counted, send)
