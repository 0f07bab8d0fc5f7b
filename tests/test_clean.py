"""Cleaning: furniture out, headline taken, typography normalised, foreign fragments flagged, body intact."""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from recoupe import pipeline
from recoupe.clean import cleaner as clean
from recoupe.clean.cleaner import normalise
from recoupe.errors import InputError
from recoupe.models import Models
from recoupe.records import Article, RawArticle

Clean = Callable[[RawArticle], Article]


@pytest.fixture(scope="module")
def cleaner(models: Models) -> Clean:
    """Stages 2 to 4 of the pipeline (extract, language, clean) with the session's models."""
    return functools.partial(pipeline.clean, models)


def text_article(content: str) -> RawArticle:
    return RawArticle(source="mem.txt", content=content, format="text", origin="mem.txt")


INVENTED = """Le port de Valmer « bloqué » par la grève

Le port de Valmer "bloqué" par la grève

Société Économie

Les dockers ont cessé le travail mardi matin, a indiqué le syndicat.
« Nous ne reprendrons pas sans garanties », a déclaré son secrétaire, Paul Verdier.

Lire aussi : « Le trafic maritime ralentit en Méditerranée

Des navires attendent au large

Une quarantaine de navires attendaient mercredi au large [waiting for the end of the strike], selon la capitainerie.

PARTAGEZ!
Laisser un commentaire
Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *"""


def test_furniture_headline_and_subheadings(cleaner: Clean) -> None:
    article = cleaner(text_article(INVENTED))
    assert article.title == "Le port de Valmer « bloqué » par la grève"
    assert article.removed == [
        'Le port de Valmer "bloqué" par la grève',
        "Société Économie",
        "Lire aussi : « Le trafic maritime ralentit en Méditerranée",
        "PARTAGEZ!",
        "Laisser un commentaire",
        "Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *",
    ]
    assert "Des navires attendent au large" in article.text  # a subheading is body, not furniture
    assert article.text.startswith("Les dockers ont cessé")
    assert article.language == "fr"
    [fragment] = article.foreign_fragments
    assert article.text[fragment.start : fragment.end] == "waiting for the end of the strike"
    assert fragment.language == "en"


FURNITURE = [
    "Partager sur WhatsApp",
    "Publié le mardi 4 mars 2025 à 10h30, mis à jour le 4 mars 2025 à 12h05",
    "Mis à jour le 04/03/2025 à 12:05",
    "Temps de lecture : 3 min",
    "Il vous reste 72 % de cet article à lire.",
    "Déjà abonné ? Se connecter",
    "Suivez-nous sur Instagram",
    "Recevez chaque matin notre newsletter gratuite",
    "Commentaires (12)",
    "Accueil > Monde > Europe",
    "Par Jeanne Martin, envoyée spéciale à Lorient",
    "Par Le Courrier de l'Ouest avec AFP",
    "Avec AFP",
    "» Lire aussi : Le port de Valmer bloqué depuis une semaine",
    "[A lire également] Les dockers votent la grève",
    "• Partager",
    "Advertisement",  # English furniture on a French page
    "Read more: the port strike in ten questions",
]
BODY_LINES = [
    "Par la suite, les dockers ont voté la reprise du travail.",
    "Par ailleurs",  # a subheading, lower case after the first word
    "Partager le fardeau entre les ports est une nécessité, a estimé le ministre.",
    "Publié le 4 mars, le rapport de la Cour des comptes a fait grand bruit.",
    "Source de tensions depuis des années, la réforme des ports divise encore.",
    "Temps de lecture et temps de travail ne se confondent pas, rappelle le syndicat.",
]


def test_a_text_that_is_only_its_headline_keeps_it_as_its_body(cleaner: Clean) -> None:
    # A news flash: its one sentence is also its title (given, or read as the text's first line).
    flash = "Les dockers de Valmer ont voté la reprise du travail jeudi soir, selon leur syndicat."
    titled = RawArticle(source="flash.txt", content=flash + "\n\n", format="text", origin="flash.txt", title=flash)
    for raw in (titled, text_article(flash)):
        article = cleaner(raw)
        assert article.text == flash and article.removed == []
    # The headline repeated over a body is still taken out of it.
    article = cleaner(replace(titled, content=f"{flash}\n\nLe premier navire a été déchargé vendredi matin."))
    assert article.text == "Le premier navire a été déchargé vendredi matin." and article.removed == [flash]


def test_french_and_english_furniture_lines_go_and_body_lines_stay(cleaner: Clean) -> None:
    body = "Les dockers du port de Valmer ont cessé le travail mardi matin, a indiqué leur syndicat."
    article = cleaner(text_article("\n\n".join([body, *FURNITURE, *BODY_LINES])))
    assert article.removed == FURNITURE
    for line in BODY_LINES:
        assert line in article.text


def test_normalise_keeps_the_words() -> None:
    assert (
        normalise("Il a dit :\u00a0«\u202fnon\u202f» ; 27\u00a0800″ civils  ") == 'Il a dit : « non » ; 27 800" civils'
    )
    assert normalise("l’été, l'hiver") == "l’été, l'hiver"
    assert normalise("««doublé»»") == "«doublé»"


def test_quoted_words_left_in_another_language_are_flagged(cleaner: Clean) -> None:
    article = cleaner(
        text_article(
            "Le négociateur a été clair devant la presse : « We are ready to talk with them », a-t-il lancé. "
            "Son adjoint a ajouté : « Nous sommes prêts à négocier dès la semaine prochaine », avant de partir. "
            "Les manifestants scandaient « fake news » devant le siège de la chaîne de télévision."
        )
    )
    flagged = [(article.text[f.start : f.end], f.language) for f in article.foreign_fragments]
    assert flagged == [("We are ready to talk with them", "en")]


def test_names_and_acronyms_in_brackets_are_not_foreign(cleaner: Clean) -> None:
    article = cleaner(
        text_article(
            "Le Service fédéral de sécurité (FSB) a ouvert une enquête à Kiev (Kyiv) sur ce dossier sensible. "
            "Le ministre a visité l'usine (revolving) de la région."
        )
    )
    assert article.foreign_fragments == []


def test_html_gives_title_outlet_date_and_canonical_source(cleaner: Clean) -> None:
    html = """<html><head><title>Le marché rouvre | Le Courrier</title>
    <meta property="og:site_name" content="Le Courrier de Bellerive">
    <meta property="article:published_time" content="2025-04-02T08:00:00+02:00">
    <link rel="canonical" href="https://courrier.example/marche"></head>
    <body><nav>Accueil Politique Sport</nav><article><h1>Le marché rouvre</h1>
    <p>Le marché couvert de Bellerive a rouvert ses portes mercredi après deux ans de travaux de rénovation.</p>
    <p>Les commerçants, nombreux à attendre ce jour, ont accueilli les premiers clients dès sept heures.</p>
    </article><footer>Mentions légales</footer></body></html>"""
    raw = RawArticle(source="marche.html", content=html, format="html", origin="marche.html")
    article = cleaner(raw)
    assert article.source == "https://courrier.example/marche"
    assert article.outlet == "Le Courrier de Bellerive"
    assert article.published == "2025-04-02"
    assert "Mentions légales" not in article.text and "Les commerçants" in article.text


def test_the_extraction_chain_goes_on_only_while_it_finds_little(
    cleaner: Clean, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps: list[tuple[bool, bool]] = []
    extract = clean._extract_text

    def spy(tree: Any, url: str | None, precision: bool, fast: bool) -> str:
        steps.append((precision, fast))
        return extract(tree, url, precision, fast)

    monkeypatch.setattr(clean, "_extract_text", spy)
    paragraphs = [
        "Le conseil municipal de Bellerive a voté mardi soir le budget de la piscine, après un long débat.",
        "La rénovation du bassin olympique coûtera 4,2 millions d'euros, dont la moitié sera payée par la région.",
        "L'opposition a dénoncé un projet trop cher et réclamé une consultation des habitants avant les travaux.",
        "Le maire a répondu que la piscine, fermée depuis deux ans, manquait aux clubs et aux écoles de la ville.",
        "Les travaux commenceront au printemps et doivent durer quatorze mois, selon le calendrier présenté.",
        "Un nouveau vote aura lieu en juin pour attribuer les marchés aux entreprises retenues par la commission.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    plain = f"<html><body><article><h1>Le budget voté</h1>{body}</article></body></html>"
    cleaner(RawArticle(source="plain.html", content=plain, format="html", origin="plain.html"))
    assert steps == [(True, True)]  # a plain page: the fast precision mode has the whole article

    steps.clear()
    menu = "".join(f"<li><a href='/r{i}'>Rubrique numéro {i} du journal de Bellerive</a></li>" for i in range(60))
    article = f"<article><p>{paragraphs[0]}</p></article>"
    busy = f"<html><body><nav><ul>{menu}</ul></nav>{article}<footer>{menu}</footer></body></html>"
    with contextlib.suppress(InputError):
        cleaner(RawArticle(source="busy.html", content=busy, format="html", origin="busy.html"))
    # little text on a page full of other text: the comparison with readability and jusText, then the default mode
    assert steps == [(True, True), (True, False), (False, False)]


BODY = """<body><article><h1>Le pont rouvert</h1>
    <p>Le pont de la Lize a rouvert à la circulation jeudi après trois mois de travaux sur ses piles.</p>
    <p>Les riverains, contraints à un détour de douze kilomètres, ont salué la fin du chantier.</p>
    </article></body></html>"""


def test_html_metadata_from_json_ld(cleaner: Clean) -> None:
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Le pont de la Lize rouvert",
        "datePublished": "2025-05-15T09:30:00+02:00",
        "publisher": {"@type": "Organization", "name": "La Gazette du Val"},
        "url": "https://gazette.example/pont",
    }
    html = f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head>{BODY}'
    article = cleaner(RawArticle(source="pont.html", content=html, format="html", origin="pont.html"))
    assert (article.title, article.published) == ("Le pont de la Lize rouvert", "2025-05-15")
    assert article.outlet == "La Gazette du Val" and "Les riverains" in article.text


def test_broken_json_ld_leaves_the_meta_tags(cleaner: Clean) -> None:
    html = f"""<html><head><title>Le pont rouvert</title>
    <meta property="og:site_name" content="La Gazette du Val">
    <script type="application/ld+json">{{"@type": "NewsArticle", "headline": </script></head>{BODY}"""
    article = cleaner(RawArticle(source="pont.html", content=html, format="html", origin="pont.html"))
    assert article.outlet == "La Gazette du Val" and "Les riverains" in article.text


def test_content_that_is_no_html_is_an_error_naming_the_input(cleaner: Clean) -> None:
    for content in ("", "   ", "\x00\x01"):
        raw = RawArticle(source="vide.html", content=content, format="html", origin="vide.html")
        with pytest.raises(InputError, match=r"vide\.html: no HTML document could be parsed"):
            cleaner(raw)


def test_empty_html_is_an_error_naming_the_input(cleaner: Clean) -> None:
    raw = RawArticle(source="vide.html", content="<html><body></body></html>", format="html", origin="vide.html")
    with pytest.raises(InputError, match=r"vide\.html: no article text"):
        cleaner(raw)


def test_seeds_debris_and_foreign_fragments(cleaner: Clean, seeds_dir: Path, gold: dict[str, Any]) -> None:
    for path in sorted(seeds_dir.glob("*.txt")):
        content = path.read_text(encoding="utf-8")
        article = cleaner(RawArticle(source=str(path), content=content, format="text", origin=str(path)))
        for line in gold["debris_lines"].get(path.name, []):
            assert line in article.removed, (path.name, line)
        for removed in article.removed:
            # Furniture only: no removed line is a body sentence (several sentences, or a long one).
            assert len(re.findall(r"[.!?](\s|$)", removed)) <= 2 and len(removed) < 200, removed
        flagged = [article.text[f.start : f.end] for f in article.foreign_fragments]
        assert flagged == gold["foreign_fragments"].get(path.name, []), path.name
        kept = " ".join(article.text.split())
        for line in content.splitlines():
            if line.strip() and line.strip() not in article.removed and line.strip() != article.title:
                assert " ".join(normalise(line).split()) in kept, line
