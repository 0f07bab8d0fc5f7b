"""Everything one app instance holds: how to reach the store, the token, the ingest session."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from recoupe.brief.build import builder_key
from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest.session import IngestSession, SessionProcess
from recoupe.models import Models
from recoupe.pipeline import Pipeline, RunReport
from recoupe.records import RawArticle
from recoupe.server import views
from recoupe.store import Store

T = TypeVar("T")


class AppState:
    """Store access: one read connection per thread on a file (the event loop's for the quick read handlers,
    worker threads' for searches and story pages; WAL lets them read while an ingest writes through its own
    connection), or one shared store behind a lock when given a Store (tests, ':memory:'), where reads wait for
    a running ingest."""

    def __init__(self, config: Config, store: Store | str | Path, token: str) -> None:
        self.config = config
        self.token = token
        self._shared = store if isinstance(store, Store) else None
        self._path = None if isinstance(store, Store) else str(store)
        self._lock = threading.RLock()  # guards the shared store, the writer and the session
        self._local = threading.local()
        self._opened: list[Store] = []
        self._writer: Store | None = None
        self._session: IngestSession | None = None  # writing in this process
        self._ingester: SessionProcess | None = None  # writing in the ingest process, over a store file
        self._memo: dict[str, tuple[int, Any]] = {}
        self._building: dict[str, _Building] = {}  # stories whose brief some request is reading or building
        self._building_lock = threading.Lock()  # guards _building; never held while building or ingesting
        # Read before the first request rather than during it: the figure rules load spaCy's function words.
        self._brief_builder = builder_key(config)
        if self._path is not None:
            self._writer = Store(self._path)  # also runs the migrations before any reader opens

    @contextmanager
    def reading(self) -> Iterator[Store]:
        """A store to read from in this thread."""
        if self._shared is not None:
            with self._lock:
                yield self._shared
            return
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            assert self._path is not None
            store = Store(self._path)
            self._local.store = store
            with self._lock:
                self._opened.append(store)
        yield store

    @contextmanager
    def writing(self) -> Iterator[Pipeline]:
        """The pipeline over the writable store, one writer at a time across the server's processes; the models
        load on first use."""
        with self._lock:
            if self._session is None:
                store = self._shared if self._shared is not None else self._writer
                assert store is not None
                self._session = IngestSession(self.config, store, Models(self.config))  # the models load lazily
            with self._session.writing() as pipeline:
                yield pipeline

    def ingest(self, inputs: Sequence[RawArticle | InputError]) -> RunReport:
        """Run the inputs through the pipeline: in the ingest process over a store file, so that no model and no
        text holds this process's GIL; in this process over a store given as an object (tests, ':memory:')."""
        if self._path is None:
            with self.writing() as pipeline:
                return pipeline.run(inputs)
        with self._lock:
            if self._ingester is None:
                self._ingester = SessionProcess(self.config, self._path)
            ingester = self._ingester
        return ingester.run(inputs)

    def read(self, reader: Callable[[Store], T]) -> T:
        """What `reader` reads from the store of this thread (for a worker thread: `run_in_threadpool(state.read,
        reader)`)."""
        with self.reading() as store:
            return reader(store)

    def memo(self, store: Store, key: str, compute: Callable[[Store], Any]) -> Any:
        """A store-wide aggregate (speaker or outlet lists), recomputed only after articles were added."""
        stamp = store.data_stamp()
        cached = self._memo.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        value = compute(store)
        self._memo[key] = (stamp, value)
        return value

    def brief(self, story_id: str) -> dict[str, Any]:
        """A story's brief: the one saved in the store for the story's current articles, else built and saved.
        Called from a worker thread, as building one can take long enough to stall every other request if it
        ran on the event loop; two requests for a brief not saved yet build it once."""
        builder = self._brief_builder
        with self._building_lock:
            building = self._building.setdefault(story_id, _Building())
            building.requests += 1
        try:
            with building.lock, self.reading() as store:
                # The stamp is read before building: should an article join meanwhile, the brief is saved under
                # the older stamp and the next request, seeing the new one, builds it again.
                stamp = store.story_stamp(story_id)
                saved = store.cached_brief(story_id, stamp, builder)
                if saved is not None:
                    found: dict[str, Any] = json.loads(saved)
                    return found
                built = views.brief(store, story_id, self.config)
                # Not saved while an ingest holds the write lock: the next request builds it again.
                store.save_brief(story_id, stamp, builder, json.dumps(built, ensure_ascii=False))
                return built
        finally:
            with self._building_lock:
                building.requests -= 1
                if not building.requests:
                    del self._building[story_id]

    def close(self) -> None:
        """Stop the ingest process, even mid-batch, and close every connection this state opened (not a store it
        was given)."""
        if self._ingester is not None:
            self._ingester.close()  # first, and not under the lock that a waiting ingest may hold
        with self._lock:
            for store in self._opened:
                store.close()
            self._opened.clear()
            if self._writer is not None:
                self._writer.close()
                self._writer = None


class _Building:
    """The requests for one story's brief: the first builds it while the others wait, then read it saved."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
