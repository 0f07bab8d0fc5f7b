"""URLs as inputs: telling them from paths, a file of URLs, and the canonical form used to spot repeats."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from recoupe.errors import InputError

# Query parameters that only say how a reader arrived (campaign tags, click ids): the page is the same.
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "xtor", "at_medium", "ocid"})
TRACKING_PREFIXES = ("utm_", "at_")


@dataclass(frozen=True)
class Link:
    """A URL to fetch, with what the feed or sitemap that listed it said about it."""

    url: str
    title: str | None = None
    published: str | None = None
    via: str | None = None  # the feed or sitemap it came from


def is_url(target: str) -> bool:
    """True for an http(s) URL, false for anything to read as a path."""
    return target.lower().startswith(("http://", "https://"))


def canonical_url(url: str) -> str:
    """The URL without fragment and tracking parameters, with a lowercase scheme and host."""
    parts = urlsplit(url.strip())
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    netloc = parts.netloc.lower()
    if parts.scheme.lower() == "http" and netloc.endswith(":80"):
        netloc = netloc[:-3]
    elif parts.scheme.lower() == "https" and netloc.endswith(":443"):
        netloc = netloc[:-4]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))


def read_url_file(path: Path) -> Iterator[str | InputError]:
    """The URLs of a file, one a line; blank lines and lines starting with # are ignored."""
    origin = str(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        yield InputError(origin, "no such file of URLs")
        return
    except (OSError, UnicodeDecodeError) as err:
        yield InputError(origin, f"cannot read the file of URLs: {err}")
        return
    for number, line in enumerate(lines, start=1):
        target = line.strip()
        if not target or target.startswith("#"):
            continue
        if is_url(target):
            yield target
        else:
            yield InputError(origin, f"not an http(s) URL: {target[:80]}", line=number)
