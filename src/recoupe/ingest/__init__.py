"""Ingest: one module per source kind; `open_inputs` turns command-line targets into raw articles."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from recoupe import guards
from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest import files
from recoupe.ingest.urls import is_url
from recoupe.ingest.web import WebSource
from recoupe.records import RawArticle, Skipped


def open_inputs(
    targets: Sequence[str], config: Config, web: WebSource | None = None
) -> Iterator[RawArticle | InputError | Skipped]:
    """Raw articles from every target: files and folders first, then URLs (pages, feeds, sitemaps) through `web`.

    An input that cannot be read, or that the guards refuse, gives an error naming it; a URL with no `web`
    source is such an error.
    """
    paths = [t for t in targets if not is_url(t)]
    urls = [t for t in targets if is_url(t)]
    for item in files.walk(paths):
        if isinstance(item, InputError):
            yield item
        else:
            yield from map(guarded, files.read_path(item, config))
    if web is not None:
        yield from map(guarded, web.read(urls))
    else:
        yield from (InputError(url, "URLs cannot be read here") for url in urls)


def guarded(item: RawArticle | InputError | Skipped) -> RawArticle | InputError | Skipped:
    """A raw article passed by the guards (recoupe.guards.check_raw), else the error that names it."""
    if isinstance(item, RawArticle):
        try:
            guards.check_raw(item)
        except InputError as err:
            return err
    return item
