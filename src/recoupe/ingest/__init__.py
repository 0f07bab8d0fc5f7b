"""Ingest: one module per source kind; `open_inputs` turns command-line targets into raw articles."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

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

    An input that cannot be read gives an error naming it; a URL with no `web` source is such an error. The
    pipeline puts every raw article through the guards (recoupe.guards.check_raw) before its stages.
    """
    paths = [t for t in targets if not is_url(t)]
    urls = [t for t in targets if is_url(t)]
    for item in files.walk(paths):
        if isinstance(item, InputError):
            yield item
        else:
            yield from files.read_path(item, config)
    if web is not None:
        yield from web.read(urls)
    else:
        yield from (InputError(url, "URLs cannot be read here") for url in urls)
