"""What `ingest` shows while it works: a note on the files passed over, a progress bar on a terminal, one summary
line at the end. Imported by the commands that ingest only: it imports the pipeline and its models."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import typer
from tqdm import tqdm

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest import files
from recoupe.ingest.urls import is_url
from recoupe.models import Models
from recoupe.pipeline import Pipeline, RunReport
from recoupe.read.nlp import Reading
from recoupe.read.workers import Parsed
from recoupe.records import Analysis, Article, RawArticle, Skipped
from recoupe.store import Store

NAMES_IN_NOTE = 5  # files named in the note on the files passed over; the rest are counted


@dataclass
class Targets:
    """The command line's targets listed once: the article files under them (folders walked), the files of a
    folder that hold no articles, the targets that cannot be read, and the URLs."""

    paths: list[Path] = field(default_factory=list)
    passed_over: list[Skipped] = field(default_factory=list)
    unreadable: list[InputError] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    @classmethod
    def listed(cls, targets: Sequence[str]) -> Targets:
        """Walk the path targets, keep the URLs for the web source."""
        listing = cls(urls=[t for t in targets if is_url(t)])
        for entry in files.entries([t for t in targets if not is_url(t)]):
            if isinstance(entry, Path):
                listing.paths.append(entry)
            elif isinstance(entry, Skipped):
                listing.passed_over.append(entry)
            else:
                listing.unreadable.append(entry)
        return listing

    def expected(self, config: Config) -> int | None:
        """How many inputs the run will read, when the files say (None with a WARC archive or a URL)."""
        if self.urls:
            return None  # a feed or a sitemap gives as many pages as it lists
        total = len(self.unreadable)
        for path in self.paths:
            count = files.expected_inputs(path, config)
            if count is None:
                return None
            total += count
        return total

    def note(self) -> str | None:
        """The one line that names the files passed over, or None."""
        if not self.passed_over:
            return None
        names = [Path(s.origin).name for s in self.passed_over[:NAMES_IN_NOTE]]
        more = len(self.passed_over) - len(names)
        listed = ", ".join(names) + (f" and {more} more" if more else "")
        count = len(self.passed_over)
        what = "files that hold" if count > 1 else "file that holds"
        return f"note: passed over {count} {what} no articles: {listed}"


class Progress:
    """A run's inputs counted as the pipeline finishes them: a bar on stderr when `shown` (inputs done, inputs/s,
    the ETA when their number is known, failures so far), and the run's summary line at its end in any case.

    An input is done when it fails to be read, is passed over, or its batch is stored; an article counts once
    read, so that the bar moves within a batch. `build` gives the IngestSession a pipeline that reports here.
    """

    def __init__(self, total: int | None, shown: bool) -> None:
        self.failed = 0
        self.taken = 0  # inputs the pipeline took from the stream
        self.done = 0
        self.total = total
        self.reads_ahead = False
        self.started = time.monotonic()
        self.bar = tqdm(
            total=total,
            desc="ingest",
            unit=" articles",
            disable=not shown,
            file=sys.stderr,
            dynamic_ncols=True,
            postfix={"failed": 0},
        )

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.bar.close()

    def counted(
        self, inputs: Iterable[RawArticle | InputError | Skipped]
    ) -> Iterator[RawArticle | InputError | Skipped]:
        """The inputs as they are; one that cannot be read or is passed over is done as it passes."""
        for item in inputs:
            if isinstance(item, InputError):
                self.failed += 1
                self._move(1)
            elif isinstance(item, Skipped):
                self._move(1)
            yield item

    def take(self, count: int) -> None:
        """The pipeline took `count` more inputs (its on_progress)."""
        self.taken += count

    def build(self, config: Config, store: Store, models: Models) -> Pipeline:
        """The pipeline of an IngestSession, telling this bar of each article read and each batch stored."""
        # Worker processes read inputs ahead of the batch being stored: then what was taken is not all done.
        self.reads_ahead = config.n_process > 1
        return _ReportingPipeline(config, store, models, self)

    def read_one(self) -> None:
        """One more article read (stages 6 to 8 done)."""
        self._move(1)

    def stored(self, batch: Sequence[Parsed], analyses: Sequence[Analysis]) -> None:
        """A batch stored: its articles that failed are done; in one process, so is every input taken so far
        (those passed over as stored already among them)."""
        read = sum(1 for _raw, result, reading in batch if not isinstance(result, InputError) and reading)
        failed = sum(1 for _raw, result, _reading in batch if isinstance(result, InputError))
        failed += read - len(analyses)  # over the time limit
        self.failed += failed
        self._move(failed if self.reads_ahead else max(0, self.taken - self.done))

    def _move(self, count: int) -> None:
        self.done += count
        if self.total is not None and self.done > self.total:
            self.total = self.bar.total = self.done  # a JSON list or a feed held more than its file said
        self.bar.set_postfix(failed=self.failed, refresh=False)
        self.bar.update(count)

    def finish(self, report: RunReport) -> str:
        """Close the bar on the run's own figures; the summary line."""
        done = len(report.stored) + len(report.skipped) + len(report.failed)
        self.bar.total = done
        self.bar.n = done
        self.bar.set_postfix(failed=len(report.failed), refresh=False)
        self.bar.close()
        seconds = time.monotonic() - self.started
        rate = f", {len(report.stored) / seconds:.1f} articles/s" if seconds > 0 and report.stored else ""
        return (
            f"stored {len(report.stored)} articles, skipped {len(report.skipped)} already stored, "
            f"{len(report.failed)} inputs failed in {seconds:.1f} s{rate}"
        )


class _ReportingPipeline(Pipeline):
    """The pipeline, telling a Progress of each article it read and each batch it stored."""

    def __init__(self, config: Config, store: Store, models: Models, progress: Progress) -> None:
        super().__init__(config, store, models)
        self.progress = progress

    def analyse(self, article: Article, reading: Reading) -> Analysis:
        """Stages 6 to 8, then one more article on the bar."""
        analysis = super().analyse(article, reading)
        self.progress.read_one()
        return analysis

    def store_batch(self, batch: list[Parsed], analyses: list[Analysis]) -> None:
        """Stages 9 to 12 of a batch, then the bar brought to every input taken so far."""
        super().store_batch(batch, analyses)
        self.progress.stored(batch, analyses)


def shown(quiet: bool, progress: bool | None) -> bool:
    """Whether the bar is drawn: as asked, else on a terminal, never when quiet."""
    if quiet:
        return False
    return progress if progress is not None else sys.stderr.isatty()


def echo_note(targets: Targets) -> None:
    """Print the note on the files passed over, if any."""
    note = targets.note()
    if note is not None:
        typer.echo(note, err=True)
