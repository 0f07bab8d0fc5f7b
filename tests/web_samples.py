"""Invented articles stored straight into a store (no spaCy), for the API, page and browser tests."""

from __future__ import annotations

from dataclasses import dataclass

from recoupe.facts.records import Difference, Fact, FactClaim, Variant
from recoupe.records import Analysis, Article, Entity, Event, Mention, Quote, Story, stable_id
from recoupe.store import Store


@dataclass(frozen=True)
class Sample:
    """One invented article: text, the quotes in it with their speakers, the names it mentions."""

    key: str
    title: str
    outlet: str
    published: str
    text: str
    quotes: tuple[tuple[str, str], ...]  # (quoted words, speaker name)
    names: tuple[str, ...]
    event: str


PEOPLE = {"Maëlle Garnier": "PER", "Octave Lemaire": "PER", "Syndicat des rails": "ORG", "Valbrune": "LOC"}

SAMPLES = (
    Sample(
        "a1",
        "Valbrune : la ligne de tramway fermée trois semaines",
        "Le Courrier de Valbrune",
        "2031-03-02T08:00:00",
        "La mairie de Valbrune a annoncé lundi la fermeture de la ligne B du tramway.\n\n"
        "« Nous n'avions pas d'autre choix que de fermer la ligne », a déclaré Maëlle Garnier, adjointe aux "
        "transports. Octave Lemaire, porte-parole du Syndicat des rails, a dénoncé « une décision prise sans "
        "concertation ».",
        (
            ("Nous n'avions pas d'autre choix que de fermer la ligne", "Maëlle Garnier"),
            ("une décision prise sans concertation", "Octave Lemaire"),
        ),
        ("Valbrune", "Maëlle Garnier", "Octave Lemaire", "Syndicat des rails"),
        "fermeture",
    ),
    Sample(
        "a2",
        "Tramway de Valbrune : les usagers inquiets",
        "Quotidien des Collines",
        "2031-03-03T10:30:00",
        "Au lendemain de l'annonce, les usagers de Valbrune cherchent des solutions.\n\n"
        "Maëlle Garnier a promis des bus de remplacement : « Des navettes passeront toutes les dix minutes », "
        "a-t-elle assuré mardi.",
        (("Des navettes passeront toutes les dix minutes", "Maëlle Garnier"),),
        ("Valbrune", "Maëlle Garnier"),
        "fermeture",
    ),
    Sample(
        "a3",
        "Valbrune : grève reconduite sur le réseau",
        "Le Courrier de Valbrune",
        "2031-03-10T07:15:00",
        "Le Syndicat des rails a reconduit la grève jeudi à Valbrune.\n\n"
        "« Tant que la mairie refuse de nous recevoir, nous resterons mobilisés », a affirmé Octave Lemaire.",
        (("Tant que la mairie refuse de nous recevoir, nous resterons mobilisés", "Octave Lemaire"),),
        ("Syndicat des rails", "Valbrune", "Octave Lemaire"),
        "grève",
    ),
)

STORY_ID = stable_id("story", "tramway-valbrune")
EVENTS = {"fermeture": ("2031-03-02", "Fermeture de la ligne B"), "grève": ("2031-03-10", "Grève reconduite")}


def entity_id(name: str) -> str:
    return stable_id("ent", name)


def article_id(key: str) -> str:
    return stable_id("art", key)


def quote_id(key: str, n: int) -> str:
    return stable_id("quote", key, str(n))


def analysis_of(sample: Sample, story: str | None, event: str | None) -> Analysis:
    """The analysis the reading stages would have produced for a sample, with exact spans."""
    aid = article_id(sample.key)
    article = Article(
        id=aid,
        source=f"https://exemple.invalid/{sample.key}",
        text=sample.text,
        content_hash=stable_id("hash", sample.key, sample.text),
        title=sample.title,
        outlet=sample.outlet,
        published=sample.published,
        story=story,
        event=event,
    )
    entities = [Entity(entity_id(n), n, PEOPLE.get(n, "PER"), [n]) for n in sample.names]  # type: ignore[arg-type]
    mentions = []
    for name in sample.names:
        start = sample.text.find(name)
        while start >= 0:
            mentions.append(Mention(aid, start, start + len(name), name, entity_id(name)))
            start = sample.text.find(name, start + 1)
    quotes = []
    for n, (words, speaker) in enumerate(sample.quotes):
        start = sample.text.index(words)
        quotes.append(
            Quote(quote_id(sample.key, n), aid, words, start, start + len(words), "direct", entity_id(speaker), None)
        )
    return Analysis(article=article, entities=entities, mentions=mentions, quotes=quotes)


def fill(store: Store, samples: tuple[Sample, ...] = SAMPLES) -> None:
    """Store the samples as one story with two events."""
    with store.transaction():
        store.upsert_story(Story(STORY_ID, "Fermeture du tramway de Valbrune"))
        for key, (date, title) in EVENTS.items():
            store.upsert_event(Event(stable_id("event", key), STORY_ID, date, title))
        for sample in samples:
            store.save_analysis(analysis_of(sample, STORY_ID, stable_id("event", sample.event)))


def _claim(key: str, sentence: str, outlet: str, source: str | None = None) -> FactClaim:
    """A claim of a fact: the sentence as it stands in sample `key`'s text, with its exact span."""
    text = next(s.text for s in SAMPLES if s.key == key)
    start = text.index(sentence)
    return FactClaim(
        stable_id("clm", key, sentence),
        article_id(key),
        outlet,
        start,
        start + len(sentence),
        sentence,
        source or outlet,
    )


COURRIER, COLLINES = "Le Courrier de Valbrune", "Quotidien des Collines"
CLOSING = "La mairie de Valbrune a annoncé lundi la fermeture de la ligne B du tramway."
USERS = "Au lendemain de l'annonce, les usagers de Valbrune cherchent des solutions."
SHUTTLES = "Des navettes passeront toutes les dix minutes"
STRIKE = "Le Syndicat des rails a reconduit la grève jeudi à Valbrune."


def sample_facts() -> list[Fact]:
    """Invented facts of the sample story, in the order the cross-check would store them (contested first, to see
    the page put them last): one contested on a figure, a speaker and a denial, one confirmed by two outlets in two
    wordings, one resting on a report in another language."""
    closing = stable_id("event", "fermeture")
    figure = Difference("figure", "navettes par heure", (Variant("6", (COURRIER,)), Variant("10", (COLLINES,))))
    speaker = Difference(
        "attribution",
        "the speaker",
        (Variant(entity_id("Maëlle Garnier"), (COLLINES,)), Variant(entity_id("Octave Lemaire"), (COURRIER,))),
    )
    stance = Difference(
        "stance", "confirmed or denied", (Variant("affirms", (COLLINES,)), Variant("denies", (COURRIER,)))
    )
    return [
        Fact(
            stable_id("fct", "navettes"),
            STORY_ID,
            closing,
            SHUTTLES,
            "contested",
            2,
            (COURRIER, COLLINES),
            "2 outlets: 2 independent sources",
            (_claim("a2", SHUTTLES, COLLINES), _claim("a1", CLOSING, COURRIER)),
            (figure, speaker, stance),
        ),
        Fact(
            stable_id("fct", "fermeture"),
            STORY_ID,
            closing,
            CLOSING,
            "confirmed",
            2,
            (COURRIER, COLLINES),
            "2 outlets: 2 independent sources",
            (_claim("a1", CLOSING, COURRIER), _claim("a2", USERS, COLLINES)),
        ),
        Fact(
            stable_id("fct", "grève"),
            STORY_ID,
            stable_id("event", "grève"),
            STRIKE,
            "single_source",
            1,
            (COURRIER,),
            "1 outlet, relaying a report in Spanish: 1 independent source",
            (_claim("a3", STRIKE, COURRIER, "a report in Spanish"),),
        ),
    ]
