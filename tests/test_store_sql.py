"""The chunked IN helper: every value answered across chunks, each bound once, and the store's reads by ids."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pytest

from recoupe.records import Analysis, Article, Entity, stable_id
from recoupe.store import Store
from recoupe.store.sql import IN_CHUNK, marks, select_in


@pytest.fixture
def numbers() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE numbers (n INTEGER PRIMARY KEY, square INTEGER NOT NULL)")
    db.executemany("INSERT INTO numbers VALUES (?, ?)", [(n, n * n) for n in range(20)])
    yield db
    db.close()


class Recorder:
    """An execute function that remembers what each query bound."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.bound: list[list[Any]] = []

    def __call__(self, sql: str, args: Sequence[Any]) -> Iterable[Any]:
        self.bound.append(list(args))
        return self.db.execute(sql, args)


def test_marks_are_one_per_value() -> None:
    assert marks(3) == "?,?,?"
    assert marks(0) == ""


def test_values_past_one_chunk_are_all_answered_each_bound_once(numbers: sqlite3.Connection) -> None:
    execute = Recorder(numbers)
    values = [9, 2, 7, 2, 5, 11, 9, 0, 13, 3, 99]  # duplicates, and one value no row has
    sql = "SELECT n, square FROM numbers WHERE n IN ({marks}) ORDER BY n"
    rows = list(select_in(execute, sql, values, size=3))
    assert execute.bound == [[9, 2, 7], [5, 11, 0], [13, 3, 99]]  # the first of duplicates kept, in value order
    assert rows == [(2, 4), (7, 49), (9, 81), (0, 0), (5, 25), (11, 121), (3, 9), (13, 169)]  # sorted per chunk


def test_arguments_after_the_marks_are_bound_with_every_chunk(numbers: sqlite3.Connection) -> None:
    execute = Recorder(numbers)
    sql = "SELECT n FROM numbers WHERE n IN ({marks}) AND square >= ? ORDER BY n"
    found = [row[0] for row in select_in(execute, sql, range(20), after=[100], size=8)]
    assert found == list(range(10, 20))
    assert [len(bound) for bound in execute.bound] == [9, 9, 5] and all(b[-1] == 100 for b in execute.bound)


def test_no_values_run_no_query(numbers: sqlite3.Connection) -> None:
    execute = Recorder(numbers)
    assert list(select_in(execute, "SELECT n FROM numbers WHERE n IN ({marks})", [])) == []
    assert execute.bound == []


def test_a_chunk_size_below_one_is_refused(numbers: sqlite3.Connection) -> None:
    with pytest.raises(ValueError, match="chunk size"):
        list(select_in(numbers.execute, "SELECT n FROM numbers WHERE n IN ({marks})", [1], size=0))


def test_reads_by_more_ids_than_a_chunk_keep_one_order_and_list_each_record_once(store: Store) -> None:
    count = IN_CHUNK + 20
    with store.transaction():
        for n in range(count):
            store.upsert_entity(Entity(id=f"ent_{n:04d}", name=f"Personne {n}", type="PER"))
            text = f"Article numéro {n}."
            store.save_analysis(
                Analysis(Article(id=stable_id("art", str(n)), source=f"s{n}", text=text, content_hash=f"h{n}"))
            )
    stored = [a.id for a in store.articles()]
    asked = [*reversed(stored), *stored[:30]]  # two chunks, the second repeating ids of the first
    assert [a.id for a in store.articles(asked)] == stored
    entity_ids = [f"ent_{n:04d}" for n in range(count)]
    assert [e.id for e in store.entities([*reversed(entity_ids), entity_ids[0]])] == entity_ids
    assert len(store.article_headers(ids=asked)) == count
    hashes = [f"h{n}" for n in range(count)] + ["absent"]
    assert store.known_hashes(hashes) == set(hashes) - {"absent"}
