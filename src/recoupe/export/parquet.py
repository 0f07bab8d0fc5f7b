"""The tables of the JSON contract as Parquet files, one per table, with explicit Arrow schemas.

For data desks that load them into pandas, DuckDB or Spark: offsets are int64, flags booleans, lists Arrow
lists (of strings, or of structs for an article's foreign fragments), unknown values null.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from recoupe.export.tables import TABLES, Table, iter_table
from recoupe.store import Store

# Records turned into one Arrow batch at a time: a store of any size is written in bounded memory.
ROWS_PER_BATCH = 10_000


def _text(name: str, nullable: bool = False) -> pa.Field:
    return pa.field(name, pa.string(), nullable=nullable)


def _texts(name: str) -> pa.Field:
    return pa.field(name, pa.list_(pa.field("item", pa.string(), nullable=False)), nullable=False)


FOREIGN_FRAGMENT = pa.struct(
    [pa.field("start", pa.int64(), nullable=False), pa.field("end", pa.int64(), nullable=False), _text("language")]
)
FACT_CLAIM = pa.struct(
    [
        _text("article"),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        _text("text"),
        _text("outlet"),
        _text("source"),
    ]
)
VARIANT = pa.struct([_text("value"), _texts("outlets")])
DIFFERENCE = pa.struct(
    [_text("kind"), _text("about"), pa.field("variants", pa.list_(pa.field("item", VARIANT, nullable=False)), False)]
)
SCHEMAS: dict[Table, pa.Schema] = {
    "articles": pa.schema(
        [
            _text("id"),
            _text("source"),
            _text("outlet", nullable=True),
            _text("title", nullable=True),
            _text("published", nullable=True),
            pa.field("published_inferred", pa.bool_(), nullable=False),
            _text("language"),
            _text("text"),
            _texts("removed"),
            pa.field("foreign_fragments", pa.list_(pa.field("item", FOREIGN_FRAGMENT, nullable=False)), False),
            _text("duplicate_of", nullable=True),
            _text("story", nullable=True),
            _text("event", nullable=True),
            _text("fetched_at", nullable=True),
        ]
    ),
    "stories": pa.schema([_text("id"), _text("title"), _texts("events"), _texts("articles")]),
    "events": pa.schema(
        [_text("id"), _text("story"), _text("date", nullable=True), _text("title"), _texts("articles")]
    ),
    "entities": pa.schema(
        [_text("id"), _text("name"), _text("type"), _texts("variants"), _text("wikidata", nullable=True)]
    ),
    "quotes": pa.schema(
        [
            _text("id"),
            _text("article"),
            _text("text"),
            pa.field("start", pa.int64(), nullable=False),
            pa.field("end", pa.int64(), nullable=False),
            _text("kind"),
            _text("speaker", nullable=True),
            _text("speaker_mention", nullable=True),
            _text("cue", nullable=True),
            pa.field("confidence", pa.float64(), nullable=True),
        ]
    ),
    "facts": pa.schema(
        [
            _text("id"),
            _text("story"),
            _text("event"),
            _text("statement"),
            _text("status"),
            pa.field("independent_sources", pa.int64(), nullable=False),
            _texts("outlets"),
            _text("chain"),
            pa.field("claims", pa.list_(pa.field("item", FACT_CLAIM, nullable=False)), False),
            pa.field("differences", pa.list_(pa.field("item", DIFFERENCE, nullable=False)), False),
        ]
    ),
}


class SchemaMismatch(ValueError):
    """A record whose fields are not those of its table's Arrow schema (the JSON export changed without it)."""


def write_parquet(store: Store, folder: Path, tables: Iterable[Table] = TABLES) -> list[Path]:
    """Write each table as `<folder>/<table>.parquet` (the folder is made if need be); return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    return [_write_table(SCHEMAS[table], iter_table(store, table), folder / f"{table}.parquet") for table in tables]


def _write_table(schema: pa.Schema, records: Iterator[dict[str, Any]], path: Path) -> Path:
    # Written beside its place and moved in at the end: a reader never sees half a file, and an export that
    # fails leaves the previous file as it was.
    partial = path.with_name(path.name + ".partial")
    try:
        with pq.ParquetWriter(partial, schema) as writer:
            while batch := list(islice(records, ROWS_PER_BATCH)):
                writer.write_table(_arrow_table(schema, batch, path.stem))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _arrow_table(schema: pa.Schema, records: list[dict[str, Any]], table: str) -> pa.Table:
    names = set(schema.names)
    for record in records:
        if record.keys() != names:
            extra, missing = sorted(record.keys() - names), sorted(names - record.keys())
            raise SchemaMismatch(f"{table}: fields {extra} have no Parquet column, columns {missing} no field")
    # from_pylist checks each value against its column's type; nullability is checked here, as Arrow does not.
    arrow = pa.Table.from_pylist(records, schema=schema)
    arrow.validate(full=True)
    for column, field in zip(arrow.columns, schema, strict=True):
        _check_nulls(field, column, table)
    return arrow


def _check_nulls(field: pa.Field, values: pa.ChunkedArray, table: str) -> None:
    """A null where the field allows none is an error, in a list's items and a struct's fields too."""
    if not field.nullable and values.null_count:
        raise SchemaMismatch(f"{table}: '{field.name}' is null {values.null_count} times")
    if pa.types.is_list(field.type):
        _check_nulls(field.type.value_field, pc.list_flatten(values), table)
    elif pa.types.is_struct(field.type):
        for i, child in enumerate(field.type):
            _check_nulls(child, pc.struct_field(values, [i]), table)
