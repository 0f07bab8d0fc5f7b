"""The stages an article goes through, in order, each one call into its module.

 1. ingest       raw articles from files, URLs, feeds, sitemaps or WARC (recoupe.ingest), handed to `run`;
                 inputs stored already are passed over (`Pipeline._fresh`)
 2. clean        the main text out of the HTML, with the page's metadata, lines normalised (Cleaner.extract)
 3. language     the language of that text (LanguageIdentifier.detect)
 4. clean        the headline and the site furniture of that language dropped (Cleaner.clean), then the
                 fragments left in another language flagged (LanguageIdentifier.foreign_fragments)
 5. read         the spaCy model of the article's language, or its words alone (Models.reader, read.nlp)
 6. entities     people, organisations and places, resolved across the store (EntityResolver)
 7. quotes       direct, mixed and indirect quotes and their speakers (QuoteExtractor)
 8. dates        the publication date completed, the dates of the events told (stories.dates)
 9. near-copies  the stored article this one repeats, if any (NearCopyIndex)
10. cluster      the story and the event the article belongs to (Clusterer)
11. store        one transaction per batch (Store)
12. facts        the claims of each article with its batch, then, at the end of the run, the facts of each
                 story the run touched (FactsStage)

Stages 2 to 5 need nothing but the article: `prepare` runs them, in this process or, with n_process > 1, on
worker processes (read.workers). The models are built once (recoupe.models.Models) and handed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice

from recoupe import guards
from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.facts.stage import FactsStage
from recoupe.ingest.web import fetch_of
from recoupe.models import Models
from recoupe.people.entities import EntityResolver
from recoupe.quotes.extract import QuoteExtractor
from recoupe.read.nlp import Reading, plain_reading
from recoupe.read.workers import Parsed, Parser, Prepared
from recoupe.records import Analysis, Article, RawArticle, Skipped
from recoupe.store import Store
from recoupe.stories import dates
from recoupe.stories.cluster import Clusterer
from recoupe.stories.near_copies import NearCopyIndex


@dataclass
class RunReport:
    """What one ingest run did, input by input."""

    stored: list[str] = field(default_factory=list)  # article ids
    skipped: list[str] = field(default_factory=list)  # origins already stored
    failed: list[InputError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def clean(models: Models, raw: RawArticle) -> Article:
    """Stages 2 to 4 of one raw article: extract, language, clean; an InputError names an input left empty."""
    draft = models.cleaner.extract(raw)  # 2
    guards.check_length(draft.text, raw.origin)  # the cost budget: a longer text is refused before it is read
    language = models.languages.detect(draft.text, default=models.config.language)  # 3
    article = models.cleaner.clean(draft, language)  # 4
    article.text = guards.bounded_text(article.text, raw.origin)  # no run of punctuation for the tokenizer
    article.foreign_fragments = models.languages.foreign_fragments(article.text, language)
    return article


def read(models: Models, articles: Sequence[Article]) -> list[Reading]:
    """Stage 5 of cleaned articles, in order: parsed with their language's model in batches (the model loaded
    with the first article in its language), or read as words."""
    readings: list[Reading | None] = [None] * len(articles)
    by_language: dict[str, list[int]] = {}
    for i, article in enumerate(articles):
        by_language.setdefault(article.language, []).append(i)
    for language, indexes in by_language.items():
        reader = models.reader(language)
        if reader is not None:
            for i, reading in zip(indexes, reader.read([articles[i].text for i in indexes]), strict=True):
                readings[i] = reading
        else:
            for i in indexes:
                readings[i] = plain_reading(articles[i].text, models.stop_words(language))
    return [reading for reading in readings if reading is not None]


def prepare(models: Models, raws: Sequence[RawArticle]) -> list[Prepared]:
    """Stages 2 to 5 of a few raw articles, cleaned one by one, then read together (spaCy parses a batch faster
    than its texts one by one)."""
    cleaned: list[Article | InputError] = []
    for raw in raws:
        try:
            with guards.time_limit(raw.origin):
                cleaned.append(clean(models, raw))
        except InputError as err:
            cleaned.append(err)
    readings = iter(read(models, [a for a in cleaned if isinstance(a, Article)]))
    return [(a, None if isinstance(a, InputError) else next(readings)) for a in cleaned]


class Pipeline:
    """Turns batches of raw articles into stored analyses, with the models it is handed and the store's state."""

    def __init__(self, config: Config, store: Store, models: Models) -> None:
        self.config = config
        self.store = store
        self.models = models
        # What knows the store (the entity index, near-copy bands, story states) is built per pipeline.
        self._readers: dict[str, tuple[EntityResolver, QuoteExtractor] | None] = {}
        self.dates = dates.DateReader(config)
        self.near_copies = NearCopyIndex(config, store)
        self.clusterer = Clusterer(config, store, self.dates)  # one date reader: a text is scanned once
        self.facts = FactsStage(config, store, models, self.clusterer.reader)
        self.parser = Parser(config, models, prepare)
        self.readers(config.language)  # the default language's rules read now: a broken file stops the run here

    def run(
        self,
        inputs: Iterable[RawArticle | InputError | Skipped],
        on_progress: Callable[[int], None] | None = None,
    ) -> RunReport:
        """Every stage over every input, in order, one transaction per batch."""
        report = RunReport()
        fresh = self._fresh(inputs, report, on_progress)  # 1. ingest
        prepared = self.parser.parse(fresh)  # 2-5. clean, language, clean, read
        while batch := list(islice(prepared, self.config.batch_size)):
            analyses: list[Analysis] = []
            for raw, result, reading in batch:
                if isinstance(result, InputError):
                    report.failed.append(result)
                elif reading is not None:
                    try:
                        with guards.time_limit(raw.origin):
                            analyses.append(self.analyse(result, reading))  # 6-8. entities, quotes, dates
                    except guards.ArticleTimeout as err:
                        report.failed.append(err)
            self.store_batch(batch, analyses)  # 9-11. near-copies, cluster, store; 12. claims
            report.stored.extend(a.article.id for a in analyses)
        self.facts.flush()  # 12. the facts of the stories the run touched
        return report

    def analyse(self, article: Article, reading: Reading) -> Analysis:
        """Stages 6 to 8 of one read article: entities, quotes, dates."""
        analysis = Analysis(article=article, lemmas=reading.lemmas)
        # Entities and quotes need a Doc: an article in a language read as words has none, and is stored,
        # deduplicated and clustered on its words alone.
        readers = self.readers(article.language) if reading.doc is not None else None
        if reading.doc is not None and readers is not None:
            resolver, quoter = readers
            analysis.entities, analysis.mentions = resolver.resolve(reading.doc, article)  # 6
            analysis.quotes = quoter.extract(reading.doc, article, analysis.entities, analysis.mentions)  # 7
        date_words = self.clusterer.reader(article.language)  # each language's own; the default's if it has none
        dates.complete_published(article, date_words)  # 8
        analysis.event_dates = dates.event_dates(article.text, article.published, date_words)
        return analysis

    def readers(self, language: str) -> tuple[EntityResolver, QuoteExtractor] | None:
        """The entity resolver and the quote extractor of a language, built with its rules on its first article;
        None for a language whose rules hold no quote cues or function words (its articles get no entities or
        quotes)."""
        if language not in self._readers:
            rules = self.models.rules(language)
            if rules is None or rules.quotes is None or rules.words is None:
                self._readers[language] = None
            else:
                self._readers[language] = (EntityResolver(rules, self.store), QuoteExtractor(rules))
        return self._readers[language]

    def store_batch(self, batch: list[Parsed], analyses: list[Analysis]) -> None:
        """Stages 9 to 11 of a batch in one transaction; the URLs fetched are remembered with it."""
        with self.store.transaction():
            for analysis in analyses:
                self.place(analysis)
                self.store.save_analysis(analysis)  # 11
            self.facts.run(batch, analyses)  # 12
            for raw, result, _reading in batch:
                fetch = fetch_of(raw, result.id) if isinstance(result, Article) else None
                if fetch is not None:
                    self.store.record_fetch(fetch)

    def place(self, analysis: Analysis) -> None:
        """Stages 9 and 10: mark near-copies and put the article into its story and event."""
        article = analysis.article
        article.duplicate_of = self.near_copies.find_and_add(article)  # 9
        article.story, article.event = self.clusterer.place(analysis)  # 10

    def _fresh(
        self,
        inputs: Iterable[RawArticle | InputError | Skipped],
        report: RunReport,
        on_progress: Callable[[int], None] | None,
    ) -> Iterator[RawArticle]:
        """The inputs not stored yet; failed inputs are recorded, repeated ones skipped."""
        seen: set[str] = set()
        for item in inputs:
            if on_progress is not None:
                on_progress(1)
            item = _guarded(item)
            if isinstance(item, InputError):
                report.failed.append(item)
            elif isinstance(item, Skipped) or item.content_hash in seen:
                report.skipped.append(item.origin)
            elif self.store.known_hashes([item.content_hash]):
                report.skipped.append(item.origin)
                # The same page under a second URL: remember that URL too, so it is not fetched again.
                fetch = fetch_of(item, item.article_id)
                if fetch is not None:
                    self.store.record_fetch(fetch)
            else:
                seen.add(item.content_hash)
                yield item


def _guarded(item: RawArticle | InputError | Skipped) -> RawArticle | InputError | Skipped:
    """A raw article the guards pass (strings fit to store, markup within its budget), else the error naming it."""
    if isinstance(item, RawArticle):
        try:
            guards.check_raw(item)
        except InputError as err:
            return err
    return item
