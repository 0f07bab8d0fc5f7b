"""Where an article's time goes: every stage of the pipeline timed in one process, on the pages of bench/pipeline.py.

The pipeline runs in-process (n_process=1) over the distinct pages twice: the first pass with every cache
cold (a stream of new articles), the second over copies of the same pages (warm caches, near-copies found),
as bench/pipeline.py's repeated stream is. spaCy's components are then timed one by one on the French pages,
cold and warm, as recoupe loads them (numpy's matrix products, the lemmatizer's word lists as sets) and as
spaCy does (thinc's BLIS, lists), side by side;
last, the whole model on the texts one by one and in batches.

    .venv/bin/python bench/stages.py
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import spacy
import trafilatura
from spacy.language import Language

from pipeline import SHARED, load_pages, stream
from recoupe import pipeline as stages
from recoupe.clean import cleaner as clean
from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.models import Models
from recoupe.people.entities import EntityResolver
from recoupe.pipeline import Pipeline
from recoupe.quotes.extract import QuoteExtractor
from recoupe.read.nlp import Reader
from recoupe.records import Article, RawArticle
from recoupe.store import Store
from recoupe.stories import dates


class StageClock:
    """Seconds spent in wrapped callables, by label, in the order the labels were made."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, owner: Any, name: str, label: str, generator: bool = False) -> None:
        """Replace `owner.name` by a timed call of it (a generator's items are drawn inside the call)."""
        original: Callable[..., Any] = getattr(owner, name)
        seconds = self.seconds
        seconds[label] += 0.0

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return iter(list(original(*args, **kwargs))) if generator else original(*args, **kwargs)
            finally:
                seconds[label] += time.perf_counter() - start

        setattr(owner, name, timed)

    def snapshot(self) -> dict[str, float]:
        return dict(self.seconds)


def clocked_pipeline(config: Config, store: Store, models: Models, clock: StageClock) -> Pipeline:
    """A pipeline whose stages report to the clock (workers: cleaning and reading; main: the rest)."""
    pipeline = Pipeline(config, store, models)
    clock.wrap(stages, "clean", "clean (all)")
    clock.wrap(clean, "extract_html", "  HTML extraction (all)")
    clock.wrap(trafilatura, "load_html", "    parse the HTML")
    clock.wrap(clean, "read_metadata", "    metadata (title, site, URL, date)")
    clock.wrap(clean, "_extract_text", "    text (trafilatura chain)")
    clock.wrap(models.languages, "detect", "  language")
    clock.wrap(models.languages, "foreign_fragments", "  foreign fragments")
    clock.wrap(stages, "read", "read (spaCy, plain words)")
    clock.wrap(pipeline, "analyse", "analyse (all)")
    clock.wrap(EntityResolver, "resolve", "  entities")
    clock.wrap(QuoteExtractor, "extract", "  quotes")
    clock.wrap(pipeline.dates, "dating", "  dates: written, reported (clustering's too)")
    clock.wrap(dates, "event_dates", "  dates: mentioned")
    clock.wrap(pipeline, "place", "place (all)")
    clock.wrap(pipeline.near_copies, "find_and_add", "  near-copies")
    clock.wrap(pipeline.clusterer, "place", "  clustering")
    clock.wrap(pipeline.store, "save_analysis", "store")
    return pipeline


def time_pipeline(pages: list[tuple[str, str]]) -> list[Article]:
    """Both passes of the in-process pipeline, stage by stage; returns the cleaned articles of the first."""
    clock = StageClock()
    articles: list[Article] = []
    with tempfile.TemporaryDirectory() as tmp:
        config = Config(db=Path(tmp) / "stages.db", n_process=1)
        store = Store(config.db)
        models = Models(config)
        pipeline = clocked_pipeline(config, store, models, clock)
        french_reader(models).warm()
        inputs = [
            RawArticle(source=name, content=html, format="html", origin=name)
            for name, html in stream(pages, 2 * len(pages))
        ]
        passes: list[tuple[float, dict[str, float]]] = []
        for part in (inputs[: len(pages)], inputs[len(pages) :]):
            before = clock.snapshot()
            start = time.perf_counter()
            pipeline.run(part)
            elapsed = time.perf_counter() - start
            passes.append((elapsed, {k: v - before.get(k, 0.0) for k, v in clock.snapshot().items()}))
        for raw in inputs[: len(pages)]:
            try:
                articles.append(stages.clean(models, raw))
            except InputError:
                continue
        store.close()
    n = len(pages)
    print(f"in-process pipeline, ms per article over {n} pages: first pass (cold) | second pass (copies, warm)")
    for label in passes[0][1]:
        print(f"  {label:<40} {passes[0][1][label] / n * 1000:7.1f} | {passes[1][1][label] / n * 1000:7.1f}")
    print(f"  {'whole run':<40} {passes[0][0] / n * 1000:7.1f} | {passes[1][0] / n * 1000:7.1f}")
    return articles


def french_reader(models: Models) -> Reader:
    """The spaCy reader of French, whose pages these timings are about."""
    reader = models.reader("fr")
    assert reader is not None, "the French rules name no installed spaCy model"
    return reader


def time_components(nlp: Language, texts: list[str], warm_up: str) -> dict[str, tuple[float, float]]:
    """spaCy's components one by one on the texts, ms a text: (first pass, second pass)."""
    nlp(warm_up)
    out: dict[str, list[float]] = defaultdict(list)
    for _ in range(2):
        start = time.perf_counter()
        docs = [nlp.make_doc(text) for text in texts]
        out["tokenizer"].append(time.perf_counter() - start)
        for name, component in nlp.pipeline:
            start = time.perf_counter()
            docs = [component(doc) for doc in docs]
            out[name].append(time.perf_counter() - start)
    return {name: (a / len(texts) * 1000, b / len(texts) * 1000) for name, (a, b) in out.items()}


def spacy_defaults(model: str) -> Language:
    """The model as spaCy loads it (BLIS, the lemmatizer's word lists), with recoupe's choice of components."""
    nlp = spacy.load(model, exclude=["parser"])
    nlp.enable_pipe("senter")
    return nlp


def time_batches(texts: list[str]) -> None:
    """The whole model on the texts one by one and in batches (nlp.pipe), CPU ms a text, best of three."""
    nlp = french_reader(Models(Config())).nlp
    for text in texts:  # every cache warm
        nlp(text)
    sizes = {"one by one": 0, "batches of 4": 4, "batches of 8": 8, "batches of 16": 16, "batches of 64": 64}
    best: dict[str, float] = {}
    for _ in range(3):
        for name, size in sizes.items():
            start = time.process_time()
            if size:
                list(nlp.pipe(texts, batch_size=size))
            else:
                [nlp(text) for text in texts]
            best[name] = min(best.get(name, float("inf")), (time.process_time() - start) / len(texts) * 1000)
    print("  " + ", ".join(f"{name} {ms:.1f}" for name, ms in best.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"{SHARED} is missing")
    pages = load_pages()
    articles = time_pipeline(pages)
    french = [a.text for a in articles if a.language == "fr"]
    print(f"\nspaCy components, ms per French page ({len(french)} pages): first pass | second pass")
    reader = french_reader(Models(Config()))
    recoupe_times = time_components(reader.nlp, french, reader.warm_up)
    default_times = time_components(spacy_defaults(reader.model), french, reader.warm_up)
    print(f"  {'component':<16} {'recoupe':>17} {'spaCy defaults':>17}")
    for name, (first, second) in recoupe_times.items():
        default_first, default_second = default_times[name]
        print(f"  {name:<16} {first:7.1f} | {second:6.1f} {default_first:7.1f} | {default_second:6.1f}")
    total = [sum(t[i] for t in recoupe_times.values()) for i in (0, 1)]
    default_total = [sum(t[i] for t in default_times.values()) for i in (0, 1)]
    print(f"  {'all':<16} {total[0]:7.1f} | {total[1]:6.1f} {default_total[0]:7.1f} | {default_total[1]:6.1f}")
    print("\nthe whole model, CPU ms per French page, warm, best of three:")
    time_batches(french)


if __name__ == "__main__":
    main()
