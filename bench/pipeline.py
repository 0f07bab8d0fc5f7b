"""End-to-end throughput: articles/s and peak memory of ingest -> clean -> nlp -> quotes -> dedupe -> cluster -> store.

Runs recoupe's pipeline on ../shared/corpus plus the extraction benchmark pages, repeated to at least
--articles inputs (each copy made unique so the content-hash check does not skip it), and in the same run the
naive baseline: trafilatura plus the full spaCy fr_core_news_md pipeline on every article, in one process
(on --baseline-articles of them, as it is slow). Then prints the quality figures on ../shared/gold/seeds.json.

    .venv/bin/python bench/pipeline.py [--articles 5000] [--baseline-articles 400] [--profile] [--facts-cost]
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def load_pages() -> list[tuple[str, str]]:
    """(name, html) of every corpus and benchmark page."""
    pages = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((SHARED / "corpus").rglob("*.html"))]
    for path in sorted((SHARED / "benchmarks" / "article-extraction" / "html").glob("*.html.gz")):
        pages.append((path.name, gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")))
    return pages


def stream(pages: list[tuple[str, str]], count: int) -> Iterator[tuple[str, str]]:
    """`count` inputs cycling through the pages; each repeat carries a marker so its content hash differs."""
    for i in range(count):
        name, html = pages[i % len(pages)]
        yield f"{name}#{i}", f"{html}\n<!-- recoupe bench copy {i} -->"


def cpu_seconds() -> tuple[float, float]:
    """CPU time (user and system) of this process and of its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its finished children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def run_recoupe(
    pages: list[tuple[str, str]], count: int, n_process: int, batch_size: int, profile: bool, facts: bool = True
) -> float:
    from recoupe.config import Config
    from recoupe.models import Models
    from recoupe.pipeline import Pipeline
    from recoupe.records import RawArticle
    from recoupe.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        config = Config(db=Path(tmp) / "bench.db", n_process=n_process, batch_size=batch_size, facts=facts)
        store = Store(config.db)
        models = Models(config)
        pipeline = Pipeline(config, store, models)
        french = models.reader(config.language)
        assert french is not None
        french.nlp  # load the spaCy model outside the timed part  # noqa: B018
        inputs = (
            RawArticle(source=name, content=html, format="html", origin=name) for name, html in stream(pages, count)
        )
        profiler = None
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler()
            profiler.start()
        start, (own_start, workers_start) = time.perf_counter(), cpu_seconds()
        report = pipeline.run(inputs)
        elapsed = time.perf_counter() - start
        own, workers = (end - begin for end, begin in zip(cpu_seconds(), (own_start, workers_start), strict=True))
        if profiler is not None:
            profiler.stop()
            (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
            out = ROOT / "bench" / "out" / "pipeline-profile.txt"
            out.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
            print(f"profile written to {out}")
        stories = len(store.stories())
        store.close()
    done = len(report.stored) + len(report.failed)
    print(
        f"recoupe   {done} inputs ({len(report.stored)} stored, {len(report.failed)} without text) in {elapsed:.1f} s:"
        f" {done / elapsed:.1f} articles/s, {stories} stories, n_process={n_process}, batch_size={batch_size},"
        f" facts {'on' if facts else 'off'}"
    )
    print(
        f"CPU per article: {own / done * 1000:.1f} ms in the main process, {workers / done * 1000:.1f} ms in the"
        f" workers; {(own + workers) / elapsed:.2f} cores busy on average"
    )
    return done / elapsed


def run_baseline(pages: list[tuple[str, str]], count: int) -> float:
    import spacy
    import trafilatura

    nlp = spacy.load("fr_core_news_md")
    start = time.perf_counter()
    for _name, html in stream(pages, count):
        text = trafilatura.extract(html) or ""
        nlp(text)
    elapsed = time.perf_counter() - start
    print(f"baseline  {count} inputs in {elapsed:.1f} s: {count / elapsed:.1f} articles/s (trafilatura + full spaCy)")
    return count / elapsed


def main() -> None:
    from recoupe.config import Config

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--baseline-articles", type=int, default=400)
    parser.add_argument("--n-process", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=Config().batch_size, help="articles per transaction")
    parser.add_argument("--profile", action="store_true", help="profile recoupe's run with pyinstrument")
    parser.add_argument(
        "--facts-cost", action="store_true", help="run again without claims and facts and print what they cost"
    )
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"{SHARED} is missing")
    pages = load_pages()
    print(f"{len(pages)} distinct pages, {args.articles} inputs")
    rate = run_recoupe(pages, args.articles, args.n_process, args.batch_size, args.profile)
    if args.facts_cost:
        without = run_recoupe(pages, args.articles, args.n_process, args.batch_size, False, facts=False)
        print(f"claims and facts add {without / rate - 1:.0%} to ingest time (target: at most 25%)")
    own, children = peak_rss_mb()
    print(f"peak memory: {own:.0f} MB in the main process, {children:.0f} MB in the largest worker")
    if args.baseline_articles <= 0:
        return
    base = run_baseline(pages, args.baseline_articles)
    print(f"speed-up over the baseline: {rate / base:.2f}x (targets: >= 50 articles/s and >= 3x)")

    from recoupe import evaluate
    from recoupe.cli.commands import run_ingest
    from recoupe.store import Store

    with Store(":memory:") as store:
        run_ingest(Config(db=Path(":memory:")), store, [str(SHARED / "seeds")], quiet=True)
        gold = json.loads((SHARED / "gold" / "seeds.json").read_text(encoding="utf-8"))
        print("quality on the seeds:")
        print(evaluate.format_figures(evaluate.evaluate(store, gold)))


if __name__ == "__main__":
    main()
