"""Cross-checking, unit by unit, on our own invented sentences: claims and the figures they count, claims grouped
into facts, each fact's status (confirmed, single source, contested on figures, days or polarity), the sources a
fact rests on (a wire cue makes two outlets one source) and the outlet an input without metadata is given."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from recoupe.config import Config
from recoupe.facts.alignment import AlignmentWeights, align
from recoupe.facts.claims import ClaimReader, load_claim_words
from recoupe.facts.crosscheck import CrossChecker
from recoupe.facts.figures import FigureReader
from recoupe.facts.independence import SourceTracer
from recoupe.facts.outlets import UNKNOWN_OUTLET, outlet_name
from recoupe.facts.records import Claim, CountedFigure, Fact, Stance
from recoupe.read.nlp import Reader
from recoupe.records import Article
from recoupe.rules import load_language
from recoupe.stories.dates import DateReader

# Set by hand, not the fitted ones: these tests check the mechanisms, whatever the fit chooses.
WEIGHTS = AlignmentWeights(words=0.6, vector=0.0, entities=0.1, numbers=0.2, threshold=0.3)


@pytest.fixture(scope="module")
def claim_reader(config: Config) -> ClaimReader:
    folder = config.rules_dir / "fr"
    return ClaimReader(folder, FigureReader(folder), DateReader(config))


def read(reader: Reader, claim_reader: ClaimReader, text: str, title: str | None = None) -> list[Claim]:
    return claim_reader.read(reader.nlp(text), "art_1", title, published="2024-03-13")


# -- claims ------------------------------------------------------------------------------------------------------


def test_a_figure_says_what_it_counts(reader: Reader, claim_reader: ClaimReader) -> None:
    text = (
        "La tempête a privé d'électricité 3 400 foyers dans la nuit. "
        "La crue a tué 14 habitants dans la vallée, selon la préfecture."
    )
    claims = read(reader, claim_reader, text)
    figures = [(f.value, f.counts) for c in claims for f in c.figures]
    assert figures == [(3400.0, "foyers"), (14.0, "habitants tués")]
    # Each claim's span is its words, and "3 400" is one value, not also "3" and "400".
    assert all(text[c.start : c.end] == c.text for c in claims)
    assert claims[0].numbers == (3400.0,)
    assert claims[1].figures[0].source == "la préfecture"


def test_no_figure_from_clock_times_dates_or_ranks(reader: Reader, claim_reader: ClaimReader) -> None:
    text = (
        "La séance du conseil municipal a commencé à 18h45 le 12 mars 2024 à Valbonne. "
        "Le club de Valbonne a terminé 3e du championnat régional cette saison."
    )
    claims = read(reader, claim_reader, text)
    assert len(claims) == 2
    assert [c.figures for c in claims] == [(), ()]
    assert claims[0].numbers == () and claims[0].dates == ("2024-03-12",)


def test_questions_and_the_repeated_headline_are_no_claims(reader: Reader, claim_reader: ClaimReader) -> None:
    title = "Le conseil de Valbonne vote son budget"
    text = (
        f"{title}\n\nLe maire va-t-il démissionner ? Le conseil municipal a voté le budget de la commune mardi soir "
        "après trois heures de débat."
    )
    claims = read(reader, claim_reader, text, title)
    assert [c.text for c in claims] == [
        "Le conseil municipal a voté le budget de la commune mardi soir après trois heures de débat."
    ]


def test_a_participle_clause_after_a_comma_is_a_claim_of_its_own(reader: Reader, claim_reader: ClaimReader) -> None:
    text = (
        "Le conseil municipal a voté le budget de la commune mardi, "
        "soulignant que les impôts locaux resteront stables pendant trois ans."
    )
    claims = read(reader, claim_reader, text)
    assert [c.text for c in claims] == [
        "Le conseil municipal a voté le budget de la commune mardi,",
        "soulignant que les impôts locaux resteront stables pendant trois ans.",
    ]


# -- grouping, statuses, independence ------------------------------------------------------------------------------


def claim(
    article: str,
    n: int,
    lemmas: Sequence[str],
    *,
    figures: Sequence[tuple[float, str]] = (),
    dates: Sequence[str] = (),
    stance: Stance | None = None,
    text: str | None = None,
) -> Claim:
    counted = tuple(CountedFigure(value, counts, f"{value:g} {counts}", 0, 1) for value, counts in figures)
    return Claim(
        id=f"{article}-{n}",
        article=article,
        start=n * 100,
        end=n * 100 + 50,
        text=text or " ".join(lemmas),
        lemmas=tuple(lemmas),
        figures=counted,
        numbers=tuple(sorted({value for value, _ in figures})),
        dates=tuple(dates),
        stance=stance,
    )


def article(article_id: str, outlet: str | None, lead: str = "", source: str | None = None) -> Article:
    return Article(article_id, source or f"https://{article_id}.example/page", lead, "hash", outlet=outlet)


def checker(config: Config) -> CrossChecker:
    rules = load_language(config.rules_dir, "fr")
    weekdays = rules.dates.weekdays if rules.dates is not None else ()
    return CrossChecker(WEIGHTS, SourceTracer(load_claim_words(config.rules_dir / "fr")), weekdays)


def check(config: Config, articles: Sequence[Article], claims: Sequence[Claim]) -> list[Fact]:
    return checker(config).check("sto_1", {a.id: a for a in articles}, claims)


def fact_of(facts: Sequence[Fact], claim_id: str) -> Fact:
    return next(f for f in facts if any(c.claim == claim_id for c in f.claims))


BRIDGE = ["pont", "fermeture", "travaux", "circulation", "mairie", "rive"]
RAIN = ["pluie", "orage", "récolte", "vigneron", "grêle"]


def test_claims_stating_one_thing_are_grouped_one_per_article() -> None:
    claims = [
        claim("a1", 0, BRIDGE),
        claim("a1", 1, [*BRIDGE[:4], "semaine"]),  # close to the first: one article says it twice
        claim("a2", 0, BRIDGE),
        claim("a2", 1, RAIN),
        claim("a3", 0, ["football", "match", "stade", "supporter"]),
    ]
    groups = align(claims, WEIGHTS)
    together = next(g for g in groups if claims[0] in g)
    assert {c.id for c in together} == {"a1-0", "a2-0"}
    assert all(len({c.article for c in g}) == len(g) for g in groups)
    assert [len(g) for g in groups if claims[4] in g] == [1]


def test_claims_of_events_on_other_days_need_a_shared_number() -> None:
    claims = [claim("a1", 0, BRIDGE), claim("a2", 0, BRIDGE)]
    assert len(align(claims, WEIGHTS, {"a1": "2024-03-11", "a2": "2024-03-20"})) == 2
    assert len(align(claims, WEIGHTS, {"a1": "2024-03-11", "a2": "2024-03-11"})) == 1


def test_a_fact_of_two_independent_outlets_is_confirmed(config: Config) -> None:
    articles = [article("a1", "Le Courrier"), article("a2", "La Vigie"), article("a3", "La Vigie")]
    facts = check(config, articles, [claim("a1", 0, BRIDGE), claim("a2", 0, BRIDGE), claim("a3", 0, RAIN)])
    bridge = fact_of(facts, "a1-0")
    assert (bridge.status, bridge.independent_sources, bridge.outlets) == ("confirmed", 2, ("La Vigie", "Le Courrier"))
    assert fact_of(facts, "a3-0").status == "single_source"


def test_two_reports_of_one_outlet_are_one_source(config: Config) -> None:
    articles = [article("a1", "La Vigie"), article("a2", "La Vigie")]
    facts = check(config, articles, [claim("a1", 0, BRIDGE), claim("a2", 0, BRIDGE)])
    assert [(f.status, f.independent_sources, len(f.claims)) for f in facts] == [("single_source", 1, 2)]


def test_a_wire_cue_makes_two_outlets_one_source(config: Config) -> None:
    articles = [
        article("a1", "Le Courrier", "VALBONNE (AFP) - Le pont de la rive gauche fermera lundi pour travaux."),
        article("a2", "La Vigie", "Le pont de la rive gauche fermera lundi, a rapporté l'AFP."),
    ]
    facts = check(config, articles, [claim("a1", 0, BRIDGE), claim("a2", 0, BRIDGE)])
    assert len(facts) == 1
    assert (facts[0].status, facts[0].independent_sources) == ("single_source", 1)
    assert "all citing AFP" in facts[0].chain


def test_a_claim_citing_an_agency_rests_on_it(config: Config) -> None:
    articles = [article("a1", "Le Courrier"), article("a2", "La Vigie")]
    cited = "Le pont fermera pour travaux, selon l'agence Reuters."
    facts = check(config, articles, [claim("a1", 0, BRIDGE, text=cited), claim("a2", 0, BRIDGE, text=cited)])
    assert [(f.status, f.independent_sources) for f in facts] == [("single_source", 1)]


def test_figures_counting_one_thing_with_other_values_are_contested(config: Config) -> None:
    articles = [article("a1", "Le Courrier"), article("a2", "La Vigie")]
    claims = [
        claim("a1", 0, [*BRIDGE, "ouvrier"], figures=[(12300, "ouvriers mobilisés")]),
        claim("a2", 0, [*BRIDGE, "ouvrier"], figures=[(12000, "ouvriers mobilisés")]),
    ]
    (fact,) = check(config, articles, claims)
    assert fact.status == "contested"
    assert [d.text for d in fact.differences] == ["ouvriers mobilisés: 12 000 (La Vigie); 12 300 (Le Courrier)"]


def test_figures_counting_other_things_are_no_difference(config: Config) -> None:
    articles = [article("a1", "Le Courrier"), article("a2", "La Vigie")]
    claims = [
        claim("a1", 0, [*BRIDGE, "ouvrier"], figures=[(120, "ouvriers")]),
        claim("a2", 0, [*BRIDGE, "ouvrier"], figures=[(3, "grues")]),
    ]
    (fact,) = check(config, articles, claims)
    assert (fact.status, fact.differences) == ("confirmed", ())


@pytest.mark.parametrize(
    ("first", "second", "status"),
    [
        (("lundi",), ("mardi",), "contested"),
        (("2024-03-11",), ("2024-03-12",), "contested"),
        (("mardi soir",), ("2024-03-11",), "contested"),  # 11 March 2024 was a Monday
        (("lundi soir",), ("2024-03-11",), "confirmed"),
        (("lundi 11 mars",), ("2024-03-11", "8 mars"), "confirmed"),
    ],
)
def test_days_contest_a_fact_only_where_both_claims_name_them(
    config: Config, first: tuple[str, ...], second: tuple[str, ...], status: str
) -> None:
    articles = [article("a1", "Le Courrier"), article("a2", "La Vigie")]
    (fact,) = check(config, articles, [claim("a1", 0, BRIDGE, dates=first), claim("a2", 0, BRIDGE, dates=second)])
    assert fact.status == status
    assert [d.kind for d in fact.differences] == (["date"] if status == "contested" else [])


def test_a_confirmation_against_a_denial_is_contested(config: Config) -> None:
    articles = [article("a1", "Le Courrier"), article("a2", "La Vigie")]
    claims = [claim("a1", 0, BRIDGE, stance="affirms"), claim("a2", 0, BRIDGE, stance="denies")]
    (fact,) = check(config, articles, claims)
    assert fact.status == "contested" and [d.kind for d in fact.differences] == ["stance"]


# -- outlets -------------------------------------------------------------------------------------------------------


def test_an_outlet_from_metadata_else_the_site_else_unknown() -> None:
    assert outlet_name(article("a1", " La Vigie ")) == "La Vigie"
    assert outlet_name(article("a1", None, source="https://www.la-vigie.example/port")) == "la-vigie.example"
    # A local file has no outlet: never its file name, which would make five files five outlets.
    assert outlet_name(article("a1", None, source="articles/vigie-port.txt")) == UNKNOWN_OUTLET
    assert outlet_name(article("a1", "  ", source="vigie-port.txt")) == UNKNOWN_OUTLET


def test_inputs_of_unknown_outlet_are_each_their_own_source(config: Config) -> None:
    articles = [article("a1", None, source="one.txt"), article("a2", None, source="two.txt")]
    (fact,) = check(config, articles, [claim("a1", 0, BRIDGE), claim("a2", 0, BRIDGE)])
    assert fact.outlets == (UNKNOWN_OUTLET,)
    assert (fact.status, fact.independent_sources) == ("confirmed", 2)
