"""Quotes and speakers on invented French sentences, one construction each, and on the gold seeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from recoupe.cli.commands import run_ingest
from recoupe.config import Config
from recoupe.evaluate import evaluate
from recoupe.models import Models
from recoupe.people.entities import EntityResolver
from recoupe.quotes.extract import QuoteExtractor, pair_marks
from recoupe.read.nlp import Reader
from recoupe.records import Article, Quote
from recoupe.rules import LanguageRules, load_language
from recoupe.store import Store


def french(config: Config) -> LanguageRules:
    """The French rules of the test configuration (read again each time: a few small files)."""
    return load_language(config.rules_dir, "fr")


@pytest.fixture(scope="module")
def quote_of(reader: Reader, config: Config) -> Any:
    extractor = QuoteExtractor(french(config))

    def run(text: str) -> list[tuple[str, str | None, str]]:
        store = Store(":memory:")
        article = Article(id="a", source="mem", text=text, content_hash="h")
        doc = reader.nlp(text)
        entities, mentions = EntityResolver(french(config), store).resolve(doc, article)
        names = {e.id: e.name for e in entities}
        quotes = extractor.extract(doc, article, entities, mentions)
        for quote in quotes:
            assert text[quote.start : quote.end] == quote.text
        return [(q.text, names.get(q.speaker or ""), q.kind) for q in quotes]

    return run


def test_trailing_cue_with_name_and_role(quote_of: Any) -> None:
    text = (
        "La ministre de la Santé, Anne Rivière, a visité l'hôpital de Brest mardi.\n\n"
        "« Nous ouvrirons deux cents lits avant l'hiver », a déclaré la ministre de la Santé.\n\n"
        "« Les soignants seront consultés à chaque étape », a assuré Anne Rivière."
    )
    assert quote_of(text)[:2] == [
        ("Nous ouvrirons deux cents lits avant l'hiver", "Anne Rivière", "direct"),
        ("Les soignants seront consultés à chaque étape", "Anne Rivière", "direct"),
    ]


def test_inverted_pronoun_and_colon(quote_of: Any) -> None:
    text = (
        "Le maire de Quimper, Yves Le Goff, a présenté son budget jeudi. Il a déclaré : « Les impôts locaux "
        "n'augmenteront pas cette année. »\n\n"
        "« Nous ferons des économies sur le fonctionnement », a-t-il ajouté."
    )
    found = quote_of(text)
    assert ("Les impôts locaux n'augmenteront pas cette année.", "Yves Le Goff", "direct") in found
    assert ("Nous ferons des économies sur le fonctionnement", "Yves Le Goff", "direct") in found


def test_mixed_quote_and_indirect_speech(quote_of: Any) -> None:
    text = (
        "Le syndicaliste Marc Tellier a estimé que la direction « n'a jamais voulu négocier sérieusement "
        "avec les salariés ». Selon Julie Perrin, la grève pourrait durer plusieurs semaines encore."
    )
    found = quote_of(text)
    assert ("n'a jamais voulu négocier sérieusement avec les salariés", "Marc Tellier", "mixed") in found
    assert ("la grève pourrait durer plusieurs semaines encore", "Julie Perrin", "indirect") in found


def test_broken_marks_and_continued_paragraph(quote_of: Any) -> None:
    text = (
        "Le ministre Paul Aubry a répondu aux députés : « Je ne céderai pas sur ce point. Le texte sera voté.\n\n"
        "« Il y va de la crédibilité de l'État », a-t-il conclu.\n\n"
        "Il a aussi précisé qu' »aucun report n'est envisagé pour le moment ». "
    )
    found = quote_of(text)
    texts = [t for t, _, _ in found]
    assert "Je ne céderai pas sur ce point. Le texte sera voté." in texts
    assert ("aucun report n'est envisagé pour le moment", "Paul Aubry", "mixed") in found
    assert all(speaker == "Paul Aubry" for _, speaker, _ in found)


def test_scare_quotes_titles_and_unknown_speakers(quote_of: Any) -> None:
    text = (
        "Le film « La Mer à boire » sort mercredi. Cette réforme « historique » divise.\n\n"
        "« Personne ne sait ce qui va se passer maintenant dans cette affaire », lit-on sur une affiche."
    )
    found = quote_of(text)
    assert [t for t, _, _ in found] == ["Personne ne sait ce qui va se passer maintenant dans cette affaire"]
    assert found[0][1] is None  # nobody is named: the speaker stays unknown


def test_pair_marks_reads_straight_quotes_and_stray_marks() -> None:
    text = 'Il a dit "nous verrons bien demain matin" devant 27 800" témoins.'
    [span] = pair_marks(text, [(0, len(text))])
    assert text[span.start : span.end] == "nous verrons bien demain matin"


def test_gold_seeds_quotes_and_speakers(seeds_dir: Path, gold: dict[str, Any], models: Models) -> None:
    with Store(":memory:") as store:
        run_ingest(Config(db=Path(":memory:")), store, [str(seeds_dir)], quiet=True, models=models)
        figures = evaluate(store, gold)
    report = json.dumps({k: figures[k] for k in ("missed_quotes", "spurious_quotes", "wrong_speakers")}, indent=1)
    assert figures["quote_recall"] >= 0.95, report
    assert figures["quote_precision"] >= 0.95, report
    assert figures["speaker_accuracy"] >= 0.95, report
    assert figures["not_quotes_reported"] == 0
    assert figures["debris_recall"] == 1.0 and figures["foreign_recall"] == 1.0


def test_quote_text_is_the_span(seeds_dir: Path, models: Models) -> None:
    with Store(":memory:") as store:
        run_ingest(Config(db=Path(":memory:")), store, [str(seeds_dir)], quiet=True, models=models)
        articles = {a.id: a for a in store.articles()}
        quotes: list[Quote] = store.quotes()
    assert quotes
    for quote in quotes:
        assert articles[quote.article].text[quote.start : quote.end] == quote.text
        assert quote.speaker is None or (quote.confidence is not None and 0 < quote.confidence <= 1)
