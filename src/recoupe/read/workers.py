"""Cleaning and parsing on every core: the costly, article-local stages, run in worker processes.

Cleaning (trafilatura, lingua) and spaCy take most of the time of an ingest and need nothing but the article,
so they run in worker processes forked from the main one: every worker inherits the main process's Cleaner
with its language models and the spaCy model, loaded and warmed before the fork, instead of loading its own.
A worker returns the cleaned article with its content lemmas and, for an article in the configured language,
its parsed Doc as bytes. What needs the whole store (entity ids, near-copies, clustering, writing) stays in
the main process.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import Any

from spacy.tokens import Doc

from recoupe.clean.cleaner import Cleaner
from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.read.nlp import Reader, Reading
from recoupe.records import Article, RawArticle

Parsed = tuple[RawArticle, Article | InputError, Reading | None]
# What a worker sends back: the article (or the error naming it), its Doc as bytes when it has one, its lemmas.
Returned = tuple[Article | InputError, bytes | None, list[str]]
# Articles a worker cleans, then parses in one batch: on the French pages of bench/stages.py, spaCy took 15 to
# 25% less CPU on batches of 4 to 16 than on the texts one by one; 16 articles hold about 6 French ones.
TASK_ARTICLES = 16

# Per-worker state. A worker process serves one Pool only, so these are set once by _start_worker (to the
# objects the main process forked it with) and never shared; the main process never reads them.
_worker: dict[str, Any] = {}


def _start_worker(cleaner: Cleaner, reader: Reader) -> None:
    _worker["cleaner"] = cleaner
    _worker["reader"] = reader


def clean_and_read(
    cleaner: Cleaner, reader: Reader, raws: list[RawArticle]
) -> list[tuple[Article | InputError, Reading | None]]:
    """Clean a few articles, then read them together: spaCy parses a batch faster than its texts one by one."""
    cleaned: list[Article | InputError] = []
    for raw in raws:
        try:
            cleaned.append(cleaner.clean(raw))
        except InputError as err:
            cleaned.append(err)
    readings = reader.read([article for article in cleaned if isinstance(article, Article)])
    return [(article, None if isinstance(article, InputError) else next(readings)) for article in cleaned]


def _clean_and_parse(raws: list[RawArticle]) -> list[Returned]:
    returned: list[Returned] = []
    for result, reading in clean_and_read(_worker["cleaner"], _worker["reader"], raws):
        if reading is None:
            returned.append((result, None, []))
            continue
        data = reading.doc.to_bytes(exclude=["tensor", "user_data"]) if reading.doc is not None else None
        returned.append((result, data, reading.lemmas))
    return returned


class Parser:
    """Cleans and parses a stream of raw articles, in order, in-process or on a pool of worker processes."""

    def __init__(self, config: Config, cleaner: Cleaner, reader: Reader) -> None:
        self.config = config
        self.cleaner = cleaner
        self.reader = reader

    def parse(self, raws: Iterable[RawArticle]) -> Iterator[Parsed]:
        """(raw, cleaned article or the error naming it, its reading or None) for each raw article, in order."""
        if self.config.n_process <= 1:
            yield from self._parse_here(raws)
            return
        # fork keeps start-up cheap: the workers inherit the parent's imports and its warmed model, passed to
        # them as initargs (with fork these are not pickled).
        # The input stream is read here, in the main thread, a chunk at a time: it may query the store.
        # The next chunk is handed to the pool before this one's results are read, so the workers never wait
        # while the main process analyses and stores the end of a chunk.
        self.reader.warm()
        self.cleaner.warm()
        # Docs coming back are read into the model's own vocabulary (their strings travel with them), as the
        # Docs of an in-process parse are.
        vocab = self.reader.nlp.vocab
        context = multiprocessing.get_context("fork")
        with context.Pool(self.config.n_process, _start_worker, (self.cleaner, self.reader)) as pool:
            stream = iter(raws)
            size = self.config.batch_size * 4
            in_flight: list[tuple[list[RawArticle], Iterator[Returned]]] = []
            while True:
                chunk = list(islice(stream, size))
                if chunk:
                    tasks = [chunk[i : i + TASK_ARTICLES] for i in range(0, len(chunk), TASK_ARTICLES)]
                    in_flight.append((chunk, chain.from_iterable(pool.imap(_clean_and_parse, tasks))))
                if not in_flight:
                    return
                if chunk and len(in_flight) < 2:
                    continue  # one more chunk goes to the pool before any result is read
                done, results = in_flight.pop(0)
                for raw, (result, data, lemmas) in zip(done, results, strict=True):
                    if isinstance(result, InputError):
                        yield raw, result, None
                        continue
                    doc = Doc(vocab).from_bytes(data) if data is not None else None
                    yield raw, result, Reading(doc, lemmas)

    def _parse_here(self, raws: Iterable[RawArticle]) -> Iterator[Parsed]:
        stream = iter(raws)
        while batch := list(islice(stream, self.config.batch_size)):
            for raw, (result, reading) in zip(batch, clean_and_read(self.cleaner, self.reader, batch), strict=True):
                yield raw, result, reading
