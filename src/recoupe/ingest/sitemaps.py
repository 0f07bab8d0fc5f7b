"""Sitemaps, news sitemaps and sitemap indexes: the page URLs they list, with news titles and dates.

Parsed here with lxml rather than through trafilatura's sitemap helpers because those fetch by themselves,
which would bypass the fetcher's robots.txt, rate limit and address checks.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

from lxml import etree

from recoupe.ingest.fetch import FetchError, Response
from recoupe.ingest.urls import Link

SITEMAP_ROOT = re.compile(rb"<(?:[\w-]+:)?(?:urlset|sitemapindex)\b")
SNIFF_BYTES = 2048
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
GZIP_MAGIC = b"\x1f\x8b"
# No entities, no network, no huge trees: a sitemap is untrusted input.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


@dataclass
class Sitemap:
    """What one sitemap document lists: pages, or (for an index) further sitemaps."""

    pages: list[Link] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def looks_like_sitemap(body: bytes) -> bool:
    """True when the document is a (possibly gzipped) urlset or sitemapindex."""
    return body.startswith(GZIP_MAGIC) or bool(SITEMAP_ROOT.search(body[:SNIFF_BYTES]))


def read_sitemap(response: Response, max_bytes: int) -> Sitemap:
    """Parse a fetched sitemap or sitemap index; FetchError naming it when it cannot be read."""
    body = _gunzip(response, max_bytes) if response.body.startswith(GZIP_MAGIC) else response.body
    try:
        root = etree.fromstring(body, PARSER)
    except etree.XMLSyntaxError as err:
        raise FetchError(response.url, f"not a valid sitemap: {err}") from err
    found = Sitemap()
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise FetchError(response.url, f"not a sitemap: its root element is <{kind}>")
    for entry in root:
        if not isinstance(entry.tag, str):
            continue  # comments and processing instructions
        loc = _child_text(entry, "loc")
        if not loc:
            continue
        if kind == "sitemapindex":
            found.sitemaps.append(loc)
            continue
        news = entry.find(f"{{{NEWS_NS}}}news")
        title = published = None
        if news is not None:
            title = _child_text(news, "title", NEWS_NS)
            published = _child_text(news, "publication_date", NEWS_NS)
        found.pages.append(Link(url=loc, title=title, published=published, via=response.url))
    return found


def _child_text(element: etree._Element, name: str, namespace: str | None = None) -> str | None:
    for child in element:
        if not isinstance(child.tag, str):
            continue
        qname = etree.QName(child)
        if qname.localname == name and (namespace is None or qname.namespace == namespace):
            return (child.text or "").strip() or None
    return None


def _gunzip(response: Response, max_bytes: int) -> bytes:
    """Decompress, stopping at `max_bytes` so a small compressed file cannot expand without bound."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(response.body, max_bytes + 1)
    except zlib.error as err:
        raise FetchError(response.url, f"not a valid gzipped sitemap: {err}") from err
    if len(data) > max_bytes:
        raise FetchError(response.url, f"sitemap is over {max_bytes:,} bytes once decompressed: skipped")
    return data
