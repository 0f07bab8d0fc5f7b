"""recoupe batch on Spark (local[2]) against a single-machine ingest of the same inputs; recoupe import.

One Spark session and one batch for the module: the seeds, the wikinews corpus and a folder of our own broken
inputs (a WARC cut inside a record, a file that is no text).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pyspark.sql import SparkSession
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from recoupe.cli import app
from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.records import Analysis, Article, RawArticle
from recoupe.spark.compare import agreement, bcubed
from recoupe.spark.corpus import TermCounter
from recoupe.spark.inputs import RECORDS_PER_FILE, read_file, read_warc
from recoupe.spark.job import BatchReport, run_batch, session
from recoupe.store import Store
from recoupe.stories.cluster import Clusterer

runner = CliRunner()
PAGE = "<html><head><title>Le conseil vote le budget</title></head><body><article><p>{}</p></article></body></html>"
BODY = (
    "Le conseil municipal de Brest a voté mardi le budget de la ville pour l'année prochaine, après un long "
    "débat sur les transports et les écoles. « Nous tenons nos engagements », a déclaré la maire, Inès Caradec."
)


def warc_bytes(pages: list[tuple[str, str]], gz: bool) -> bytes:
    """A WARC archive with one response record per (url, html) page."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gz)
    for url, html in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(html.encode("utf-8")),
            http_headers=http,
            warc_headers_dict={"WARC-Date": "2024-03-05T10:00:00Z"},
        )
        writer.write_record(record)
    return buffer.getvalue()


def run_cli(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


# --- inputs, without Spark ------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False])
def test_warc_pages_are_read_by_fastwarc(gz: bool) -> None:
    pages = [(f"https://example.org/{n}", PAGE.format(f"{BODY} ({n})")) for n in range(3)]
    items = list(read_warc("crawl.warc", warc_bytes(pages, gz), Config()))
    assert [item.source for item in items if isinstance(item, RawArticle)] == [url for url, _ in pages]
    assert all(isinstance(item, RawArticle) and item.published == "2024-03-05T10:00:00Z" for item in items)


def test_a_cut_warc_keeps_the_pages_before_and_names_the_file() -> None:
    data = warc_bytes([(f"https://example.org/{n}", PAGE.format(f"{BODY} ({n})")) for n in range(3)], gz=False)
    items = list(read_warc("cut.warc", data[:-60], Config()))
    assert sum(isinstance(item, RawArticle) for item in items) == 2
    error = items[-1]
    assert isinstance(error, InputError) and error.origin == "cut.warc" and "truncated or corrupt" in error.message


def test_files_are_numbered_in_ingest_order_and_binary_files_refused() -> None:
    lines = "\n".join(json.dumps({"text": f"{BODY} {n}", "url": f"https://example.org/{n}"}) for n in range(2))
    numbered = list(read_file("file:/data/a.jsonl", lines.encode("utf-8"), 3 * RECORDS_PER_FILE, Config()))
    assert [order for order, _ in numbered] == [3 * RECORDS_PER_FILE, 3 * RECORDS_PER_FILE + 1]
    ((_, refused),) = read_file("file:/data/b.txt", b"\x00\x01binary", 0, Config())
    assert isinstance(refused, InputError) and refused.origin == "/data/b.txt"


class CountingStore(Store):
    """An in-memory store that remembers the terms the Clusterer counts."""

    def __init__(self) -> None:
        super().__init__(":memory:")
        self.counted: list[str] = []

    def add_document_terms(self, terms: Sequence[str]) -> None:
        self.counted.extend(terms)
        super().add_document_terms(terms)


def test_term_counter_gives_the_terms_the_clusterer_counts() -> None:
    lemmas = ["conseil", "municipal", "voter", "budget", "conseil", "ville"]
    article = Article(id="art_1", source="s", text=BODY, content_hash="h")
    store = CountingStore()
    analysis = Analysis(article=article, lemmas=lemmas)
    expected = TermCounter(Config()).terms(analysis)
    for _ in range(2):  # against an empty store, and once the store counts the article's terms
        store.counted.clear()
        with store.transaction():
            Clusterer(Config(), store).place(analysis)
        assert set(store.counted) == expected


def test_bcubed_of_two_partitions() -> None:
    assert bcubed({"a": "1", "b": "1"}, {"a": "x", "b": "x"}) == 1.0
    assert bcubed({"a": "1", "b": "1"}, {"a": "x", "b": "y"}) == pytest.approx(2 * 1 * 0.5 / 1.5)


# --- one batch against one single-machine ingest --------------------------------------------------------


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    spark = session("local[2]", "recoupe tests")
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def broken_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("broken")
    pages = [(f"https://example.org/{n}", PAGE.format(f"{BODY} Séance {n}.")) for n in range(2)]
    (folder / "cut.warc.gz").write_bytes(warc_bytes(pages, gz=True)[:-30])
    (folder / "noise.txt").write_bytes(b"\x00\x00\x01\x02 not text")
    return folder


@pytest.fixture(scope="module")
def targets(seeds_dir: Path, shared_dir: Path, broken_inputs: Path) -> list[str]:
    return [str(seeds_dir), str(shared_dir / "corpus" / "wikinews-fr-2012"), str(broken_inputs)]


@pytest.fixture(scope="module")
def batch(
    spark: SparkSession, targets: list[str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, BatchReport]:
    out = tmp_path_factory.mktemp("batch") / "tables"
    return out, run_batch(spark, targets, str(out), Config())


@pytest.fixture(scope="module")
def single(targets: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("single")
    run_cli("--db", str(folder / "store.db"), "ingest", *targets)
    run_cli("--db", str(folder / "store.db"), "export", "--format", "json", "-o", str(folder / "export.json"))
    data: dict[str, Any] = json.loads((folder / "export.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def imported(batch: tuple[Path, BatchReport], tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("imported") / "store.db"
    result = run_cli("--db", str(db), "import", str(batch[0]), "--master", "local[2]")
    assert result.exit_code == 0, result.output
    return db


def test_broken_inputs_are_named_in_errors_and_the_batch_completes(
    spark: SparkSession, batch: tuple[Path, BatchReport], broken_inputs: Path
) -> None:
    out, report = batch
    errors = {row["origin"]: row["message"] for row in spark.read.parquet(str(out / "errors")).collect()}
    assert "truncated or corrupt WARC" in errors[str(broken_inputs / "cut.warc.gz")]
    assert "binary" in errors[str(broken_inputs / "noise.txt")]
    assert report.articles > 100 and report.drift == 0


def test_batch_agrees_with_a_single_machine(imported: Path, single: dict[str, Any], tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    assert run_cli("--db", str(imported), "export", "--format", "json", "-o", str(export)).exit_code == 0
    found = agreement(single, json.loads(export.read_text(encoding="utf-8")))
    assert found["same_article_ids"] and found["same_quotes"], found
    assert found["events_bcubed"] >= 0.95, found


def test_the_imported_store_meets_the_contract(imported: Path, shared_dir: Path, tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    run_cli("--db", str(imported), "export", "--format", "json", "-o", str(export))
    schema = json.loads((shared_dir / "contract" / "analysis.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(export.read_text(encoding="utf-8")), schema)


def test_ingest_goes_on_on_top_of_an_imported_batch(imported: Path, tmp_path: Path) -> None:
    page = tmp_path / "new.html"
    page.write_text(PAGE.format(BODY), encoding="utf-8")
    with Store(imported) as store:
        before = store.count_articles()
    assert run_cli("--db", str(imported), "ingest", str(page)).exit_code == 0
    with Store(imported) as store:
        assert store.count_articles() == before + 1
        assert store.counter("documents") == before + 1
