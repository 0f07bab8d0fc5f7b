"""Inputs of a batch: paths listed through Hadoop's file systems, files read into raw articles in the executors.

Any path Spark's Hadoop readers take works: a local folder or glob, `file:///...`, `hdfs://...`, `s3a://...`
(with hadoop-aws on the class path). Folders are read recursively, in the sorted order of `recoupe ingest`
(ingest/files.py), so a batch numbers its articles in the order a single machine would ingest them. Files are
read as the single-machine ingesters read them: .txt and .html, .json and .jsonl records (ingest/files.py's
decoding and record parsing), and WARC or WARC.gz archives, read here with fastwarc.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from fastwarc.warc import ArchiveIterator, HeaderMap, WarcRecord, WarcRecordType

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest import files, warc
from recoupe.ingest.charset import decode_body
from recoupe.ingest.fetch import HTML_TYPES
from recoupe.records import RawArticle

# An input's number is its file's rank times this, plus the record's rank in the file: the order of a
# single-machine ingest, without a sort of the inputs themselves.
RECORDS_PER_FILE = 1 << 24
LOCAL_PREFIX = "file:"

Item = tuple[int, RawArticle | InputError]


@dataclass(frozen=True)
class Listing:
    """The files of a batch, in ingest order, and the targets that name no file."""

    files: list[str]  # Hadoop URIs ("file:/data/a.html", "s3a://bucket/cc-news/x.warc.gz")
    missing: list[InputError]
    passed_over: list[str] = field(default_factory=list)  # files of a folder that hold no articles by their name

    def rank(self) -> dict[str, int]:
        """Each file's rank: its inputs are numbered from rank * RECORDS_PER_FILE."""
        return {uri: number for number, uri in enumerate(self.files)}


def list_inputs(spark: Any, targets: Sequence[str]) -> Listing:
    """The files under the targets (globs expanded, folders recursively, hidden files skipped), in ingest order;
    as ingest does, a folder's files that hold no articles by their name (README.md, images) are passed over.

    Only file names come to the driver, through the JVM's Hadoop FileSystem: never their content.
    """
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    found: list[str] = []
    missing: list[InputError] = []
    passed_over: list[str] = []
    for target in targets:
        path = jvm.org.apache.hadoop.fs.Path(target)
        system = path.getFileSystem(conf)
        statuses = system.globStatus(path)
        if not statuses:
            missing.append(InputError(target, "no such file or folder"))
            continue
        for status in sorted(statuses, key=lambda s: _parts(s.getPath().toString())):
            root = status.getPath().toString()
            if not status.isDirectory():
                found.append(root)
                continue
            listed = system.listFiles(status.getPath(), True)
            below: list[str] = []
            while listed.hasNext():
                uri = listed.next().getPath().toString()
                relative = uri[len(root) :].strip("/")
                if any(part.startswith(".") for part in relative.split("/")):
                    continue
                if files.is_article_file(PurePosixPath(relative)):
                    below.append(uri)
                else:
                    passed_over.append(uri)
            found.extend(sorted(below, key=_parts))
    return Listing(list(dict.fromkeys(found)), missing, sorted(passed_over, key=_parts))


def _parts(uri: str) -> tuple[str, ...]:
    """The sort key of ingest/files.walk (pathlib compares paths part by part)."""
    return tuple(uri.split("/"))


def origin_of(uri: str) -> str:
    """How an input is named in errors and as an article's source: a local file by its path, as ingest does."""
    if uri.startswith(LOCAL_PREFIX):
        return "/" + uri[len(LOCAL_PREFIX) :].lstrip("/")
    return uri


def read_file(uri: str, data: bytes, first: int, config: Config) -> Iterator[Item]:
    """The numbered raw articles of one file's bytes, or errors naming the file (and line or record)."""
    origin = origin_of(uri)
    numbered = (first + n for n in range(RECORDS_PER_FILE))
    for item in _items(origin, data, config):
        yield next(numbered), item


def _items(origin: str, data: bytes, config: Config) -> Iterator[RawArticle | InputError]:
    name = PurePosixPath(origin).name
    if warc.is_warc(PurePosixPath(name)):
        yield from read_warc(origin, data, config)
        return
    yield from files.read_bytes(data, origin, PurePosixPath(name).suffix, config)


class _Headers:
    """fastwarc's HTTP headers under the name warcio's have, for ingest/warc.py's decoding of a body."""

    def __init__(self, headers: HeaderMap) -> None:
        self.headers = headers

    def get_header(self, name: str) -> str | None:
        """The header's value, or None."""
        return self.headers.get(name)


def read_warc(origin: str, data: bytes, config: Config) -> Iterator[RawArticle | InputError]:
    """The HTML pages served with status 200 in one WARC archive's bytes (gzipped or not), read by fastwarc.

    As in ingest/warc.py, a record shorter than its declared length, or a compressed stream that breaks,
    ends the archive with one error naming the file and the record; the pages before it are kept.
    """
    if not data:
        yield InputError(origin, "empty file")
        return
    done = 0
    try:
        for record in ArchiveIterator(io.BytesIO(data), parse_http=False):
            block = record.reader.read()
            declared = int(record.headers.get("Content-Length") or -1)
            if declared < 0 or len(block) < declared:
                raise _Cut(f"record {done + 1} at byte {record.stream_pos} ends after {len(block)} of its bytes")
            done += 1
            page = _page(record, block, f"{origin}@{record.stream_pos}", config)
            if page is not None:
                yield page
    except _Cut as err:
        yield InputError(origin, f"truncated or corrupt WARC: {err}; records read before it: {done}")
    except (OSError, ValueError) as err:  # fastwarc's decompression and parsing errors
        detail = " ".join(str(err).split())
        yield InputError(origin, f"truncated or corrupt WARC: after record {done}: {detail}; records read: {done}")


class _Cut(Exception):
    """A record ends before its declared length."""


def _page(record: WarcRecord, block: bytes, origin: str, config: Config) -> RawArticle | InputError | None:
    """The page of a response (status 200) or resource record holding HTML; None for any other record."""
    headers: HeaderMap | None = None
    body = block
    if record.record_type == WarcRecordType.response:
        headers = HeaderMap()
        try:
            consumed = headers.parse(io.BytesIO(block), True)
        except (OSError, ValueError):
            return None
        if headers.status_code != 200:
            return None
        content_type = headers.get("Content-Type")
        body = block[consumed:]
    elif record.record_type == WarcRecordType.resource:
        content_type = record.headers.get("Content-Type")
    else:
        return None
    if warc.media_type(content_type) not in HTML_TYPES:
        return None
    limit = config.max_html_bytes
    if len(body) > limit:
        return InputError(
            origin, f"HTML body is {len(body) / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit: skipped"
        )
    if headers is not None:
        try:
            body = warc.unwrap(body, _Headers(headers), limit)
        except warc.Unreadable as err:
            return InputError(origin, str(err))
    text = decode_body(body, content_type)
    if not text.strip():
        return InputError(origin, "empty HTML body")
    date = warc.iso_date(record.headers.get("WARC-Date"))
    uri = record.headers.get("WARC-Target-URI")
    return RawArticle(source=uri or origin, content=text, format="html", origin=origin, published=date, fetched_at=date)
