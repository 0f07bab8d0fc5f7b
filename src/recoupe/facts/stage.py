"""The facts stage: the claims of each new article, then the cross-check of every story a run touched.

A story's facts depend on all its articles: they are found again once an article joins it, from the claims
stored for each article (its spans, words and mean vector) and the word vectors of the language's model, so
nothing of an earlier batch has to be parsed again. A story is cross-checked once per run, at its end
(`flush`), not after each batch it gains articles in: the stories to check are kept in the store with each
batch, so a run that stops before its end leaves them for the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from spacy.vocab import Vocab

from recoupe.config import Config
from recoupe.facts.alignment import WordVectors, load_weights
from recoupe.facts.claims import ClaimReader, load_claim_words
from recoupe.facts.crosscheck import CrossChecker
from recoupe.facts.figures import FigureReader
from recoupe.facts.independence import SourceTracer
from recoupe.models import Models
from recoupe.read.workers import Parsed
from recoupe.records import Analysis, Article
from recoupe.rules import load_language
from recoupe.store import Store
from recoupe.stories.dates import DateReader

MAX_STORY_ARTICLES = 60  # a larger story is cross-checked on its latest articles: alignment is quadratic


class FactsStage:
    """Reads claims with each language's rules and cross-checks the stories of each batch."""

    def __init__(self, config: Config, store: Store, models: Models, dates: Callable[[str], DateReader]) -> None:
        self.config = config
        self.store = store
        self.models = models
        self.dates = dates  # the date reader of a language (the clusterer's: each text is scanned once)
        self.weights = load_weights(config.rules_dir)
        self._readers: dict[str, ClaimReader] = {}
        self._checkers: dict[str, CrossChecker] = {}
        self._vectors: dict[str, WordVectors | None] = {}

    def reader(self, language: str) -> ClaimReader:
        """The claim reader of a language, built on its first article."""
        if language not in self._readers:
            folder = self.config.rules_dir / language
            self._readers[language] = ClaimReader(folder, FigureReader(folder), self.dates(language))
        return self._readers[language]

    def checker(self, language: str) -> CrossChecker:
        """The cross-checker of a language (its wire cues, agencies and weekday names)."""
        if language not in self._checkers:
            words = load_claim_words(self.config.rules_dir / language)
            folder = self.config.rules_dir / language
            dates = load_language(self.config.rules_dir, language).dates if folder.is_dir() else None
            weekdays = dates.weekdays if dates is not None else ()
            self._checkers[language] = CrossChecker(self.weights, SourceTracer(words), weekdays)
        return self._checkers[language]

    def run(self, batch: Sequence[Parsed], analyses: Sequence[Analysis]) -> None:
        """Claims of the batch's read articles saved, and the stories they joined marked for `flush`."""
        if not self.config.facts:
            return
        docs = {result.id: reading.doc for _raw, result, reading in batch if isinstance(result, Article) and reading}
        stories: dict[str, str] = {}
        for analysis in analyses:
            article = analysis.article
            doc = docs.get(article.id)
            if doc is None:
                continue
            claims = self.reader(article.language).read(
                doc, article.id, article.title, analysis.quotes, analysis.mentions, article.published
            )
            self.store.save_claims(article.id, claims)
            if article.story:
                stories.setdefault(article.story, article.language)
        for story, language in stories.items():
            self.store.mark_facts_pending(story, language)

    def flush(self) -> None:
        """The facts of every story marked since they were last found, each story in its own transaction."""
        if not self.config.facts:
            return
        for story, language in self.store.facts_pending():
            with self.store.transaction():
                self.check_story(story, language)
                self.store.clear_facts_pending(story)

    def check_story(self, story_id: str, language: str) -> None:
        """Find the facts of one story again from its articles' stored claims."""
        story = self.store.story(story_id)
        if story is None:
            return
        articles = {a.id: a for a in self.store.articles(story.articles[-MAX_STORY_ARTICLES:])}
        days = {e_article: event.date for event in self.store.events(story_id) for e_article in event.articles}
        claims = self.store.claims_of(list(articles))
        facts = self.checker(language).check(story_id, articles, claims, days, self.vectors(language))
        self.store.replace_facts(story_id, facts)

    def vectors(self, language: str) -> WordVectors | None:
        """Unit word vectors from the language's spaCy model, when it has them (one lookup per language, so
        that its cache serves every story)."""
        if language not in self._vectors:
            reader = self.models.reader(language)
            self._vectors[language] = None if reader is None else vocabulary_vectors(reader.nlp.vocab)
        return self._vectors[language]


def vocabulary_vectors(vocab: Vocab) -> WordVectors | None:
    """A lookup of unit-length word vectors in a spaCy vocabulary; None when it has no vectors."""
    if not vocab.vectors.shape[0]:
        return None
    cache: dict[str, np.ndarray[Any, np.dtype[np.float32]] | None] = {}

    def vector(word: str) -> np.ndarray[Any, np.dtype[np.float32]] | None:
        if word not in cache:
            found = None
            if vocab.has_vector(word):
                raw = np.asarray(vocab.get_vector(word), dtype=np.float32)
                norm = float(np.linalg.norm(raw))
                found = raw / norm if norm else None
            cache[word] = found
        return cache[word]

    return vector
