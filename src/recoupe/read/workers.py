"""The article-local stages on every core: the pipeline's own stage function, run in worker processes.

Cleaning (trafilatura, lingua) and spaCy take most of the time of an ingest and need nothing but the article,
so the pipeline's `prepare` (clean, language, read) runs in worker processes forked from the main one: every
worker inherits the main process's Models, lingua and the default language's spaCy model loaded and warmed
before the fork, instead of loading its own. The model of another language loads in each process the first
time an article in that language reaches it (in the main process, to read the Docs coming back). A worker
returns the cleaned article with its content lemmas and, when it has one, its parsed Doc as bytes. What needs
the whole store (entity ids, near-copies, clustering, writing) stays in the main process.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from typing import Any

from spacy.tokens import Doc

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.models import Models
from recoupe.read.nlp import Reading
from recoupe.records import Article, RawArticle

Prepared = tuple[Article | InputError, Reading | None]
Parsed = tuple[RawArticle, Article | InputError, Reading | None]
# The article-local stages: (models, raw articles) -> each one cleaned and read, in order (no reading for an
# error).
Prepare = Callable[[Models, Sequence[RawArticle]], list[Prepared]]
# What a worker sends back: the article (or the error naming it), its Doc as bytes when it has one, its lemmas.
Returned = tuple[Article | InputError, bytes | None, list[str]]
# Articles a worker cleans, then parses in one batch: on the French pages of bench/stages.py, spaCy took 15 to
# 25% less CPU on batches of 4 to 16 than on the texts one by one; 16 articles hold about 6 French ones.
TASK_ARTICLES = 16

# Per-worker state. A worker process serves one Pool only, so this is set once by _start_worker (to the objects
# the main process forked it with) and never shared; the main process never reads it.
_worker: dict[str, Any] = {}


# A worker ends with the process that forked it, even one killed with SIGKILL: else it would parse on, holding
# the store's writer lock (inherited with the fork) that the next ingest waits for. Linux sends it SIGKILL when
# its parent dies (prctl PR_SET_PDEATHSIG); elsewhere, and as a fallback, a thread watches its parent pid.
PR_SET_PDEATHSIG = 1  # from linux/prctl.h
PARENT_CHECK_SECONDS = 0.5


def _start_worker(models: Models, prepare: Prepare, parent: int) -> None:
    _die_with_parent(parent)
    _worker["models"] = models
    _worker["prepare"] = prepare


def _die_with_parent(parent: int) -> None:
    """End this process when the process `parent` ends."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # no prctl: the watch below still ends it
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="recoupe-parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # orphaned: reparented to init or a subreaper


def _prepare_here(raws: list[RawArticle]) -> list[Returned]:
    returned: list[Returned] = []
    for result, reading in _worker["prepare"](_worker["models"], raws):
        if reading is None:
            returned.append((result, None, []))
            continue
        data = reading.doc.to_bytes(exclude=["tensor", "user_data"]) if reading.doc is not None else None
        returned.append((result, data, reading.lemmas))
    return returned


class Parser:
    """Runs the article-local stages over a stream of raw articles, in order, in-process or on worker processes."""

    def __init__(self, config: Config, models: Models, prepare: Prepare) -> None:
        self.config = config
        self.models = models
        self.prepare = prepare

    def parse(self, raws: Iterable[RawArticle]) -> Iterator[Parsed]:
        """(raw, cleaned article or the error naming it, its reading or None) for each raw article, in order."""
        if self.config.n_process <= 1:
            yield from self._parse_here(raws)
            return
        # fork keeps start-up cheap: the workers inherit the parent's imports and its warmed models, passed to
        # them as initargs (with fork these are not pickled).
        # The input stream is read here, in the main thread, a chunk at a time: it may query the store.
        # The next chunk is handed to the pool before this one's results are read, so the workers never wait
        # while the main process analyses and stores the end of a chunk.
        self.models.warm()
        context = multiprocessing.get_context("fork")
        with context.Pool(self.config.n_process, _start_worker, (self.models, self.prepare, os.getpid())) as pool:
            stream = iter(raws)
            size = self.config.batch_size * 4
            in_flight: list[tuple[list[RawArticle], Iterator[Returned]]] = []
            while True:
                chunk = list(islice(stream, size))
                if chunk:
                    tasks = [chunk[i : i + TASK_ARTICLES] for i in range(0, len(chunk), TASK_ARTICLES)]
                    in_flight.append((chunk, chain.from_iterable(pool.imap(_prepare_here, tasks))))
                if not in_flight:
                    return
                if chunk and len(in_flight) < 2:
                    continue  # one more chunk goes to the pool before any result is read
                done, results = in_flight.pop(0)
                yield from self._received(done, results)

    def _received(self, raws: list[RawArticle], results: Iterator[Returned]) -> Iterator[Parsed]:
        """What the workers send back for a chunk, as it comes, Docs rebuilt."""
        for raw, (result, data, lemmas) in zip(raws, results, strict=True):
            if isinstance(result, InputError):
                yield raw, result, None
            else:
                yield raw, result, Reading(self._doc(result.language, data), lemmas)

    def _doc(self, language: str, data: bytes | None) -> Doc | None:
        if data is None:
            return None
        # Read into the model's own vocabulary (the Doc's strings travel with it), as the Docs of an in-process
        # parse are: the model this process forked its workers with, or, for another language, loaded here now.
        reader = self.models.reader(language)
        assert reader is not None, f"a worker parsed a {language!r} article with a model this process has not"
        return Doc(reader.nlp.vocab).from_bytes(data)

    def _parse_here(self, raws: Iterable[RawArticle]) -> Iterator[Parsed]:
        stream = iter(raws)
        while batch := list(islice(stream, self.config.batch_size)):
            for raw, (result, reading) in zip(batch, self.prepare(self.models, batch), strict=True):
                yield raw, result, reading
