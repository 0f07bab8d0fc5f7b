"""The command line end to end: ingest with bad inputs, idempotent re-ingest, crash safety, export contract."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from conftest import CommandLine
from recoupe.cli import app
from recoupe.config import RULES_DIR
from recoupe.models import Models
from recoupe.pipeline import Pipeline
from recoupe.store import Store

ARTICLES = {
    "pont.txt": (
        "Fermeture du pont de Bellerive\n\n"
        "La mairie de Bellerive a annoncé mardi 4 mars 2025 la fermeture du pont Neuf pour trois semaines. "
        "« Les fissures sont trop profondes pour attendre », a déclaré la maire, Hélène Garnier.\n\n"
        "Selon les services techniques, 12 000 véhicules empruntent le pont chaque jour."
    ),
    "greve.txt": (
        "Grève au port de Valmer\n\n"
        "Les dockers du port de Valmer ont cessé le travail lundi 10 mars 2025. "
        "Le secrétaire du syndicat, Paul Verdier, a affirmé que la grève durerait "
        "« aussi longtemps qu'il le faudra ».\n\n"
        "La direction du port estime que 40 navires attendent au large."
    ),
}

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_bad_inputs_are_named_and_the_rest_is_stored(cli: CommandLine, tmp_path: Path, corpus: Path) -> None:
    (corpus / "vide.txt").write_bytes(b"")
    (corpus / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (corpus / "casse.txt").write_bytes("Été ".encode() + b"\xff" + "à".encode())
    (corpus / "flux.jsonl").write_text('{"text": "Le conseil municipal a voté le budget jeudi."}\n{oops\n')
    db = tmp_path / "t.db"
    result = cli("--db", str(db), "ingest", str(corpus), str(tmp_path / "absent.txt"))
    assert result.exit_code == 1
    for name in ("vide.txt: empty file", "image.html: binary file", "casse.txt:1: invalid UTF-8",
                 "flux.jsonl:2: invalid JSON", "absent.txt: no such file or folder"):  # fmt: skip
        assert name in result.stderr
    assert "stored 3 articles" in result.stderr and "5 inputs failed" in result.stderr
    with Store(db) as store:
        assert store.count_articles() == 3


@pytest.mark.parametrize(
    ("rule_file", "broken", "said"),
    [
        ("debris.toml", "exact = [\n", "not valid TOML"),
        ("debris.toml", "patterns = ['(unclosed']\n", "'(unclosed' is not a valid regular expression"),
        ("quotes.toml", "reporting_verbs = [\n", "not valid TOML"),
    ],
)
def test_a_broken_rule_file_is_named_and_nothing_stored_is_lost(
    cli: CommandLine, tmp_path: Path, corpus: Path, rule_file: str, broken: str, said: str
) -> None:
    db = str(tmp_path / "t.db")
    assert cli("--db", db, "ingest", str(corpus)).exit_code == 0
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    (rules / "fr" / rule_file).write_text(broken, encoding="utf-8")
    config = tmp_path / "recoupe.toml"
    config.write_text(f'[recoupe]\nrules_dir = "{rules}"\n', encoding="utf-8")
    (corpus / "encore.txt").write_text("Les dockers du port de Valmer ont voté la reprise du travail jeudi.\n")
    result = cli("--config", str(config), "--db", db, "ingest", str(corpus))
    assert result.exit_code == 2
    assert f"error: {rules / 'fr' / rule_file}: " in result.stderr and said in result.stderr
    with Store(Path(db)) as store:
        assert store.count_articles() == 2


def test_reingest_adds_nothing(cli: CommandLine, tmp_path: Path, corpus: Path) -> None:
    db = str(tmp_path / "t.db")
    assert cli("--db", db, "ingest", str(corpus)).exit_code == 0
    again = cli("--db", db, "ingest", str(corpus))
    assert again.exit_code == 0 and "stored 0 articles, skipped 2" in again.stderr


def test_a_crash_mid_run_loses_no_committed_batch(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch, models: Models
) -> None:
    from recoupe.config import Config
    from recoupe.ingest import open_inputs

    db = tmp_path / "t.db"
    config = Config(db=db, batch_size=1)
    calls = {"n": 0}
    original = Pipeline.place

    def crash_on_second(self: Pipeline, analysis: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        original(self, analysis)

    monkeypatch.setattr(Pipeline, "place", crash_on_second)
    with Store(db) as store, pytest.raises(RuntimeError):
        Pipeline(config, store, models).run(open_inputs([str(corpus)], config))
    monkeypatch.setattr(Pipeline, "place", original)
    with Store(db) as store:
        assert store.count_articles() == 1
        report = Pipeline(config, store, models).run(open_inputs([str(corpus)], config))
        assert len(report.stored) == 1 and len(report.skipped) == 1
        assert store.count_articles() == 2


def test_export_formats(cli: CommandLine, tmp_path: Path, corpus: Path, shared_dir: Path) -> None:
    db = str(tmp_path / "t.db")
    cli("--db", db, "ingest", str(corpus))
    document = json.loads(cli("--db", db, "export", "--format", "json").stdout)
    schema = json.loads((shared_dir / "contract" / "analysis.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    assert len(document["articles"]) == 2
    for article in document["articles"]:
        assert article["story"] in {s["id"] for s in document["stories"]}
    lines = cli("--db", db, "export", "--format", "jsonl").stdout.splitlines()
    assert {json.loads(line)["type"] for line in lines} >= {"article", "story", "event"}
    csv_text = cli("--db", db, "export", "--format", "csv", "--table", "articles").stdout
    assert csv_text.splitlines()[0].startswith("id,source,outlet,title")
    out = tmp_path / "report.md"
    assert cli("--db", db, "export", "--format", "md", "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# recoupe analysis: 2 articles")
    assert cli("--db", db, "export", "--format", "xml").exit_code == 2


def test_seeds_export_follows_the_contract_and_cleans_the_debris(
    cli: CommandLine, tmp_path: Path, seeds_dir: Path, shared_dir: Path, gold: dict[str, Any]
) -> None:
    db = str(tmp_path / "t.db")
    assert cli("--db", db, "ingest", str(seeds_dir)).exit_code == 0
    document = json.loads(cli("--db", db, "export", "--format", "json").stdout)
    schema = json.loads((shared_dir / "contract" / "analysis.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    by_doc = {Path(a["source"]).name: a for a in document["articles"]}
    assert len(by_doc) == 5
    for doc, lines in gold["debris_lines"].items():
        removed = [" ".join(r.split()) for r in by_doc[doc]["removed"]]
        for line in lines:
            assert " ".join(line.split()) in removed, (doc, line)
    for doc, fragments in gold["foreign_fragments"].items():
        article = by_doc[doc]
        flagged = [article["text"][f["start"] : f["end"]] for f in article["foreign_fragments"]]
        for fragment in fragments:
            assert any(fragment in span for span in flagged), (doc, fragment, flagged)
    for quote in document["quotes"]:
        article = next(a for a in document["articles"] if a["id"] == quote["article"])
        assert article["text"][quote["start"] : quote["end"]] == quote["text"]


def test_show_unknown_story_and_missing_db_dir(tmp_path: Path) -> None:
    result = invoke("--db", str(tmp_path / "t.db"), "show", "sto_nope")
    assert result.exit_code == 2 and "no story 'sto_nope'" in result.stderr


def test_not_a_store_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not sqlite at all, just some bytes" * 100)
    result = invoke("--db", str(bogus), "stories")
    assert result.exit_code == 2 and str(bogus) in result.stderr


@pytest.mark.parametrize(
    ("setting", "option"),
    [('n_process = "two"', "n_process"), ("batch_size = -3", "batch_size"), ("fetch_timeout = 0", "fetch_timeout")],
)
def test_a_bad_setting_in_the_config_file_is_an_error_naming_it(tmp_path: Path, setting: str, option: str) -> None:
    config = tmp_path / "recoupe.toml"
    config.write_text(f"[recoupe]\n{setting}\n", encoding="utf-8")
    result = invoke("--config", str(config), "--db", str(tmp_path / "t.db"), "stories")
    assert result.exit_code == 2
    assert str(config) in result.stderr and f"option '{option}'" in result.stderr


def test_a_bad_value_of_a_flag_is_an_error_naming_the_option(tmp_path: Path, corpus: Path) -> None:
    result = invoke("--db", str(tmp_path / "t.db"), "ingest", "--workers", "0", str(corpus))
    assert result.exit_code == 2 and "option 'n_process'" in result.stderr
    assert not (tmp_path / "t.db").exists() or Store(tmp_path / "t.db").count_articles() == 0


def test_an_unknown_setting_is_named(tmp_path: Path) -> None:
    config = tmp_path / "recoupe.toml"
    config.write_text("[recoupe]\nbatch = 8\n", encoding="utf-8")
    result = invoke("--config", str(config), "stories")
    assert result.exit_code == 2 and "unknown setting 'batch'" in result.stderr
