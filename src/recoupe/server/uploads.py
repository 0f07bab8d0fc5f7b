"""Articles sent to the server: JSON bodies and uploaded files, turned into raw articles for the pipeline."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import HTTPException, UploadFile
from pydantic import BaseModel, Field, field_validator, model_validator

from recoupe.errors import InputError
from recoupe.ingest import files
from recoupe.pipeline import RunReport
from recoupe.records import RawArticle
from recoupe.server.state import AppState

MAX_ARTICLES_PER_REQUEST = 1000
UPLOAD_SUFFIXES = {".txt", ".html", ".htm", ".json", ".jsonl"}


class ArticleIn(BaseModel):
    """One article to ingest: its text or its HTML, with what is known about it."""

    text: str | None = Field(None, max_length=20_000_000)
    html: str | None = Field(None, max_length=20_000_000)
    url: str | None = None
    title: str | None = None
    published: str | None = None
    outlet: str | None = None

    @field_validator("text", "html", "url", "title", "published", "outlet")
    @classmethod
    def _encodable(cls, value: str | None) -> str | None:
        # JSON may escape a lone surrogate ("\\ud800"): no text with one can be stored, printed or answered.
        if value is not None:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as err:
                raise ValueError(f"contains a lone surrogate at character {err.start}: not Unicode text") from err
        return value

    @model_validator(mode="after")
    def _has_body(self) -> ArticleIn:
        if not (self.text or "").strip() and not (self.html or "").strip():
            raise ValueError("an article needs a non-empty 'text' or 'html'")
        return self


class IngestIn(BaseModel):
    """A batch of articles to ingest."""

    articles: list[ArticleIn] = Field(min_length=1, max_length=MAX_ARTICLES_PER_REQUEST)


def report_json(report: RunReport) -> dict[str, Any]:
    """What an ingest did, as JSON-ready data."""
    return {
        "stored": report.stored,
        "skipped": report.skipped,
        "failed": [{"origin": e.origin, "line": e.line, "message": e.message} for e in report.failed],
    }


def raw_article(article: ArticleIn, number: int) -> RawArticle:
    """The raw article of the `number`th article of a JSON body."""
    html = (article.html or "").strip()
    origin = article.url or f"request#{number}"
    return RawArticle(
        source=origin,
        content=(article.html if html else article.text) or "",
        format="html" if html else "text",
        origin=origin,
        title=article.title,
        published=article.published,
        outlet=article.outlet,
    )


def ingest_uploads(state: AppState, uploads: list[UploadFile]) -> RunReport:
    """Run uploaded files through the pipeline; a file of an unknown kind is refused (422) before any is read."""
    for upload in uploads:
        if Path(upload.filename or "").suffix.lower() not in UPLOAD_SUFFIXES:
            raise HTTPException(422, f"{upload.filename!r}: expected .txt, .html, .json or .jsonl")
    inputs: list[RawArticle | InputError] = []
    with tempfile.TemporaryDirectory(prefix="recoupe-upload-") as tmp:
        for number, upload in enumerate(uploads, start=1):
            # Only the suffix of the client's name is used (it picks the reader), never its path.
            path = Path(tmp) / f"upload-{number}{Path(upload.filename or '').suffix.lower()}"
            path.write_bytes(upload.file.read())
            for item in files.read_path(path, state.config):
                inputs.append(_named(item, path.name, upload.filename or path.name))
        return state.ingest(inputs)


def _named(item: RawArticle | InputError, temp_name: str, filename: str) -> RawArticle | InputError:
    """Name an upload's articles and errors after the uploaded file, not the temporary copy."""
    if isinstance(item, InputError):
        return InputError(item.origin.replace(temp_name, filename).rsplit("/", 1)[-1], item.message, item.line)
    if item.source.startswith(("http://", "https://")):
        return item
    where = item.origin.rsplit("/", 1)[-1].replace(temp_name, filename)
    return RawArticle(
        source=where,
        content=item.content,
        format=item.format,
        origin=where,
        title=item.title,
        published=item.published,
        outlet=item.outlet,
        fetched_at=item.fetched_at,
    )
