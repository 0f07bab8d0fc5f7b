"""The interface in one language at a time: every page kind crawled in French and in English, no English string
of the interface on a French page, plural forms right, dates written for the reader, the language switch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from recoupe.config import Config
from recoupe.server import i18n, views
from recoupe.server.app import create_app
from recoupe.store import Store
from web_samples import STORY_ID, article_id, entity_id, fill, sample_facts

PAGES = {
    "story list": "/",
    "story": f"/stories/{STORY_ID}",
    "article": f"/articles/{article_id('a1')}",
    "article with a claim": f"/articles/{article_id('a1')}?span=0-20",
    "speaker": f"/speakers/{entity_id('Maëlle Garnier')}",
    "search": "/search?q=tramway",
    "empty search": "/search?q=introuvable",
    "ingest": "/ingest",
    "login": "/login",
    "not found": "/stories/no-such-story",
    "bad input": "/search?from=not-a-date",
}
ERROR_STATUS = {"not found": 404, "bad input": 422}
# English strings the issue saw on French pages, besides every message of the catalogue.
KNOWN_LEAKS = ("undated", "Timeline", "Who said what", "Key figures", "(indirect)", "PER", "is a near-copy of")
WRONG_PLURALS = re.compile(r"\b1 (articles|événements|citations|déclarations|résultats|events|quotes|statements)\b")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.fixture
def client(store: Store, config: Config) -> Iterator[TestClient]:
    fill(store)
    store.replace_facts(STORY_ID, sample_facts())  # the story page shows its cross-check
    with TestClient(create_app(config, store, token="t"), client=("127.0.0.1", 1)) as c:
        yield c


def visible_text(html: str) -> str:
    """The words a reader sees: tags, scripts, code (field and command names) and attributes dropped."""
    html = re.sub(r"<(script|style|code)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def english_fragments() -> list[str]:
    """Pieces of the interface's English messages that French writes differently (placeholders split out)."""
    with (i18n.LOCALE_DIR / "fr" / "LC_MESSAGES" / "recoupe.po").open("rb") as handle:
        catalogue = read_po(handle)
    fragments = set()
    for message in catalogue:
        if not message.id:
            continue
        ids = tuple(message.id) if isinstance(message.id, (tuple, list)) else (str(message.id),)
        strings = tuple(message.string) if isinstance(message.string, (tuple, list)) else (str(message.string),)
        for english in ids:
            if english in strings:
                continue  # the same words in both languages ('Article', 'source')
            for piece in PLACEHOLDER.split(visible_text(english)):
                piece = piece.strip(" :.;()")
                if len(piece) > 3 and not any(piece in s for s in strings):
                    fragments.add(piece)
    return sorted(fragments)


def page(client: TestClient, name: str, **headers: str) -> str:
    response = client.get(PAGES[name], headers=headers)
    assert response.status_code == ERROR_STATUS.get(name, 200), name
    return str(response.text)


@pytest.mark.parametrize("name", PAGES)
def test_french_page_has_no_english(client: TestClient, name: str) -> None:
    text = visible_text(page(client, name))
    fragments = english_fragments()
    assert len(fragments) > 40  # the catalogue was read
    leaks = [f for f in (*fragments, *KNOWN_LEAKS) if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text)]
    assert not leaks, f"{name}: {leaks}"
    assert not WRONG_PLURALS.search(text), name


@pytest.mark.parametrize("name", PAGES)
def test_english_page(client: TestClient, name: str) -> None:
    html = page(client, name, **{"accept-language": "en-GB,en;q=0.9,fr;q=0.5"})
    text = visible_text(html)
    assert '<html lang="en">' in html
    assert "Stories" in text and "Sujets" not in text
    assert not WRONG_PLURALS.search(text), name


def test_plurals_and_dates(client: TestClient) -> None:
    french = visible_text(client.get("/").text)
    assert "3 articles" in french and "2 événements" in french
    assert "2 mars 2031" in french and "2031-03-02" not in french
    english = visible_text(client.get("/?lang=en").text)
    assert "3 articles" in english and "2 events" in english and "March 2, 2031" in english
    story = visible_text(client.get(f"/stories/{STORY_ID}?lang=en").text)
    assert "3 articles" in story and re.search(r"\b\d+ quotes\b", story)
    speaker = visible_text(client.get(PAGES["speaker"] + "?lang=fr").text)
    assert re.search(r"\b\d+ déclarations?\b", speaker)


def test_language_choice_is_kept(client: TestClient) -> None:
    french = client.get("/")
    assert french.headers["content-language"] == "fr"
    switch = re.search(r'<a lang="en"[^>]*href="([^"]+)"', french.text)
    assert switch is not None and "lang=en" in unescape(switch.group(1))
    chosen = client.get(unescape(switch.group(1)))
    assert chosen.headers["content-language"] == "en"
    # The cookie set by ?lang=en keeps English on the next pages, over the browser's French.
    later = client.get("/search", headers={"accept-language": "fr"})
    assert later.headers["content-language"] == "en" and "Search" in later.text
    back = client.get("/search?lang=fr")
    assert back.headers["content-language"] == "fr" and "Recherche" in back.text


@pytest.mark.parametrize(
    ("header", "expected"),
    [("", "fr"), ("en-US,en;q=0.9", "en"), ("de-DE,de;q=0.9,en;q=0.8,fr;q=0.5", "en"), ("fr-CA", "fr"), ("*", "fr")],
)
def test_accept_language(header: str, expected: str) -> None:
    assert i18n.accepted_language(header) == expected


def test_dates_for_the_reader() -> None:
    with i18n.using("fr"):
        assert i18n.day("2012-11-10T08:00:00") == "10 novembre 2012"
        assert i18n.day(None) == "date inconnue"
    with i18n.using("en"):
        assert i18n.day("2012-11-10") == "November 10, 2012"
        assert i18n.ngettext("%(num)d event", "%(num)d events", 1) == "%(num)d event"


def test_event_label_reads_as_an_event() -> None:
    texts = [
        "BORDELUNE, 4 mai 2030 (AFP) - Le conseil municipal de Bordelune a voté jeudi la fermeture du vieux pont "
        "après des fissures. La décision prend effet lundi.",
        "4 mai 2030.\nLe vieux pont de Bordelune sera fermé lundi, a voté le conseil municipal jeudi soir.",
        "Par Jeanne Testard\nLes commerçants du quartier craignent pour leurs ventes depuis des semaines déjà.",
    ]
    label = views.event_label(texts)
    # The two leads about the bridge share most words; the dateline and the byline are gone.
    assert label is not None and "pont" in label and not label.startswith(("BORDELUNE", "4 mai", "Par "))
    long = "Le maire " + " ".join(f"mot{i}" for i in range(60)) + " fin."
    cut = views.shorten(long)
    assert cut.endswith(" …") and all(w.startswith(("mot", "Le", "maire", "…")) for w in cut.split())
    assert len(cut.split()) == views.MAX_LABEL_WORDS + 1
    assert views.event_label(["10 novembre 2012.", ""]) is None


def test_story_page_labels(client: TestClient) -> None:
    html = client.get(f"/stories/{STORY_ID}").text
    labels = re.findall(r'<span class="event-label">([^<]+)</span>', html)
    assert labels and all(len(label.split()) >= views.MIN_LEAD_WORDS for label in labels)


def test_one_app_writes_each_page_in_the_language_asked(client: TestClient) -> None:
    """Nothing of one language stays compiled into a template for the next request in the other."""
    for first, second in (("fr", "en"), ("en", "fr")):
        client.get(f"/stories/{STORY_ID}?lang={first}")
        html = client.get(f"/stories/{STORY_ID}?lang={second}").text
        badges = re.findall(r'<span class="badge badge-\w+">([^<]+)</span>', html)
        expected = {"fr": {"confirmé", "source unique", "contesté"}, "en": {"confirmed", "single source", "contested"}}
        assert set(badges) == expected[second], (first, second)
