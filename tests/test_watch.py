"""Watch mode against a local site: new feed items join their stories, nothing is fetched twice, stops cleanly."""

from __future__ import annotations

import os
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import CommandLine
from local_site import Route, Site, day, example_pages, rss
from recoupe.cli import app
from recoupe.config import Config
from recoupe.ingest.fetch import Fetcher
from recoupe.ingest.urls import canonical_url
from recoupe.ingest.watch import Cycle, Watcher, parse_every
from recoupe.ingest.web import WebSource
from recoupe.models import Models
from recoupe.records import RawArticle
from recoupe.store import Store

FIRST = ["01-valmer-greve-courrier.txt", "02-valmer-greve-littoral.html", "06-lize-crue-courrier.txt"]
LATER = ["03-valmer-negociations-courrier.txt", "04-valmer-negociations-vigie.html", "08-lize-aide-echo.txt"]


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as s:
        pages = example_pages()
        for number, name in enumerate(FIRST + LATER):
            s.routes[f"/a/{number}.html"] = Route(pages[name][1])
        yield s


@pytest.fixture
def web_config(tmp_path: Path) -> Config:
    return Config(db=tmp_path / "w.db", host_delay=0, fetch_timeout=2.0, fetch_retries=0, allow_private=True)


def path_of(name: str) -> str:
    return f"/a/{(FIRST + LATER).index(name)}.html"


def feed(site: Site, names: list[str], tag: str) -> Route:
    items = [(path_of(n), n, day(2025, 3, 4 + i)) for i, n in enumerate(names)]
    return Route(rss(site, items), content_type="application/rss+xml", etag=tag)


def test_two_cycles_new_items_join_their_stories_and_nothing_is_fetched_twice(
    site: Site, web_config: Config, tmp_path: Path, models: Models
) -> None:
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# local news\n{site.url('/rss.xml')}\n", encoding="utf-8")
    site.routes["/rss.xml"] = Route(status=503)  # down at first: the watch must survive it
    lines: list[str] = []

    def between(cycle: Cycle) -> None:
        if cycle.number == 1:
            site.routes["/rss.xml"] = feed(site, FIRST, '"v1"')
        elif cycle.number == 2:
            site.routes["/rss.xml"] = feed(site, FIRST + LATER, '"v2"')

    with Store(web_config.db) as store:
        Watcher(web_config, store, feeds, every=0.01, log=lines.append, models=models).run(cycles=4, between=between)
        by_source = {a.source: a for a in store.articles()}
    assert "cycle 1: failed: no feed could be read" in lines[0]
    assert "HTTP 503 from the server" in lines[1]
    assert "cycle 2: 1 feeds (0 not modified), 3 pages fetched, 3 stored, 0 skipped, 0 failed" in lines[2]
    assert "cycle 3: 1 feeds (0 not modified), 3 pages fetched, 3 stored, 3 skipped, 0 failed" in lines[3]
    assert "cycle 4: 1 feeds (1 not modified), 0 pages fetched, 0 stored, 1 skipped, 0 failed" in lines[4]
    assert all(site.hits[path_of(n)] == 1 for n in FIRST + LATER)
    assert site.conditional["/rss.xml"] == 2  # cycles 3 and 4 presented the ETag of the previous one
    story = {name: by_source[site.url(path_of(name))].story for name in FIRST + LATER}
    assert story["03-valmer-negociations-courrier.txt"] == story["01-valmer-greve-courrier.txt"]
    assert story["04-valmer-negociations-vigie.html"] == story["01-valmer-greve-courrier.txt"]
    assert story["08-lize-aide-echo.txt"] == story["06-lize-crue-courrier.txt"]
    assert story["06-lize-crue-courrier.txt"] != story["01-valmer-greve-courrier.txt"]


def test_sigterm_stops_the_watch_after_the_cycle_and_restores_the_handler(
    site: Site, web_config: Config, tmp_path: Path, models: Models
) -> None:
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(site.url("/rss.xml") + "\n", encoding="utf-8")
    site.routes["/rss.xml"] = feed(site, FIRST[:1], '"v1"')
    lines: list[str] = []
    before = signal.getsignal(signal.SIGTERM)
    with Store(web_config.db) as store:
        watcher = Watcher(web_config, store, feeds, every=3600, log=lines.append, models=models)
        watcher.run(between=lambda _cycle: os.kill(os.getpid(), signal.SIGTERM))
        assert store.count_articles() == 1
    assert watcher.cycles == 1 and lines[-1].startswith("stopped")
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_feed_interrupted_midway_is_not_marked_as_read(site: Site, web_config: Config) -> None:
    site.routes["/rss.xml"] = feed(site, FIRST, '"v1"')
    with Store(":memory:") as store, Fetcher(web_config) as fetcher:
        source = WebSource(web_config, store, fetcher)
        for item in source.read([site.url("/rss.xml")]):
            assert isinstance(item, RawArticle)
            source.stop.set()  # as a signal would, after the first article
        source.commit()
        assert store.fetch_record(canonical_url(site.url("/rss.xml"))) is None
    assert site.hits[path_of(FIRST[1])] == 0


def test_durations() -> None:
    assert [parse_every(t) for t in ("90", "30s", "10m", "1.5h", "1d")] == [90, 30, 600, 5400, 86400]
    with pytest.raises(ValueError, match="'ten minutes' is not a positive duration"):
        parse_every("ten minutes")


def test_the_watch_command_logs_each_cycle_and_names_bad_options(site: Site, tmp_path: Path, cli: CommandLine) -> None:
    runner = CliRunner()
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(site.url("/rss.xml") + "\nnot a url\n", encoding="utf-8")
    site.routes["/rss.xml"] = feed(site, FIRST[:2], '"v1"')
    db = str(tmp_path / "c.db")
    bad = runner.invoke(app, ["--db", db, "watch", str(feeds), "--every", "soon"])
    assert bad.exit_code == 2 and "--every: 'soon' is not a positive duration" in bad.stderr
    missing = runner.invoke(app, ["--db", db, "watch", str(tmp_path / "none.txt")])
    assert missing.exit_code == 2 and "none.txt: no such file of feed URLs" in missing.stderr
    result = cli(
        "--db", db, "watch", str(feeds), "--every", "1s", "--cycles", "1", "--allow-private", catch_exceptions=True
    )
    assert result.exit_code == 0, result.stderr
    assert "cycle 1: 1 feeds (0 not modified), 2 pages fetched, 2 stored, 0 skipped, 1 failed" in result.stderr
    assert f"error: {feeds}:2: not an http(s) URL: not a url" in result.stderr


def test_a_store_error_fails_one_cycle_and_the_next_starts_from_a_fresh_pipeline(
    site: Site, web_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, models: Models
) -> None:
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(site.url("/rss.xml") + "\n", encoding="utf-8")
    site.routes["/rss.xml"] = feed(site, FIRST[:1], '"v1"')
    lines: list[str] = []
    with Store(web_config.db) as store:
        watcher = Watcher(web_config, store, feeds, every=0.01, log=lines.append, models=models)
        first = watcher.pipeline

        def locked(*_args: object, **_kwargs: object) -> None:
            raise sqlite3.OperationalError("database is locked")

        monkeypatch.setattr(first, "run", locked)
        watcher.run(cycles=2)
        assert watcher.pipeline is not first and store.count_articles() == 1
    assert "cycle 1: failed: database is locked" in lines[0]
    assert "cycle 2: 1 feeds (0 not modified), 1 pages fetched, 1 stored" in lines[1]
