"""Guards on what comes in: every input checked before it reaches the stages, and the cost one article may have.

Each check raises an InputError naming the input (file and line, record or URL), so that the batch goes on
without it. The limits are named here; they bound the work of one article whatever its text: its length, the
strings and numbers of a JSON record, the markup of a page, the runs of characters spaCy's tokenizer would
split one by one, and, last, the time it may take.
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from recoupe.errors import InputError
from recoupe.records import RawArticle

# JSON records: a record is a flat object of strings; this leaves room for wrappers without letting a
# nested document recurse the parser.
MAX_JSON_DEPTH = 32
MAX_NUMBER_CHARS = 100  # a number in a record is a count or a year, never a 5,000-digit integer
# The longest value each metadata field may have, in characters.
MAX_FIELD_CHARS = {"url": 8_192, "title": 2_000, "outlet": 500, "published": 200}
# An article's text once cleaned: spaCy refuses more than 1,000,000 characters (E088), and the per-article cost
# grows with the length; the longest articles of the benchmarks are under 100,000.
MAX_ARTICLE_CHARS = 500_000
# Raw inputs: the markup a page may hold before it is parsed (tags, attributes, character references).
MAX_RAW_CHARS = 20_000_000  # as many as the largest file read (Config.max_html_bytes)
MAX_MARKUP_TAGS = 30_000  # ten times the most of any page in the benchmarks (3,191); each costs ~0.3 ms
MAX_MARKUP_ATTRIBUTES = 50_000  # the most of any benchmark page: 5,160
MAX_CHARACTER_REFERENCES = 100_000  # the most of any benchmark page: 13,080
# spaCy's tokenizer splits punctuation off a whitespace-free run one piece at a time, each time searching the
# rest again: a run of punctuation costs the square of its length (16 KB of '.,;:!?' take minutes). Text has
# no such runs; longer ones are cut by a space at this interval, before the tokenizer sees them.
MAX_PUNCTUATION_RUN = 64
# The wall-clock seconds one article may take in cleaning, and again in the analysis stages (entities, quotes,
# dates); the slowest article of the benchmarks takes under two.
ARTICLE_SECONDS = 60.0

SURROGATE = re.compile(r"[\ud800-\udfff]")
PUNCTUATION_RUN = re.compile(rf"[^\w\s]{{{MAX_PUNCTUATION_RUN + 1},}}")
TAG = re.compile(r"<[A-Za-z!/?]")
ATTRIBUTE = re.compile(r"""[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""")
CHARACTER_REFERENCE = re.compile(r"&#?\w+;")


class ArticleTimeout(InputError):
    """An article that took longer than its time budget; refused, the batch goes on."""


class _TooLarge(ValueError):
    """A JSON number over MAX_NUMBER_CHARS (raised inside the parser, turned into an InputError)."""


def path_name(path: Path) -> str:
    """A path as a valid string: bytes of a file name that are not UTF-8 written as \\xNN escapes."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def load_json(text: str, origin: str, line: int | None = None) -> Any:
    """Parse JSON, or raise an InputError naming the input: invalid, too deeply nested, or with a huge number."""
    try:
        value = json.loads(text, parse_int=_number(int), parse_float=_number(float))
    except json.JSONDecodeError as err:
        raise InputError(origin, f"invalid JSON: {err.msg}", line=line if line is not None else err.lineno) from err
    except RecursionError as err:
        raise InputError(origin, f"JSON nested more than {MAX_JSON_DEPTH} levels deep", line=line) from err
    except _TooLarge as err:
        raise InputError(origin, f"JSON number of more than {MAX_NUMBER_CHARS} characters", line=line) from err
    depth = json_depth(value)
    if depth > MAX_JSON_DEPTH:
        raise InputError(origin, f"JSON nested {depth} levels deep, over the limit of {MAX_JSON_DEPTH}", line=line)
    return value


def json_depth(value: Any) -> int:
    """How many arrays and objects deep a parsed JSON value goes (walked without recursion)."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:  # deeper is refused anyway: no need to walk on
                pending.extend((child, depth) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def check_string(value: str, name: str, origin: str, line: int | None = None, limit: int | None = None) -> str:
    """The string, if it can be written as UTF-8 and is not longer than `limit`; else an InputError naming it."""
    bad = SURROGATE.search(value)
    if bad is not None:
        code = ord(bad.group())
        raise InputError(
            origin, f"field '{name}' holds an unpaired surrogate \\u{code:04x} at character {bad.start()}", line=line
        )
    if limit is not None and len(value) > limit:
        raise InputError(origin, f"field '{name}' is {len(value):,} characters long, over {limit:,}", line=line)
    return value


def check_raw(raw: RawArticle) -> None:
    """Refuse a raw input whose strings cannot be stored or whose markup would cost too much to parse."""
    check_string(raw.content, raw.format, raw.origin, limit=MAX_RAW_CHARS)
    for name in ("source", "origin", "title", "published", "outlet", "fetched_at"):
        value = getattr(raw, name)
        if value is not None:
            check_string(value, name, raw.origin)
    if raw.format == "html":
        _check_markup(raw.content, raw.origin)
    elif len(raw.content) > MAX_ARTICLE_CHARS:
        # Cleaning a plain text only trims it: refused now rather than after cleaning a megabyte.
        raise InputError(raw.origin, _too_long(len(raw.content)))


def _check_markup(html: str, origin: str) -> None:
    # Each pattern needs its own character ("<", "=", "&"): str.count of it bounds the matches and costs a
    # hundredth of the scan, so a page is scanned only when that bound is over the limit (almost never).
    for pattern, mark, limit, what in (
        (TAG, "<", MAX_MARKUP_TAGS, "tags"),
        (ATTRIBUTE, "=", MAX_MARKUP_ATTRIBUTES, "attributes"),
        (CHARACTER_REFERENCE, "&", MAX_CHARACTER_REFERENCES, "character references"),
    ):
        if html.count(mark) > limit and _more_than(pattern, html, limit):
            raise InputError(origin, f"page holds more than {limit:,} {what}: refused before parsing")


def _more_than(pattern: re.Pattern[str], text: str, limit: int) -> bool:
    """Whether `pattern` matches more than `limit` times (stops counting there)."""
    return any(count > limit for count, _match in enumerate(pattern.finditer(text), start=1))


def check_length(text: str, origin: str) -> None:
    """Refuse a text over MAX_ARTICLE_CHARS with an InputError naming its input."""
    if len(text) > MAX_ARTICLE_CHARS:
        raise InputError(origin, _too_long(len(text)))


def bounded_text(text: str, origin: str) -> str:
    """The text of an article within its budget: refused over MAX_ARTICLE_CHARS, long runs of punctuation cut.

    A cut puts a space in place of one character every MAX_PUNCTUATION_RUN characters of the run, so that the
    text keeps its length and every offset into it stays right.
    """
    check_length(text, origin)
    if PUNCTUATION_RUN.search(text) is None:
        return text
    return PUNCTUATION_RUN.sub(_cut_run, text)


def _too_long(length: int) -> str:
    return f"text is {length:,} characters long, over the {MAX_ARTICLE_CHARS:,} limit: refused"


def _cut_run(match: re.Match[str]) -> str:
    every = MAX_PUNCTUATION_RUN + 1
    return "".join(" " if i % every == MAX_PUNCTUATION_RUN else c for i, c in enumerate(match.group()))


@contextmanager
def time_limit(origin: str, seconds: float | None = None) -> Iterator[None]:
    """Raise ArticleTimeout naming `origin` when the block runs longer than `seconds` (ARTICLE_SECONDS).

    The alarm interrupts the work in the main thread of a process (the CLI, each worker); in another thread
    (a server's) signals cannot be used, and the time is checked when the block ends.
    """
    seconds = ARTICLE_SECONDS if seconds is None else seconds
    started = time.monotonic()
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        if time.monotonic() - started > seconds:
            raise ArticleTimeout(origin, f"took over {seconds:g} s, the limit for one article: refused")
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise ArticleTimeout(origin, f"took over {seconds:g} s, the limit for one article: refused")

    previous = signal.signal(signal.SIGALRM, expire)
    remaining, _interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if remaining:  # an outer limit was running: give it back what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(remaining - (time.monotonic() - started), 1e-3))


def _number(kind: type[int] | type[float]) -> Any:
    def parse(literal: str) -> int | float:
        if len(literal) > MAX_NUMBER_CHARS:
            raise _TooLarge(literal[:20])
        return kind(literal)

    return parse
