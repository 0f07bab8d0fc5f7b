"""The stage list: ingest -> clean -> language -> nlp -> quotes -> dedupe -> cluster -> store."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from recoupe import clean, dates, entities, nlp, quotes
from recoupe.cluster import Clusterer
from recoupe.config import Config
from recoupe.dedupe import NearCopyIndex
from recoupe.errors import InputError
from recoupe.records import Analysis, Article, RawArticle
from recoupe.store import Store


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
        self.clusterer = Clusterer(config, store)

    def run(
        self,
        inputs: Iterable[RawArticle | InputError],
        on_progress: Callable[[int], None] | None = None,
    ) -> RunReport:
        """Clean, read, place and store every input, one transaction per batch."""
        report = RunReport()
        stream = iter(inputs)
        while batch := list(islice(stream, self.config.batch_size)):
            raws = self._fresh(batch, report)
            articles = self._clean(raws, report)
            if articles:
                analyses = self.analyse(articles)
                with self.store.transaction():
                    for analysis in analyses:
                        self.place(analysis)
                        self.store.save_analysis(analysis)
                report.stored.extend(a.article.id for a in analyses)
            if on_progress is not None:
                on_progress(len(batch))
        return report

    def _fresh(self, batch: list[RawArticle | InputError], report: RunReport) -> list[RawArticle]:
        """Drop failed inputs (recording them) and inputs whose content is already stored."""
        raws: list[RawArticle] = []
        for item in batch:
            if isinstance(item, InputError):
                report.failed.append(item)
            else:
                raws.append(item)
        known = self.store.known_hashes(r.content_hash for r in raws)
        fresh: list[RawArticle] = []
        seen: set[str] = set()
        for raw in raws:
            if raw.content_hash in known or raw.content_hash in seen:
                report.skipped.append(raw.origin)
            else:
                seen.add(raw.content_hash)
                fresh.append(raw)
        return fresh

    def _clean(self, raws: list[RawArticle], report: RunReport) -> list[Article]:
        articles: list[Article] = []
        for raw in raws:
            try:
                articles.append(self.cleaner.clean(raw))
            except InputError as err:
                report.failed.append(err)
        return articles

    def analyse(self, articles: list[Article]) -> list[Analysis]:
        """Read each article: entities, quotes, content lemmas and the dates it mentions."""
        analyses: list[Analysis] = []
        for article, doc in zip(articles, self.reader.read(articles), strict=True):
            dates.complete_published(article)
            found_entities, mentions = self.resolver.resolve(doc, article)
            analyses.append(
                Analysis(
                    article=article,
                    entities=found_entities,
                    mentions=mentions,
                    quotes=self.quoter.extract(doc, article, found_entities, mentions),
                    lemmas=nlp.content_lemmas(doc),
                    event_dates=dates.event_dates(doc.text, article.published),
                )
            )
        return analyses

    def place(self, analysis: Analysis) -> None:
        """Mark near-copies and put the article into its story and event."""
        article = analysis.article
        article.duplicate_of = self.near_copies.find_and_add(article)
        article.story, article.event = self.clusterer.place(analysis)


def ingest(config: Config, store: Store, inputs: Iterable[RawArticle | InputError]) -> RunReport:
    """Run the whole pipeline over the inputs into the store."""
    return Pipeline(config, store).run(inputs)


def batched_errors(report: RunReport) -> Iterator[str]:
    """One line per failed input, naming it."""
    for error in report.failed:
        yield str(error)
