"""Articles from the web: pages by URL, and the pages that RSS/Atom feeds and sitemaps list.

A URL given by the user is fetched once and read for what it is: an HTML page becomes an article; a feed or a
sitemap (index) is expanded into its pages. A page already stored is not fetched again unless `refresh`.
Feeds and sitemaps are fetched conditionally (ETag, Last-Modified); their validators are saved by `commit`
only after the articles they listed are stored, so an interrupted run never marks a feed as read.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeAlias

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest.feeds import feed_links, looks_like_feed
from recoupe.ingest.fetch import HTML_TYPES, XML_TYPES, Fetcher, FetchError, Response
from recoupe.ingest.sitemaps import looks_like_sitemap, read_sitemap
from recoupe.ingest.urls import Link, canonical_url
from recoupe.records import Fetch, RawArticle, Skipped
from recoupe.store import Store

Found: TypeAlias = RawArticle | InputError | Skipped

# Compressed sitemaps are often served as plain bytes; what an index lists is read as a sitemap whatever its type.
SITEMAP_TYPES = XML_TYPES | {"application/octet-stream", "binary/octet-stream"}
MAX_SITEMAP_DEPTH = 3  # index -> index -> sitemap -> pages
MAX_SITEMAPS = 1000  # sitemaps read from one target, indexes included


@dataclass
class WebCounts:
    """What a web source did, for the log line of a run or a watch cycle."""

    listings: int = 0  # feeds and sitemaps read
    not_modified: int = 0
    pages: int = 0  # pages fetched


class WebSource:
    """Raw articles, skips and errors from URL targets; one instance per run (or per watch cycle)."""

    def __init__(
        self,
        config: Config,
        store: Store,
        fetcher: Fetcher,
        refresh: bool = False,
        stop: threading.Event | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher
        self.refresh = refresh
        self.stop = stop or threading.Event()
        self.counts = WebCounts()
        self._seen: set[str] = set()
        self._pending: list[Fetch] = []

    def read(self, targets: Iterable[str]) -> Iterator[Found]:
        """Everything the targets lead to, in order."""
        for url in targets:
            if self.stop.is_set():
                return
            yield from self._target(url)

    def commit(self) -> None:
        """Save the validators of the feeds and sitemaps read completely; call it once their articles are stored."""
        with self.store.transaction():
            for fetch in self._pending:
                self.store.record_fetch(fetch)
        self._pending.clear()

    # --- targets ------------------------------------------------------------------------------

    def _target(self, url: str) -> Iterator[Found]:
        key = canonical_url(url)
        skipped = self._passed_over(url, key, set() if self.refresh else self.store.stored_urls([url, key]))
        if skipped is not None:
            yield skipped
            return
        # A feed or sitemap read before (a fetch that made no article) is asked for only if it changed.
        earlier = None if self.refresh else self.store.fetch_record(key)
        listing = earlier if earlier is not None and earlier.article is None else None
        try:
            response = self.fetcher.get(
                url,
                accept=HTML_TYPES | XML_TYPES,
                etag=listing.etag if listing else None,
                last_modified=listing.last_modified if listing else None,
            )
        except FetchError as err:
            yield err
            return
        if response.not_modified:
            self.counts.not_modified += 1
            yield Skipped(url, "not modified since the last fetch")
        elif looks_like_feed(response.body):
            yield from self._feed(response)
        elif looks_like_sitemap(response.body):
            yield from self._sitemap(response, depth=0, budget=[MAX_SITEMAPS])
        elif response.content_type in XML_TYPES:
            yield InputError(url, f"an XML document ({response.content_type}) that is neither a feed nor a sitemap")
        else:
            self.counts.pages += 1
            yield page_article(response, Link(url))

    def _feed(self, response: Response) -> Iterator[Found]:
        try:
            links = feed_links(response)
        except FetchError as err:
            yield err
            return
        self.counts.listings += 1
        yield from self._pages(links)
        if not self.stop.is_set():
            self._pending.append(_listing_fetch(response))

    def _sitemap(self, response: Response, depth: int, budget: list[int]) -> Iterator[Found]:
        try:
            sitemap = read_sitemap(response, self.config.max_page_bytes)
        except FetchError as err:
            yield err
            return
        self.counts.listings += 1
        budget[0] -= 1
        yield from self._pages(sitemap.pages)
        for child in sitemap.sitemaps:
            if self.stop.is_set():
                return
            if depth + 1 > MAX_SITEMAP_DEPTH or budget[0] <= 0:
                yield InputError(child, f"sitemap skipped: over {MAX_SITEMAP_DEPTH} levels or {MAX_SITEMAPS} sitemaps")
                continue
            key = canonical_url(child)
            if key in self._seen:
                continue
            self._seen.add(key)
            try:
                nested = self.fetcher.get(child, accept=SITEMAP_TYPES)
            except FetchError as err:
                yield err
                continue
            yield from self._sitemap(nested, depth + 1, budget)
        if not self.stop.is_set():
            self._pending.append(_listing_fetch(response))

    def _pages(self, links: list[Link]) -> Iterator[Found]:
        """Fetch the listed pages that are new: each URL once, and none already stored (unless refresh)."""
        keys = [canonical_url(link.url) for link in links]
        stored = set() if self.refresh else self.store.stored_urls(keys + [link.url for link in links])
        for link, key in zip(links, keys, strict=True):
            if self.stop.is_set():
                return
            skipped = self._passed_over(link.url, key, stored)
            if skipped is not None:
                yield skipped
                continue
            try:
                response = self.fetcher.get(link.url, accept=HTML_TYPES)
            except FetchError as err:
                yield err
                continue
            self.counts.pages += 1
            yield page_article(response, link)

    def _passed_over(self, url: str, key: str, stored: set[str]) -> Skipped | None:
        """Why `url` (canonical form `key`) is not fetched: met before in this run, or its page is stored."""
        if key in self._seen:
            return Skipped(url, "listed twice")
        self._seen.add(key)
        if key in stored or url in stored:
            return Skipped(url, "already stored (--refresh fetches it again)")
        return None


def page_article(response: Response, link: Link) -> RawArticle:
    """The raw article of a fetched page: `source` is where it was finally found, `origin` what was asked."""
    return RawArticle(
        source=response.final_url,
        content=response.text,
        format="html",
        origin=response.url,
        title=link.title,
        published=link.published,
        fetched_at=response.fetched_at,
    )


def fetch_of(raw: RawArticle, article: str) -> Fetch | None:
    """The fetch record of a stored article that came from the web, keyed by its canonical URL."""
    if raw.fetched_at is None or not raw.origin.lower().startswith(("http://", "https://")):
        return None
    return Fetch(
        url=canonical_url(raw.origin),
        final_url=raw.source,
        fetched_at=raw.fetched_at,
        status=200,
        article=article,
    )


def _listing_fetch(response: Response) -> Fetch:
    return Fetch(
        url=canonical_url(response.url),
        final_url=response.final_url,
        fetched_at=response.fetched_at,
        status=response.status,
        etag=response.etag,
        last_modified=response.last_modified,
    )
