"""The Parquet tables of a batch: their schemas, the rows they are built from, and the writer.

One folder per table under the batch's output folder. Articles carry what an incremental ingest needs to
continue on top of an imported batch: content lemmas, event dates, the near-copy signature and the blocking
keys; stories and events carry the Clusterer's state as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyspark import RDD
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

TABLES = ("articles", "quotes", "entities", "mentions", "stories", "events", "errors")


def _fields(*specs: tuple[str, Any, bool]) -> StructType:
    return StructType([StructField(name, kind, nullable) for name, kind, nullable in specs])


STRING, TEXTS = StringType(), ArrayType(StringType(), False)
FRAGMENT = _fields(
    ("start", IntegerType(), False), ("end", IntegerType(), False), ("language", STRING, False), ("text", STRING, False)
)
SCHEMAS: dict[str, StructType] = {
    "articles": _fields(
        ("order", LongType(), False),
        ("id", STRING, False),
        ("source", STRING, False),
        ("outlet", STRING, True),
        ("title", STRING, True),
        ("published", STRING, True),
        ("published_inferred", BooleanType(), False),
        ("language", STRING, False),
        ("text", STRING, False),
        ("removed", TEXTS, False),
        ("foreign_fragments", ArrayType(FRAGMENT, False), False),
        ("content_hash", STRING, False),
        ("fetched_at", STRING, True),
        ("duplicate_of", STRING, True),
        ("story", STRING, False),
        ("event", STRING, False),
        ("lemmas", TEXTS, False),
        ("event_dates", TEXTS, False),
        ("signature", ArrayType(LongType(), False), False),
        ("keys", TEXTS, False),
    ),
    "quotes": _fields(
        ("id", STRING, False),
        ("article", STRING, False),
        ("text", STRING, False),
        ("start", IntegerType(), False),
        ("end", IntegerType(), False),
        ("kind", STRING, False),
        ("speaker", STRING, True),
        ("speaker_mention", STRING, True),
        ("cue", STRING, True),
        ("confidence", DoubleType(), True),
    ),
    "entities": _fields(
        ("id", STRING, False),
        ("name", STRING, False),
        ("type", STRING, False),
        ("variants", TEXTS, False),
        ("wikidata", STRING, True),
    ),
    "mentions": _fields(
        ("article", STRING, False),
        ("start", IntegerType(), False),
        ("end", IntegerType(), False),
        ("text", STRING, False),
        ("entity", STRING, False),
    ),
    "stories": _fields(("id", STRING, False), ("title", STRING, False), ("state", STRING, False)),
    "events": _fields(
        ("id", STRING, False),
        ("story", STRING, False),
        ("date", STRING, True),
        ("title", STRING, False),
        ("state", STRING, False),
    ),
    "errors": _fields(
        ("order", LongType(), False),
        ("origin", STRING, False),
        ("line", IntegerType(), True),
        ("message", STRING, False),
    ),
}


def article_row(row: dict[str, Any]) -> tuple[Any, ...]:
    """The articles table's row of one placed article."""
    analysis = row["analysis"]
    article = dict(analysis["article"])
    article["foreign_fragments"] = [
        (f["start"], f["end"], f["language"], f.get("text", "")) for f in article["foreign_fragments"]
    ]
    values = {
        **article,
        "order": row["order"],
        "lemmas": analysis["lemmas"],
        "event_dates": analysis["event_dates"],
        "signature": row["signature"],
        "keys": row["keys"],
    }
    return tuple(values[f.name] for f in SCHEMAS["articles"].fields)


def _record_rows(table: str, records: list[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    names = [f.name for f in SCHEMAS[table].fields]
    for record in records:
        yield tuple(record.get(name) for name in names)


def quote_rows(row: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """The quotes table's rows of one article."""
    return _record_rows("quotes", row["analysis"]["quotes"])


def mention_rows(row: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """The mentions table's rows of one article."""
    return _record_rows("mentions", row["analysis"]["mentions"])


def state_row(table: str, record: dict[str, Any]) -> tuple[Any, ...]:
    """A stories or events table row, the Clusterer's state as JSON."""
    values = {**record, "state": json.dumps(record["state"] or {}, ensure_ascii=False)}
    return tuple(values.get(f.name) for f in SCHEMAS[table].fields)


def frame(spark: SparkSession, table: str, rows: RDD[tuple[Any, ...]]) -> DataFrame:
    """A table's rows as a DataFrame of its schema."""
    return spark.createDataFrame(rows, SCHEMAS[table])


def write(frames: dict[str, DataFrame], out: str) -> None:
    """Write each table to `out`/<name> as Parquet, replacing an earlier batch's."""
    for name in TABLES:
        frames[name].write.mode("overwrite").parquet(table_path(out, name))


def table_path(out: str, name: str) -> str:
    """Where a table of the batch in `out` lives (a local folder or any Hadoop URI)."""
    if "://" in out or out.startswith("file:"):
        return f"{out.rstrip('/')}/{name}"
    return str(Path(out).resolve() / name)
