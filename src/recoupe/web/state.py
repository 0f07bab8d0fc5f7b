"""Everything one app instance holds: how to reach the store, the token, the lazily built pipeline."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from recoupe.config import Config
from recoupe.pipeline import Pipeline
from recoupe.store import Store
from recoupe.web import views

BRIEFS_KEPT = 256  # built briefs kept per app, the most recently used


class AppState:
    """Store access: one read connection per thread on a file (the event loop's for the read handlers; WAL lets
    them read while an ingest writes through its own connection), or one shared store behind a lock when given
    a Store (tests, ':memory:'), where reads wait for a running ingest."""

    def __init__(self, config: Config, store: Store | str | Path, token: str) -> None:
        self.config = config
        self.token = token
        self._shared = store if isinstance(store, Store) else None
        self._path = None if isinstance(store, Store) else str(store)
        self._lock = threading.RLock()  # guards the shared store, the writer and the pipeline
        self._local = threading.local()
        self._opened: list[Store] = []
        self._writer: Store | None = None
        self._pipeline: Pipeline | None = None
        self._memo: dict[str, tuple[int, Any]] = {}
        self._briefs: OrderedDict[str, tuple[int, dict[str, Any]]] = OrderedDict()
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
        """The pipeline over the writable store, one writer at a time; spaCy loads on first use."""
        with self._lock:
            if self._pipeline is None:
                store = self._shared if self._shared is not None else self._writer
                assert store is not None
                self._pipeline = Pipeline(self.config, store)
            yield self._pipeline

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
        """A story's brief, rebuilt only after articles were added; called from a worker thread, as building one
        can take long enough to stall every other request if it ran on the event loop."""
        with self.reading() as store:
            stamp = store.data_stamp()
            with self._lock:
                cached = self._briefs.get(story_id)
                if cached is not None and cached[0] == stamp:
                    self._briefs.move_to_end(story_id)
                    return cached[1]
            built = views.brief(store, story_id, self.config)
        with self._lock:
            self._briefs[story_id] = (stamp, built)
            self._briefs.move_to_end(story_id)
            while len(self._briefs) > BRIEFS_KEPT:
                self._briefs.popitem(last=False)
        return built

    def close(self) -> None:
        """Close every connection this state opened (not a store it was given)."""
        with self._lock:
            for store in self._opened:
                store.close()
            self._opened.clear()
            if self._writer is not None:
                self._writer.close()
                self._writer = None
