"""Ingest: one module per source kind; `open_inputs` turns command-line targets into raw articles."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest import files
from recoupe.records import RawArticle


def open_inputs(targets: Sequence[str], config: Config) -> Iterator[RawArticle | InputError]:
    """Raw articles from every target (file or folder), with an error for each input that cannot be read."""
    for item in files.walk(targets):
        if isinstance(item, InputError):
            yield item
        else:
            yield from files.read_path(item, config)
