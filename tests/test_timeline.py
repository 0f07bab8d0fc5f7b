"""Dates, near-copies, stories and events: on invented sentences, the built-in example and the seeds."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from recoupe import example
from recoupe.cli import app
from recoupe.cli.commands import run_ingest
from recoupe.config import Config
from recoupe.dates import DateReader, complete_published, event_dates
from recoupe.dedupe import NearCopyIndex
from recoupe.evaluate import evaluate
from recoupe.records import Article
from recoupe.store import Store


@pytest.fixture(scope="module")
def dates_reader(config: Config) -> DateReader:
    return DateReader(config)


def article(text: str, published: str | None = None, name: str = "a") -> Article:
    return Article(id=name, source=name, text=text, content_hash=name, published=published)


def test_weekday_recovers_the_missing_year(dates_reader: DateReader) -> None:
    a = article("Vendredi 24 janvier, le ministre a parlé. La réforme avait été annoncée en juin 2024.")
    complete_published(a, dates_reader)
    assert a.published == "2025-01-24" and a.published_inferred  # 24 January is a Friday in 2025, not 2024


def test_future_dates_do_not_date_the_text(dates_reader: DateReader) -> None:
    a = article("La cérémonie, prévue le 20 janvier 2025, sera retransmise.")
    complete_published(a, dates_reader)
    assert a.published is None and not a.published_inferred


def test_metadata_date_is_kept_and_normalised(dates_reader: DateReader) -> None:
    a = article("Texte sans date.", published="2025-03-04T08:00:00+01:00")
    complete_published(a, dates_reader)
    assert a.published == "2025-03-04" and not a.published_inferred


def test_relative_and_anaphoric_dates(dates_reader: DateReader) -> None:
    text = "Le conseil s'est réuni jeudi. La veille, le maire avait reçu les syndicats. Hier, la grève a cessé."
    assert event_dates(text, "2025-03-08", dates_reader) == ["2025-03-06", "2025-03-05", "2025-03-07"]


def test_near_copies_and_independent_reports(config: Config, store: Store) -> None:
    index = NearCopyIndex(config, store)
    wire = " ".join(f"Phrase numéro {i} de la dépêche sur la grève du port de Valmer." for i in range(40))
    rewrite = " ".join(f"Phrase numéro {i} de la dépêche sur la grève du port de Valmer." for i in range(5, 40))
    other = " ".join(f"Un autre journaliste raconte la grève à sa façon, épisode {i}." for i in range(40))
    assert index.find_and_add(article(wire, name="wire")) is None
    assert index.find_and_add(article(rewrite, name="rewrite")) == "wire"
    assert index.find_and_add(article(other, name="other")) is None


def bcubed(truth: dict[str, str], predicted: dict[str, str]) -> float:
    precision = recall = 0.0
    for item in truth:
        same_predicted = {o for o in truth if predicted[o] == predicted[item]}
        same_truth = {o for o in truth if truth[o] == truth[item]}
        precision += len(same_predicted & same_truth) / len(same_predicted)
        recall += len(same_predicted & same_truth) / len(same_truth)
    precision, recall = precision / len(truth), recall / len(truth)
    return 2 * precision * recall / (precision + recall)


def example_store() -> tuple[Store, dict[str, Any]]:
    store = Store(":memory:")
    run_ingest(Config(db=Path(":memory:")), store, [str(p) for p in example.paths()], quiet=True)
    by_name: dict[str, Any] = {}
    for a in store.articles():
        name = next((n for fragment, n in URLS.items() if fragment in a.source), Path(a.source).name)
        by_name[name] = a
    return store, by_name


# Example articles whose source is a URL (canonical link or JSON record), by a piece of that URL.
URLS = {
    "dockers-bloquent-le-port": "02-valmer-greve-littoral.html",
    "valmer-mediation": "04-valmer-negociations-vigie.html",
    "depeche/valmer-greve": "09-depeches.jsonl:1",
    "accord-signe": "09-depeches.jsonl:2",
}


def test_example_stories_events_dates_and_copies() -> None:
    store, by_name = example_store()
    expected = example.EXPECTED
    story_truth = {f: story for story, files in expected["stories"].items() for f in files}
    assert bcubed(story_truth, {f: by_name[f].story for f in story_truth}) == 1.0
    event_truth = {f: name for name, event in expected["events"].items() for f in event["files"]}
    assert bcubed(event_truth, {f: by_name[f].event for f in event_truth}) == 1.0
    for event in expected["events"].values():
        stored = store.event(by_name[event["files"][0]].event)
        assert stored is not None and stored.date == event["date"]
    for copy, original in expected["copies"].items():
        assert by_name[copy].duplicate_of == by_name[original].id
    store.close()


def test_seeds_form_one_story(seeds_dir: Path, gold: dict[str, Any]) -> None:
    with Store(":memory:") as store:
        run_ingest(Config(db=Path(":memory:")), store, [str(seeds_dir)], quiet=True)
        figures = evaluate(store, gold)
    assert figures["stories_for_gold_story"] == 1
    assert figures["events_bcubed_precision"] == 1.0  # no two gold events are ever merged


def test_demo_prints_the_timeline(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "demo.db"), "demo"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    stories = [line for line in lines if line.startswith("sto_")]
    assert len(stories) == 2
    dated = defaultdict(list)
    for line in lines:
        if line.startswith("    "):
            dated[line.split()[0]].append(line)
    assert sorted(dated) == ["2025-03-04", "2025-03-13", "2025-03-24", "2025-04-12", "2025-04-16"]
