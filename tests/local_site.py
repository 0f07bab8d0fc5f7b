"""A small web site on 127.0.0.1 for fetch tests: routes set by the test, every request counted.

Its pages are built from recoupe's own invented example articles, so no third-party text is served.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from recoupe import example


@dataclass
class Route:
    """What the site answers on one path."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    etag: str | None = None  # answers 304 to a request that presents it
    send_length: bool = True


class Site:
    """A threaded HTTP server; `routes` maps a path (with its query) to a Route."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()  # requests that carried If-None-Match
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.hits[self.path] += 1
                route = site.routes.get(self.path)
                if route is None:
                    self._answer(Route(b"<html><body>not found</body></html>", status=404))
                    return
                if route.delay:
                    time.sleep(route.delay)
                presented = self.headers.get("If-None-Match")
                if presented:
                    site.conditional[self.path] += 1
                if route.etag is not None and presented == route.etag:
                    self._answer(Route(status=304, content_type=None, etag=route.etag))
                    return
                self._answer(route)

            def _answer(self, route: Route) -> None:
                try:
                    self.send_response(route.status)
                    if route.content_type:
                        self.send_header("Content-Type", route.content_type)
                    if route.etag:
                        self.send_header("ETag", route.etag)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    if route.send_length:
                        self.send_header("Content-Length", str(len(route.body)))
                    else:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def example_pages() -> dict[str, tuple[str, bytes]]:
    """The built-in example's ten articles as HTML pages: example name -> (title, page bytes)."""
    pages: dict[str, tuple[str, bytes]] = {}
    for path in example.paths():
        if path.suffix == ".html":
            raw = path.read_bytes()
            title = raw.split(b"<title>")[1].split(b"</title>")[0].decode() if b"<title>" in raw else path.stem
            pages[path.name] = (title, raw)
        elif path.suffix == ".txt":
            title, _, body = path.read_text(encoding="utf-8").partition("\n")
            pages[path.name] = (title.strip(), _page(title.strip(), body))
        else:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                record = json.loads(line)
                pages[f"{path.name}:{number}"] = (record["title"], _page(record["title"], record["text"]))
    return pages


def _page(title: str, body: str) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p.strip())}</p>\n" for p in body.split("\n\n") if p.strip())
    return (
        "<!DOCTYPE html>\n<html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head>\n<body><nav><a href='/'>Accueil</a></nav>\n"
        f"<article><h1>{html.escape(title)}</h1>\n{paragraphs}</article>\n"
        "<footer>Tous droits réservés</footer></body></html>\n"
    ).encode()


def rss(site: Site, items: Sequence[tuple[str, str, datetime | None]]) -> bytes:
    """An RSS 2.0 feed of (path, title, date) items on the site."""
    entries = "".join(
        f"<item><title>{html.escape(title)}</title><link>{html.escape(site.url(path))}</link>"
        + (f"<pubDate>{format_datetime(when)}</pubDate>" if when else "")
        + "</item>\n"
        for path, title, when in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Le Courrier local</title>'
        f"<link>{site.url('/')}</link><description>Les dernières nouvelles</description>\n{entries}</channel></rss>\n"
    ).encode()


def day(year: int, month: int, number: int) -> datetime:
    return datetime(year, month, number, 9, 0, tzinfo=UTC)
