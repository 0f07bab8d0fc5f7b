"""The SQLite store: the only code that talks SQL.

`Store` is one object for callers, composed of the parts of this package, each built on the connection core
(connection.py): the records (records.py), the near-copy and clustering indexes (index.py), the rows of the
pages and the API with the one search (queries.py) and the brief cache (briefs.py). The schema and its
migrations are in schema.py; the chunked `IN (...)` queries go through sql.py."""

from __future__ import annotations

from recoupe.store.briefs import Briefs
from recoupe.store.facts import Facts
from recoupe.store.index import Index
from recoupe.store.queries import RANKED_MATCHES, Queries
from recoupe.store.records import Records
from recoupe.store.schema import SCHEMA_VERSION, StoreError

__all__ = ["RANKED_MATCHES", "SCHEMA_VERSION", "Store", "StoreError"]


class Store(Queries, Records, Index, Briefs, Facts):
    """A recoupe store in one SQLite file (WAL mode), or in memory with path ':memory:'."""
