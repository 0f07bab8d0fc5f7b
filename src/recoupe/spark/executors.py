"""The per-article stages in Spark executors: the single-machine pipeline's own stage functions, models loaded once.

A partition of raw articles goes through `recoupe.pipeline.prepare` (clean, language, read) in small batches,
then `Pipeline.analyse` (entities, quotes, dates), exactly as on one machine. What a single machine learns
from the store while it reads (which person a lone surname names) cannot be known inside one article: each
article's people are resolved with an empty index, and the corpus-wide step (corpus.merge_names) merges them
by their name keys afterwards. Each analysed article also leaves its near-copy signature and band keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np

from recoupe import pipeline as stages
from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.models import Models
from recoupe.people.entities import EntityResolver
from recoupe.pipeline import Pipeline
from recoupe.quotes.extract import QuoteExtractor
from recoupe.read.nlp import Reading
from recoupe.records import Analysis, Article, Entity, Mention, Quote, RawArticle
from recoupe.store import Store
from recoupe.stories.near_copies import NearCopyIndex, band_keys

# Raw articles cleaned one by one, then read by spaCy in one batch (as read/workers.py does).
TASK_ARTICLES = 16


@dataclass(frozen=True)
class PersonKey:
    """The name key an article's resolver gave a person: 'first|last', or '|last' for a surname alone."""

    entity: str
    first: str
    last: str


@dataclass
class Analysed:
    """One analysed article as it leaves an executor."""

    order: int
    analysis: Analysis
    signature: list[int]  # the MinHash values as signed 64-bit integers (Spark has no unsigned type)
    bands: list[str]
    people: list[PersonKey]

    def to_row(self) -> dict[str, Any]:
        """A JSON-ready dict; analysis_to_dict and analysis_from_dict carry the analysis."""
        return {
            "order": self.order,
            "analysis": analysis_to_dict(self.analysis),
            "signature": self.signature,
            "bands": self.bands,
            "people": [[p.entity, p.first, p.last] for p in self.people],
        }


@dataclass(frozen=True)
class Refused:
    """An input refused by a stage, with its number."""

    order: int
    origin: str
    line: int | None
    message: str


class ArticlePipeline(Pipeline):
    """The single-machine pipeline, whose people are resolved from each article's own text alone.

    On one machine the entity resolver learns every person it meets, and a lone surname later names the one
    person known by it; in an executor that would depend on which articles the partition held before. So each
    article gets a new resolver over the empty store (about a millisecond), and corpus.merge_names does what
    the learning did, across the whole corpus.
    """

    def __init__(self, config: Config, store: Store, models: Models) -> None:
        self.resolver: EntityResolver | None = None  # the resolver of the article analysed last
        super().__init__(config, store, models)

    def readers(self, language: str) -> tuple[EntityResolver, QuoteExtractor] | None:
        """The language's quote extractor with a new resolver (and an empty index)."""
        found = super().readers(language)
        if found is None:
            return None
        self.resolver = EntityResolver(found[0].language, self.store)
        return self.resolver, found[1]


class Executor:
    """What one executor process holds: the Models, a pipeline over an empty store, the near-copy signer."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.models = Models(config)
        self.store = Store(":memory:")  # nothing is ever stored in it: the stages read an empty store
        self.pipeline = ArticlePipeline(config, self.store, self.models)
        self.signer = NearCopyIndex(config, self.store)

    def analyse(self, items: Iterable[tuple[int, RawArticle | InputError]]) -> Iterator[Analysed | Refused]:
        """The analysis of every raw article, in order; a refused input comes back named."""
        stream = iter(items)
        while batch := list(islice(stream, TASK_ARTICLES)):
            raws = [(order, item) for order, item in batch if isinstance(item, RawArticle)]
            prepared = iter(stages.prepare(self.models, [raw for _order, raw in raws]))
            for order, item in batch:
                if isinstance(item, InputError):
                    yield _refused(order, item)
                    continue
                result, reading = next(prepared)
                if isinstance(result, InputError):
                    yield _refused(order, result)
                elif reading is not None:
                    yield self._analysed(order, result, reading)

    def _analysed(self, order: int, article: Article, reading: Reading) -> Analysed:
        analysis = self.pipeline.analyse(article, reading)
        resolver = self.pipeline.resolver
        known = sorted(resolver.index.by_key.items()) if resolver is not None and analysis.entities else []
        people = [PersonKey(entity, *key.split("|", 1)) for key, entity in known]
        values = self.signer.signature(analysis.article.text).hashvalues
        signature = values.astype(np.uint64).view(np.int64).tolist()
        return Analysed(order, analysis, signature, band_keys(values), people)


def _refused(order: int, error: InputError) -> Refused:
    return Refused(order, error.origin, error.line, error.message)


# One Executor per Python worker process and configuration. A Spark Python worker runs many tasks one after the
# other (spark.python.worker.reuse), so the models it loaded for the first task serve every later one; a module
# attribute is the only thing that outlives a task there. Never read on the driver.
_executors: dict[Config, Executor] = {}


def executor_for(config: Config) -> Executor:
    """This process's Executor for the configuration, built (models loaded) the first time."""
    if config not in _executors:
        _executors[config] = Executor(config)
    return _executors[config]


def analyse_partition(config: Config, items: Iterable[tuple[int, RawArticle | InputError]]) -> Iterator[dict[str, Any]]:
    """mapPartitions' function: each input's analysis (Analysed.to_row) or refusal ({"order", "error"})."""
    for result in executor_for(config).analyse(items):
        if isinstance(result, Refused):
            yield {"order": result.order, "error": [result.origin, result.line, result.message]}
        else:
            yield result.to_row()


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    """An Analysis as plain data (each record through its own to_dict)."""
    return {
        "article": analysis.article.to_dict(),
        "entities": [e.to_dict() for e in analysis.entities],
        "mentions": [m.to_dict() for m in analysis.mentions],
        "quotes": [q.to_dict() for q in analysis.quotes],
        "lemmas": analysis.lemmas,
        "event_dates": analysis.event_dates,
    }


def analysis_from_dict(data: dict[str, Any]) -> Analysis:
    """The Analysis analysis_to_dict wrote."""
    return Analysis(
        article=Article.from_dict(data["article"]),
        entities=[Entity.from_dict(e) for e in data["entities"]],
        mentions=[Mention.from_dict(m) for m in data["mentions"]],
        quotes=[Quote.from_dict(q) for q in data["quotes"]],
        lemmas=list(data["lemmas"]),
        event_dates=list(data["event_dates"]),
    )
