"""The one way into a store for writing: take the writer lock, make sure the pipeline is current, run it, commit.

`ingest`, `watch` and every server process write through an IngestSession. A pipeline keeps part of the store in
memory (story states, the entity index); when another process added articles since this session's pipeline last
wrote, that copy is stale and the pipeline is built again, under the lock, before it runs.

A server runs its session in a child process (SessionProcess): loading the models and reading a text hold the
GIL for seconds at a time (lingua, spaCy's tokenizer), which in the server's own process would starve the
thread that answers uvicorn's health check and get the server process killed mid-request.
"""

from __future__ import annotations

import atexit
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

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


class IngestFailed(RuntimeError):
    """An ingest that failed as a whole in the session's process (the store rolled the batch back)."""


def _serve_ingests(connection: Connection, config: Config, db: str) -> None:
    """The child process of a SessionProcess: runs each batch it receives, answers its report, until the parent
    closes the pipe."""
    # Ctrl-C reaches the whole process group; the parent decides when this process stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with Store(db) as store:
        session = IngestSession(config, store, Models(config))
        while True:
            try:
                inputs = connection.recv()
            except EOFError:
                return  # the parent is gone
            try:
                report = session.run(inputs)
            except Exception as err:  # any failure of the batch is the request's failure, not this process's
                connection.send(("failed", f"{type(err).__name__}: {err}"))
            else:
                connection.send(("done", report))


class SessionProcess:
    """An IngestSession over a store file, in a child process started on first use; one batch at a time."""

    def __init__(self, config: Config, db: str) -> None:
        self.config = config
        self.db = db
        self._lock = threading.Lock()  # one batch at a time through the pipe
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        self._exit_hook = False

    def _start(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._connection is not None:
            return self._connection
        # spawn, not fork: the server process has threads (the event loop's, uvicorn's health check).
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        # Not a daemon, which could not start the pipeline's own worker processes (n_process > 1); it ends when
        # closed, at this process's exit, or when it finds the pipe closed.
        process = context.Process(target=_serve_ingests, args=(child, self.config, self.db), name="recoupe-ingest")
        process.start()
        child.close()
        if not self._exit_hook:
            atexit.register(self._stop)
            self._exit_hook = True
        self._process, self._connection = process, parent
        return parent

    def run(self, inputs: Iterable[RawArticle | InputError | Skipped]) -> RunReport:
        """The report of the inputs run through the child's session; IngestFailed if the batch failed or the
        process ended (it is started again for the next batch)."""
        batch = list(inputs)
        with self._lock:
            connection = self._start()
            try:
                connection.send(batch)
                outcome, value = connection.recv()
            except (EOFError, OSError) as err:
                self._stop()
                raise IngestFailed(f"the ingest process ended during the batch ({err or 'pipe closed'})") from err
        if outcome == "failed":
            raise IngestFailed(str(value))
        report: RunReport = value
        return report

    def _stop(self) -> None:
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if process is not None:
            # Killed, not asked: a batch in progress is rolled back by SQLite, and nothing waits for it to end.
            process.kill()
            process.join()
        if connection is not None:
            connection.close()

    def close(self) -> None:
        """Stop the child process now, even in the middle of a batch (whose transaction SQLite rolls back)."""
        # Not under self._lock: a request may be waiting in run(); killing the child ends its wait.
        self._stop()
