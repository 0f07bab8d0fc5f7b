"""Articles from files and folders: .txt, .html/.htm, .json/.jsonl (UTF-8, UTF-8 with BOM or cp1252) and WARC."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePath
from typing import Any

from recoupe import guards
from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest import warc
from recoupe.records import InputFormat, RawArticle, Skipped

TEXT_SUFFIXES = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".xhtml": "html"}
RECORD_SUFFIXES = {".json", ".jsonl", ".ndjson"}
# A well-formed UTF-8 multibyte sequence: its presence says the file was meant to be UTF-8.
UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
BINARY_SNIFF = 8192


def walk(targets: Sequence[str]) -> Iterator[Path | InputError]:
    """Each article file under the targets (folders recursively, in sorted order); a target that is missing, or a
    folder that cannot be listed, is an error naming it. Files of a folder that hold no articles are left out."""
    for entry in entries(targets):
        if not isinstance(entry, Skipped):
            yield entry


def entries(targets: Sequence[str]) -> Iterator[Path | InputError | Skipped]:
    """As `walk`, with each file of a folder that holds no articles by its name (a README.md, a script, a style
    sheet, an image) as Skipped, for a caller to note: a folder of articles often carries such files. A file
    named as a target is given whatever its name, so that reading it says why it holds no articles."""
    for target in targets:
        path = Path(target)
        name = guards.path_name(path)
        if path.is_dir():
            for entry in _walk_folder(path):
                if isinstance(entry, Path) and not is_article_file(entry):
                    yield Skipped(
                        guards.path_name(entry), f"not an article file ({entry.suffix.lower() or 'no suffix'})"
                    )
                else:
                    yield entry
        elif path.is_file():
            yield path
        elif path.exists():
            yield InputError(name, "not a regular file or folder")
        else:
            yield InputError(name, "no such file or folder")


def _walk_folder(folder: Path) -> Iterator[Path | InputError]:
    """The files under a folder in sorted order, hidden ones left out; a folder that cannot be listed is named."""
    pending = [folder]
    found: list[Path] = []
    while pending:
        current = pending.pop()
        try:
            children = list(current.iterdir())
        except OSError as err:
            yield InputError(guards.path_name(current), f"cannot read this folder: {err.strerror or err}")
            continue
        for child in children:
            if child.name.startswith("."):
                continue
            if child.is_dir() and not child.is_symlink():  # as rglob: a linked folder is not entered, no cycle
                pending.append(child)
            elif child.is_file():
                found.append(child)
    yield from sorted(found)


def is_article_file(path: PurePath) -> bool:
    """Whether the file's name says it holds articles: text, HTML, JSON records or a WARC archive."""
    suffix = path.suffix.lower()
    return warc.is_warc(path) or suffix in TEXT_SUFFIXES or suffix in RECORD_SUFFIXES


def expected_inputs(path: Path, config: Config) -> int | None:
    """How many inputs reading this file gives, as far as its name and lines say without parsing it, for a
    progress bar: one for a text or HTML file, a JSON Lines file's non-blank lines (a JSON object written over
    several lines counts each); None for a WARC archive or a JSON list, whose records are known once read."""
    if warc.is_warc(path):
        return None
    if path.suffix.lower() not in RECORD_SUFFIXES:
        return 1
    try:
        if path.stat().st_size > config.max_html_bytes:
            return 1  # refused unread: one error
        data = path.read_bytes()
    except OSError:
        return 1
    if data.lstrip()[:1] == b"[":
        return None
    return max(1, sum(1 for line in data.splitlines() if line.strip()))


def read_path(path: Path, config: Config) -> Iterator[RawArticle | InputError]:
    """The articles of one file, or errors naming the file (and line)."""
    if warc.is_warc(path):
        yield from warc.read_warc(path, config)
        return
    origin = guards.path_name(path)
    if not is_article_file(path):
        yield unsupported(origin, path.suffix)
        return
    try:
        size = path.stat().st_size
        if size > config.max_html_bytes:
            yield over_limit(origin, size, config)
            return
        data = path.read_bytes()
    except OSError as err:
        yield InputError(origin, f"cannot read: {err.strerror or err}")
        return
    yield from read_bytes(data, origin, path.suffix, config)


def read_bytes(data: bytes, origin: str, suffix: str, config: Config) -> Iterator[RawArticle | InputError]:
    """The articles of one text, HTML or JSON file's bytes (its name ends with `suffix`), or errors naming
    `origin` (and line): what ingest reads from a local file and a batch's executor from any file system."""
    suffix = suffix.lower()
    if suffix not in TEXT_SUFFIXES and suffix not in RECORD_SUFFIXES:
        yield unsupported(origin, suffix)
        return
    if not data:
        yield InputError(origin, "empty file")
        return
    if len(data) > config.max_html_bytes:
        yield over_limit(origin, len(data), config)
        return
    try:
        text = decode(data, origin)
    except InputError as err:
        yield err
        return
    if not text.strip():
        yield InputError(origin, "file holds only whitespace")
        return
    if suffix in TEXT_SUFFIXES:
        fmt: InputFormat = "html" if TEXT_SUFFIXES[suffix] == "html" else "text"
        yield RawArticle(source=origin, content=text, format=fmt, origin=origin)
    else:
        yield from read_records(text, origin)


def unsupported(origin: str, suffix: str) -> InputError:
    """The error of a file named as an input whose type holds no articles."""
    return InputError(origin, f"unsupported file type '{suffix.lower() or '(none)'}': skipped")


def over_limit(origin: str, size: int, config: Config) -> InputError:
    """The error of a file too large to read."""
    limit = config.max_html_bytes
    return InputError(origin, f"file is {size / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit: skipped")


def decode(data: bytes, origin: str) -> str:
    """Decode UTF-8 (with or without BOM) or cp1252; refuse binary data and corrupted UTF-8."""
    if b"\x00" in data[:BINARY_SNIFF]:
        raise InputError(origin, "binary file, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        # Valid multibyte sequences next to invalid bytes mean damaged UTF-8, not a legacy encoding:
        # decoding it as cp1252 would silently turn every accent into mojibake.
        if UTF8_MULTIBYTE.search(data):
            line = data.count(b"\n", 0, err.start) + 1
            raise InputError(origin, f"invalid UTF-8 at byte {err.start}", line=line) from err
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_records(text: str, origin: str) -> Iterator[RawArticle | InputError]:
    """Articles from JSON (one record or a list) or JSON Lines, one error per broken line or record."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            records = guards.load_json(text, origin)
        except InputError as err:
            yield err
            return
        if not isinstance(records, list):
            yield InputError(origin, "a JSON file starting with '[' must hold one list of records")
            return
        if not records:
            yield InputError(origin, "an empty list of records")
        for number, record in enumerate(records, start=1):
            yield _record(record, origin, number, f"{origin}#{number}")
        return
    lines = text.splitlines()
    single = len([line for line in lines if line.strip()]) == 1
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = guards.load_json(line, origin, line=number)
        except InputError as err:
            if number == 1 and stripped.startswith("{") and not single:
                # A pretty-printed single JSON object spans many lines.
                try:
                    yield _record(guards.load_json(text, origin), origin, None, origin)
                    return
                except InputError:
                    pass
            yield err
            continue
        yield _record(record, origin, None if single else number, origin if single else f"{origin}:{number}")


def _record(record: Any, origin: str, line: int | None, where: str) -> RawArticle | InputError:
    """The article of one JSON record, or an InputError naming the file and line of the first bad field."""
    if not isinstance(record, dict):
        return InputError(origin, "record is not a JSON object", line=line)
    try:
        return _checked_record(record, origin, line, where)
    except InputError as err:
        return err


def _checked_record(record: dict[str, Any], origin: str, line: int | None, where: str) -> RawArticle | InputError:
    for key in ("html", "text"):
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            return InputError(origin, f"field '{key}' must be a string", line=line)
        if isinstance(value, str):
            guards.check_string(value, key, origin, line, limit=guards.MAX_RAW_CHARS)
    body, fmt = record.get("html"), "html"
    if not isinstance(body, str) or not body.strip():
        body, fmt = record.get("text"), "text"
    if not isinstance(body, str) or not body.strip():
        return InputError(origin, "record has no non-empty 'text' or 'html' field", line=line)
    optional: dict[str, str | None] = {}
    for key in ("url", "title", "published", "outlet"):
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            return InputError(origin, f"field '{key}' must be a string", line=line)
        if isinstance(value, str):
            guards.check_string(value, key, origin, line, limit=guards.MAX_FIELD_CHARS[key])
        optional[key] = value.strip() if isinstance(value, str) and value.strip() else None
    return RawArticle(
        source=optional["url"] or where,
        content=body,
        format="html" if fmt == "html" else "text",
        origin=where,
        title=optional["title"],
        published=optional["published"],
        outlet=optional["outlet"],
    )
