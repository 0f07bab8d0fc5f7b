"""Article extraction quality on ../shared/benchmarks/article-extraction (181 pages with their true body).

Scored by the benchmark's published method: word 4-gram shingles per page (tokens are \\w+ runs); true and
false positives and false negatives counted on shingle multisets and normalised per page; precision and
recall averaged over pages; F1 from those averages. recoupe's cleaning and plain trafilatura run on the same
pages in the same run and are printed side by side.

    .venv/bin/python bench/extraction.py
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.models import Models
from recoupe.pipeline import clean
from recoupe.records import RawArticle

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "benchmarks" / "article-extraction"
TOKENS = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """The multiset of word n-grams of a text."""
    words = TOKENS.findall(text)
    return Counter(tuple(words[i : i + n]) for i in range(max(0, len(words) - n + 1)))


def page_scores(predicted: str, truth: str) -> tuple[float, float]:
    """Precision and recall of one page on shingle multisets."""
    got, want = shingles(predicted), shingles(truth)
    tp = sum((got & want).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    precision = tp / (tp + fp) if tp + fp else (1.0 if not want else 0.0)
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


def evaluate(name: str, extract: Callable[[str, str], str], pages: list[tuple[str, str, str]]) -> None:
    precisions, recalls = [], []
    start = time.perf_counter()
    for page_id, html, truth in pages:
        precision, recall = page_scores(extract(page_id, html), truth)
        precisions.append(precision)
        recalls.append(recall)
    elapsed = time.perf_counter() - start
    p, r = sum(precisions) / len(pages), sum(recalls) / len(pages)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"{name:<22} precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}  {elapsed / len(pages) * 1000:6.1f} ms/page")


def main() -> None:
    if not BENCH.is_dir():
        sys.exit(f"{BENCH} is missing")
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id, record in sorted(truth.items()):
        html = gzip.decompress((BENCH / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8", "replace")
        pages.append((page_id, html, record.get("articleBody") or ""))
    models = Models(Config())

    def recoupe_extract(page_id: str, html: str) -> str:
        try:
            return clean(models, RawArticle(source=page_id, content=html, format="html", origin=page_id)).text
        except InputError:
            return ""

    print(f"{len(pages)} pages")
    evaluate("trafilatura (plain)", lambda _id, html: trafilatura.extract(html) or "", pages)
    evaluate("recoupe", recoupe_extract, pages)
    print("published: trafilatura 0.958, best systems 0.970; target F1 >= 0.97")


if __name__ == "__main__":
    main()
