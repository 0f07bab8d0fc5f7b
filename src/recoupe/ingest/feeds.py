"""RSS and Atom feeds (feedparser): the links of their items, with the title and date each item gives."""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime

import feedparser

from recoupe.ingest.fetch import FetchError, Response
from recoupe.ingest.urls import Link

FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)\b", re.IGNORECASE)
SNIFF_BYTES = 2048


def looks_like_feed(body: bytes) -> bool:
    """True when the document's first element is an RSS, Atom or RDF feed."""
    return bool(FEED_ROOT.search(body[:SNIFF_BYTES]))


def feed_links(response: Response) -> list[Link]:
    """The item links of a fetched feed, in feed order; FetchError when it is not a readable feed."""
    parsed = feedparser.parse(
        response.body,
        response_headers={
            "content-location": response.final_url,
            "content-type": response.header_content_type or "application/xml",
        },
        sanitize_html=False,
        resolve_relative_uris=True,
    )
    if parsed.get("bozo") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        raise FetchError(response.url, f"not a valid RSS or Atom feed: {problem}")
    links: list[Link] = []
    for entry in parsed.entries:
        url = entry.get("link")
        if not isinstance(url, str) or not url.strip():
            continue
        title = entry.get("title")
        links.append(
            Link(
                url=url.strip(),
                title=title.strip() if isinstance(title, str) and title.strip() else None,
                published=_iso(entry.get("published_parsed") or entry.get("updated_parsed")),
                via=response.url,
            )
        )
    return links


def _iso(moment: time.struct_time | None) -> str | None:
    """feedparser gives dates as UTC struct_time."""
    if moment is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(moment), UTC).isoformat(timespec="seconds")
