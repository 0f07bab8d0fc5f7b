"""Decode a web page's bytes: the charset from the HTTP header, else from the page, else UTF-8 or cp1252."""

from __future__ import annotations

import codecs
import re

# <meta charset="x"> or <meta http-equiv="Content-Type" content="text/html; charset=x">, in the page's head.
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
SNIFF_BYTES = 4096


def header_charset(content_type: str | None) -> str | None:
    """The charset named in a Content-Type header, if any."""
    match = HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def declared_charset(body: bytes) -> str | None:
    """The charset a page or XML document declares in its first bytes, if any."""
    head = body[:SNIFF_BYTES]
    match = XML_ENCODING.search(head) or META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def decode_body(body: bytes, content_type: str | None = None) -> str:
    """Text of a fetched body; an unknown or wrong declared charset falls back instead of failing."""
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    for name in (header_charset(content_type), declared_charset(body)):
        if not name:
            continue
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        if codec == "iso8859-1":
            codec = "cp1252"  # browsers read ISO-8859-1 as windows-1252 (WHATWG Encoding standard)
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")
