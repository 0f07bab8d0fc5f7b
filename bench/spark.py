"""Articles per second per core on Spark, beside the single-machine pipeline in the same run.

Runs `recoupe ingest` (one process, one core) on the inputs into a fresh store, then the batch on Spark with
one executor of one core (local-cluster[1,1,2048]: a separate executor JVM, as on a cluster) and with two
(local-cluster[2,1,2048]); prints each run's articles/s per core, the analysis step alone (the per-article
stages, what a cluster multiplies) and the whole batch with its corpus-wide joins, the batch/single ratio
and the scaling efficiency from one executor to two.

    .venv/bin/python bench/spark.py                       # seeds, wikinews and the 181 benchmark pages
    .venv/bin/python bench/spark.py --inputs crawl/*.warc.gz
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from recoupe.config import Config
from recoupe.spark.job import BatchReport, run_batch, session

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_INPUTS = [SHARED / "seeds", SHARED / "corpus" / "wikinews-fr-2012"]
PAGES = SHARED / "benchmarks" / "article-extraction" / "html"
EXECUTOR_MEMORY_MB = 2048


def unpacked_pages(workdir: Path) -> Path:
    """The benchmark's gzipped pages as .html files recoupe reads."""
    pages = workdir / "pages"
    pages.mkdir()
    for path in sorted(PAGES.glob("*.html.gz")):
        (pages / path.name.removesuffix(".gz")).write_bytes(gzip.decompress(path.read_bytes()))
    return pages


def single_machine(inputs: list[str], workdir: Path) -> tuple[int, float]:
    """(articles stored, seconds) of `recoupe ingest` in one process."""
    db = workdir / "single.db"
    command = [sys.executable, "-c", "from recoupe.cli import app; app()", "--db", str(db), "ingest", *inputs]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    line = [x for x in done.stderr.splitlines() if x.startswith("stored ")]
    return int(line[-1].split()[1]) if line else 0, seconds


def on_spark(master: str, inputs: list[str], workdir: Path) -> tuple[BatchReport, float]:
    """The batch's report and wall seconds (session start excluded) on `master`."""
    spark = session(master, "recoupe bench", **{"spark.executor.memory": f"{EXECUTOR_MEMORY_MB}m"})
    spark.sparkContext.setLogLevel("ERROR")
    try:
        start = time.perf_counter()
        report = run_batch(spark, inputs, str(workdir / master.replace("[", "_").replace("]", "")), Config())
        return report, time.perf_counter() - start
    finally:
        spark.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", nargs="*", help="paths to read (default: seeds, wikinews, benchmark pages)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        inputs = args.inputs or [*map(str, DEFAULT_INPUTS), str(unpacked_pages(workdir))]
        stored, seconds = single_machine(inputs, workdir)
        single_rate = stored / seconds
        print(
            f"single machine, 1 core: {stored} articles in {seconds:.1f} s = {single_rate:.2f} articles/s", flush=True
        )
        rates: dict[int, float] = {}
        for executors in (1, 2):
            master = f"local-cluster[{executors},1,{EXECUTOR_MEMORY_MB}]"
            report, wall = on_spark(master, inputs, workdir)
            analyse = report.seconds.get("analyse", wall)
            rates[executors] = report.articles / analyse / executors
            whole = report.articles / wall / executors
            print(
                f"{master}: {report.articles} articles; analysis {analyse:.1f} s = {rates[executors]:.2f} "
                f"articles/s per core ({rates[executors] / single_rate:.2f}x single); whole batch {wall:.1f} s = "
                f"{whole:.2f} articles/s per core ({whole / single_rate:.2f}x single); steps {report.seconds}",
                flush=True,
            )
        print(f"scaling efficiency, 1 -> 2 executors (analysis): {rates[2] / rates[1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
