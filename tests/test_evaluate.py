"""Quality figures on a tiny invented gold file and invented store contents, where every figure is known."""

from __future__ import annotations

from typing import Any

import pytest

from recoupe.evaluate import evaluate, fold, format_figures
from recoupe.records import Analysis, Article, Entity, Event, Quote, QuoteKind, Story, stable_id
from recoupe.store import Store

TEXT_A = (
    "« Le pont rouvrira lundi », a déclaré Mme Roux. Le maire estime que « rien n'est joué ». "
    "Ce « miracle » étonne. « Le trafic sera dévié par la rocade nord », a ajouté un agent."
)
TEXT_B = "« Nous attendons les experts depuis mardi », a dit Paul Henry. Julie Roux a confirmé."
TEXT_C = "Les experts sont arrivés jeudi au pont de Valmer, a-t-on appris."

GOLD: dict[str, Any] = {
    "quotes": [
        {"doc": "a.txt", "starts_with": "Le pont rouvrira", "speaker": "Julie Roux", "kind": "direct"},
        {"doc": "a.txt", "starts_with": "rien n’est joué", "speaker": "Marc Lenoir", "kind": "mixed"},
        {"doc": "b.txt", "starts_with": "Nous attendons les experts", "speaker": "Paul Henry", "kind": "direct"},
        {"doc": "b.txt", "starts_with": "Personne ne viendra", "speaker": "Paul Henry", "kind": "direct"},
    ],
    "optional_quotes": [{"doc": "a.txt", "starts_with": "Le trafic sera", "speaker": None}],
    "not_quotes": [{"doc": "a.txt", "text": "miracle", "why": "scare quote"}],
    "debris_lines": {"a.txt": ["Partager sur Facebook", "Abonnez-vous"]},
    "foreign_fragments": {},
    "events": {
        "E1": {"date": "2026-03-02", "docs": ["a.txt", "b.txt"]},
        "E2": {"date": "2026-03-05", "docs": ["c.txt"]},
    },
    "entity_variants": {
        "Julie Roux": ["Julie Roux", "Mme Roux", "Roux"],
        "Marc Lenoir": ["Marc Lenoir", "maire de Valmer"],
        "Paul Henry": ["Paul Henry"],
    },
}


def quote(article: str, text: str, needle: str, kind: QuoteKind, speaker: str | None) -> Quote:
    start = text.index(needle)
    end = start + len(needle)
    return Quote(stable_id("quo", article, str(start), str(end)), article, needle, start, end, kind, speaker, None)


@pytest.fixture
def filled(store: Store) -> Store:
    julie = Entity("ent_julie", "Julie Roux", "PER", ["Julie Roux", "Mme Roux"])
    paul = Entity("ent_paul", "Paul Henry", "PER", ["Paul Henry"])
    marc = Entity("ent_marc", "Marc Lenoir", "PER", ["Marc Lenoir"])
    other = Entity("ent_lenoir_maire", "maire", "PER", ["maire de Valmer"])  # split from Marc Lenoir
    store.upsert_story(Story("sto_1", "Le pont de Valmer"))
    store.upsert_event(Event("evt_1", "sto_1", "2026-03-03", "Le pont fermé"))
    store.upsert_event(Event("evt_2", "sto_1", "2026-03-09", "Les experts"))
    articles = [
        (Article("art_a", "/in/a.txt", TEXT_A, "ha", removed=["Partager sur Facebook", "Publicité"]), "evt_1"),
        (Article("art_b", "/in/b.txt", TEXT_B, "hb"), "evt_1"),
        (Article("art_c", "/in/c.txt", TEXT_C, "hc"), "evt_1"),  # wrongly placed with E1
    ]
    quotes = {
        "art_a": [
            quote("art_a", TEXT_A, "Le pont rouvrira lundi", "direct", "ent_julie"),
            quote("art_a", TEXT_A, "rien n'est joué", "mixed", "ent_paul"),  # found, wrong speaker
            quote("art_a", TEXT_A, "miracle", "mixed", None),  # a not-quote, also spurious
            quote("art_a", TEXT_A, "Le trafic sera dévié par la rocade nord", "direct", None),  # optional
        ],
        "art_b": [
            quote("art_b", TEXT_B, "Nous attendons les experts depuis mardi", "direct", "ent_paul"),
            quote("art_b", TEXT_B, "Julie Roux a confirmé", "indirect", "ent_julie"),  # indirect: not judged
        ],
    }
    for article, event in articles:
        article.story, article.event = "sto_1", event
        store.save_analysis(Analysis(article, [julie, paul, marc, other], [], quotes.get(article.id, [])))
    return store


def test_figures(filled: Store) -> None:
    figures = evaluate(filled, GOLD)
    assert figures["documents"] == 3
    assert figures["debris_recall"] == 0.5 and figures["removed_lines"] == 2
    assert figures["quote_recall"] == 0.75  # 3 of 4 gold quotes inside a reported quote
    assert figures["quote_precision"] == 0.8  # 4 of 5 direct or mixed: "miracle" matches nothing, optional is fine
    assert figures["speaker_accuracy"] == round(2 / 3, 3)
    assert figures["not_quotes_reported"] == 1
    assert figures["missed_quotes"] == ["b.txt: Personne ne viendra"]
    # B-cubed: a, b, c all in one predicted event; truth {a, b}, {c}.
    assert figures["events_bcubed_precision"] == round((2 / 3 + 2 / 3 + 1 / 3) / 3, 3)
    assert figures["events_bcubed_recall"] == 1.0
    assert figures["event_dates_within_one_day"] == "1/2"  # E1 (one day off) yes, E2 (four days off) no
    assert figures["stories_for_gold_story"] == 1
    assert figures["people_fully_merged"] == "2/3"  # Marc Lenoir is split over two entities
    assert figures["people_not_merged"] == ["Marc Lenoir: 2 entities"]


def test_format_puts_lists_last(filled: Store) -> None:
    lines = format_figures(evaluate(filled, GOLD)).splitlines()
    assert lines[0].split() == ["documents", "3"]
    assert lines.index("missed_quotes:") > max(i for i, line in enumerate(lines) if line.startswith("quote_recall"))
    assert "  - b.txt: Personne ne viendra" in lines


def test_fold_ignores_case_accents_apostrophes_and_marks() -> None:
    assert fold("« Rien n’est  JOUÉ »") == fold('"rien n\'est joué"') == "rien n'est joue"


def test_empty_store_gives_zeros(store: Store) -> None:
    figures = evaluate(store, GOLD)
    assert figures["quote_recall"] == 0.0 and figures["documents"] == 0
