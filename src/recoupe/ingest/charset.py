"""Decode a web page's bytes: the charset of the HTTP header, else of the page's <meta>, else UTF-8, else cp1252.

Shared by every web source (fetched pages, WARC records).
"""

from __future__ import annotations

import codecs
import re

META_SNIFF = 2048  # a <meta charset> must sit in the first 2 KB, as browsers look no further (roughly 1 KB)
HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([^\s;"']+)""", re.IGNORECASE)
# Both <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">.
META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# Browsers read these labels as windows-1252 (WHATWG Encoding), and pages so labelled do use its € and ’.
AS_CP1252 = frozenset({"latin_1", "iso8859_1", "ascii", "cp1252"})


def decode_body(body: bytes, content_type: str | None = None) -> str:
    """Decode with the charset of the Content-Type, else of a <meta> in the first 2 KB, else UTF-8, else cp1252."""
    declared = HEADER_CHARSET.search(content_type or "")
    meta = META_CHARSET.search(body[:META_SNIFF])
    candidates = [
        _codec(declared.group(1) if declared else None),
        _codec(meta.group(1).decode("ascii") if meta else None, in_markup=True),
        "utf-8-sig",
    ]
    for codec in dict.fromkeys(c for c in candidates if c):
        try:
            return body.decode(codec)
        except (UnicodeDecodeError, LookupError):  # LookupError: a bytes codec such as 'base64' named as charset
            continue
    return body.decode("cp1252", errors="replace")


def _codec(label: str | None, in_markup: bool = False) -> str | None:
    """The Python codec for a charset label; None for an unknown label."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip()).name.replace("-", "_")
    except LookupError:
        return None
    if name in AS_CP1252:
        return "cp1252"
    if name == "utf_8" or (in_markup and name.startswith(("utf_16", "utf_32"))):
        # A <meta> readable as ASCII cannot be UTF-16; browsers take it as UTF-8, and so does a BOM-less UTF-8.
        return "utf-8-sig"
    return name
