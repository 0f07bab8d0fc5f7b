"""Quote extraction speed on ../shared/corpus: quotes found, quotes/s and articles/s, spaCy time apart.

.venv/bin/python bench/quotes.py
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.models import Models
from recoupe.people.entities import EntityResolver
from recoupe.pipeline import clean, read
from recoupe.quotes.extract import QuoteExtractor
from recoupe.records import RawArticle
from recoupe.rules import load_language
from recoupe.store import Store

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main() -> None:
    if not CORPUS.is_dir():
        sys.exit(f"{CORPUS} is missing")
    config = Config(db=Path(":memory:"))
    models = Models(config)
    articles = []
    for path in sorted(CORPUS.rglob("*.html")):
        raw = RawArticle(source=str(path), content=path.read_text(encoding="utf-8"), format="html", origin=str(path))
        try:
            articles.append(clean(models, raw))
        except InputError:
            continue
    models.warm()
    start = time.perf_counter()
    readings = read(models, articles)
    parse_time = time.perf_counter() - start
    french = load_language(config.rules_dir, "fr")
    resolver, extractor = EntityResolver(french, Store(":memory:")), QuoteExtractor(french)
    kinds: Counter[str] = Counter()
    attributed = 0
    start = time.perf_counter()
    for article, reading in zip(articles, readings, strict=True):
        doc = reading.doc
        if doc is None:  # not in French: no entities or quotes are read
            continue
        entities, mentions = resolver.resolve(doc, article)
        for quote in extractor.extract(doc, article, entities, mentions):
            kinds[quote.kind] += 1
            attributed += quote.speaker is not None
    quote_time = time.perf_counter() - start
    total = sum(kinds.values())
    print(f"{len(articles)} articles, {total} quotes ({dict(kinds)}), {attributed} with a speaker")
    print(f"spaCy:             {len(articles) / parse_time:7.1f} articles/s")
    print(f"entities + quotes: {len(articles) / quote_time:7.1f} articles/s, {total / quote_time:7.1f} quotes/s")
    print(f"together:          {len(articles) / (parse_time + quote_time):7.1f} articles/s")


if __name__ == "__main__":
    main()
