"""The one escaper of untrusted strings in every Markdown and HTML output.

Titles, outlets, sources, speaker names, quoted words, dates (a `published` value may be anything a page said)
and URLs come from the pages recoupe reads. In Markdown each goes through `markdown` (or `markdown_code`,
`markdown_link`), which makes it render as the very text it is, with no markup of its own; in HTML each goes
through a template of `html_environment`, which escapes every value (Jinja's autoescape, MarkupSafe) and lets
a URL into a link only through the `url` filter, `safe_url`.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from jinja2 import BaseLoader, Environment, StrictUndefined

# The ASCII punctuation that starts or ends Markdown syntax inside a line: backslash escapes, code spans,
# emphasis and strong (* _), strikethrough (~), links and images ([ ] !), raw HTML and autolinks (< >),
# entity references (&), table cells (|) and headings (#). CommonMark renders any ASCII punctuation escaped
# with a backslash as the character itself, so escaping one that means nothing in its place changes nothing.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_~\[\]!<>&|#])")
# What starts a list item at the start of a line ('- ', '+ ', '12. ', '3) '): escaped there, a title like
# '1. Le port' stays a title instead of becoming a list inside the line it starts.
LIST_MARKER = re.compile(r"^(?:([-+])|(\d{1,9})([.)]))(?=\s|$)")
LINK_SCHEMES = frozenset({"http", "https"})
# Kept as they are in a link's URL: RFC 3986's reserved and unreserved characters, and '%' of the escapes
# already there. Everything else (spaces, quotes, '<', '>', a backslash, any non-ASCII) is percent-encoded.
URL_SAFE_CHARS = ":/?#[]@!$&'()*+,;=%-._~"
# Control and invisible characters: a browser drops some of them from a URL before it reads the scheme
# ('java\tscript:' is 'javascript:'), so a URL holding one is no link.
URL_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")


def markdown(text: str) -> str:
    """Untrusted text as inline Markdown on one line that renders as exactly this text."""
    flat = " ".join(text.split())
    return LIST_MARKER.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", MARKDOWN_SPECIAL.sub(r"\\\1", flat))


def markdown_code(text: str) -> str:
    """Untrusted text as a Markdown code span: fenced by more backticks than any run inside, so none closes it."""
    flat = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    # A span starting or ending with a backtick needs a space inside its fence; one space each side is removed
    # again when the span is rendered.
    padded = f" {flat} " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else flat
    return f"{fence}{padded}{fence}"


def safe_url(url: str | None) -> str | None:
    """The URL made safe to link to (http or https, percent-encoded), or None when it must not be a link."""
    if not url or URL_INVISIBLE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # an invalid IPv6 literal, say
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return None
    return quote(url, safe=URL_SAFE_CHARS)


def markdown_link(text: str, url: str | None) -> str:
    """A Markdown link to the URL with the text escaped, or the escaped text alone when the URL is no safe link."""
    target = safe_url(url)
    if target is None:
        return markdown(text)
    # safe_url percent-encodes '<', '>' and spaces, so the URL cannot leave its angle brackets.
    return f"[{markdown(text)}](<{target}>)"


def html_environment(loader: BaseLoader) -> Environment:
    """A Jinja environment whose templates escape every value and link only to safe URLs (the `url` filter)."""
    env = Environment(
        loader=loader,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["url"] = safe_url
    return env
