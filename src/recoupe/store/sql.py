"""The one helper for queries over a list of values, `... IN (?,?,…)`, bound a chunk at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

# Values bound in one IN list: SQLite refuses a statement with more variables than its limit (999 before
# 3.32), and the articles, terms or URLs asked for at once can be many more.
IN_CHUNK = 500
MARKS = "{marks}"  # where select_in writes a chunk's parameter marks in its query

Execute = Callable[[str, Sequence[Any]], Iterable[Any]]


def marks(count: int) -> str:
    """`count` parameter marks separated by commas, for an IN list bound whole."""
    return ",".join("?" * count)


def select_in(
    execute: Execute, sql: str, values: Iterable[Any], after: Sequence[Any] = (), size: int = IN_CHUNK
) -> Iterator[Any]:
    """The rows of `sql` for every one of `values`, one chunk at a time: its MARKS stands for a chunk's parameter
    marks, and `after` is bound after them. Each value is bound once (the first of duplicates kept), the chunks
    in the order of the values; each chunk's rows come in the order of `sql`, so a caller that wants one order
    across chunks sorts them."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, not {size}")
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), size):
        chunk = unique[start : start + size]
        yield from execute(sql.replace(MARKS, marks(len(chunk))), [*chunk, *after])
