"""The shapes of the API's answers, so that the OpenAPI describes every one of them.

Each model names the fields a client may rely on; `extra="allow"` keeps any further field the views add, so a
model documents an answer without cutting it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Shape(BaseModel):
    """An answer's documented fields; others pass through."""

    model_config = ConfigDict(extra="allow")


class Problem(Shape):
    """One thing wrong with a request."""

    field: str
    message: str
    type: str


class ErrorBody(Shape):
    """What went wrong."""

    status: int
    message: str
    details: list[Problem] | None = None


class ErrorOut(Shape):
    """Every error answer of the API."""

    error: ErrorBody


class Paged(Shape):
    """A page of a longer list."""

    total: int
    limit: int
    offset: int


class TimelineEvent(Shape):
    """An event on a story's timeline: `articles` counts them, as `article_count` does in the story list."""

    id: str | None
    story: str | None = None
    date: str | None
    title: str | None
    articles: int
    article_count: int


class StorySummary(Shape):
    """A story in the story list: `articles` and `events` count them, as `article_count` and `event_count` (the
    names a story's details use) do too; `outlet_count` outlets; the languages of its articles."""

    id: str
    title: str | None
    articles: int
    events: int
    first_date: str | None
    last_date: str | None
    timeline: list[TimelineEvent]
    article_count: int
    event_count: int
    outlet_count: int
    languages: list[str]


class StoriesOut(Paged):
    """Stories, latest first."""

    stories: list[StorySummary]


class QuoteOut(Shape):
    """A quote: its words, where they are in the article, who said them."""

    id: str
    article: str
    text: str
    start: int
    end: int
    kind: str
    speaker: str | None
    speaker_mention: str | None = None
    cue: str | None = None
    confidence: float | None = None


class ArticleHeader(Shape):
    """An article's id, title, outlet, dates and placement."""

    id: str
    source: str | None
    title: str | None
    outlet: str | None
    published: str | None
    published_inferred: bool
    duplicate_of: str | None
    story: str | None
    event: str | None


class StoryArticle(ArticleHeader):
    """An article of a story, with the quotes found in it."""

    quotes: list[QuoteOut]


class StoryEvent(Shape):
    """An event of a story with its articles (an event with no id holds the articles placed in none)."""

    id: str | None
    date: str | None
    title: str | None
    articles: list[StoryArticle]


class StoryOut(Shape):
    """A story: its events with their articles and quotes."""

    id: str
    title: str | None
    events: list[StoryEvent]
    outlets: list[str]
    article_count: int
    quote_count: int


class EventOut(Shape):
    """An event with its articles."""

    id: str
    story: str | None
    date: str | None
    title: str | None
    articles: list[ArticleHeader]


class MentionOut(Shape):
    """A mention of an entity in an article."""

    article: str
    start: int
    end: int
    text: str
    entity: str


class EntityOut(Shape):
    """A person, organisation or place."""

    id: str
    name: str
    type: str


class ArticleOut(Shape):
    """An article with its quotes, mentions and the entities they name."""

    id: str
    text: str
    title: str | None
    outlet: str | None
    published: str | None
    published_inferred: bool
    language: str | None
    story: str | None
    event: str | None
    quotes: list[QuoteOut]
    mentions: list[MentionOut]
    entities: list[EntityOut]


class ListedQuote(QuoteOut):
    """A quote with its speaker's name and its article's outlet, date, language, story and title."""

    speaker_name: str | None
    outlet: str | None
    published: str | None
    language: str | None
    story: str | None
    article_title: str | None


class QuotesOut(Paged):
    """Quotes of an article, a speaker, a story or an outlet."""

    quotes: list[ListedQuote]


class SpeakerCount(Shape):
    """A speaker and how many quotes they have."""

    id: str
    name: str
    quotes: int


class SpeakersOut(Paged):
    """The speakers quoted most."""

    speakers: list[SpeakerCount]


class Statement(QuoteOut):
    """A quote with the outlet, date and title of its article."""

    outlet: str | None
    published: str | None
    article_title: str | None


class EntityStatementsOut(EntityOut, Paged):
    """An entity with a page of its statements."""

    statement_count: int
    outlets: list[str]
    statements: list[Statement]


class Hit(Shape):
    """Where a searched word is in an excerpt: characters `start` to `end`."""

    start: int
    end: int


class SearchHit(Shape):
    """An article matching a search: `excerpt` is a passage as plain text with its `hits`; `snippet` is the same
    passage with each hit between [[ and ]]."""

    id: str
    title: str | None
    outlet: str | None
    published: str | None
    story: str | None
    snippet: str | None
    excerpt: str | None
    hits: list[Hit]


class SearchOut(Paged):
    """Articles matching a search; `total` counts them over every page."""

    query: str
    results: list[SearchHit]


class BriefOut(Shape):
    """A story brief: timeline, statements, figures, differences, coverage, near-copies (recoupe.brief.build owns
    its parts; they are documented here as present, their inner shape left to it)."""

    story: str | None = None
    title: str | None = None
    articles: Any = None
    outlets: Any = None
    first_date: str | None = None
    last_date: str | None = None
    timeline: list[Any] = []
    statements: list[Any] = []
    figures: Any = None
    differences: Any = None
    coverage: Any = None
    copies: Any = None


class FactClaimOut(Shape):
    """One claim of a fact: the article, the span of its words (`text == article.text[start:end]`), its outlet and
    the source it rests on."""

    claim: str
    article: str
    start: int
    end: int
    text: str
    outlet: str
    source: str
    speaker: str | None = None
    copy_of: str | None = None


class SourceOut(Shape):
    """Reports of a fact that count as one source, and why: they rest on one agency, one outlet, one report in
    another language, or copy one article."""

    source: str
    relayed: bool
    outlets: list[str]
    articles: list[str]
    copies: list[str]


class WordingOut(Shape):
    """One wording of a fact (two translations of a quote are two) and the outlets that use it."""

    text: str
    outlets: list[str]


class VariantOut(Shape):
    """One value the claims of a fact give, the outlets giving it; a speaker's name beside their id."""

    value: str
    outlets: list[str]
    name: str | None = None


class DifferenceOut(Shape):
    """Where the claims of one fact disagree: what was compared and each value given."""

    kind: Literal["figure", "date", "attribution", "stance"]
    about: str
    variants: list[VariantOut]


class FactOut(Shape):
    """A fact: what the claims of several articles state alike, its status, how many independent sources it
    rests on and which reports count as one (`chain` says it in a line, `sources` lists them)."""

    id: str
    story: str
    event: str | None
    statement: str
    status: Literal["confirmed", "single_source", "contested"]
    independent_sources: int
    outlets: list[str]
    chain: str
    sources: list[SourceOut]
    wordings: list[WordingOut]
    claims: list[FactClaimOut]
    differences: list[DifferenceOut]


class StatusCounts(Shape):
    """How many facts have each status."""

    confirmed: int
    single_source: int
    contested: int


class FactsOut(Paged):
    """A page of a story's facts in the order the cross-check found them; `counts` are over every fact the
    filters other than `status` keep."""

    story: str
    counts: StatusCounts
    facts: list[FactOut]


class FailedInput(Shape):
    """An input that could not be stored, named."""

    origin: str
    line: int | None
    message: str


class IngestReport(Shape):
    """What an ingest did: the ids stored, the inputs skipped as already stored, the inputs that failed."""

    stored: list[str]
    skipped: list[str]
    failed: list[FailedInput]


# The errors every API route may answer, in the OpenAPI.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "A host this server does not serve"},
    401: {"model": ErrorOut, "description": "A token is needed"},
    404: {"model": ErrorOut, "description": "The id names nothing"},
    413: {"model": ErrorOut, "description": "The body is too large"},
    422: {"model": ErrorOut, "description": "Invalid request, each problem naming its field"},
}
