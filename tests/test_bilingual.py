"""Mixed-language stories: a French and an English report of one event, each read with its own language's model
and rules, join one event through entities folded across spellings and languages; each quote keeps its language
and its outlet. Own invented sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from recoupe.brief.build import build_brief
from recoupe.config import Config
from recoupe.models import Models
from recoupe.people.names import NameRules
from recoupe.pipeline import Pipeline
from recoupe.records import Article, RawArticle
from recoupe.rules import load_language
from recoupe.store import Store

FRENCH = (
    "Vladimir Poutine a reçu mardi 4 mars 2025 à Pékin le ministre chinois Li Qiang pour un accord gazier de "
    "12 milliards de dollars. « Cet accord ouvre une nouvelle époque pour nos deux pays », a déclaré Vladimir "
    "Poutine devant la presse à Pékin."
)
ENGLISH = (
    "Vladimir Putin met Chinese minister Li Qiang in Beijing on Tuesday, March 4, 2025, to sign a gas deal worth "
    "12 billion dollars. “This agreement opens a new era for our two countries,” Vladimir Putin told reporters in "
    "Beijing."
)
OTHER = (
    "Storms flooded the harbour of Valmer on Sunday and closed the coastal road for two days. “The water rose "
    "faster than ever before,” said Martha Quinlan, who runs the harbour office."
)


@pytest.mark.parametrize(
    ("french", "english"), [("Poutine", "Putin"), ("Zelensky", "Zelenskyy"), ("Zelenski", "Zelenskyy")]
)
def test_person_names_fold_across_languages(config: Config, french: str, english: str) -> None:
    fr = NameRules.of_language(load_language(config.rules_dir, "fr"))
    en = NameRules.of_language(load_language(config.rules_dir, "en"))
    assert fr.fold(french) == en.fold(english)


def test_place_names_fold_across_languages(config: Config) -> None:
    fr = NameRules.of_language(load_language(config.rules_dir, "fr"))
    en = NameRules.of_language(load_language(config.rules_dir, "en"))
    assert fr.fold_entity("Pékin") == en.fold_entity("Beijing") and fr.fold_entity("Moscou") == en.fold_entity("Moscow")
    assert fr.fold_entity("Lyon") != en.fold_entity("London")


def ingest(tmp_path: Path, models: Models, n_process: int) -> tuple[Store, dict[str, Article]]:
    """The three reports ingested into a fresh store: the articles by outlet."""
    config = Config(db=tmp_path / "t.db", n_process=n_process, batch_size=1)
    raws = [
        # Each report names its outlet in its metadata, as a feed or a JSON line does: a bare source name is no
        # outlet (an input with neither metadata nor a site's address is "unknown outlet").
        RawArticle(source=f"outlet-{name}", content=text, format="text", origin=f"mem:{name}", outlet=f"outlet-{name}")
        for name, text in (("fr", FRENCH), ("en", ENGLISH), ("other", OTHER))
    ]
    store = Store(config.db)
    report = Pipeline(config, store, models).run(raws)
    assert report.ok and len(report.stored) == 3
    return store, {a.source.removeprefix("outlet-"): a for a in store.articles()}


@pytest.mark.parametrize("n_process", [1, 2])
def test_each_report_read_in_its_language_shares_its_entities(tmp_path: Path, models: Models, n_process: int) -> None:
    store, articles = ingest(tmp_path, models, n_process)
    with store:
        french, english = articles["fr"], articles["en"]
        assert (french.language, english.language) == ("fr", "en")
        # One entity for Pékin and Beijing, one speaker for Poutine and Putin, shared by both reports.
        places = {
            m.entity for a in (french, english) for m in store.mentions(article=a.id) if m.text in {"Pékin", "Beijing"}
        }
        assert len(places) == 1
        speakers = {a.language: [q.speaker for q in store.quotes(article=a.id)] for a in (french, english)}
        assert speakers["fr"] and speakers["fr"] == speakers["en"]
        quotes = {a.language: [q.text for q in store.quotes(article=a.id)] for a in (french, english)}
        assert quotes["fr"][0].startswith("Cet accord") and quotes["en"][0].startswith("This agreement")


def test_a_french_and_an_english_report_join_one_event(tmp_path: Path, models: Models) -> None:
    store, articles = ingest(tmp_path, models, 1)
    with store:
        french, english, other = articles["fr"], articles["en"], articles["other"]
        assert french.event is not None and french.event == english.event != other.event
        # The brief shows each quote in its own language, from its own outlet.
        assert french.story is not None
        brief = build_brief(store, french.story)
        lines = {
            (line.text[:14], source.outlet)
            for section in brief.statements
            for line in section.lines
            for source in line.sources
        }
        assert {("Cet accord ouv", "outlet-fr"), ("This agreement", "outlet-en")} <= lines
