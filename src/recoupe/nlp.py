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
    """Holds one loaded spaCy pipeline and parses articles with it."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._nlp: Language | None = None

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline, loaded on first use."""
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

    def read(self, articles: Sequence[Article]) -> Iterator[Doc]:
        """Parse the cleaned texts in order."""
        yield from self.nlp.pipe(
            (a.text for a in articles), batch_size=self.config.batch_size, n_process=self.config.n_process
        )


def content_lemmas(doc: Doc) -> list[str]:
    """Lower-cased lemmas of the content words, in text order: the vocabulary clustering compares."""
    return [
        t.lemma_.lower() for t in doc if t.pos_ in CONTENT_POS and not t.is_stop and not t.is_punct and len(t.text) > 1
    ]
