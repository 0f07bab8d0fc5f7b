"""Cleaning: main text out of HTML, site furniture out of text, typography normalised.

The stages, each a call on the previous result: extract (HTML only) -> normalise -> split into lines ->
(`Cleaner.extract`; the pipeline detects the language here) -> find the headline -> drop the language's
furniture lines -> join paragraphs (`Cleaner.clean`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlparse

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.records import Article, RawArticle
from recoupe.rules import Debris, load_language

# Characters that print as a space; French typography puts narrow no-break spaces before « ; : ! ? ».
SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\f\v]+")
ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Quote-mark variants of scraped text mapped onto the four marks the quote finder reads: « » “ ” and ".
QUOTE_VARIANTS = str.maketrans({"″": '"', "〃": '"', "＂": '"', "„": "“", "‟": "“", "❝": "“", "❞": "”"})
QUOTE_VARIANT = re.compile("[″〃＂„‟❝❞]")
QUOTE_MARKS = re.compile(r"[«»“”\"'‘’]")
DOUBLED_MARKS = re.compile(r"(«|»|“|”)\1+|''(?=\w)|(?<=\w)''")
LINE_END = re.compile(r"[.!?…:;,»”\"')\]]$")
# Arrows, bullets and brackets sites put before a link or a button.
BULLETS = re.compile(r"^[\s»>•·▸►▶→\-–—*|\[\]]+")
# Headline detection: the first line is a headline, not a paragraph, when it is short and unpunctuated.
HEADLINE_MAX_CHARS = 220
WEB_LANGUAGE = "en"  # the language of the furniture every site may print, whatever its own
RUBRIC_MAX_WORDS = 4
# The extraction chain (extract_html). Measured on the 281 pages of bench/pipeline.py, it gives the text the
# full chain (precision mode compared with readability and jusText, the default mode under 1,500 characters)
# gives on all 100 wikinews pages and the same F1 on the 181 of bench/extraction.py, at two thirds of its
# cost: 37 pages take step 2 and 4 pages step 3.
LITTLE_CHARS = 500
SHORT_CHARS = 1500
PAGE_SHARE = 0.5  # of the page's text, under which a short text is a part of the article
# htmldate reads the page's markup and metadata for its date, but not, as its "extensive search" does, every
# text node through dateparser: that took 40% of cleaning time, and dates.py infers an undated article's date
# from its text anyway, with French rules.
DATE_SEARCH: dict[str, Any] = {"original_date": True, "extensive_search": False}


@dataclass(frozen=True)
class DebrisRules:
    """Furniture patterns of one language, compiled from its rules/<lang>/debris.toml."""

    exact: frozenset[str] = frozenset()
    patterns: tuple[re.Pattern[str], ...] = ()
    rubrics: frozenset[str] = frozenset()

    @classmethod
    def of(cls, debris: Debris) -> DebrisRules:
        """The furniture rules of a language, from its debris.toml record (rules.py checked the patterns)."""
        return cls(
            exact=frozenset(_key(line) for line in debris.exact),
            patterns=tuple(re.compile(p, re.IGNORECASE) for p in debris.patterns),
            rubrics=frozenset(_key(word) for word in debris.rubrics),
        )

    @cached_property
    def _rubrics_longest_first(self) -> list[str]:
        # Multi-word rubrics ("Faits divers") are matched first, then single words.
        return sorted(self.rubrics, key=len, reverse=True)

    def is_debris(self, line: str) -> bool:
        """Whether a whole line, as `normalise` leaves it, is site furniture."""
        key = _fold(line)
        if not key:
            return False
        bare = BULLETS.sub("", line)  # "» Lire aussi", ">> Lire aussi", "[Lire aussi] ...", "• Partager"
        if key in self.exact or (bare != line and _fold(bare) in self.exact):
            return True
        if any(p.search(bare) for p in self.patterns):
            return True
        return self._is_rubric_line(line, key)

    def _is_rubric_line(self, line: str, key: str) -> bool:
        words = line.split()
        if not words or len(words) > RUBRIC_MAX_WORDS or LINE_END.search(line):
            return False
        rest = " " + key + " "
        for rubric in self._rubrics_longest_first:
            rest = rest.replace(f" {rubric} ", " ")
        return not rest.strip()


@dataclass
class _Body:
    """The lines of an article as they are cleaned; `raw` keeps each line as written, for `removed`."""

    raw: list[str]
    lines: list[str]
    removed: list[str] = field(default_factory=list)
    title: str | None = None


@dataclass(frozen=True)
class Draft:
    """An article's text and metadata as extracted, its lines normalised: what language detection reads."""

    raw: RawArticle
    source: str
    title: str | None
    outlet: str | None
    published: str | None
    raw_lines: tuple[str, ...]  # each line as written, for `removed`
    lines: tuple[str, ...]  # each line normalised

    @property
    def text(self) -> str:
        """The normalised lines on one line, furniture still in."""
        return " ".join(self.lines)


class Cleaner:
    """Turns a raw article into a cleaned one, in two steps either side of language detection; rules are loaded
    once."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._rules: dict[str, DebrisRules] = {}
        self._web_rules: DebrisRules | None = None

    def rules(self, language: str) -> DebrisRules:
        """The debris rules of a language (cached per cleaner)."""
        if language not in self._rules:
            # A language without a folder of rules has no furniture rules of its own.
            known = (self.config.rules_dir / language).is_dir()
            debris = load_language(self.config.rules_dir, language).debris if known else Debris()
            self._rules[language] = DebrisRules.of(debris)
        return self._rules[language]

    def extract(self, raw: RawArticle) -> Draft:
        """The main text (out of the HTML) and metadata of one raw article, its lines normalised."""
        source, title, outlet, published = raw.source, raw.title, raw.outlet, raw.published
        if raw.format == "html":
            page = extract_html(raw)
            text = page.text
            title, outlet, published = title or page.title, outlet or page.outlet, published or page.published
            if page.url and not source.startswith("http"):
                source = page.url
        else:
            text = raw.content
        raw_lines = text.splitlines()
        return Draft(
            raw=raw,
            source=source,
            title=title,
            outlet=outlet,
            published=published,
            raw_lines=tuple(line.strip() for line in raw_lines),
            lines=tuple(normalise(line) for line in raw_lines),
        )

    def clean(self, draft: Draft, language: str) -> Article:
        """The article without its headline and the site furniture of its language (and the web's, in English)."""
        raw, title = draft.raw, draft.title
        body = _Body(raw=list(draft.raw_lines), lines=list(draft.lines))
        rules = self.rules(language)
        self._take_headline(body, title, expect_headline=raw.format == "text")
        self._drop_debris(body, rules)
        if language != WEB_LANGUAGE:
            self._drop_debris(body, self.web_rules())
        cleaned = "\n\n".join(line for line in body.lines if line)
        if not cleaned.strip():
            raise InputError(raw.origin, "no article text left after cleaning")
        return Article(
            id=raw.article_id,
            source=draft.source,
            text=cleaned,
            content_hash=raw.content_hash,
            title=body.title or title,
            outlet=draft.outlet or _outlet_from(draft.source),
            published=draft.published,
            language=language,
            removed=body.removed,
            fetched_at=raw.fetched_at,
        )

    def web_rules(self) -> DebrisRules:
        """The English furniture lines and patterns, without its rubrics: sites in any language print their
        buttons and prompts in English too ("Share", "Advertisement", "Read more:")."""
        if self._web_rules is None:
            english = self.rules(WEB_LANGUAGE)
            self._web_rules = DebrisRules(exact=english.exact, patterns=english.patterns)
        return self._web_rules

    def _take_headline(self, body: _Body, title: str | None, expect_headline: bool) -> None:
        """Move the headline out of the body, and drop its repeats (also with other quote marks). A text that is
        only its headline (a news flash, a one-sentence brief whose title is its sentence) keeps it as its body:
        there it is the news, not a repeat."""
        before, removed = list(body.lines), len(body.removed)
        self._drop_headline(body, title, expect_headline)
        if not any(body.lines) and any(before):
            first = next(i for i, line in enumerate(before) if line)
            body.lines[first] = before[first]
            if body.raw[first] in body.removed[removed:]:
                del body.removed[removed + body.removed[removed:].index(body.raw[first])]

    def _drop_headline(self, body: _Body, title: str | None, expect_headline: bool) -> None:
        headline = title
        if headline is None and expect_headline:
            first = next((i for i, line in enumerate(body.lines) if line and not self._is_known_debris(line)), None)
            if first is not None and _looks_like_headline(body.lines[first]):
                headline = body.lines[first]
                body.title = headline
                body.lines[first] = ""
        if not headline:
            return
        key = _key(headline)
        for i, line in enumerate(body.lines):
            if line and _fold(line) == key:
                body.removed.append(body.raw[i])
                body.lines[i] = ""

    def _is_known_debris(self, line: str) -> bool:
        return any(rules.is_debris(line) for rules in self._rules.values()) or self.rules("en").is_debris(line)

    def _drop_debris(self, body: _Body, rules: DebrisRules) -> None:
        for i, line in enumerate(body.lines):
            if line and rules.is_debris(line):
                body.removed.append(body.raw[i])
                body.lines[i] = ""


@dataclass(frozen=True)
class Page:
    """What trafilatura found in an HTML page."""

    text: str
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None


def extract_html(raw: RawArticle) -> Page:
    """The main text and metadata of an HTML page (trafilatura, dates through htmldate)."""
    # Parsed once for the metadata, the text and the fallback: the metadata readers and htmldate leave the tree
    # as it is, and trafilatura extracts from its own copy.
    tree = trafilatura.load_html(raw.content)
    if tree is None:
        raise InputError(raw.origin, "no HTML document could be parsed")
    meta = read_metadata(tree, raw.source if raw.source.startswith("http") else None)
    # The extraction chain, cheapest first; each step runs only when the one before found too little.
    # 1. Precision mode, trafilatura's own extractor alone (fast): it drops more boilerplate than the default
    #    mode, and on most pages the comparison with readability and jusText changes nothing.
    text = _extract_text(tree, meta.url, precision=True, fast=True)
    page_chars = _page_text_chars(tree) if len(text) < SHORT_CHARS else 0
    if len(text) < LITTLE_CHARS or len(text) < PAGE_SHARE * page_chars:
        # 2. Little, or a short text that is under half the page's: trafilatura's own rules missed part of the
        #    body (lists, an odd layout), and its comparison with readability and jusText, which costs as much
        #    again, gets it back. A short article on a plain page is whole already.
        text = _extract_text(tree, meta.url, precision=True, fast=False)
    if len(text) < LITTLE_CHARS and len(text) < PAGE_SHARE * page_chars:
        # 3. Still little: precision mode pruned the article away, and the default mode gets it back.
        fallback = _extract_text(tree, meta.url, precision=False, fast=False)
        if len(fallback) > 2 * len(text):
            text = fallback
    if not text.strip():
        raise InputError(raw.origin, "no article text found in the HTML")
    url = meta.url
    return Page(
        text=text,
        title=meta.title or None,
        outlet=meta.sitename or None,
        published=meta.date or None,
        url=url if isinstance(url, str) and url.startswith("http") else None,
    )


def _extract_text(tree: HtmlElement, url: str | None, precision: bool, fast: bool) -> str:
    """The main text trafilatura finds in a parsed page (comments left out, tables kept)."""
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=False,  # read_metadata reads it once for every step of the chain
        include_comments=False,
        include_tables=True,
        favor_precision=precision,
        fast=fast,
    )
    return str(document.text or "") if isinstance(document, Document) else ""


def _page_text_chars(tree: HtmlElement) -> int:
    """How many characters of text the whole page holds, spaces folded."""
    return len(" ".join(tree.text_content().split()))


def read_metadata(tree: HtmlElement, url: str | None) -> Document:
    """Title, canonical URL, date and site name of a page, through trafilatura's public `extract_metadata`.

    The tree is parsed once, for the metadata and the text: extract_metadata takes it as it is and leaves it so
    (its author reader works on a copy). Dates as DATE_SEARCH says, without htmldate's extensive search.
    Through the public function rather than its steps, so that a new trafilatura cannot break it: it also reads
    the author, categories, tags and licence, which recoupe does not use, and costs 9.4 ms a page instead of the
    2.4 of its steps alone (the 281 pages of bench/pipeline.py), with the same title, URL, date and site name.
    """
    return trafilatura.extract_metadata(tree, default_url=url, date_config=DATE_SEARCH)


def normalise(line: str) -> str:
    """Spaces, invisible characters and quote-mark variants made regular, without changing any word."""
    line = unicodedata.normalize("NFC", line)
    line = ZERO_WIDTH.sub("", line)
    line = SPACES.sub(" ", line)
    if QUOTE_VARIANT.search(line):  # rare, and translating through a dict costs more than looking
        line = line.translate(QUOTE_VARIANTS)
    line = DOUBLED_MARKS.sub(lambda m: m.group(1) or '"', line)
    return " ".join(line.split())


def _key(line: str) -> str:
    """A line reduced for comparison: case, quote marks, trailing punctuation and spacing ignored."""
    return _fold(normalise(line))


def _fold(normalised: str) -> str:
    """`_key` of a line `normalise` has already been through."""
    folded = QUOTE_MARKS.sub("", normalised.lower())
    return " ".join(folded.rstrip(" .!?:;…").split())


def _looks_like_headline(line: str) -> bool:
    return len(line) <= HEADLINE_MAX_CHARS and not re.search(r"[.!?…:;,]$", line) and len(line.split()) >= 3


def _outlet_from(source: str) -> str | None:
    host = urlparse(source).hostname if source.startswith("http") else None
    return host.removeprefix("www.") if host else None
