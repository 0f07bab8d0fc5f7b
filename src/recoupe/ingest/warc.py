"""Articles from WARC archives, gzipped or not (such as Common Crawl's CC-NEWS): the HTML pages served with status 200.

Read with warcio, already a dependency. fastwarc installs from PyPI and reads about five times faster (43,000
against 8,000 records/s on bench/warc.py's archive), but reading is not what limits an ingest: the pipeline
behind it takes well under 100 articles/s, so a second WARC library would not be worth its weight.

warcio is lenient with damaged input: a truncated gzip member or record simply ends early. So every record's
payload is counted against its declared length, and the bytes after the last record must be blank; a damaged
archive yields one error naming the file and the record after the articles read before it.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any, BinaryIO, Protocol

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from recoupe import guards
from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest.charset import decode_body
from recoupe.ingest.fetch import HTML_TYPES
from recoupe.records import RawArticle

WARC_SUFFIXES = (".warc", ".warc.gz")
BLOCK = 1 << 16
# How warcio reports damaged input; a record without WARC-Target-URI even surfaces as an AttributeError.
DAMAGE = (ArchiveLoadFailed, StatusAndHeadersParserException, zlib.error, EOFError, ValueError, AttributeError)


class _Damaged(Exception):
    """The archive ends or breaks inside a record."""


class HttpHeaders(Protocol):
    """The HTTP headers of a response as `unwrap` reads them: warcio's, or fastwarc's behind an adapter."""

    def get_header(self, name: str) -> str | None:
        """The header's value, or None."""
        ...


class Unreadable(Exception):
    """A page whose body cannot be decoded (an unsupported or corrupt content coding, a body over the limit)."""


def is_warc(path: PurePath) -> bool:
    """Whether the file's name says it is a WARC archive (.warc or .warc.gz, any case)."""
    return path.name.lower().endswith(WARC_SUFFIXES)


def read_warc(path: Path, config: Config) -> Iterator[RawArticle | InputError]:
    """The HTML pages served with status 200 in one WARC archive, or errors naming the file and record."""
    origin = guards.path_name(path)
    try:
        stream = path.open("rb")
        empty = path.stat().st_size == 0
    except OSError as err:
        yield InputError(origin, f"cannot read: {err.strerror or err}")
        return
    with stream:
        if empty:
            yield InputError(origin, "empty file")
            return
        records = ArchiveIterator(stream)
        done, end = 0, 0  # records read whole, and the byte where the last of them ends
        try:
            for record in records:
                if record.format != "warc" or record.rec_type is None or record.length is None:
                    # warcio would also read ARC records, and take stray text for them.
                    raise _Damaged(f"record {done + 1} after byte {end} has no WARC version, type or length")
                page = _is_page(record)
                body, size = _read_payload(record.raw_stream, keep=page, limit=config.max_html_bytes)
                offset = int(records.get_record_offset())
                end = offset + int(records.get_record_length())
                expected = record.payload_length if record.payload_length >= 0 else record.length
                if size < expected:
                    raise _Damaged(f"record {done + 1} at byte {offset} ends after {size} of its {expected} bytes")
                done += 1
                if page:
                    yield _article(record, body, size, f"{path}@{offset}", config)
            if _trailing(stream, end):
                raise _Damaged(f"the bytes after record {done} (byte {end}) are not a whole record")
        except (_Damaged, *DAMAGE) as err:
            detail = " ".join(str(err).split())  # warcio's messages span lines
            reason = detail if isinstance(err, _Damaged) else f"after record {done} (byte {end}): {detail}"
            yield InputError(origin, f"truncated or corrupt WARC: {reason}; records read before it: {done}")
        except OSError as err:
            yield InputError(origin, f"cannot read after record {done} (byte {end}): {err.strerror or err}")


def _is_page(record: Any) -> bool:
    """Whether a record holds an HTML page that was served whole."""
    if record.rec_type == "response":
        headers = record.http_headers
        if headers is None or headers.get_statuscode() != "200":
            return False
        content_type = headers.get_header("Content-Type")
    elif record.rec_type == "resource":
        # A resource record stores a document captured without protocol headers (a browser crawler's page,
        # an FTP or file capture): no status to check, and crawlers write one only for what they retrieved.
        # Its own Content-Type says whether it is HTML; screenshots, logs and page lists are not.
        content_type = record.content_type
    else:  # request, metadata, warcinfo, revisit (the page is in the response it refers to), conversion
        return False
    return media_type(content_type) in HTML_TYPES


def media_type(content_type: str | None) -> str:
    """'text/html' from 'Text/HTML; charset=utf-8'; empty when there is none."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _read_payload(stream: Any, keep: bool, limit: int) -> tuple[bytes | None, int]:
    """Read a record's payload to its end: (the bytes if kept and within the limit, the byte count)."""
    chunks: list[bytes] = []
    size = 0
    while block := stream.read(BLOCK):
        size += len(block)
        if keep and size <= limit:
            chunks.append(block)
    return (b"".join(chunks) if keep and size <= limit else None), size


def _trailing(stream: BinaryIO, end: int) -> bool:
    """Whether anything but blank lines follows the last whole record (a gzip member cut short, say)."""
    stream.seek(end)
    return bool(stream.read(BLOCK).strip())


def _article(record: Any, body: bytes | None, size: int, origin: str, config: Config) -> RawArticle | InputError:
    limit = config.max_html_bytes
    if body is None:
        return InputError(origin, f"HTML body is {size / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit: skipped")
    headers = record.http_headers
    if headers is not None:
        try:
            body = unwrap(body, headers, limit)
        except Unreadable as err:
            return InputError(origin, str(err))
        content_type = headers.get_header("Content-Type")
    else:
        content_type = record.content_type
    text = decode_body(body, content_type)
    if not text.strip():
        return InputError(origin, "empty HTML body")
    date = iso_date(record.rec_headers.get_header("WARC-Date"))
    uri = record.rec_headers.get_header("WARC-Target-URI")
    return RawArticle(
        source=str(uri) if uri else origin,
        content=text,
        format="html",
        origin=origin,
        published=date,  # the capture date: for a news crawl such as CC-NEWS, within hours of publication
        fetched_at=date,
    )


def unwrap(body: bytes, headers: HttpHeaders, limit: int) -> bytes:
    """Undo the chunked transfer coding and a gzip or deflate content coding, as a browser would; Unreadable
    when the coding is unsupported or corrupt, or the page is over `limit` bytes once decompressed."""
    if "chunked" in str(headers.get_header("Transfer-Encoding") or "").lower():
        body = ChunkedDataReader(io.BytesIO(body)).read()  # falls back to the bytes as they are if not chunked
    coding = str(headers.get_header("Content-Encoding") or "identity").strip().lower()
    if coding in ("", "identity"):
        return body
    if coding not in ("gzip", "x-gzip", "deflate"):
        raise Unreadable(f"content coding '{coding}' is not supported: skipped")
    # gzip, or deflate with the zlib header, or (as some servers send it) raw deflate.
    for wbits in (zlib.MAX_WBITS | 32, -zlib.MAX_WBITS):
        try:
            page = zlib.decompressobj(wbits).decompress(body, limit + 1)
        except zlib.error:
            continue
        if len(page) > limit:
            raise Unreadable(f"HTML body is over the {limit / 1e6:.0f} MB limit once decompressed: skipped")
        return page
    if body[:2] == b"\x1f\x8b":
        raise Unreadable(f"corrupt {coding} body")
    return body  # some crawlers store the decoded page but keep the header


def iso_date(value: str | None) -> str | None:
    """A WARC-Date as written when it is ISO 8601 (as the WARC standard requires), else None."""
    if not value:
        return None
    try:
        datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return value.strip()
