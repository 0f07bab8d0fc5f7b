"""The reader: one language's spaCy model, loaded once per process and fed in batches.

An article in a language whose rules name a spaCy model (rules/<lang>/language.toml) is parsed with it
(tagger, lemmas, entities); the stages after it need the Doc. An article in another language is not parsed at
all: only clustering and near-copy detection read it, and they need its words, which a regular expression and
spaCy's stop-word list for the language give at a fraction of the cost of a spaCy tokenizer (bench/pipeline.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import spacy
import srsly.msgpack
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Span
from thinc.api import NumpyOps
from threadpoolctl import threadpool_limits

from recoupe.config import Config
from recoupe.read.rulers import index_attribute_rulers

CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM"})
# Runs of letters: the words of a text read without a model (no digits, no underscore).
LETTERS = re.compile(r"[^\W\d_]+")
PLAIN_MIN_CHARS = 3
PERSON = "PER"  # recoupe's label of a person, the one every language's labels are renamed to


@dataclass(frozen=True)
class Reading:
    """What reading gives an article: its Doc (a language with a model only) and its content lemmas."""

    doc: Doc | None
    lemmas: list[str]


class Reader:
    """One language's spaCy model, loaded on first use, and the full parse of texts in that language."""

    def __init__(
        self,
        config: Config,
        model: str,
        warm_up: str = "",
        labels: Mapping[str, str] | None = None,
        titles: frozenset[str] = frozenset(),
    ) -> None:
        self.config = config
        self.model = model  # the spaCy package's name
        # The model's entity labels renamed to recoupe's (rules/<lang>/language.toml), so that every stage after
        # this one reads PER, ORG, LOC and MISC whatever scheme the model was trained on.
        self.labels = dict(labels or {})
        self.titles = titles  # words before a name that make it a person's (rules/<lang>/names.toml)
        # A sentence in the language, parsed once before worker processes are forked from this one, so the
        # tables spaCy loads on first use are loaded once and shared instead of once per worker.
        self.warm_up = warm_up
        self._nlp: Language | None = None

    @property
    def loaded(self) -> bool:
        """Whether the model is loaded in this process."""
        return self._nlp is not None

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline, loaded on first use."""
        if self._nlp is None:
            # spaCy's small matrices run three times slower on two BLAS threads than on one here; the
            # pipeline gets its parallelism from worker processes instead.
            threadpool_limits(limits=1)
            if self.config.dependency_parse:
                nlp = spacy.load(self.model)
            else:
                nlp = spacy.load(self.model, exclude=["parser"])
                nlp.enable_pipe("senter")
            use_numpy_matmul(nlp)
            index_lemma_tables(nlp)
            index_attribute_rulers(nlp)
            freeze_msgpack_codecs()
            self._nlp = nlp
        return self._nlp

    def warm(self) -> None:
        """Load the model and the tables it loads lazily, before worker processes share them."""
        self.nlp(self.warm_up)

    def read(self, texts: Sequence[str]) -> Iterator[Reading]:
        """The readings of cleaned texts in this language, in order, parsed through `nlp.pipe` in batches."""
        for doc in self.nlp.pipe(texts, batch_size=self.config.batch_size):
            if self.labels:
                rename_entities(doc, self.labels, self.titles)
            yield Reading(doc, content_lemmas(doc))


def rename_entities(doc: Doc, labels: Mapping[str, str], titles: frozenset[str] = frozenset()) -> None:
    """Rename a Doc's entity labels to recoupe's; an entity whose label is renamed to "" is dropped."""
    kept = []
    for ent in doc.ents:
        label = labels.get(ent.label_, ent.label_)
        if label:
            kept.append(ent if label == ent.label_ else Span(doc, ent.start, ent.end, label=label))
    # A small model often labels a person as an organisation or a place: a name led by a title ("Professor
    # Varoufakis"), or a surname alone ('", Larson said') that is the last word of a person named in the text.
    kept = [Span(doc, e.start, e.end, label=PERSON) if len(e) > 1 and e[0].text in titles else e for e in kept]
    surnames = {ent[-1].text for ent in kept if ent.label_ == PERSON and len(ent) > 1}
    doc.ents = [
        Span(doc, ent.start, ent.end, label=PERSON) if len(ent) == 1 and ent.text in surnames else ent for ent in kept
    ]


def plain_reading(text: str, stop_words: frozenset[str]) -> Reading:
    """The reading of a text in a language read without a model: no Doc, its words."""
    return Reading(None, plain_words(text, stop_words))


def plain_words(text: str, stop_words: frozenset[str]) -> list[str]:
    """Lower-cased words of a text, without the stop words of its language, in text order."""
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
