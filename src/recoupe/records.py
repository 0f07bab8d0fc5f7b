"""Typed records that flow between the stages, each with `to_dict`/`from_dict`."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from functools import cached_property
from typing import Any, Literal, TypeVar

T = TypeVar("T")

InputFormat = Literal["text", "html"]
QuoteKind = Literal["direct", "indirect", "mixed"]
EntityType = Literal["PER", "ORG", "LOC", "MISC"]


def stable_id(prefix: str, *parts: str) -> str:
    """A short id derived only from its parts, so it is the same on every run."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"{prefix}_{digest[:16]}"


def _from_dict(cls: type[T], data: dict[str, Any]) -> T:
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class RawArticle:
    """One article as an ingester found it, before any cleaning."""

    source: str  # URL when known, else the path as given
    content: str  # decoded text: HTML markup or plain text
    format: InputFormat
    origin: str  # where to point an error message: "path", "path:line" or a URL
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    fetched_at: str | None = None

    @cached_property  # asked for several times of each input, and a page can be megabytes long
    def content_hash(self) -> str:
        """Hash of the raw input; re-ingesting the same input is recognised by it."""
        return hashlib.sha256(self.content.encode("utf-8")).hexdigest()

    @property
    def article_id(self) -> str:
        """The id its article gets: from the raw input alone, so the same input always gets the same id."""
        return stable_id("art", self.content_hash)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RawArticle:
        return _from_dict(cls, data)


@dataclass(frozen=True)
class Skipped:
    """An input passed over on purpose (already stored, listed twice, not modified), with the reason."""

    origin: str
    reason: str


@dataclass(frozen=True)
class Fetch:
    """One URL fetched from the web: when, with what outcome, and the validators for a conditional request."""

    url: str  # as requested
    fetched_at: str  # ISO 8601, UTC
    final_url: str | None = None  # after redirects
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    article: str | None = None  # the article stored from it, if any
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fetch:
        return _from_dict(cls, data)


@dataclass(frozen=True)
class ForeignFragment:
    """A stretch of the cleaned text in another language than the article's."""

    start: int
    end: int
    language: str
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ForeignFragment:
        return _from_dict(cls, data)


@dataclass
class Article:
    """A cleaned article: `text` is what every offset points into."""

    id: str
    source: str
    text: str
    content_hash: str
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    published_inferred: bool = False
    language: str = "fr"
    removed: list[str] = field(default_factory=list)
    foreign_fragments: list[ForeignFragment] = field(default_factory=list)
    fetched_at: str | None = None
    duplicate_of: str | None = None
    story: str | None = None
    event: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["foreign_fragments"] = [f.to_dict() for f in self.foreign_fragments]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        article = _from_dict(cls, data)
        article.foreign_fragments = [
            f if isinstance(f, ForeignFragment) else ForeignFragment.from_dict(f) for f in article.foreign_fragments
        ]
        return article


@dataclass(frozen=True)
class Mention:
    """One place in an article's text where an entity is named."""

    article: str
    start: int
    end: int
    text: str
    entity: str  # Entity.id

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mention:
        return _from_dict(cls, data)


@dataclass
class Entity:
    """A person, organisation, place or other named thing, with every surface form seen."""

    id: str
    name: str
    type: EntityType
    variants: list[str] = field(default_factory=list)
    wikidata: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        return _from_dict(cls, data)


@dataclass(frozen=True)
class Quote:
    """A direct, indirect or mixed quotation with its speaker and exact span."""

    id: str
    article: str
    text: str  # the quoted words, without quotation marks: text == article.text[start:end]
    start: int
    end: int
    kind: QuoteKind
    speaker: str | None  # Entity.id, None when the text does not say
    speaker_mention: str | None
    cue: str | None = None
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Quote:
        return _from_dict(cls, data)


@dataclass
class Event:
    """A distinct dated happening within a story."""

    id: str
    story: str
    date: str | None
    title: str
    articles: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        return _from_dict(cls, data)


@dataclass
class Story:
    """A group of articles about one subject, split into events."""

    id: str
    title: str
    events: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Story:
        return _from_dict(cls, data)


@dataclass
class Analysis:
    """What the reading stages found in one article."""

    article: Article
    entities: list[Entity] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    lemmas: list[str] = field(default_factory=list)  # content lemmas, for clustering
    event_dates: list[str] = field(default_factory=list)  # ISO dates mentioned in the text
