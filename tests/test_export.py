"""Exports: the registry behind `export --format`, the Markdown report against hostile strings in a real Markdown
renderer, and the Parquet tables read back with pyarrow against the JSON export."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner, Result

from hostile_markup import HOSTILE_URLS, PAYLOADS, assert_inert, flat, render_markdown
from recoupe import export
from recoupe.cli import app
from recoupe.export.parquet import SCHEMAS, SchemaMismatch, _arrow_table
from recoupe.facts.records import Difference, Fact, FactClaim, Variant
from recoupe.formats import UnknownFormat
from recoupe.records import Analysis, Article, Entity, Event, ForeignFragment, Quote, Story
from recoupe.store import Store


def hostile_store(path: Path | str) -> Store:
    """A store whose every string a page could set is one of the payloads; one article a payload."""
    store = Store(str(path))
    store.upsert_story(Story(id="sto_1", title=PAYLOADS[0]))
    for i, payload in enumerate(PAYLOADS):
        text = f"Le maire a déclaré : « {payload} » hier soir."
        start = text.index(payload)
        source = HOSTILE_URLS[i % len(HOSTILE_URLS)] if i % 2 else f"https://exemple.test/{i}/{payload}"
        article = Article(
            id=f"art_{i:02d}",
            source=source,
            text=text,
            content_hash=f"h{i}",
            title=payload,
            outlet=payload if i % 3 else None,
            published=payload,  # a `published` value that is no date
            published_inferred=bool(i % 2),
            removed=[payload, "Partager"] if i % 4 == 0 else [],
            foreign_fragments=[ForeignFragment(start, start + 3, "en")] if i % 5 == 0 else [],
        )
        speaker = Entity(id=f"ent_{i:02d}", name=payload, type="PER", variants=[payload, "le maire"])
        quote = Quote(
            f"quo_{i:02d}", article.id, payload, start, start + len(payload), "direct",
            speaker.id if i % 2 else None, "le maire", "a déclaré" if i % 3 else None, 0.5 + i / 100 if i % 2 else None,
        )  # fmt: skip
        store.save_analysis(Analysis(article=article, entities=[speaker], quotes=[quote]))
        event = f"evt_{i % 3}"
        store.upsert_event(Event(id=event, story="sto_1", date=payload if i % 3 else None, title=payload))
        store.set_placement(article.id, "sto_1", event, "art_00" if i == 5 else None)
    store.replace_facts("sto_1", [hostile_fact(PAYLOADS[0], PAYLOADS[1])])
    return store


def hostile_fact(first: str, second: str) -> Fact:
    """A contested fact of two claims whose words, outlets and values are payloads."""
    claims = tuple(
        FactClaim(f"clm_{i}", f"art_{i:02d}", words, 23, 23 + len(words), words, words)
        for i, words in enumerate((first, second))
    )
    difference = Difference("figure", first, (Variant(first, (first,)), Variant(second, (second,))))
    return Fact("fct_1", "sto_1", "evt_0", first, "contested", 2, (first, second), second, claims, (difference,))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "hostile.db"
    hostile_store(path).close()
    yield path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def said(result: Result) -> str:
    """What a command printed, its words on one line, out of the box the CLI draws around an error."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())


def test_markdown_report_carries_no_markup_from_the_articles(tmp_path: Path) -> None:
    with hostile_store(tmp_path / "s.db") as store:
        report = export.to_markdown(store)
    rendered = render_markdown(report)
    markup = assert_inert(rendered, {"h1", "h2", "h3", "p", "ul", "li", "strong", "a"})
    links = [dict(attrs)["href"] for tag, attrs in markup.tags if tag == "a"]
    # Each article's title links to its page only when the page's URL is http or https.
    assert len(links) == sum(1 for i, p in enumerate(PAYLOADS) if i % 2 == 0 and "\n" not in p)
    assert all(link and link.startswith("https://exemple.test/") for link in links)
    for payload in PAYLOADS:
        assert flat(payload) in markup.text  # shown as the text it is, not dropped
    assert "near-copy of art_00" in markup.text


def test_registry_gives_the_cli_its_choices_help_and_errors(db: Path, tmp_path: Path) -> None:
    assert export.FORMATS.names() == ["json", "jsonl", "csv", "md", "parquet"]
    helped = invoke("export", "--help").stdout
    for entry in export.FORMATS:
        assert entry.name in helped
    unknown = invoke("--db", str(db), "export", "--format", "xml")
    assert unknown.exit_code == 2 and "json, jsonl, csv, md or parquet" in said(unknown)
    with pytest.raises(UnknownFormat, match="unknown export format 'xml'"):
        export.FORMATS["xml"]
    wrong_table = invoke("--db", str(db), "export", "--format", "json", "--table", "quotes")
    assert wrong_table.exit_code == 2 and "--table is for jsonl, csv or parquet" in said(wrong_table)
    assert invoke("--db", str(db), "export", "--format", "csv", "--table", "nope").exit_code == 2
    no_folder = invoke("--db", str(db), "export", "--format", "parquet")
    assert no_folder.exit_code == 2 and "folder" in said(no_folder)
    (tmp_path / "a-file").write_text("x")
    assert invoke("--db", str(db), "export", "--format", "parquet", "-o", str(tmp_path / "a-file")).exit_code == 2
    quotes_csv = invoke("--db", str(db), "export", "--format", "csv", "--table", "quotes").stdout
    assert quotes_csv.splitlines()[0] == "id,article,text,start,end,kind,speaker,speaker_mention,cue,confidence"


def test_parquet_tables_equal_the_json_export(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    result = invoke("--db", str(db), "export", "--format", "parquet", "-o", str(folder))
    assert result.exit_code == 0, result.output
    document = json.loads(invoke("--db", str(db), "export", "--format", "json").stdout)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{t}.parquet" for t in export.TABLES)
    for table in export.TABLES:
        read = pq.read_table(folder / f"{table}.parquet")
        assert read.schema.equals(SCHEMAS[table]), table
        assert read.to_pylist() == document[table], table
        assert read.num_rows == len(document[table])
        # This store's stories have one article each: nothing to cross-check, so no fact; every other table has rows.
        assert read.num_rows > 0 or table == "facts", table
    articles = pq.read_table(folder / "articles.parquet").schema
    assert articles.field("published_inferred").type == pa.bool_()
    assert articles.field("removed").type == pa.list_(pa.field("item", pa.string(), nullable=False))
    fragment = articles.field("foreign_fragments").type.value_type
    assert fragment.field("start").type == pa.int64() and fragment.field("language").type == pa.string()
    quotes = pq.read_table(folder / "quotes.parquet").schema
    assert quotes.field("start").type == quotes.field("end").type == pa.int64()
    assert quotes.field("confidence").type == pa.float64()
    assert not articles.field("id").nullable and articles.field("published").nullable


def test_parquet_one_table_and_an_empty_store(db: Path, tmp_path: Path) -> None:
    assert (
        invoke("--db", str(db), "export", "--format", "parquet", "--table", "quotes", "-o", str(tmp_path)).exit_code
        == 0
    )
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".parquet"] == ["quotes.parquet"]
    empty = tmp_path / "empty"
    with Store(str(tmp_path / "empty.db")) as store:
        export.FORMATS["parquet"].write(store, empty, None)
    for table in export.TABLES:
        read = pq.read_table(empty / f"{table}.parquet")
        assert read.num_rows == 0 and read.schema.equals(SCHEMAS[table])


def test_every_table_of_the_contract_has_a_parquet_schema_and_a_drift_is_an_error() -> None:
    assert set(SCHEMAS) == set(export.TABLES)
    record: dict[str, Any] = {"id": "sto_1", "title": "t", "events": [], "articles": []}
    assert _arrow_table(SCHEMAS["stories"], [record], "stories").num_rows == 1
    with pytest.raises(SchemaMismatch, match="'summary'"):
        _arrow_table(SCHEMAS["stories"], [{**record, "summary": "new field"}], "stories")
    with pytest.raises(SchemaMismatch, match="'title' is null"):
        _arrow_table(SCHEMAS["stories"], [{**record, "title": None}], "stories")
    with pytest.raises(SchemaMismatch, match="'item' is null"):
        _arrow_table(SCHEMAS["stories"], [{**record, "articles": ["a", None]}], "stories")
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError)):
        _arrow_table(SCHEMAS["stories"], [{**record, "events": 3}], "stories")
