"""The reader: the spaCy model of the configured language, loaded once per process and fed in batches.

Articles in the configured language are parsed with its full model (tagger, lemmas, entities); the stages
after it need the Doc. An article in another language is not parsed at all: only clustering and near-copy
detection read it, and they need its words, which a regular expression and spaCy's stop-word list for the
language give at a fraction of the cost of a spaCy tokenizer (bench/pipeline.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import spacy
import srsly.msgpack
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc
from thinc.api import NumpyOps
from threadpoolctl import threadpool_limits

from recoupe.config import Config
from recoupe.records import Article

CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM"})
# Runs of letters: the words of a text read without a model (no digits, no underscore).
LETTERS = re.compile(r"[^\W\d_]+")
PLAIN_MIN_CHARS = 3
# A few words in the model's language, parsed once before worker processes are forked from this one, so the
# tables spaCy loads on first use are loaded once and shared instead of once per worker.
WARM_UP_TEXT = "Le ministre a annoncé lundi à Paris que les prix baisseront."


@dataclass(frozen=True)
class Reading:
    """What the reader gives an article: its Doc (configured language only) and its content lemmas."""

    doc: Doc | None
    lemmas: list[str]


class Reader:
    """Holds the loaded spaCy model and reads articles: a full parse in its language, words in any other."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._nlp: Language | None = None
        self._stop_words: dict[str, frozenset[str]] = {}

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline of the configured language, loaded on first use."""
        if self._nlp is None:
            # spaCy's small matrices run three times slower on two BLAS threads than on one here; the
            # pipeline gets its parallelism from worker processes instead.
            threadpool_limits(limits=1)
            if self.config.dependency_parse:
                nlp = spacy.load(self.config.spacy_model)
            else:
                nlp = spacy.load(self.config.spacy_model, exclude=["parser"])
                nlp.enable_pipe("senter")
            use_numpy_matmul(nlp)
            index_lemma_tables(nlp)
            freeze_msgpack_codecs()
            self._nlp = nlp
        return self._nlp

    def warm(self) -> None:
        """Load the model and the tables it loads lazily, before worker processes share them."""
        self.nlp(WARM_UP_TEXT)

    def read(self, articles: Sequence[Article]) -> Iterator[Reading]:
        """Read the cleaned texts in order; those in the configured language go through `nlp.pipe` in batches."""
        home = [i for i, a in enumerate(articles) if a.language == self.config.language]
        parsed = self.nlp.pipe((articles[i].text for i in home), batch_size=self.config.batch_size) if home else []
        docs = dict(zip(home, parsed, strict=True))
        for i, article in enumerate(articles):
            yield self._reading(article, docs.get(i))

    def _reading(self, article: Article, doc: Doc | None) -> Reading:
        if doc is None:
            return Reading(None, self.plain_words(article.text, article.language))
        return Reading(doc, content_lemmas(doc))

    def plain_words(self, text: str, language: str) -> list[str]:
        """Lower-cased words of a text in another language, without its stop words, in text order."""
        stop_words = self._stop_words.get(language)
        if stop_words is None:
            stop_words = self._stop_words[language] = stop_words_of(language)
        words = (w.lower() for w in LETTERS.findall(text) if len(w) >= PLAIN_MIN_CHARS)
        return [w for w in words if w not in stop_words]


def use_numpy_matmul(nlp: Language) -> None:
    """Run the model's matrix products through numpy's BLAS instead of thinc's default, BLIS.

    On this project's machine BLIS ran spaCy's products at under half the speed of numpy's OpenBLAS on one
    thread: fr_core_news_md's tok2vec took 22 to 31 ms a French page with BLIS and 12 to 15 ms with numpy, its
    NER 34 to 40 ms and 19 to 25 ms (bench/stages.py), with the same tags, lemmas and entities on every French
    page of bench/pipeline.py (tests/test_nlp.py checks a text of its own).
    """
    ops = NumpyOps(use_blis=False)
    for _name, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is not None:
            for layer in model.walk():
                layer.ops = ops


def freeze_msgpack_codecs() -> None:
    """Look srsly's msgpack encoders and decoders up once, instead of at every Doc packed or unpacked.

    srsly asks catalogue for them each time spaCy writes or reads a Doc's bytes (how parsed Docs come back from
    the worker processes), and catalogue scans every installed package's entry points and its whole registry
    for them: on the French pages of bench/pipeline.py, to_bytes and from_bytes went from 1.6 and 1.7 ms a Doc
    to 0.9 and 1.0 ms, with the same bytes and the same Docs. Nothing registers codecs while recoupe runs.
    """
    for registry in (srsly.msgpack.msgpack_encoders, srsly.msgpack.msgpack_decoders):
        if getattr(registry, "_recoupe_frozen", False):
            continue
        codecs = registry.get_all()
        registry.get_all = lambda codecs=codecs: dict(codecs)
        registry._recoupe_frozen = True


def index_lemma_tables(nlp: Language) -> None:
    """Turn the rule lemmatizer's word lists into sets, so that looking a word up stops scanning a list.

    spaCy's French rule lemmatizer asks `word in index[pos]` of lists of up to 66,000 words, several times for
    each new word: 30 to 60 ms a French page until its cache warms up (bench/stages.py, first pass). Sets
    answer the same questions at once.
    """
    for _name, component in nlp.pipeline:
        if isinstance(component, Lemmatizer) and component.lookups.has_table("lemma_index"):
            table = component.lookups.get_table("lemma_index")
            for pos in list(table.keys()):
                table[pos] = frozenset(table[pos])


def stop_words_of(language: str) -> frozenset[str]:
    """spaCy's stop words for a language (none for a language spaCy does not know)."""
    try:
        return frozenset(spacy.util.get_lang_class(language).Defaults.stop_words)
    except ImportError:
        return frozenset()


def content_lemmas(doc: Doc) -> list[str]:
    """Lower-cased lemmas of the content words, in text order: the vocabulary clustering compares."""
    return [
        t.lemma_.lower() for t in doc if t.pos_ in CONTENT_POS and not t.is_stop and not t.is_punct and len(t.text) > 1
    ]
