"""Fetching from the web against a local site: redirects, robots.txt, limits, timeouts, addresses, feeds, sitemaps."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import CommandLine
from local_site import Route, Site, day, example_pages, rss
from recoupe.cli import app
from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest.charset import decode_body
from recoupe.ingest.fetch import Fetcher, FetchError
from recoupe.ingest.urls import canonical_url, read_url_file
from recoupe.ingest.web import WebSource
from recoupe.records import RawArticle, Skipped
from recoupe.store import Store

PAGE = b"<html><head><title>Une page</title></head><body><p>Le conseil a vot\xc3\xa9 le budget.</p></body></html>"


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as s:
        yield s


@pytest.fixture
def web_config() -> Config:
    """The test site is on loopback, so it is allowed explicitly; no delays and no retries."""
    return Config(db=Path(":memory:"), host_delay=0, fetch_timeout=1.0, fetch_retries=0, allow_private=True)


def fetch(config: Config, url: str, **options: Any) -> Any:
    with Fetcher(config) as fetcher:
        return fetcher.get(url, **options)


def test_a_redirect_chain_is_followed_to_its_end_within_the_limit(site: Site, web_config: Config) -> None:
    site.routes["/a"] = Route(status=301, headers={"Location": "/b"})
    site.routes["/b"] = Route(status=302, headers={"Location": site.url("/c")})
    site.routes["/c"] = Route(status=307, headers={"Location": "/page?x=1"})
    site.routes["/page?x=1"] = Route(PAGE)
    response = fetch(web_config, site.url("/a"))
    assert response.url == site.url("/a") and response.final_url == site.url("/page?x=1")
    assert "voté le budget" in response.text
    with pytest.raises(FetchError, match=r"more than 2 redirects \(last to .*/page\?x=1\)") as caught:
        fetch(web_config.with_overrides(max_redirects=2), site.url("/a"))
    assert caught.value.origin == site.url("/a")


def test_robots_txt_forbids_a_path_and_it_is_never_requested(site: Site, web_config: Config) -> None:
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /prive/\n", content_type="text/plain")
    site.routes["/prive/note.html"] = Route(PAGE)
    site.routes["/public.html"] = Route(PAGE)
    with pytest.raises(FetchError, match=r"robots.txt of http://127.0.0.1:\d+ forbids /prive/note.html"):
        fetch(web_config, site.url("/prive/note.html"))
    assert site.hits["/prive/note.html"] == 0
    assert fetch(web_config, site.url("/public.html")).status == 200


def test_an_unreadable_robots_txt_forbids_everything_for_now(site: Site, web_config: Config) -> None:
    site.routes["/robots.txt"] = Route(status=503)
    site.routes["/page.html"] = Route(PAGE)
    with pytest.raises(FetchError, match=r"robots.txt of http://127.0.0.1:\d+ answered HTTP 503: not fetched"):
        fetch(web_config.with_overrides(fetch_retries=1), site.url("/page.html"))
    assert site.hits["/robots.txt"] == 2 and site.hits["/page.html"] == 0  # read again before the retry


def test_a_redirect_into_a_forbidden_path_is_refused_too(site: Site, web_config: Config) -> None:
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /prive/\n", content_type="text/plain")
    site.routes["/go"] = Route(status=302, headers={"Location": "/prive/x"})
    with pytest.raises(FetchError, match="forbids /prive/x"):
        fetch(web_config, site.url("/go"))
    assert site.hits["/prive/x"] == 0


def test_a_page_over_the_size_limit_is_skipped_with_or_without_a_length(site: Site, web_config: Config) -> None:
    big = b"<html><body>" + b"<p>Une phrase de plus.</p>" * 2000 + b"</body></html>"
    site.routes["/big"] = Route(big)
    site.routes["/big-unannounced"] = Route(big, send_length=False)
    small = web_config.with_overrides(max_page_bytes=10_000)
    with pytest.raises(FetchError, match=r"body of [\d,]+ bytes is over the 10,000-byte limit: skipped"):
        fetch(small, site.url("/big"))
    with pytest.raises(FetchError, match=r"body is over the 10,000-byte limit: skipped"):
        fetch(small, site.url("/big-unannounced"))
    assert len(fetch(web_config, site.url("/big-unannounced")).body) == len(big)


def test_a_slow_page_times_out_and_is_retried_with_backoff(site: Site, web_config: Config) -> None:
    site.routes["/slow"] = Route(PAGE, delay=1.5)
    pauses: list[float] = []
    config = web_config.with_overrides(fetch_timeout=0.3, fetch_retries=2)
    with Fetcher(config, sleep=pauses.append) as fetcher, pytest.raises(FetchError, match=r"timed out after 0.3 s"):
        fetcher.get(site.url("/slow"))
    assert site.hits["/slow"] == 3 and pauses == [1.0, 2.0]


def test_a_server_error_is_transient_and_a_404_is_not(site: Site, web_config: Config) -> None:
    site.routes["/down"] = Route(status=503)
    with pytest.raises(FetchError, match="HTTP 503 from the server") as caught:
        fetch(web_config, site.url("/down"))
    assert caught.value.transient
    with pytest.raises(FetchError, match="HTTP 404") as caught:
        fetch(web_config, site.url("/absent"))
    assert not caught.value.transient


def test_a_non_html_link_is_skipped_unread(site: Site, web_config: Config) -> None:
    site.routes["/rapport.pdf"] = Route(b"%PDF-1.7 ...", content_type="application/pdf")
    with pytest.raises(FetchError, match=r"not a page to read \(application/pdf\): skipped"):
        fetch(web_config, site.url("/rapport.pdf"))


def resolving_to(address: str) -> Callable[[str, int], list[str]]:
    """A resolver that gives every host the one address."""
    return lambda _host, _port: [address]


def test_private_addresses_are_refused_unless_allowed(site: Site, web_config: Config) -> None:
    site.routes["/page"] = Route(PAGE)
    strict = web_config.with_overrides(allow_private=False)
    with pytest.raises(FetchError, match=r"refused: host '127.0.0.1' is at 127.0.0.1, a loopback address"):
        fetch(strict, site.url("/page"))
    assert site.hits["/page"] == 0
    # A public-looking name that redirects to a loopback address is refused at the redirect.
    site.routes["/out"] = Route(status=302, headers={"Location": site.url("/page")})

    def resolve(host: str, port: int) -> list[str]:
        return ["93.184.216.34"] if host == "localhost" else [host]

    with Fetcher(strict, resolve=resolve) as fetcher, pytest.raises(FetchError, match="a loopback address"):
        fetcher.get(site.url("/out", host="localhost"))
    assert site.hits["/out"] == 1 and site.hits["/page"] == 0
    for address, kind in (("10.1.2.3", "private"), ("169.254.169.254", "link-local"), ("224.0.0.1", "multicast"),
                          ("::1", "loopback"), ("fd00::1", "private")):  # fmt: skip
        with Fetcher(strict, resolve=resolving_to(address)) as fetcher, pytest.raises(FetchError, match=kind):
            fetcher.check_address("http://news.example/")
    assert fetch(web_config, site.url("/page")).status == 200


def test_unsupported_schemes_are_refused(web_config: Config) -> None:
    with pytest.raises(FetchError, match="unsupported URL scheme 'file'"):
        fetch(web_config, "file:///etc/passwd")


def test_charset_comes_from_the_header_then_the_page() -> None:
    latin = "Élysée, député".encode("latin-1")
    assert decode_body(latin, "text/html; charset=ISO-8859-1") == "Élysée, député"
    assert decode_body(b"<meta charset='windows-1252'>" + latin).endswith("Élysée, député")
    assert decode_body("Élysée".encode(), "text/html; charset=nonsense") == "Élysée"
    assert decode_body(latin) == "Élysée, député"  # not UTF-8: read as cp1252


def test_urls_are_compared_without_tracking_parameters_and_fragments() -> None:
    assert canonical_url("HTTPS://Example.org:443/a?utm_source=rss&id=3#top") == "https://example.org/a?id=3"
    assert canonical_url("http://example.org") == "http://example.org/"


def test_a_file_of_urls_names_its_bad_lines(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text("# mes sources\nhttps://a.example/x\n\nftp://b.example/y\n", encoding="utf-8")
    items = list(read_url_file(listing))
    assert items[0] == "https://a.example/x"
    assert isinstance(items[1], InputError) and str(items[1]) == f"{listing}:4: not an http(s) URL: ftp://b.example/y"
    assert str(next(iter(read_url_file(tmp_path / "none.txt")))) == f"{tmp_path / 'none.txt'}: no such file of URLs"


# --- feeds and sitemaps through the web source (no spaCy) ---------------------------------------


def read_all(config: Config, store: Store, targets: list[str]) -> list[RawArticle | InputError | Skipped]:
    with Fetcher(config) as fetcher:
        return list(WebSource(config, store, fetcher).read(targets))


def test_a_feed_that_is_not_valid_xml_is_an_error_naming_it(site: Site, web_config: Config, store: Store) -> None:
    site.routes["/broken.xml"] = Route(b"<?xml version='1.0'?><rss><channel><title>x</titl", content_type="text/xml")
    [error] = read_all(web_config, store, [site.url("/broken.xml")])
    assert isinstance(error, InputError) and error.origin == site.url("/broken.xml")
    assert "not a valid RSS or Atom feed" in error.message


def test_an_xml_document_that_is_no_feed_is_named(site: Site, web_config: Config, store: Store) -> None:
    site.routes["/data.xml"] = Route(b"<?xml version='1.0'?><catalogue/>", content_type="application/xml")
    [error] = read_all(web_config, store, [site.url("/data.xml")])
    assert isinstance(error, InputError) and "neither a feed nor a sitemap" in error.message


def test_a_sitemap_index_leads_to_every_page_with_news_dates(site: Site, web_config: Config, store: Store) -> None:
    news = "http://www.google.com/schemas/sitemap-news/0.9"
    site.routes["/sitemap.xml"] = Route(
        (
            "<?xml version='1.0' encoding='UTF-8'?>"
            "<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            f"<sitemap><loc>{site.url('/news.xml')}</loc></sitemap>"
            f"<sitemap><loc>{site.url('/old.xml.gz')}</loc></sitemap></sitemapindex>"
        ).encode(),
        content_type="application/xml",
    )
    site.routes["/news.xml"] = Route(
        (
            f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' xmlns:news='{news}'>"
            f"<url><loc>{site.url('/a.html')}</loc><news:news><news:publication_date>2025-03-04T08:00:00+01:00"
            "</news:publication_date><news:title>Grève au port</news:title></news:news></url>"
            f"<url><loc>{site.url('/b.html')}</loc></url></urlset>"
        ).encode(),
        content_type="application/xml",
    )
    site.routes["/old.xml.gz"] = Route(
        gzip.compress(
            f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>{site.url('/c.html')}</loc></url>"
            "</urlset>".encode()
        ),
        content_type="application/octet-stream",  # as servers often label .gz files
    )
    for path in ("/a.html", "/b.html", "/c.html"):
        site.routes[path] = Route(PAGE.replace(b"budget", path.encode()))
    found = read_all(web_config, store, [site.url("/sitemap.xml")])
    assert [r.source for r in found if isinstance(r, RawArticle)] == [
        site.url(p) for p in ("/a.html", "/b.html", "/c.html")
    ]
    first = found[0]
    assert isinstance(first, RawArticle) and first.published == "2025-03-04T08:00:00+01:00"
    assert first.title == "Grève au port" and first.fetched_at is not None


# --- whole runs through the pipeline and the CLI -------------------------------------------------

runner = CliRunner()
FEED_ORDER = [
    "01-valmer-greve-courrier.txt",
    "02-valmer-greve-littoral.html",
    "03-valmer-negociations-courrier.txt",
    "04-valmer-negociations-vigie.html",
    "05-valmer-accord-courrier.txt",
    "06-lize-crue-courrier.txt",
    "07-lize-crue-echo.txt",
    "08-lize-aide-echo.txt",
    "09-depeches.jsonl:2",
]


def serve_example(site: Site) -> dict[str, str]:
    """Each example page on its own path; returns example name -> path."""
    paths: dict[str, str] = {}
    for number, (name, (_title, page)) in enumerate(sorted(example_pages().items()), start=1):
        path = f"/articles/{number:02d}.html"
        site.routes[path] = Route(page)
        paths[name] = path
    return paths


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_a_feed_of_ten_items_with_one_article_under_two_urls(site: Site, tmp_path: Path, cli: CommandLine) -> None:
    paths = serve_example(site)
    items: list[tuple[str, str, datetime | None]] = [(paths[name], name, day(2025, 3, 4)) for name in FEED_ORDER]
    items.append((paths["01-valmer-greve-courrier.txt"] + "?utm_source=rss", "bis", None))  # the same page again
    site.routes["/rss.xml"] = Route(rss(site, items), content_type="application/rss+xml", etag='"v1"')
    site.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n", content_type="text/plain")
    db = str(tmp_path / "t.db")
    result = cli("--db", db, "ingest", "--allow-private", site.url("/rss.xml"))
    assert result.exit_code == 0, result.stderr
    assert "stored 9 articles, skipped 1 already stored, 0 inputs failed" in result.stderr
    assert all(site.hits[path] == 1 for path in paths.values() if path != paths["09-depeches.jsonl:1"])
    with Store(db) as store:
        articles = store.articles()
        assert {a.source for a in articles} == {site.url(paths[name]) for name in FEED_ORDER}
        assert all(a.fetched_at and a.published for a in articles)
        fetched = store.fetch_record(canonical_url(site.url("/rss.xml")))
        assert fetched is not None and fetched.etag == '"v1"' and fetched.article is None
    exported = json.loads(invoke("--db", db, "export", "--format", "json").stdout)
    assert all(a["fetched_at"] and a["source"].startswith("http://127.0.0.1:") for a in exported["articles"])
    # Again: the feed answers 304 and no page is fetched twice.
    result = cli("--db", db, "ingest", "--allow-private", site.url("/rss.xml"))
    assert "stored 0 articles, skipped 1 already stored, 0 inputs failed" in result.stderr
    assert site.hits["/rss.xml"] == 2 and site.conditional["/rss.xml"] == 1
    assert all(site.hits[path] <= 1 for path in paths.values())
    # Without --allow-private the loopback site is refused, with the reason.
    result = cli("--db", db, "ingest", site.url("/rss.xml"), "--refresh")
    assert result.exit_code == 1 and "a loopback address (--allow-private to fetch it)" in result.stderr


def test_bad_links_of_a_feed_are_named_and_the_good_ones_stored(site: Site, tmp_path: Path, cli: CommandLine) -> None:
    paths = serve_example(site)
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /interdit/\n", content_type="text/plain")
    site.routes["/rapport.pdf"] = Route(b"%PDF-1.7", content_type="application/pdf")
    site.routes["/interdit/page.html"] = Route(PAGE)
    site.routes["/lent.html"] = Route(PAGE, delay=3)
    site.routes["/r1"] = Route(status=301, headers={"Location": "/r2"})
    site.routes["/r2"] = Route(status=302, headers={"Location": paths["06-lize-crue-courrier.txt"]})
    items = [(p, "t", None) for p in ("/rapport.pdf", "/interdit/page.html", "/lent.html", "/absent.html", "/r1")]
    site.routes["/rss.xml"] = Route(rss(site, items), content_type="application/rss+xml")
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{site.url('/rss.xml')}\n{site.url(paths['07-lize-crue-echo.txt'])}\n", encoding="utf-8")
    config = tmp_path / "recoupe.toml"
    config.write_text("[recoupe]\nfetch_timeout = 0.5\nfetch_retries = 0\nhost_delay = 0\n", encoding="utf-8")
    db = str(tmp_path / "t.db")
    result = cli("--config", str(config), "--db", db, "ingest", "--allow-private", "--urls", str(urls))
    assert result.exit_code == 1
    for message in ("rapport.pdf: not a page to read (application/pdf): skipped",
                    "interdit/page.html: robots.txt of", "lent.html: timed out after 0.5 s",
                    "absent.html: HTTP 404", "stored 2 articles"):  # fmt: skip
        assert message in result.stderr
    with Store(db) as store:
        sources = {a.source for a in store.articles()}
    # The redirected item is stored under the URL it finally came from.
    assert sources == {site.url(paths["06-lize-crue-courrier.txt"]), site.url(paths["07-lize-crue-echo.txt"])}
