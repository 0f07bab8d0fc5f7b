"""Quotes on invented French sentences: one construction per case, with the speaker the text names (or none)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from recoupe.config import Config
from recoupe.people.entities import EntityResolver
from recoupe.quotes.confidence import CALIBRATION_FILE, Calibration, QuoteConfidence
from recoupe.quotes.cues import QuoteRules
from recoupe.quotes.extract import QuoteExtractor, pair_marks
from recoupe.read.nlp import Reader
from recoupe.records import Article, Quote, stable_id
from recoupe.rules import LanguageRules, Quotes, RulesError, load_language
from recoupe.store import Store

Found = tuple[str, str | None, str]  # (quote text, speaker's entity name or None, kind)


def french(config: Config) -> LanguageRules:
    """The French rules of the test configuration (read again each time: a few small files)."""
    return load_language(config.rules_dir, "fr")


def _quotes(config: Config) -> Quotes:
    quotes = french(config).quotes
    assert quotes is not None
    return quotes


@pytest.fixture(scope="module")
def extract(reader: Reader, config: Config) -> Any:
    extractor = QuoteExtractor(french(config))

    def run(text: str) -> list[Quote]:
        article = Article(id="art", source="mem", text=text, content_hash="h")
        doc = reader.nlp(text)
        entities, mentions = EntityResolver(french(config), Store(":memory:")).resolve(doc, article)
        quotes: list[Quote] = extractor.extract(doc, article, entities, mentions)
        names = {e.id: e.name for e in entities}
        for quote in quotes:
            assert text[quote.start : quote.end] == quote.text
            assert quote.id == stable_id("quo", "art", str(quote.start), str(quote.end))
        # Names read better in assertions than entity ids.
        return [replace(q, speaker=names.get(q.speaker or "", q.speaker)) for q in quotes]

    return run


def found(quotes: list[Quote]) -> list[Found]:
    return [(q.text, q.speaker, q.kind) for q in quotes]


CASES: list[tuple[str, str, Found]] = [
    (
        "comma and inverted name",
        "« Le chantier reprendra dès lundi matin », a déclaré Hélène Marchal.",
        ("Le chantier reprendra dès lundi matin", "Hélène Marchal", "direct"),
    ),
    (
        "cue without a comma, finite form the lemmatizer leaves alone",
        "« Ce résultat est très encourageant pour la suite » indique Paul Mercier.",
        ("Ce résultat est très encourageant pour la suite", "Paul Mercier", "direct"),
    ),
    (
        "title before an inverted name",
        "Le conseil a voté le budget. « Nous tiendrons nos engagements sans hausse d'impôt », a assuré M. Rigal.",
        ("Nous tiendrons nos engagements sans hausse d'impôt", "Rigal", "direct"),
    ),
    (
        "name before a colon",
        "Le maire de Lorient, Bruno Kerjean, a déclaré : « La digue sera renforcée avant l'hiver. »",
        ("La digue sera renforcée avant l'hiver.", "Bruno Kerjean", "direct"),
    ),
    (
        "inverted pronoun resolved to the subject before",
        "La ministre Claire Dumas est arrivée à Nantes. « Nous allons rouvrir la maternité », a-t-elle promis.",
        ("Nous allons rouvrir la maternité", "Claire Dumas", "direct"),
    ),
    (
        "English quotation marks",
        "L'entraîneur Marc Olivier a été clair : “Nous jouerons pour gagner ce match décisif.”",
        ("Nous jouerons pour gagner ce match décisif.", "Marc Olivier", "direct"),
    ),
    (
        "straight quotation marks",
        'Le préfet Alain Berthier a prévenu : "Les routes resteront fermées toute la nuit."',
        ("Les routes resteront fermées toute la nuit.", "Alain Berthier", "direct"),
    ),
    (
        "name the NER takes for a place, after an inverted verb",
        "« Tous ces retards posent beaucoup de questions », ajoute Hassan, un habitant du quartier.",
        ("Tous ces retards posent beaucoup de questions", "Hassan", "direct"),
    ),
    (
        "incise with an inverted pronoun",
        "Le syndicaliste Paul Roux est en colère. « Moi, dit-il, je ne signerai jamais cet accord. »",
        ("Moi, dit-il, je ne signerai jamais cet accord.", "Paul Roux", "direct"),
    ),
    (
        "incise with a name",
        "« Nous, explique Anne Caradec, nous ne céderons jamais sur ce dossier. »",
        ("Nous, explique Anne Caradec, nous ne céderons jamais sur ce dossier.", "Anne Caradec", "direct"),
    ),
    (
        "opening cue 'pour'",
        "Pour Jérémie Vautrin, « ce vote est une immense victoire pour le collectif ».",
        ("ce vote est une immense victoire pour le collectif", "Jérémie Vautrin", "direct"),
    ),
    (
        "opening cue 'selon' with a role in apposition",
        "Selon la ministre de la Santé, Claire Dumas, « les hôpitaux manquent de moyens depuis dix ans ».",
        ("les hôpitaux manquent de moyens depuis dix ans", "Claire Dumas", "direct"),
    ),
    (
        "mixed quote after 'que'",
        "Le syndicaliste Marc Tellier a estimé que la direction « n'a jamais voulu négocier avec les salariés ».",
        ("n'a jamais voulu négocier avec les salariés", "Marc Tellier", "mixed"),
    ),
    (
        "opening mark typed as a closing one",
        "Le juge Paul Aubry a précisé qu' »aucun report n'est envisagé pour le moment ».",
        ("aucun report n'est envisagé pour le moment", "Paul Aubry", "mixed"),
    ),
    (
        "quote left open at the end of its paragraph",
        "La directrice Lise Morvan a conclu : « Il faudra du temps pour tout reconstruire.\n\nLa séance a été levée.",
        ("Il faudra du temps pour tout reconstruire.", "Lise Morvan", "direct"),
    ),
    (
        "source cue after the closing mark",
        "Le chômage a reculé, « malgré la crise qui frappe encore durement les ménages », selon Jean Houdré.",
        ("malgré la crise qui frappe encore durement les ménages", "Jean Houdré", "mixed"),
    ),
    (
        "indirect speech with 'que'",
        "Le ministre Pierre Duval a indiqué que la réunion devait permettre une vraie discussion entre tous.",
        ("la réunion devait permettre une vraie discussion entre tous", "Pierre Duval", "indirect"),
    ),
    (
        "indirect speech after 'selon'",
        "Selon Julie Perrin, la grève pourrait durer plusieurs semaines encore.",
        ("la grève pourrait durer plusieurs semaines encore", "Julie Perrin", "indirect"),
    ),
    (
        "organisation as the subject before a colon",
        "La SNCF a prévenu : « Le trafic restera très perturbé jusqu'à dimanche soir. »",
        ("Le trafic restera très perturbé jusqu'à dimanche soir.", "SNCF", "direct"),
    ),
    (
        "organisation as the subject of 'que'",
        "Le syndicat CGT estime que la direction « n'a rien proposé de sérieux aux salariés ».",
        ("n'a rien proposé de sérieux aux salariés", "CGT", "mixed"),
    ),
    (
        "capital standing for its government",
        "Moscou a dénoncé « une provocation inacceptable de la part des Occidentaux ».",
        ("une provocation inacceptable de la part des Occidentaux", "Moscou", "mixed"),
    ),
    (
        "opening cue 'selon' with an organisation",
        "Selon la Fédération française du bâtiment, « les commandes ont chuté de moitié depuis janvier ».",
        ("les commandes ont chuté de moitié depuis janvier", "Fédération française du bâtiment", "direct"),
    ),
    (
        "source cue after the closing mark, organisation",
        "Le trafic reprendra lundi, « sauf nouvel incident sur les voies de la région », selon la SNCF.",
        ("sauf nouvel incident sur les voies de la région", "SNCF", "mixed"),
    ),
    (
        "subject after its verb in 'comme le rappelle'",
        "Comme le rappelle Hélène Marchal, « aucune usine n'a fermé dans la région depuis 2015 ».",
        ("aucune usine n'a fermé dans la région depuis 2015", "Hélène Marchal", "direct"),
    ),
    (
        "'selon' before a clause of its own",
        "Selon Julie Perrin, le projet est « une erreur qui coûtera très cher à la commune ».",
        ("une erreur qui coûtera très cher à la commune", "Julie Perrin", "mixed"),
    ),
    (
        "organisation in apposition after 'selon'",
        "Selon la fédération des boulangers, Boulangerie Plus, « le prix de la baguette va encore augmenter ».",
        ("le prix de la baguette va encore augmenter", "Boulangerie Plus", "direct"),
    ),
    (
        "organisation before a colon, without a verb",
        "Pour la principale association de défense des usagers, l'UFC-Que Choisir : « Ce tarif est illégal. »",
        ("Ce tarif est illégal.", "UFC-Que Choisir", "direct"),
    ),
    (
        "stressed pronoun after 'selon'",
        "La ministre Claire Dumas veut fermer la centrale. Selon elle, « le site ne sera jamais rentable ».",
        ("le site ne sera jamais rentable", "Claire Dumas", "direct"),
    ),
    (
        "next sentence quoting the same speaker",
        "« Nous ne fermerons pas l'usine », a promis Hélène Marchal. « Les salariés garderont tous leur emploi. »",
        ("Les salariés garderont tous leur emploi.", "Hélène Marchal", "direct"),
    ),
    (
        "indirect speech of an organisation",
        "Air France a annoncé que tous ses vols seront maintenus demain matin malgré la grève.",
        ("tous ses vols seront maintenus demain matin malgré la grève", "Air France", "indirect"),
    ),
    (
        "indirect speech with the day and a phrase before 'que'",
        "La maire Anne Roy a déclaré mardi soir à la presse locale que le marché restera ouvert tout l'été.",
        ("le marché restera ouvert tout l'été", "Anne Roy", "indirect"),
    ),
    (
        "relative 'qui' before the reporting verb",
        "La maire Anne Roy a reçu Paul Mercier, le préfet, qui a déclaré que les routes resteront fermées demain.",
        ("les routes resteront fermées demain", "Paul Mercier", "indirect"),
    ),
    (
        "indirect speech ends with its paragraph",
        "La maire Anne Roy a affirmé que le marché restera ouvert tout l'été\nLe conseil se réunit demain.",
        ("le marché restera ouvert tout l'été", "Anne Roy", "indirect"),
    ),
    (
        "time and place words between the cue and its inverted subject",
        "« La récolte est perdue », a déclaré jeudi matin sur une radio locale le président de la coopérative, "
        "Paul Mercier.",
        ("La récolte est perdue", "Paul Mercier", "direct"),
    ),
    (
        "a complement of the quoted words before the cue's comma",
        "« La rivière est clairement polluée » par les rejets, a déclaré la maire Anne Roy vendredi.",
        ("La rivière est clairement polluée", "Anne Roy", "direct"),
    ),
    (
        "a long cue sentence carries its speaker to the next quote",
        "« Nous ne fermerons pas l'usine », a promis Hélène Marchal, directrice du site depuis trois ans, devant "
        "les salariés réunis dans la cour. « Les salariés garderont tous leur emploi. »",
        ("Les salariés garderont tous leur emploi.", "Hélène Marchal", "direct"),
    ),
]


@pytest.mark.parametrize(("construction", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_construction(extract: Any, construction: str, text: str, expected: Found) -> None:
    assert expected in found(extract(text)), construction


def test_role_noun_resolved_to_the_person_holding_it(extract: Any, config: Config) -> None:
    text = (
        "Le porte-parole de la mairie, Inès Caradec, a présenté le projet mardi.\n\n"
        "« Les travaux dureront deux ans au moins », a déclaré le porte-parole de la mairie."
    )
    [quote] = extract(text)
    assert quote.speaker == "Inès Caradec"
    assert quote.speaker_mention == "porte-parole de la mairie"
    by_name = QuoteExtractor(french(config)).calibration(QuoteConfidence().cue_name)
    assert quote.confidence is not None and by_name is not None
    assert quote.confidence <= by_name  # a role is never a stronger clue than a name


def test_role_named_alone_goes_to_the_person_the_article_is_about(extract: Any) -> None:
    text = (
        "Bruno Kerjean a visité le port de Lorient mardi. Bruno Kerjean a rencontré les pêcheurs.\n\n"
        "« Les quais seront refaits avant l'été », a promis le ministre de la Mer."
    )
    [quote] = extract(text)
    assert quote.speaker == "Bruno Kerjean" and quote.speaker_mention == "ministre de la Mer"


def test_role_named_alone_is_no_one_named_when_two_people_are_named_as_often(extract: Any) -> None:
    text = (
        "Bruno Kerjean a visité le port de Lorient mardi avec Paul Mercier.\n\n"
        "« Les quais seront refaits avant l'été », a promis le ministre de la Mer."
    )
    [quote] = extract(text)
    assert quote.speaker not in {"Bruno Kerjean", "Paul Mercier"}


def test_pronoun_with_no_one_salient_goes_to_the_last_person_named(extract: Any) -> None:
    text = (
        "Alors que le maire, Bruno Kerjean, visitait le port, les quais ont cédé.\n\n"
        "« Personne n'a été blessé », explique-t-il."
    )
    [quote] = extract(text)
    assert quote.speaker == "Bruno Kerjean" and quote.speaker_mention == "il"


def test_continued_paragraph_keeps_its_speaker(extract: Any) -> None:
    text = (
        "Le général Yves Marin a pris la parole : « Nos troupes resteront sur place tout l'hiver.\n\n"
        "« Aucun retrait n'est prévu avant le printemps prochain. »"
    )
    quotes: list[Quote] = extract(text)
    assert [q.speaker for q in quotes] == ["Yves Marin", "Yves Marin"]
    first, second = (q.confidence or 0.0 for q in quotes)
    assert 0 < second < first  # carried over from the paragraph before: less sure


def test_pronoun_goes_to_the_compatible_person(extract: Any) -> None:
    text = (
        "La sénatrice Odile Favier a croisé M. Lucas Brunet au Sénat. "
        "« Ce texte ne passera pas en l'état », a-t-elle lancé."
    )
    [quote] = extract(text)
    assert quote.speaker == "Odile Favier" and quote.speaker_mention == "elle" and quote.cue == "a-t-elle lancé"


def test_nested_quote_stays_inside(extract: Any) -> None:
    text = "L'avocat Marc Dubreuil a plaidé : « Mon client n'a jamais dit “je paierai”, il a dit qu'il verrait. »"
    [quote] = extract(text)
    assert quote.text == "Mon client n'a jamais dit “je paierai”, il a dit qu'il verrait."
    assert quote.speaker == "Marc Dubreuil"


def test_not_quotes(extract: Any) -> None:
    text = (
        "Le film « La Mer à boire » sort mercredi. Cette réforme « historique » divise.\n\n"
        "Lire aussi : « Le port de Brest attend ses nouveaux navires »\n\n"
        "Le rapport intitulé « Un avenir pour les ports bretons » sera publié lundi.\n\n"
        "L'institut publie une étude sur « Les revenus et le patrimoine des ménages bretons » cette semaine."
    )
    assert extract(text) == []


def test_unknown_speaker_is_null(extract: Any) -> None:
    text = "« Personne ne sait ce qui va se passer maintenant dans cette affaire », lit-on sur une affiche."
    [quote] = extract(text)
    assert quote.speaker is None and quote.confidence is None


def test_organisation_in_a_complement_or_a_place_after_a_preposition_does_not_speak(extract: Any) -> None:
    text = (
        "Un porte-parole de la SNCF a déclaré : « Le trafic reprendra demain matin sur toutes les lignes. »\n\n"
        "En France, le gouvernement a réagi : « Nous suivrons la situation heure par heure avec les élus. »"
    )
    # Not France (after a preposition): the government, an organisation by its head noun, is the subject.
    assert [q.speaker for q in extract(text)] == [None, "gouvernement"]


def test_a_sentence_between_two_quotes_breaks_the_speaker_chain(extract: Any) -> None:
    text = (
        "« Nous ne fermerons pas l'usine », a promis Hélène Marchal. Les syndicats restent sceptiques. "
        "« Rien n'est garanti pour les salariés du site. »"
    )
    # The sentence between names its own subject: the quote after it goes to the unions, not to Hélène Marchal.
    assert [q.speaker for q in extract(text)] == ["Hélène Marchal", "syndicats"]


def test_quote_opening_a_paragraph_goes_to_the_subject_of_the_sentence_before(extract: Any) -> None:
    text = (
        "Le maire de Lorient, Paul Kervella, a visité le port jeudi matin.\n\n"
        "« Les travaux commenceront dès le mois prochain sur les quais. »"
    )
    [quote] = extract(text)
    assert quote.speaker == "Paul Kervella" and quote.cue is None


def test_short_fragment_after_a_reporting_verb_is_a_quote(extract: Any) -> None:
    text = "Paul Kervella a promis un soutien « sans faille » aux pêcheurs de Lorient."
    assert found(extract(text)) == [("sans faille", "Paul Kervella", "mixed")]


def test_short_fragment_without_verb_or_speaker_is_no_quote(extract: Any) -> None:
    text = "La saison des « grandes marées » commence cette semaine sur la côte."
    assert extract(text) == []


def test_chanted_slogan_is_no_quote(extract: Any) -> None:
    text = "Devant la mairie, les manifestants scandaient « Nous voulons du travail pour tous nos enfants ! »."
    assert extract(text) == []


def test_relative_que_after_an_object_is_no_reported_speech(extract: Any) -> None:
    text = "Le ministre Pierre Duval a annoncé un plan que les syndicats jugeaient coûteux depuis longtemps."
    assert extract(text) == []


def test_impersonal_and_non_speech_clauses_are_not_reported_speech(extract: Any) -> None:
    text = (
        "Le préfet Jean Roux a publié un arrêté. Il est bon de rappeler que la loi interdit les rassemblements. "
        "La loi prévoit que les contrôles seront renforcés dès le mois prochain."
    )
    assert extract(text) == []


def test_reported_clause_subject_is_not_the_speaker(extract: Any) -> None:
    text = (
        "Le quotidien local annonce que le navigateur Loïc Guivarc'h aurait chaviré au large, "
        "en évoquant une « source proche des secours en mer ce matin »."
    )
    [quote] = extract(text)
    assert quote.speaker != "Loïc Guivarc'h"


def test_pair_marks_reads_doubled_and_stray_marks() -> None:
    text = 'Il a dit "nous verrons bien demain matin" devant 27 800" témoins. « « Le vote aura lieu jeudi » »'
    spans = pair_marks(text, [(0, len(text))])
    texts = [text[s.start : s.end] for s in spans]
    assert "nous verrons bien demain matin" in texts
    assert any(t.strip("« »") == "Le vote aura lieu jeudi" for t in texts)


def test_reporting_verbs_are_data(config: Config) -> None:
    rules = QuoteRules.of(_quotes(config))
    assert {"déclarer", "ajouter", "estimer"} <= rules.verbs
    assert "selon" in rules.source_cues and "pour" in rules.opening_cues


def test_confidence_values_come_from_one_record(reader: Reader, config: Config) -> None:
    text = "« Le chantier reprendra dès lundi matin », a déclaré Hélène Marchal."
    article = Article(id="art", source="mem", text=text, content_hash="h")
    doc = reader.nlp(text)
    entities, mentions = EntityResolver(french(config), Store(":memory:")).resolve(doc, article)
    curve = Calibration.read(french(config).folder)
    default = QuoteExtractor(french(config)).extract(doc, article, entities, mentions)
    assert [q.confidence for q in default] == [curve(QuoteConfidence().cue_name)]
    # Values handed in are used as they are: no fitted curve applies to them.
    handed = QuoteExtractor(french(config), QuoteConfidence(cue_name=0.42))
    assert [q.confidence for q in handed.extract(doc, article, entities, mentions)] == [0.42]


def test_calibration_interpolates_between_its_points_and_is_flat_past_them() -> None:
    curve = Calibration((0.6, 0.8), (0.5, 0.9))
    assert curve(0.7) == 0.7
    assert curve(0.5) == 0.5 and curve(0.95) == 0.9
    assert curve(None) is None
    assert Calibration()(0.63) == 0.63  # no curve: the raw value


def test_calibration_points_are_checked() -> None:
    with pytest.raises(ValueError, match="increase"):
        Calibration((0.8, 0.6), (0.5, 0.9))
    with pytest.raises(ValueError, match="raw points"):
        Calibration((0.6,), (0.5, 0.9))


def test_a_broken_calibration_file_names_itself(tmp_path: Path) -> None:
    (tmp_path / CALIBRATION_FILE).write_text("points = [[0.9, 0.5], [0.6, 0.7]]\n", encoding="utf-8")
    with pytest.raises(RulesError, match=CALIBRATION_FILE):
        Calibration.read(tmp_path)
    assert Calibration.read(tmp_path / "absent") == Calibration()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_shipped_calibrations_never_lower_a_surer_way(config: Config, language: str) -> None:
    curve = Calibration.read(load_language(config.rules_dir, language).folder)
    assert curve.raw, f"rules/{language}/{CALIBRATION_FILE} is missing: run bench/fit_quote_confidence.py --write"
    assert list(curve.fitted) == sorted(curve.fitted)


def test_a_language_without_quote_rules_names_the_missing_file(tmp_path: Path) -> None:
    (tmp_path / "xx").mkdir()
    with pytest.raises(RulesError, match=r"xx/quotes\.toml: is missing, and finding quotes needs it"):
        QuoteExtractor(load_language(tmp_path, "xx"))
