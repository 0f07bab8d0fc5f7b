"""Exports of a whole store: the JSON contract (analysis.schema.json v2), JSON Lines, CSV, Markdown, Parquet.

FORMATS is the registry of export formats: the command line's `--format` choices, help and errors come from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from recoupe.export.tables import ARTICLE_FIELDS, TABLES, Table, analysis, article_record, iter_table
from recoupe.export.text import to_csv, to_json, to_jsonl, to_markdown
from recoupe.formats import Registry
from recoupe.store import Store

__all__ = [
    "ARTICLE_FIELDS", "FORMATS", "TABLES", "ExportError", "ExportFormat", "Table", "analysis", "article_record",
    "iter_table", "to_csv", "to_json", "to_jsonl", "to_markdown",
]  # fmt: skip

# Where an export goes: a file or a folder (Path) that --output names, else a stream (standard output).
Destination = Path | TextIO
Writer = Callable[[Store, Destination, Table | None], None]


class ExportError(ValueError):
    """An export asked for what its format cannot do (a table it does not take, a folder it needs)."""


@dataclass(frozen=True)
class ExportFormat:
    """One way to export a store: its writer, and whether it takes `--table` (one table rather than all)."""

    name: str
    description: str
    write: Writer
    takes_table: bool = False

    def check(self, table: str | None) -> Table | None:
        """The table asked for, checked against the contract's and against this format."""
        if table is None:
            return None
        if not self.takes_table:
            takers = [f.name for f in FORMATS if f.takes_table]
            raise ExportError(f"--table is for {', '.join(takers[:-1])} or {takers[-1]}, not {self.name}")
        for known in TABLES:
            if table == known:
                return known
        raise ExportError(f"unknown table '{table}' ({', '.join(TABLES)})")


def _text_writer(render: Callable[[Store, Table | None], str]) -> Writer:
    """A writer of one text document, to a file or a stream."""

    def write(store: Store, destination: Destination, table: Table | None) -> None:
        text = render(store, table)
        if isinstance(destination, Path):
            destination.write_text(text, encoding="utf-8")
        else:
            destination.write(text)

    return write


def _write_parquet(store: Store, destination: Destination, table: Table | None) -> None:
    if not isinstance(destination, Path):
        raise ExportError("parquet writes one file per table: name a folder with --output")
    if destination.exists() and not destination.is_dir():
        raise ExportError(f"{destination}: not a folder (parquet writes one file per table into a folder)")
    # pyarrow takes 0.4 s to import: only this format pays for it, not every command of the CLI.
    from recoupe.export.parquet import write_parquet

    write_parquet(store, destination, (table,) if table else TABLES)


FORMATS = Registry(
    "export",
    [
        ExportFormat(
            "json",
            "the analysis contract, version 2 (facts added), one document",
            _text_writer(lambda s, _: to_json(s)),
        ),
        ExportFormat(
            "jsonl",
            "one JSON object a line, tagged with its table, or the records of --table",
            _text_writer(lambda s, t: "".join(to_jsonl(s, t))),
            takes_table=True,
        ),
        ExportFormat(
            "csv", "one table (--table, default articles)", _text_writer(lambda s, t: to_csv(s, t or "articles")), True
        ),
        ExportFormat("md", "a readable report of the stories", _text_writer(lambda s, _: to_markdown(s))),
        ExportFormat(
            "parquet", "one Parquet file per table in the --output folder (or --table's alone)", _write_parquet, True
        ),
    ],
)
