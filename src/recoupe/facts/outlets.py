"""Outlets: the name of who published an article, from its metadata, else its site's address.

An input with neither (a local file) is "unknown outlet": never one outlet per file, which would count five
files as five outlets.
"""

from __future__ import annotations

from urllib.parse import urlparse

from recoupe.records import Article

UNKNOWN_OUTLET = "unknown outlet"


def outlet_name(article: Article) -> str:
    """The outlet's name, else the host of its http(s) source without "www.", else UNKNOWN_OUTLET."""
    if article.outlet and article.outlet.strip():
        return article.outlet.strip()
    if article.source.startswith(("http://", "https://")):
        host = urlparse(article.source).hostname
        if host:
            return host.removeprefix("www.")
    return UNKNOWN_OUTLET
