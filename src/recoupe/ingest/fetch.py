"""The polite, safe fetcher: one reused httpx client, a per-host rate limit, robots.txt, size and time limits.

Redirects are followed by hand, not by httpx, so that every hop is checked like the first: its scheme, the
addresses its host resolves to (loopback, private, link-local and multicast are refused unless allowed, and so
is an IPv6 address that carries one: IPv4-mapped, IPv4-compatible, 6to4, Teredo, NAT64), and robots.txt.
A remaining gap: the name is resolved again by httpx when it connects, so a host that changes its DNS answer
between the two lookups (DNS rebinding) is not caught.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.robotparser
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest.charset import decode_body

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
XML_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/gzip",  # compressed sitemaps
        "application/x-gzip",
    }
)
REDIRECTS = frozenset({301, 302, 303, 307, 308})
ROBOTS_MAX_BYTES = 500_000
MAX_CRAWL_DELAY = 60.0  # a robots.txt Crawl-delay above this is capped rather than obeyed
FORBID_ALL = ["User-agent: *", "Disallow: /"]
BACKOFF_SECONDS = 1.0  # first pause before a retry; doubled at each further attempt


class FetchError(InputError):
    """A URL that could not be fetched or is refused; `transient` errors may succeed when tried again."""

    def __init__(self, url: str, message: str, transient: bool = False) -> None:
        super().__init__(url, message)
        self.transient = transient


@dataclass(frozen=True)
class Response:
    """A fetched body with where it finally came from and its validators."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content_type: str  # the media type, lowercase, without parameters; "" when the server sent none
    body: bytes
    fetched_at: str  # ISO 8601, UTC
    header_content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def text(self) -> str:
        """The body decoded with the charset of the header, else of the page, else UTF-8 or cp1252."""
        return decode_body(self.body, self.header_content_type)


class Fetcher:
    """Fetches URLs one at a time, politely; use it as a context manager to close its connections."""

    def __init__(
        self,
        config: Config,
        transport: httpx.BaseTransport | None = None,
        resolve: Callable[[str, int], list[str]] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if config.fetch_timeout <= 0:
            raise ValueError(f"fetch_timeout must be positive, got {config.fetch_timeout}")
        if config.max_page_bytes <= 0:
            raise ValueError(f"max_page_bytes must be positive, got {config.max_page_bytes}")
        self.config = config
        self.client = httpx.Client(
            headers={"User-Agent": config.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(config.fetch_timeout),
            follow_redirects=False,
            trust_env=False,  # no proxy or netrc from the environment: what is fetched is what is checked
            transport=transport,
        )
        self.resolve = resolve or _resolve
        self.sleep = sleep
        self._last_request: dict[str, float] = {}
        self._delays: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._unreadable: dict[str, str] = {}  # sites whose robots.txt could not be read, with why

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        accept: Collection[str] = HTML_TYPES,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Response:
        """Fetch `url`, retrying transient failures with backoff; raise FetchError naming the URL otherwise.

        `accept` lists the media types wanted; a response of another declared type is refused unread.
        With `etag` or `last_modified` the request is conditional and may come back as a 304.
        """
        attempt = 0
        while True:
            try:
                return self._get_once(url, accept, etag, last_modified)
            except FetchError as err:
                if not err.transient or attempt >= self.config.fetch_retries:
                    raise
                self.sleep(BACKOFF_SECONDS * 2**attempt)
                attempt += 1

    def _get_once(self, url: str, accept: Collection[str], etag: str | None, last_modified: str | None) -> Response:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _hop in range(self.config.max_redirects + 1):
            self.check_address(current)
            self._check_robots(url, current)
            self._wait_turn(current)
            started = time.monotonic()
            try:
                with self.client.stream("GET", current, headers=headers) as reply:
                    if reply.status_code in REDIRECTS and "location" in reply.headers:
                        current = urljoin(current, reply.headers["location"])
                        continue
                    return self._read(url, current, reply, accept, started)
            except httpx.TimeoutException as err:
                raise FetchError(url, f"timed out after {self.config.fetch_timeout:g} s", transient=True) from err
            except httpx.TransportError as err:
                raise FetchError(url, f"network error: {err}", transient=True) from err
            except httpx.InvalidURL as err:
                raise FetchError(url, f"invalid URL: {err}") from err
        raise FetchError(url, f"more than {self.config.max_redirects} redirects (last to {current})")

    def _read(
        self, url: str, final_url: str, reply: httpx.Response, accept: Collection[str], started: float
    ) -> Response:
        status = reply.status_code
        if status >= 500 or status == 429:
            raise FetchError(url, f"HTTP {status} from the server", transient=True)
        if status not in (200, 304):
            raise FetchError(url, f"HTTP {status}")
        header_type = reply.headers.get("content-type")
        media = (header_type or "").split(";")[0].strip().lower()
        if status == 200 and media and media not in accept:
            raise FetchError(url, f"not a page to read ({media}): skipped")
        declared = reply.headers.get("content-length", "")
        limit = self.config.max_page_bytes
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(url, f"body of {int(declared):,} bytes is over the {limit:,}-byte limit: skipped")
        chunks: list[bytes] = []
        size = 0
        for chunk in reply.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(url, f"body is over the {limit:,}-byte limit: skipped")
            if time.monotonic() - started > self.config.fetch_timeout:
                raise FetchError(url, f"timed out after {self.config.fetch_timeout:g} s", transient=True)
            chunks.append(chunk)
        return Response(
            url=url,
            final_url=final_url,
            status=status,
            content_type=media,
            body=b"".join(chunks),
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            header_content_type=header_type,
            etag=reply.headers.get("etag"),
            last_modified=reply.headers.get("last-modified"),
        )

    def forget_robots(self) -> None:
        """Read each site's robots.txt again at its next request."""
        self._robots.clear()
        self._delays.clear()
        self._unreadable.clear()

    # --- safety and politeness ------------------------------------------------------------------

    def check_address(self, url: str) -> None:
        """Refuse a URL that is not http(s), or whose host is or resolves to a non-public address."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(url, f"unsupported URL scheme '{parts.scheme or '(none)'}' (http or https only)")
        host = parts.hostname
        if not host:
            raise FetchError(url, "URL has no host")
        if self.config.allow_private:
            return
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as err:
            raise FetchError(url, f"invalid port: {err}") from err
        try:
            addresses = self.resolve(host, port)
        except OSError as err:
            raise FetchError(url, f"cannot resolve host '{host}': {err}", transient=True) from err
        for address in addresses:
            kind = _non_public(address)
            if kind:
                raise FetchError(
                    url, f"refused: host '{host}' is at {address}, a {kind} address (--allow-private to fetch it)"
                )

    def _check_robots(self, url: str, current: str) -> None:
        parts = urlsplit(current)
        site = f"{parts.scheme}://{parts.netloc}"
        robots = self._robots.get(site)
        if robots is None:
            robots = self._load_robots(site)
            self._robots[site] = robots
            delay = robots.crawl_delay(self.config.user_agent)
            if delay is not None:
                self._delays[site] = min(float(delay), MAX_CRAWL_DELAY)
        if not robots.can_fetch(self.config.user_agent, current):
            if site in self._unreadable:
                del self._robots[site]  # read it again at the next attempt
                raise FetchError(url, self._unreadable.pop(site), transient=True)
            raise FetchError(url, f"robots.txt of {site} forbids {parts.path or '/'} to recoupe: skipped")

    def _load_robots(self, site: str) -> urllib.robotparser.RobotFileParser:
        """robots.txt by RFC 9309: a 4xx means no rules; a 5xx or no answer means everything is forbidden."""
        robots = urllib.robotparser.RobotFileParser(f"{site}/robots.txt")
        self._wait_turn(site)
        try:
            # Not following its redirects keeps every request behind check_address; a moved robots.txt counts
            # as none, like a 4xx.
            with self.client.stream("GET", f"{site}/robots.txt") as reply:
                status = reply.status_code
                body = b""
                if status == 200:
                    for chunk in reply.iter_bytes():
                        body += chunk
                        if len(body) >= ROBOTS_MAX_BYTES:
                            break  # RFC 9309 lets a crawler stop at 500 KiB
                content_type = reply.headers.get("content-type")
        except httpx.HTTPError as err:
            robots.parse(FORBID_ALL)
            self._unreadable[site] = f"robots.txt of {site} could not be read ({type(err).__name__}): not fetched"
            return robots
        if 300 <= status < 500:
            robots.parse([])
        elif status != 200:
            robots.parse(FORBID_ALL)
            self._unreadable[site] = f"robots.txt of {site} answered HTTP {status}: not fetched"
        else:
            robots.parse(decode_body(body[:ROBOTS_MAX_BYTES], content_type).splitlines())
        return robots

    def _wait_turn(self, url: str) -> None:
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        delay = max(self.config.host_delay, self._delays.get(site, 0.0))
        last = self._last_request.get(parts.netloc)
        if last is not None:
            wait = last + delay - time.monotonic()
            if wait > 0:
                self.sleep(wait)
        self._last_request[parts.netloc] = time.monotonic()


def _resolve(host: str, port: int) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})


def _non_public(address: str) -> str | None:
    """What kind of non-public address this is, or None for a public one.

    An IPv6 address that carries an IPv4 one (IPv4-mapped, IPv4-compatible, 6to4, Teredo, NAT64) leads to that
    IPv4 address: a private one behind it is named, as "6to4 address of 127.0.0.1, a loopback".
    """
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            scheme, ipv4 = embedded
            kind = _kind(ipv4)
            if kind is not None:
                return f"{scheme} address of {ipv4}, a {kind}"
            if scheme in BY_EMBEDDED_ADDRESS:
                return None
    return _kind(ip)


# The IPv6 forms whose traffic goes to the IPv4 address they carry and nowhere else: they are as public as it.
BY_EMBEDDED_ADDRESS = frozenset({"IPv4-mapped", "NAT64"})
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052, the well-known prefix
NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215, local use: never global, its IPv4 named
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated (RFC 4291), still routed by some stacks


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address an IPv6 one carries, with the name of the form, or None."""
    if ip.ipv4_mapped is not None:
        return "IPv4-mapped", ip.ipv4_mapped
    if ip.sixtofour is not None:
        return "6to4", ip.sixtofour
    if ip.teredo is not None:
        return "Teredo", ip.teredo[1]  # the client's address, which the traffic reaches
    last_32_bits = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in NAT64_PREFIX:
        return "NAT64", last_32_bits
    if ip in NAT64_LOCAL:
        return "NAT64 local-use", last_32_bits
    if ip in IPV4_COMPATIBLE and int(ip) > 1:  # :: and ::1 are not IPv4 addresses
        return "IPv4-compatible", last_32_bits
    return None


def _kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """loopback, link-local, multicast or private for a non-public address; None for a public one."""
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_private or ip.is_unspecified or ip.is_reserved or not ip.is_global:
        return "private"
    return None
