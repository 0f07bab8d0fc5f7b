"""What the pages and the JSON API show, read from the store as plain dicts; one function per view."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from markupsafe import Markup, escape

from recoupe.brief.build import build_brief
from recoupe.config import Config
from recoupe.facts.outlets import UNKNOWN_OUTLET, outlet_name
from recoupe.facts.records import STATUSES, Fact
from recoupe.records import Article
from recoupe.server import highlight
from recoupe.store import Store, queries

SNIPPET_OPEN, SNIPPET_CLOSE = "\ue000", "\ue001"  # the hit markers store.search_articles puts in snippets


class NotFound(LookupError):
    """The id names nothing in the store."""

    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"no {kind} with id {ident!r}")
        self.kind = kind
        self.ident = ident


def stories(store: Store, limit: int, offset: int) -> dict[str, Any]:
    """A page of stories, latest first, each with its timeline of events."""
    summaries = store.story_summaries(limit, offset)
    timelines = store.timelines([s["id"] for s in summaries])
    for summary in summaries:
        summary["timeline"] = timelines[summary["id"]]
    return {"total": store.count_stories(), "limit": limit, "offset": offset, "stories": summaries}


def story_list(store: Store, filters: StoryFilters, limit: int, offset: int) -> dict[str, Any]:
    """A page of the story list: the stories the filters keep in their order, each with its timeline and the
    entities it mentions most."""
    total, summaries = queries.filtered_story_summaries(
        store,
        date_from=filters.date_from,
        date_to=filters.date_to,
        outlet=filters.outlet,
        language=filters.language,
        min_articles=filters.min_articles,
        order=filters.order,
        limit=limit,
        offset=offset,
    )
    ids = [s["id"] for s in summaries]
    timelines = store.timelines(ids)
    entities = queries.story_entities(store, ids)
    for summary in summaries:
        summary["timeline"] = timelines[summary["id"]]
        summary["entities"] = entities[summary["id"]]
    return {"total": total, "limit": limit, "offset": offset, "stories": summaries}


@dataclass(frozen=True)
class StoryFilters:
    """What the story list keeps and in what order: an article of this outlet, language and date range (ISO days),
    at least `min_articles` articles, sorted by one of queries.STORY_ORDERS."""

    date_from: str | None = None
    date_to: str | None = None
    outlet: str | None = None
    language: str | None = None
    min_articles: int = 1
    order: str = "latest"

    def __post_init__(self) -> None:
        if self.order not in queries.STORY_ORDERS:
            raise ValueError(f"'sort' must be one of {', '.join(queries.STORY_ORDERS)}")
        if self.min_articles < 1:
            raise ValueError("'size' must be at least 1")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("'from' is after 'to'")

    def query(self) -> dict[str, str]:
        """The filters as the list page's query parameters, those left at their default omitted."""
        params = {
            "from": self.date_from or "",
            "to": self.date_to or "",
            "outlet": self.outlet or "",
            "language": self.language or "",
            "size": str(self.min_articles) if self.min_articles > 1 else "",
            "sort": self.order if self.order != "latest" else "",
        }
        return {k: v for k, v in params.items() if v}


def headers(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Article header rows as the API shows them: `published_inferred` a boolean, as in Article.to_dict."""
    for row in rows:
        row["published_inferred"] = bool(row["published_inferred"])
    return rows


def story(store: Store, story_id: str) -> dict[str, Any]:
    """A story: its events by date, each with its articles and the quotes found in them; articles placed in no
    known event come last, in an event with no id, date or title."""
    found = store.story(story_id)
    if found is None:
        raise NotFound("story", story_id)
    articles = headers(store.article_headers(story=story_id))
    quotes = store.story_quotes(story_id)
    by_article: dict[str, list[dict[str, Any]]] = {}
    for quote in quotes:
        by_article.setdefault(quote["article"], []).append(quote)
    events = store.timelines([story_id])[story_id]
    placed: dict[str | None, list[dict[str, Any]]] = {}
    for article in articles:
        article["quotes"] = by_article.get(article["id"], [])
        placed.setdefault(article["event"], []).append(article)
    for order, event in enumerate(events, start=1):
        event["articles"] = placed.pop(event["id"], [])
        event["order"] = order
        texts = []
        for header in event["articles"]:
            found_article = store.article(header["id"])
            if found_article is not None:
                texts.append(found_article.text)
                header["language"] = found_article.language
        event["label"] = event_label(texts) or event["title"]
    # Articles whose event is unknown (or was merged away) still belong to the story.
    unplaced = [a for rest in placed.values() for a in rest]
    if unplaced:
        events.append({"id": None, "story": story_id, "date": None, "title": None, "articles": unplaced})
    outlets = sorted({a["outlet"] for a in articles if a["outlet"]})
    return {
        "id": found.id,
        "title": found.title,
        "events": events,
        "outlets": outlets,
        "article_count": len(articles),
        "quote_count": len(quotes),
    }


MAX_LABEL_WORDS = 28  # an event label is one sentence a reader takes in at a glance
MIN_LEAD_WORDS = 5  # shorter opening sentences are datelines, bylines or headings, not what happened
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"“A-ZÀ-Ý])")
# Furniture before the lead: a dateline (PLACE, date, agency, dash), a line that is only a date or a byline.
DATELINE = re.compile(
    r"^\s*(?:[A-ZÀ-Ý][\w'’ -]{0,40},\s*)?(?:\(?[A-Z]{2,10}\)?\s*)?"
    r"(?:\d{1,2}(?:er)?\s+\w+\s+\d{4}|\w+\s+\d{1,2},\s+\d{4}|\d{4}-\d{2}-\d{2})?\s*(?:\([^()\n]{1,40}\))?\s*[-–—]\s+"
)
WORD = re.compile(r"\w{3,}")


def lead_sentence(text: str) -> str | None:
    """The first sentence of an article that says something: datelines, date lines and short headings skipped."""
    for paragraph in text.split("\n"):
        paragraph = DATELINE.sub("", paragraph.strip(), count=1)
        for sentence in SENTENCE_END.split(paragraph):
            if len(sentence.split()) >= MIN_LEAD_WORDS:
                return sentence.strip()
    return None


def shorten(sentence: str, max_words: int = MAX_LABEL_WORDS) -> str:
    """A sentence cut to max_words at a word boundary, with an ellipsis when cut: never mid-word."""
    words = sentence.split()
    if len(words) <= max_words:
        return sentence
    return " ".join(words[:max_words]).rstrip(",;:") + " …"


def event_label(texts: Sequence[str]) -> str | None:
    """What happened, in one sentence: the lead sentence of the event's articles sharing most words with the
    others' leads (the most representative), shortened at a word boundary."""
    leads = [lead for text in texts if (lead := lead_sentence(text))]
    if not leads:
        return None
    words = [Counter(w.lower() for w in WORD.findall(lead)) for lead in leads]
    totals: Counter[str] = sum(words, Counter())

    def score(index: int) -> float:
        own = words[index]
        shared = sum(min(count, totals[w] - count) for w, count in own.items())
        length: float = (1 + sum(own.values())) ** 0.5
        return shared / length

    best = max(range(len(leads)), key=lambda i: (score(i), -i))
    return shorten(leads[best])


MAX_SINGLE_PER_EVENT = 8  # single-source claims listed under an event; the others are counted


def cross_check(store: Store, story_view: dict[str, Any]) -> None:
    """Give each event of a story view its facts (`facts`): confirmed, then single-source, then contested; facts
    of an event the story no longer has go to its last, unplaced event (made if there is none)."""
    articles = [a for event in story_view["events"] for a in event["articles"]]
    copies = {a["id"] for a in articles if a["duplicate_of"]}
    facts = store.facts(story_view["id"])
    known = {event["id"] for event in story_view["events"] if event["id"]}
    placed: dict[str | None, list[Fact]] = {}
    for fact in facts:
        placed.setdefault(fact.event if fact.event in known else None, []).append(fact)
    # Labels of the outlets of the story: a claim resting on anything else rests on another report.
    outlets = {c.outlet for fact in facts for c in fact.claims}
    speakers = sorted({v.value for f in facts for d in f.differences if d.kind == "attribution" for v in d.variants})
    names = {e.id: e.name for e in store.entities(speakers)} if speakers else {}
    if placed.get(None) and not any(event["id"] is None for event in story_view["events"]):
        story_view["events"].append(
            {"id": None, "story": story_view["id"], "date": None, "title": None, "articles": []}
        )
    for event in story_view["events"]:
        event["facts"] = event_facts(placed.get(event["id"], []), copies, outlets, names)
    story_view["fact_count"] = len(facts)
    # "Where outlets differ": the contested facts, and how many facts were compared (those of several articles).
    story_view["compared"] = sum(1 for f in facts if len({c.article for c in f.claims}) > 1)
    story_view["contested"] = [
        fact_view(f, copies, outlets, names) | {"event": f.event} for f in facts if f.status == "contested"
    ]
    by_id = {a["id"]: a for a in articles}
    story_view["copies"] = [
        {"near_copy": a, "original": by_id.get(a["duplicate_of"])} for a in articles if a["duplicate_of"]
    ]


def event_facts(facts: Sequence[Fact], copies: set[str], outlets: set[str], names: dict[str, str]) -> dict[str, Any]:
    """One event's facts by status, each as the page shows it, with how many single-source ones are not listed."""
    by_status: dict[str, list[dict[str, Any]]] = {status: [] for status in STATUSES}
    more_single = 0
    for fact in facts:
        listed = by_status[fact.status]
        if fact.status == "single_source" and len(listed) >= MAX_SINGLE_PER_EVENT:
            more_single += 1
            continue
        listed.append(fact_view(fact, copies, outlets, names))
    return {**by_status, "count": len(facts), "more_single": more_single}


def fact_view(fact: Fact, copies: set[str], outlets: set[str], names: dict[str, str]) -> dict[str, Any]:
    """A fact for the page: its wordings with the claims (article and span) using each, its chain of sources as
    counts to be worded in the interface language, and its differences (a speaker by name, with their id)."""
    wordings: dict[str, list[dict[str, Any]]] = {}
    for claim in fact.claims:
        wordings.setdefault(claim.text, []).append(
            {"article": claim.article, "outlet": claim.outlet, "start": claim.start, "end": claim.end}
        )
    distinct_outlets = {c.outlet for c in fact.claims}
    relayed = sorted({c.source for c in fact.claims if c.source not in outlets and c.source != UNKNOWN_OUTLET})
    return {
        "id": fact.id,
        "status": fact.status,
        "statement": fact.statement,
        "outlets": list(fact.outlets),
        "wordings": [{"text": text, "claims": claims} for text, claims in wordings.items()],
        "chain": {
            "outlets": len(distinct_outlets),
            "reports": len(fact.claims),
            "copies": sum(1 for c in fact.claims if c.article in copies),
            "relayed": relayed,
            "sources": fact.independent_sources,
        },
        "differences": [
            {
                "kind": d.kind,
                "about": d.about,
                "variants": [
                    {
                        "value": names.get(v.value, v.value) if d.kind == "attribution" else v.value,
                        "speaker": v.value if d.kind == "attribution" else None,
                        "outlets": list(v.outlets),
                    }
                    for v in d.variants
                ],
            }
            for d in fact.differences
        ],
    }


def brief(store: Store, story_id: str, config: Config) -> dict[str, Any]:
    """The story brief (recoupe.brief.build) as JSON-ready data: timeline, statements, figures, differences."""
    return build_brief(store, story_id, config).to_dict()


def event(store: Store, event_id: str) -> dict[str, Any]:
    """An event with its articles."""
    found = store.event(event_id)
    if found is None:
        raise NotFound("event", event_id)
    return {**found.to_dict(), "articles": headers(store.article_headers(ids=found.articles))}


def article(store: Store, article_id: str) -> dict[str, Any]:
    """An article with its quotes, mentions and the entities they name."""
    found = store.article(article_id)
    if found is None:
        raise NotFound("article", article_id)
    quotes = store.quotes(article=article_id)
    mentions = store.mentions(article=article_id)
    entity_ids = {m.entity for m in mentions} | {q.speaker for q in quotes if q.speaker}
    entities = {e.id: e for e in store.entities(sorted(entity_ids))}
    return {
        "article": found,
        "quotes": quotes,
        "mentions": mentions,
        "entities": entities,
        "story": store.story(found.story) if found.story else None,
    }


def article_json(view: dict[str, Any]) -> dict[str, Any]:
    """The article view as JSON-ready data."""
    return {
        **view["article"].to_dict(),
        "quotes": [q.to_dict() for q in view["quotes"]],
        "mentions": [m.to_dict() for m in view["mentions"]],
        "entities": [e.to_dict() for e in view["entities"].values()],
    }


def article_html(
    view: dict[str, Any], entity_href: Callable[[str], str], claim: tuple[int, int] | None = None
) -> list[Markup]:
    """The article's paragraphs, escaped, with quotes and mentions marked, and the claim's span if one is given
    (over the quotes it overlaps: the link came for these words)."""
    text = view["article"].text
    names = {e.id: e.name for e in view["entities"].values()}
    quotes = highlight.quote_spans(view["quotes"], len(text), names)
    if claim is not None and highlight.valid_span(*claim, len(text)):
        start, end = claim
        quotes = [q for q in quotes if q.end <= start or q.start >= end]
        quotes = sorted([*quotes, highlight.claim_span(start, end)], key=lambda s: s.start)
    marked = highlight.highlight(text, quotes, highlight.mention_spans(view["mentions"], len(text), entity_href))
    return highlight.paragraphs(marked)


def entity(store: Store, entity_id: str, limit: int, offset: int) -> dict[str, Any]:
    """An entity with its statements across outlets and time."""
    found = store.entity(entity_id)
    if found is None:
        raise NotFound("entity", entity_id)
    statements = store.speaker_statements(entity_id, limit, offset)
    total = store.count_statements(entity_id)
    return {
        **found.to_dict(),
        "statement_count": total,
        "total": total,
        "outlets": sorted({s["outlet"] for s in statements if s["outlet"]}),
        "limit": limit,
        "offset": offset,
        "statements": statements,
    }


def outlet_of(item: Mapping[str, Any] | Article) -> str:
    """Who published an article (a header row or the article): its outlet, else its site's host, else
    UNKNOWN_OUTLET, as recoupe.facts.outlets names them."""
    if isinstance(item, Article):
        return outlet_name(item)
    named = str(item.get("outlet") or "").strip()
    if named:
        return named
    source = str(item.get("source") or "")
    host = urlparse(source).hostname if source.startswith(("http://", "https://")) else None
    return host.removeprefix("www.") if host else UNKNOWN_OUTLET


def snippet_html(snippet: str | None) -> Markup:
    """A search snippet escaped, its hits in <mark>; markers that do not pair up are dropped."""
    if not snippet:
        return Markup()
    out = Markup()
    open_mark = False
    piece = ""
    for char in snippet:
        if char == SNIPPET_OPEN and not open_mark:
            out += escape(piece) + Markup("<mark>")
            piece, open_mark = "", True
        elif char == SNIPPET_CLOSE and open_mark:
            out += escape(piece) + Markup("</mark>")
            piece, open_mark = "", False
        elif char not in (SNIPPET_OPEN, SNIPPET_CLOSE):
            piece += char
    out += escape(piece)
    return out + Markup("</mark>") if open_mark else out


def snippet_text(snippet: str | None) -> str | None:
    """A search snippet for JSON: hits between [[ and ]]."""
    if snippet is None:
        return None
    return snippet.replace(SNIPPET_OPEN, "[[").replace(SNIPPET_CLOSE, "]]")
