"""Watch mode: poll a list of feeds at a fixed interval and ingest their new items as they come.

Each cycle reads the feeds file again (it may be edited while watching), fetches every feed conditionally,
and runs the new items through the same pipeline as `ingest`, so each article joins its story incrementally.
Network errors are retried by the fetcher; a cycle that fails as a whole is logged and the next one comes
sooner, with exponential backoff up to the normal interval. SIGINT and SIGTERM stop the watch after the
batch in progress is committed: no stored article is lost and no half-read feed is marked as read.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest.fetch import Fetcher
from recoupe.ingest.session import IngestSession
from recoupe.ingest.urls import read_url_file
from recoupe.ingest.web import WebSource
from recoupe.models import Models
from recoupe.pipeline import Pipeline, RunReport
from recoupe.store import Store

DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$", re.IGNORECASE)
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
FIRST_BACKOFF = 30.0  # seconds before retrying after a failed cycle; doubled after each further failure


def parse_every(text: str) -> float:
    """Seconds in '90', '90s', '10m', '1.5h' or '1d'; ValueError naming the text otherwise."""
    match = DURATION.match(text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"'{text}' is not a positive duration like 30s, 10m, 1h or 1d")
    return float(match.group(1)) * UNIT_SECONDS[(match.group(2) or "s").lower()]


@dataclass
class Cycle:
    """What one polling cycle did."""

    number: int
    feeds: int
    not_modified: int
    pages_fetched: int
    stored: int
    skipped: int
    failed: list[InputError]
    seconds: float
    error: str | None = None  # the cycle as a whole failed

    @property
    def ok(self) -> bool:
        """Whether the cycle did its work: it did not fail as a whole, and its file listed a feed to read."""
        return self.error is None and (self.feeds > 0 or not self.failed)

    def line(self) -> str:
        """The log line of the cycle."""
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        if self.error:
            return f"{stamp} cycle {self.number}: failed: {self.error}"
        return (
            f"{stamp} cycle {self.number}: {self.feeds} feeds ({self.not_modified} not modified), "
            f"{self.pages_fetched} pages fetched, {self.stored} stored, {self.skipped} skipped, "
            f"{len(self.failed)} failed in {self.seconds:.1f} s"
        )


class Watcher:
    """Polls the feeds of a file into a store until stopped."""

    def __init__(
        self,
        config: Config,
        store: Store,
        feeds_file: Path,
        every: float,
        log: Callable[[str], None] = print,
        models: Models | None = None,  # loaded models to use; else built here, once for every cycle
    ) -> None:
        if every <= 0:
            raise ValueError(f"every must be a positive number of seconds, got {every}")
        self.config = config
        self.store = store
        self.feeds_file = feeds_file
        self.every = every
        self.log = log
        self.stop = threading.Event()
        self.session = IngestSession(config, store, models or Models(config))
        self.cycles = 0

    @property
    def pipeline(self) -> Pipeline:
        """The pipeline of the next cycle."""
        return self.session.pipeline

    def run(self, cycles: int | None = None, between: Callable[[Cycle], None] | None = None) -> int:
        """Poll until stopped by a signal (or after `cycles` cycles); `between` is called after each cycle.
        Returns how many cycles succeeded (Cycle.ok)."""
        failures = 0
        succeeded = 0
        with _stopping_on_signals(self.stop), Fetcher(self.config) as fetcher:
            while not self.stop.is_set():
                cycle = self.cycle(fetcher)
                self.log(cycle.line())
                for error in cycle.failed:
                    self.log(f"    error: {error}")
                failures = failures + 1 if cycle.error else 0
                succeeded += cycle.ok
                if between is not None:
                    between(cycle)
                if cycles is not None and self.cycles >= cycles:
                    break
                wait = min(self.every, FIRST_BACKOFF * 2 ** (failures - 1)) if failures else self.every
                self.stop.wait(wait)
        if self.stop.is_set():
            self.log("stopped: every article of the batch in progress was stored")
        return succeeded

    def cycle(self, fetcher: Fetcher) -> Cycle:
        """One pass over the feeds."""
        self.cycles += 1
        started = time.monotonic()
        feeds: list[str] = []
        failed: list[InputError] = []
        for item in read_url_file(self.feeds_file):
            if isinstance(item, InputError):
                failed.append(item)
            else:
                feeds.append(item)
        source = WebSource(self.config, self.store, fetcher, stop=self.stop)
        fetcher.forget_robots()  # a site's rules may change between cycles
        try:
            report = self.session.run(source.read(feeds), commit=source.commit)
        except (sqlite3.Error, OSError) as err:
            # The session dropped its pipeline: the next cycle starts from a fresh one.
            return Cycle(self.cycles, len(feeds), 0, 0, 0, 0, failed, time.monotonic() - started, error=str(err))
        return _cycle(self.cycles, len(feeds), source, report, failed, time.monotonic() - started)


def _cycle(
    number: int, feeds: int, source: WebSource, report: RunReport, failed: list[InputError], took: float
) -> Cycle:
    read = source.counts.listings + source.counts.not_modified
    return Cycle(
        number=number,
        feeds=feeds,
        not_modified=source.counts.not_modified,
        pages_fetched=source.counts.pages,
        stored=len(report.stored),
        skipped=len(report.skipped),
        failed=failed + report.failed,
        seconds=took,
        error="no feed could be read" if feeds and not read else None,
    )


@contextmanager
def _stopping_on_signals(stop: threading.Event) -> Iterator[None]:
    """Turn SIGINT and SIGTERM into `stop` while inside (main thread only); restore the handlers after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
