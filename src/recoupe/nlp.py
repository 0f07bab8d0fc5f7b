"""The spaCy reader: the model is loaded once per process and fed with `nlp.pipe` in batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from threadpoolctl import threadpool_limits

from recoupe.config import Config
from recoupe.records import Article

CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM"})


class Reader:
    """Holds the loaded spaCy pipelines and parses articles with the one for their language.

    Articles in the configured language get its full model (tagger, lemmas, entities). An article in another
    language gets a light pipeline: spaCy's tokenizer and stop words for that language and a rule-based
    sentence splitter. The French model's entities on English text are noise, and running it on every
    foreign page cost most of an ingest (bench/pipeline.py).
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self._nlp: Language | None = None
        self._light: dict[str, Language] = {}

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline of the configured language, loaded on first use."""
        if self._nlp is None:
            # spaCy's small matrices run three times slower on two BLAS threads than on one here; the
            # pipeline gets its parallelism from worker processes instead.
            threadpool_limits(limits=1)
            if self.config.dependency_parse:
                self._nlp = spacy.load(self.config.spacy_model)
            else:
                self._nlp = spacy.load(self.config.spacy_model, exclude=["parser"])
                self._nlp.enable_pipe("senter")
        return self._nlp

    def pipeline_for(self, language: str) -> Language:
        """The full model for the configured language; a tokenizer and sentence splitter for any other."""
        if language == self.config.language:
            return self.nlp
        light = self._light.get(language)
        if light is None:
            try:
                light = spacy.blank(language)
            except ImportError:  # a language spaCy has no tokenizer for: the multi-language one
                light = spacy.blank("xx")
            light.add_pipe("sentencizer")
            self._light[language] = light
        return light

    def parse(self, article: Article) -> Doc:
        """One article, with the pipeline of its language."""
        return self.pipeline_for(article.language)(article.text)

    def read(self, articles: Sequence[Article]) -> Iterator[Doc]:
        """Parse the cleaned texts in order, each language's articles in batches through its pipeline."""
        docs: dict[int, Doc] = {}
        for language in dict.fromkeys(a.language for a in articles):
            indices = [i for i, a in enumerate(articles) if a.language == language]
            texts = (articles[i].text for i in indices)
            pipe = self.pipeline_for(language).pipe(texts, batch_size=self.config.batch_size)
            docs.update(zip(indices, pipe, strict=True))
        for i in range(len(articles)):
            yield docs[i]


def content_lemmas(doc: Doc) -> list[str]:
    """Lower-cased lemmas of the content words, in text order: the vocabulary clustering compares.

    A document read without a tagger (another language than the model's) gives its lower-cased words that
    are not stop words, numbers or punctuation instead.
    """
    if not doc.has_annotation("POS"):
        return [t.lower_ for t in doc if t.is_alpha and not t.is_stop and len(t.text) > 2]
    return [
        t.lemma_.lower() for t in doc if t.pos_ in CONTENT_POS and not t.is_stop and not t.is_punct and len(t.text) > 1
    ]
