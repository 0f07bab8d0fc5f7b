"""The batch: inputs -> per-article stages in executors -> corpus-wide joins -> Parquet tables.

 1. list       the files under the targets, by name only, on the driver (inputs.list_inputs)
 2. read       each file's bytes into numbered raw articles, in the executors (inputs.read_file)
 3. dedupe     one input per content hash, the first (as ingest skips an input stored already)
 4. analyse    clean, language, read, entities, quotes, dates: the pipeline's stages (executors.analyse_partition)
 5. names      lone surnames merged into the one full name the corpus holds (corpus.merge_names)
 6. copies     near-copies by MinHash bands as a self-join (corpus.near_copies)
 7. counts     document frequencies before each article (corpus.document_frequencies)
 8. keys       each article's blocking keys, from the Clusterer's profile (corpus.Placer.keys)
 9. groups     components of articles sharing keys, a copy with its original (corpus.components)
10. place      each component through the Clusterer in article order, one task each (corpus.place_groups)
11. write      the tables (tables.write)
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pyspark import RDD, SparkConf, StorageLevel
from pyspark.sql import SparkSession

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.records import RawArticle
from recoupe.spark import corpus, tables
from recoupe.spark.executors import analyse_partition, analysis_from_dict
from recoupe.spark.inputs import RECORDS_PER_FILE, list_inputs, read_file

DEFAULT_MASTER = "local[*]"
LOCAL_SHUFFLE_PARTITIONS = 4
PARTITIONS_PER_CORE = 3  # analysis tasks per core: a slow partition (long pages) leaves the others less idle


@dataclass(frozen=True)
class BatchReport:
    """What a batch did: articles written, inputs refused or skipped as repeats, terms the counts missed."""

    articles: int
    errors: int
    skipped: int
    stories: int
    events: int
    drift: int  # terms the Clusterer asked for that corpus.TermCounter did not count (0 when in step)
    seconds: dict[str, float]  # wall-clock time of each step, up to the point its result is materialised


def session(master: str = DEFAULT_MASTER, name: str = "recoupe batch", **conf: str) -> SparkSession:
    """A Spark session for a batch; executors run this Python and this recoupe unless spark-submit says else."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(name)
    if not SparkConf().contains("spark.master"):  # under spark-submit, its --master is set already and wins
        builder = builder.master(master)
    settings = {"spark.ui.showConsoleProgress": "false", **conf}
    if master.startswith("local"):  # Spark's 200 shuffle partitions are 200 tasks a join on a machine or two
        settings.setdefault("spark.sql.shuffle.partitions", str(LOCAL_SHUFFLE_PARTITIONS))
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def run_batch(spark: SparkSession, targets: Sequence[str], out: str, config: Config) -> BatchReport:
    """Run every stage of the batch over the targets and write its tables under `out`."""
    sc = spark.sparkContext
    clock = _Clock()
    listing = list_inputs(spark, targets)  # 1
    ranks = sc.broadcast(listing.rank())
    files: RDD[tuple[str, bytes]] = sc.binaryFiles(",".join(listing.files)) if listing.files else sc.emptyRDD()
    raws = files.flatMap(
        lambda named: read_file(
            named[0], named[1], ranks.value[_listed(named[0], ranks.value)] * RECORDS_PER_FILE, config
        )
    )  # 2
    fresh = raws.map(_hash_key).reduceByKey(_first).values().persist(StorageLevel.MEMORY_AND_DISK)  # 3
    inputs = clock.step("read", fresh.count())
    partitions = max(1, sc.defaultParallelism * PARTITIONS_PER_CORE)
    analysed = (fresh.repartition(partitions).mapPartitions(lambda items: analyse_partition(config, items))).persist(
        StorageLevel.MEMORY_AND_DISK
    )  # 4
    clock.step("analyse", analysed.count())
    refused = analysed.filter(lambda row: "error" in row).map(lambda row: (row["order"], *row["error"]))
    missing = sc.parallelize([(-1 - n, e.origin, e.line, e.message) for n, e in enumerate(listing.missing)], 1)
    articles = corpus.merge_names(
        analysed.filter(lambda row: "analysis" in row).map(lambda row: (row["order"], row))
    ).persist(StorageLevel.MEMORY_AND_DISK)  # 5
    clock.step("names", articles.count())
    copies = corpus.near_copies(spark, articles).localCheckpoint()  # 6
    clock.step("near-copies", copies.count())
    counts = corpus.document_frequencies(spark, config, articles)  # 7
    originals = copies.rdd.map(lambda r: (int(r["order"]), r["duplicate_of"]))
    enriched = articles.join(counts).leftOuterJoin(originals).mapValues(_enrich)
    keyed = enriched.mapPartitions(lambda items: _with_keys(config, items)).persist(StorageLevel.MEMORY_AND_DISK)  # 8
    clock.step("counts and keys", keyed.count())
    edges = spark.createDataFrame(
        keyed.flatMap(lambda item: [(item[0], key) for key in item[1]["keys"]]), "order long, key string"
    ).union(corpus.copy_edges(copies))
    orders = spark.createDataFrame(keyed.map(lambda item: (item[0],)), "order long")
    labels = corpus.components(orders, edges)  # 9
    clock.step("components", labels.count())
    groups = keyed.join(labels.rdd.map(lambda r: (int(r["order"]), int(r["component"])))).map(
        lambda item: (item[1][1], (item[0], item[1][0]))
    )
    placed = corpus.place_groups(config, groups.groupByKey()).persist(StorageLevel.MEMORY_AND_DISK)  # 10
    clock.step("place", placed.count())
    placed_articles = placed.flatMap(lambda p: p.articles)
    frames = {
        "articles": tables.frame(spark, "articles", placed_articles.map(tables.article_row)),
        "quotes": tables.frame(spark, "quotes", placed_articles.flatMap(tables.quote_rows)),
        "mentions": tables.frame(spark, "mentions", placed_articles.flatMap(tables.mention_rows)),
        "entities": tables.frame(
            spark, "entities", corpus.entity_table(articles).map(lambda e: tuple(e.to_dict().values()))
        ),
        "stories": tables.frame(spark, "stories", placed.flatMap(lambda p: p.stories).map(_story_row)),
        "events": tables.frame(spark, "events", placed.flatMap(lambda p: p.events).map(_event_row)),
        "errors": tables.frame(spark, "errors", refused.union(missing)),
    }
    tables.write(frames, out)  # 11
    clock.step("write", 0)
    written = {
        name: spark.read.parquet(tables.table_path(out, name)).count()
        for name in ("articles", "stories", "events", "errors")
    }
    report = BatchReport(
        articles=written["articles"],
        errors=written["errors"],
        skipped=raws.count() - inputs,
        stories=written["stories"],
        events=written["events"],
        drift=int(placed.map(lambda p: p.drift).sum()),
        seconds=clock.seconds,
    )
    for rdd in (fresh, analysed, articles, keyed, placed):
        rdd.unpersist()
    return report


class _Clock:
    """Times the steps of a batch, each up to the count that materialises its result."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def step(self, name: str, count: int) -> int:
        """Record the time since the previous step under `name`; give back the count."""
        now = time.perf_counter()
        self.seconds[name] = round(now - self._last, 2)
        self._last = now
        return count


def _listed(uri: str, ranks: dict[str, int]) -> str:
    """The listing's name of a file Spark read (Hadoop may write 'file:/x' as 'file:///x')."""
    if uri in ranks:
        return uri
    return uri.replace("file:///", "file:/", 1)


def _hash_key(item: tuple[int, RawArticle | InputError]) -> tuple[str, tuple[int, RawArticle | InputError]]:
    """Inputs keyed by content: the same page twice is one article; every error stands alone."""
    order, raw = item
    return (raw.content_hash if isinstance(raw, RawArticle) else f"error:{order}"), item


def _first(
    a: tuple[int, RawArticle | InputError], b: tuple[int, RawArticle | InputError]
) -> tuple[int, RawArticle | InputError]:
    return a if a[0] <= b[0] else b


def _enrich(joined: tuple[tuple[dict[str, Any], tuple[int, dict[str, int]]], str | None]) -> dict[str, Any]:
    (row, (position, dfs)), duplicate_of = joined
    return {**row, "position": position, "dfs": dfs, "duplicate_of": duplicate_of}


def _with_keys(config: Config, items: Iterable[tuple[int, dict[str, Any]]]) -> Iterator[tuple[int, dict[str, Any]]]:
    placer = corpus.Placer(config)
    for order, row in items:
        analysis = analysis_from_dict(row["analysis"])
        yield order, {**row, "keys": placer.keys(analysis, row["position"], row["dfs"])}


def _story_row(record: dict[str, Any]) -> tuple[Any, ...]:
    return tables.state_row("stories", record)


def _event_row(record: dict[str, Any]) -> tuple[Any, ...]:
    return tables.state_row("events", record)
