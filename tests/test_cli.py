"""The command line end to end: ingest with bad inputs, idempotent re-ingest, crash safety, export contract."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from conftest import CommandLine
from recoupe.cli import app
from recoupe.cli.app import State
from recoupe.config import RULES_DIR, Config
from recoupe.errors import InputError
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


# --- the commands a newsroom runs every day: quotes, stories, names, progress -----------------------------------

LONG_QUOTE = (
    "Les fissures relevées sous la troisième pile sont trop profondes pour que nous prenions le moindre risque "
    "avec la sécurité des habitants et des enfants qui traversent le pont chaque matin"
)
DESK = [
    {
        "url": "https://courrier-valmer.test/pont",
        "outlet": "Le Courrier de Valmer",
        "published": "2025-03-04",
        "title": "Fermeture du pont Neuf de Bellerive",
        "text": "La mairie de Bellerive a annoncé mardi 4 mars 2025 la fermeture du pont Neuf pour trois semaines. "
        f"« {LONG_QUOTE} », a déclaré la maire, Hélène Garnier.\n\n"
        "Hélène Garnier a affirmé que les travaux commenceraient dès la semaine prochaine.",
    },
    {
        "url": "https://gazette-port.test/greve",
        "outlet": "La Gazette du Port",
        "published": "2025-03-10",
        "title": "Grève au port de Valmer",
        "text": "Les dockers du port de Valmer ont cessé le travail lundi 10 mars 2025. "
        "« Nous tiendrons aussi longtemps qu'il le faudra », a déclaré le secrétaire du syndicat, Paul Verdier.\n\n"
        "La direction du port estime que 40 navires attendent au large.",
    },
    {
        "url": "https://courrier-valmer.test/pont-suite",
        "outlet": "Le Courrier de Valmer",
        "published": "2025-03-12",
        "title": "Le pont Neuf de Bellerive rouvrira avant l'été",
        "text": "La fermeture du pont Neuf de Bellerive durera moins longtemps que prévu. "
        "« Nous rouvrirons le pont Neuf avant l'été », a promis jeudi Mme Garnier, maire de Bellerive.\n\n"
        "Les travaux sous la troisième pile ont commencé mercredi.",
    },
]


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory, models: Models) -> Path:
    """A store of three invented articles of two outlets on two stories, ingested through the command line."""
    folder = tmp_path_factory.mktemp("desk")
    (folder / "in").mkdir()
    (folder / "in" / "desk.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in DESK) + "\n")
    db = folder / "desk.db"
    result = CliRunner().invoke(app, ["--db", str(db), "ingest", str(folder / "in")], obj=State(models=models))
    assert result.exit_code == 0, result.output
    return db


def stored_quotes(db: Path) -> list[dict[str, Any]]:
    """Every quote of the store with what the filters look at, read here without the command's query."""
    with Store(db) as store:
        names = {e.id: e.name for e in store.entities()}
        articles = {a.id: a for a in store.articles()}
        return [
            {
                **q.to_dict(),
                "speaker_name": names.get(q.speaker or ""),
                "outlet": articles[q.article].outlet,
                "published": articles[q.article].published or "",
                "story": articles[q.article].story,
                "language": articles[q.article].language,
            }
            for q in store.quotes()
        ]


def printed_spans(stdout: str) -> list[str]:
    """The article:start-end of each quote `recoupe quotes` printed."""
    return [line.split()[0] for line in stdout.splitlines() if line and not line.startswith(" ")]


def span(quote: dict[str, Any]) -> str:
    return f"{quote['article']}:{quote['start']}-{quote['end']}"


def test_quotes_are_printed_whole_and_indirect_speech_without_marks(desk: Path) -> None:
    result = invoke("--db", str(desk), "quotes")
    assert result.exit_code == 0, result.output
    quotes = stored_quotes(desk)
    assert any(len(q["text"]) > 140 for q in quotes)  # the fixture holds a quote longer than the old cut
    assert printed_spans(result.stdout) == [span(q) for q in quotes]
    lines = result.stdout.splitlines()
    for quote in quotes:
        words = " ".join(quote["text"].split())
        body = lines[lines.index(next(line for line in lines if line.startswith(span(quote)))) + 1].strip()
        assert body == (words if quote["kind"] == "indirect" else f"« {words} »")
    assert "…" not in result.stdout


@pytest.mark.parametrize(
    ("options", "keep", "found"),
    [
        (["--outlet", "La Gazette du Port"], lambda q: q["outlet"] == "La Gazette du Port", True),
        (["--kind", "direct"], lambda q: q["kind"] == "direct", True),
        (["--from", "2025-03-05"], lambda q: q["published"] >= "2025-03-05", True),
        (["--to", "2025-03-10"], lambda q: q["published"][:10] <= "2025-03-10", True),
        (
            ["--from", "2025-03-05", "--to", "2025-03-11"],
            lambda q: "2025-03-05" <= q["published"][:10] <= "2025-03-11",
            True,
        ),
        (["--language", "fr"], lambda q: q["language"] == "fr", True),
        (["--language", "en"], lambda q: q["language"] == "en", False),
        (["--speaker", "GARNIER"], lambda q: "Garnier" in (q["speaker_name"] or ""), True),
        (["--speaker", "helene garnier"], lambda q: "Garnier" in (q["speaker_name"] or ""), True),
    ],
)
def test_quotes_filters(desk: Path, options: list[str], keep: Any, found: bool) -> None:
    result = invoke("--db", str(desk), "quotes", *options)
    assert result.exit_code == 0, result.output
    expected = [span(q) for q in stored_quotes(desk) if keep(q)]
    assert printed_spans(result.stdout) == expected
    assert bool(expected) == found and ("no quote matches" in result.stderr) != found


def test_quotes_of_a_story_and_an_article_and_their_pages(desk: Path) -> None:
    quotes = stored_quotes(desk)
    first = quotes[0]
    by_story = printed_spans(invoke("--db", str(desk), "quotes", "--story", str(first["story"])).stdout)
    assert by_story == [span(q) for q in quotes if q["story"] == first["story"]]
    by_article = printed_spans(invoke("--db", str(desk), "quotes", "--article", first["article"]).stdout)
    assert by_article == [span(q) for q in quotes if q["article"] == first["article"]]
    assert len(quotes) >= 3
    pages = [invoke("--db", str(desk), "quotes", "--limit", "2", "--offset", str(n)) for n in range(0, len(quotes), 2)]
    assert [s for page in pages for s in printed_spans(page.stdout)] == [span(q) for q in quotes]
    assert f"quotes 1-2 of {len(quotes)}; --offset 2 for the next" in pages[0].stderr
    past = invoke("--db", str(desk), "quotes", "--offset", "99")
    assert (
        past.exit_code == 0
        and past.stdout == ""
        and f"no quotes past --offset 99: there are {len(quotes)}" in past.stderr
    )


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--kind", "reported"], "'reported' is none of direct, indirect, mixed"),
        (["--from", "4 mars"], "'4 mars' is not a date as YYYY-MM-DD"),
        (["--limit", "0"], "--limit"),
    ],
)
def test_a_bad_quotes_filter_is_named(desk: Path, options: list[str], said: str) -> None:
    result = invoke("--db", str(desk), "quotes", *options)
    assert result.exit_code == 2 and said in result.stderr


def test_a_misspelt_speaker_gets_the_nearest_names(desk: Path) -> None:
    result = invoke("--db", str(desk), "quotes", "--speaker", "Gernier")
    assert result.exit_code == 1 and result.stdout == ""
    assert "no person matching 'Gernier'; did you mean 'Hélène Garnier'?" in result.stderr
    nothing = invoke("--db", str(desk), "quotes", "--speaker", "Zbigniew")
    assert nothing.exit_code == 1 and nothing.stderr.strip() == "no person matching 'Zbigniew'"


def test_nearest_names_compare_every_variant_word_run_by_word_run() -> None:
    from recoupe.cli.reading import nearest_names
    from recoupe.records import Entity

    known = [
        Entity("per_1", "Dmitri Peskov", "PER", ["Dmitri Peskov", "Peskov", "Dmitry Peskov"]),
        Entity("per_2", "Paul Verdier", "PER", ["Paul Verdier", "Verdier"]),
        Entity("per_3", "Hélène Garnier", "PER", ["Hélène Garnier", "Mme Garnier"]),
        Entity("org_1", "Peskov Conseil", "ORG", ["Peskov Conseil"]),
    ]
    assert nearest_names(known, "Pescov") == ["Dmitri Peskov"]  # a place or company is no speaker
    assert nearest_names(known, "dimitri peskov") == ["Dmitri Peskov"]
    assert nearest_names(known, "HELENE GARNIE") == ["Hélène Garnier"]
    assert nearest_names(known, "Gernier") == ["Hélène Garnier"]  # 'Verdier' is further than the spread
    assert nearest_names(known, "Zbigniew") == []
    assert nearest_names(known, "  ") == []


def test_quoted_words_wrap_under_their_lead_and_mark_only_what_was_marked() -> None:
    from recoupe.cli.reading import quoted_words

    text = "les travaux   commenceraient dès la semaine prochaine sous la troisième pile du pont"
    assert quoted_words(text, "indirect", "    ", None) == "    " + " ".join(text.split())
    assert quoted_words(text, "mixed", "", None) == f"« {' '.join(text.split())} »"
    wrapped = quoted_words(text, "direct", "    ", 40).splitlines()
    assert len(wrapped) > 1 and all(len(line) <= 40 and line.startswith("    ") for line in wrapped)
    assert " ".join(line.strip() for line in wrapped) == f"« {' '.join(text.split())} »"


def printed_stories(stdout: str) -> list[str]:
    return [line.split()[0] for line in stdout.splitlines() if line.startswith("sto_")]


def story_rows(db: Path) -> list[dict[str, Any]]:
    with Store(db) as store:
        articles = store.articles()
        rows = []
        for story in store.stories():
            mine = [a for a in articles if a.story == story.id]
            dates = [e.date for e in store.events(story.id) if e.date]
            rows.append(
                {
                    "id": story.id,
                    "articles": len(mine),
                    "outlets": {a.outlet for a in mine},
                    "published": [a.published or "" for a in mine],
                    "languages": {a.language for a in mine},
                    "last": max(dates) if dates else "",
                }
            )
        return rows


def test_stories_filters_sorts_and_pages(desk: Path) -> None:
    rows = story_rows(desk)
    assert len(rows) >= 2 and len({r["articles"] for r in rows}) > 1  # stories of different sizes to sort

    def listed(*options: str) -> list[str]:
        result = invoke("--db", str(desk), "stories", *options)
        assert result.exit_code == 0, result.output
        return printed_stories(result.stdout)

    largest = sorted(rows, key=lambda r: (-r["articles"], r["last"] == "", [-ord(c) for c in r["last"]], r["id"]))
    assert listed("--sort", "largest") == [r["id"] for r in largest]
    latest = sorted(rows, key=lambda r: (r["last"] == "", [-ord(c) for c in r["last"]], r["id"]))
    assert listed() == listed("--sort", "latest") == [r["id"] for r in latest]
    gazette = {r["id"] for r in rows if "La Gazette du Port" in r["outlets"]}
    assert set(listed("--outlet", "La Gazette du Port")) == gazette and gazette
    big = {r["id"] for r in rows if r["articles"] >= 2}
    assert set(listed("--min-articles", "2")) == big
    march = {r["id"] for r in rows if any("2025-03-11" <= p[:10] <= "2025-03-31" for p in r["published"])}
    assert set(listed("--from", "2025-03-11", "--to", "2025-03-31")) == march
    assert listed("--language", "en") == []
    pages = listed("--limit", "1") + listed("--limit", "1", "--offset", "1") + listed("--offset", "2")
    assert pages == [r["id"] for r in latest]
    result = invoke("--db", str(desk), "stories", "--sort", "biggest")
    assert result.exit_code == 2 and "'biggest' is none of latest, largest, outlets" in result.stderr


def test_a_readme_in_a_folder_is_passed_over_with_a_note(cli: CommandLine, tmp_path: Path, corpus: Path) -> None:
    (corpus / "README.md").write_text("# Articles de mars\n", encoding="utf-8")
    (corpus / "style.css").write_text("body { margin: 0 }\n", encoding="utf-8")
    (corpus / "photos").mkdir()
    (corpus / "photos" / "pont.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    db = str(tmp_path / "t.db")
    result = cli("--db", db, "ingest", str(corpus))
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == "note: passed over 3 files that hold no articles: README.md, pont.jpg, style.css"
    assert "error" not in result.stderr and "stored 2 articles" in lines[-1]
    named = cli("--db", db, "ingest", str(corpus / "README.md"))
    assert named.exit_code == 1 and f"error: {corpus / 'README.md'}: unsupported file type '.md'" in named.stderr


def test_ingest_says_one_summary_line_when_not_on_a_terminal(cli: CommandLine, tmp_path: Path, corpus: Path) -> None:
    result = cli("--db", str(tmp_path / "t.db"), "ingest", str(corpus))
    assert result.exit_code == 0
    [line] = result.stderr.splitlines()
    assert re.fullmatch(
        r"stored 2 articles, skipped 0 already stored, 0 inputs failed in \d+\.\d s, \S+ articles/s", line
    )


def test_ingest_draws_a_progress_bar_with_the_failures(cli: CommandLine, tmp_path: Path, corpus: Path) -> None:
    (corpus / "vide.txt").write_bytes(b"")
    (corpus / "flux.jsonl").write_text('{"text": "Le conseil municipal a voté le budget jeudi 6 mars."}\n{oops\n')
    result = cli("--db", str(tmp_path / "t.db"), "ingest", "--progress", str(corpus))
    assert result.exit_code == 1
    frames = [f for f in re.split(r"[\r\n]", result.stderr) if f.startswith("ingest:")]
    assert frames, result.stderr
    assert re.search(r"5/5 \[[\d:]+<[\d:]+, +\S+ ?\S*/s, failed=2\]$", frames[-1]), frames[-1]
    assert "stored 3 articles, skipped 0 already stored, 2 inputs failed" in result.stderr


def test_progress_counts_inputs_as_they_are_done(capsys: pytest.CaptureFixture[str]) -> None:
    from recoupe.cli.progress import Progress
    from recoupe.records import RawArticle, Skipped

    raw = RawArticle(source="a.txt", content="Le pont rouvrira.", format="text", origin="a.txt")
    with Progress(total=4, shown=True) as bar:
        passed = list(bar.counted([InputError("b.txt", "empty file"), Skipped("c.txt", "already stored"), raw]))
        assert len(passed) == 3 and (bar.done, bar.failed) == (2, 1)
        bar.take(3)
        bar.read_one()
        assert bar.done == 3
        bar.stored([(raw, InputError("a.txt", "no text left once cleaned"), None)], [])
        assert (bar.done, bar.failed) == (3, 2)  # every input taken is done; none is counted twice
        bar.take(2)  # a JSON list held more records than its file said
        bar.stored([], [])
        assert bar.done == bar.total == 5
    assert "failed=2" in capsys.readouterr().err


def test_progress_with_workers_counts_no_input_read_ahead(models: Models) -> None:
    from recoupe.cli.progress import Progress
    from recoupe.records import RawArticle

    raws = [RawArticle(source=f"{n}.txt", content="Le pont rouvrira.", format="text", origin=f"{n}.txt") for n in "ab"]
    with Store(":memory:") as store, Progress(total=10, shown=False) as bar:
        bar.build(Config(db=Path(":memory:"), n_process=2), store, models)
        bar.take(10)  # the workers' parser took every input at once
        bar.stored([(raws[0], InputError("a.txt", "no text left once cleaned"), None)], [])
        assert (bar.done, bar.failed) == (1, 1)


def test_the_config_help_names_its_table() -> None:
    result = invoke("--help")
    assert result.exit_code == 0 and "TOML file with a [recoupe] table of settings" in " ".join(result.stdout.split())


BLOCKED_IMPORTS = """
import sys
from importlib.abc import MetaPathFinder

class Unimportable(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("spacy", "lingua", "trafilatura"):
            raise ImportError(f"{name} is made unimportable by the test")
        return None

sys.meta_path.insert(0, Unimportable())
sys.argv[0] = "recoupe"
from recoupe.cli import app
app()
"""


@pytest.mark.parametrize(
    "command",
    [
        ["stories"],
        ["stories", "--sort", "largest"],
        ["show", "{story}"],
        ["quotes", "--kind", "direct"],
        ["quotes", "--speaker", "Garnier"],
        ["brief", "{story}"],
        ["export", "--format", "json"],
    ],
)
def test_read_only_commands_load_no_model(desk: Path, command: list[str]) -> None:
    import subprocess
    import sys

    story = printed_stories(invoke("--db", str(desk), "stories").stdout)[0]
    args = [a.replace("{story}", story) for a in command]
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED_IMPORTS, "--db", str(desk), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() and done.stdout == invoke("--db", str(desk), *args).stdout


def test_show_prints_each_quote_whole_marked_as_it_was(desk: Path) -> None:
    quotes = stored_quotes(desk)
    for story in {q["story"] for q in quotes}:
        result = invoke("--db", str(desk), "show", str(story))
        assert result.exit_code == 0, result.output
        for quote in (q for q in quotes if q["story"] == story):
            words = " ".join(quote["text"].split())
            said = words if quote["kind"] == "indirect" else f"« {words} »"
            assert f"      {quote['speaker_name'] or 'unattributed'}: {said}" in result.stdout.splitlines()


def test_the_note_on_the_files_passed_over_names_a_few(tmp_path: Path) -> None:
    from recoupe.cli.progress import Targets

    (tmp_path / "a.txt").write_text("Le pont rouvrira.", encoding="utf-8")
    (tmp_path / "README.md").write_text("# Notes\n", encoding="utf-8")
    assert Targets.listed([str(tmp_path)]).note() == "note: passed over 1 file that holds no articles: README.md"
    for n in range(7):
        (tmp_path / f"photo{n}.png").write_bytes(b"\x89PNG")
    listed = Targets.listed([str(tmp_path), "https://exemple.test/flux.xml"])
    assert listed.note() == (
        "note: passed over 8 files that hold no articles: README.md, photo0.png, photo1.png, photo2.png, "
        "photo3.png and 3 more"
    )
    assert [p.name for p in listed.paths] == ["a.txt"] and listed.urls == ["https://exemple.test/flux.xml"]
    assert listed.expected(Config(db=Path(":memory:"))) is None  # a feed lists as many pages as it holds
