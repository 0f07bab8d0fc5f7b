"""The one way into a store for writing: take the writer lock, make sure the pipeline is current, run it, commit.

`ingest`, `watch` and every server process write through an IngestSession. A pipeline keeps part of the store in
memory (story states, the entity index); when another process added articles since this session's pipeline last
wrote, that copy is stale and the pipeline is built again, under the lock, before it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.models import Models
from recoupe.pipeline import Pipeline, RunReport
from recoupe.records import RawArticle, Skipped
from recoupe.store import Store

PipelineFactory = Callable[[Config, Store, Models], Pipeline]


def build_pipeline(config: Config, store: Store, models: Models) -> Pipeline:
    """The pipeline over `store`, with the models the session was handed: the only place a session builds one."""
    return Pipeline(config, store, models)


class IngestSession:
    """Writes into one store, one writer at a time across processes, with a pipeline current with the store."""

    def __init__(self, config: Config, store: Store, models: Models, build: PipelineFactory = build_pipeline) -> None:
        self.config = config
        self.store = store
        self.models = models  # loaded once, kept when a stale pipeline is built again
        self._build = build
        self._pipeline: Pipeline | None = None
        self._stamp = 0  # the store's data stamp when the pipeline was built or last wrote

    @property
    def pipeline(self) -> Pipeline:
        """The current pipeline, built on first use."""
        if self._pipeline is None:
            self._pipeline = self._build(self.config, self.store, self.models)
            self._stamp = self.store.data_stamp()
        return self._pipeline

    @contextmanager
    def writing(self) -> Iterator[Pipeline]:
        """Hold the writer lock with a pipeline that has seen every article stored so far."""
        with self.store.writer_lock():
            if self._pipeline is not None and self.store.data_stamp() != self._stamp:
                self._pipeline = None  # another process added articles: the pipeline's copy is stale
            pipeline = self.pipeline
            try:
                yield pipeline
            except BaseException:
                # A failed batch was rolled back, but the state the pipeline keeps in memory may have moved
                # ahead of the store: the next write starts from a fresh pipeline.
                self._pipeline = None
                raise
            self._stamp = self.store.data_stamp()

    def run(
        self,
        inputs: Iterable[RawArticle | InputError | Skipped],
        on_progress: Callable[[int], None] | None = None,
        commit: Callable[[], None] | None = None,
    ) -> RunReport:
        """Run the inputs through the pipeline under the lock; `commit` (a source marking what it read) runs
        after the pipeline stored every batch, still under the lock."""
        with self.writing() as pipeline:
            report = pipeline.run(inputs, on_progress=on_progress)
            if commit is not None:
                commit()
            return report
