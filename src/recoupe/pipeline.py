"""The stage list: ingest -> clean -> language -> nlp -> quotes -> dedupe -> cluster -> store."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from recoupe.clean import cleaner as clean
from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest.web import fetch_of
from recoupe.people import entities
from recoupe.quotes import extract as quotes
from recoupe.read import nlp
from recoupe.read.workers import Parser
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


class Pipeline:
    """Loads the models and rules once, then turns batches of raw articles into stored analyses."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self.cleaner = clean.Cleaner(config)
        self.reader = nlp.Reader(config)
        self.resolver = entities.EntityResolver(config, store)
        self.quoter = quotes.QuoteExtractor(config)
        self.near_copies = NearCopyIndex(config, store)
        self.dates = dates.DateReader(config)
        self.clusterer = Clusterer(config, store, self.dates)  # one reader: a text is scanned once
        self.parser = Parser(config, self.cleaner, self.reader)

    def run(
        self,
        inputs: Iterable[RawArticle | InputError | Skipped],
        on_progress: Callable[[int], None] | None = None,
    ) -> RunReport:
        """Clean, read, place and store every input, one transaction per batch."""
        report = RunReport()
        parsed = self.parser.parse(self._fresh(inputs, report, on_progress))
        while batch := list(islice(parsed, self.config.batch_size)):
            analyses: list[Analysis] = []
            for _raw, result, reading in batch:
                if isinstance(result, InputError):
                    report.failed.append(result)
                elif reading is not None:
                    analyses.append(self.analyse_one(result, reading))
            with self.store.transaction():
                for analysis in analyses:
                    self.place(analysis)
                    self.store.save_analysis(analysis)
                for raw, result, _reading in batch:
                    fetch = fetch_of(raw, result.id) if isinstance(result, Article) else None
                    if fetch is not None:
                        self.store.record_fetch(fetch)
            report.stored.extend(a.article.id for a in analyses)
        return report

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

    def analyse_one(self, article: Article, reading: nlp.Reading) -> Analysis:
        """Read one article: entities, quotes, content lemmas and the dates it mentions."""
        dates.complete_published(article, self.dates)
        analysis = Analysis(
            article=article,
            lemmas=reading.lemmas,
            event_dates=dates.event_dates(article.text, article.published, self.dates),
        )
        # Entities, roles and quotes need the model and rules of the configured language (nlp.Reader): an
        # article in another language has no Doc, and is stored, deduplicated and clustered on its words alone.
        if reading.doc is not None:
            analysis.entities, analysis.mentions = self.resolver.resolve(reading.doc, article)
            analysis.quotes = self.quoter.extract(reading.doc, article, analysis.entities, analysis.mentions)
        return analysis

    def place(self, analysis: Analysis) -> None:
        """Mark near-copies and put the article into its story and event."""
        article = analysis.article
        article.duplicate_of = self.near_copies.find_and_add(article)
        article.story, article.event = self.clusterer.place(analysis)
