"""The pages through TestClient, and the highlighter: overlapping spans, escaping of every text piece."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import recoupe.brief.build
from recoupe.config import Config
from recoupe.records import Event, Mention, Quote, Story, stable_id
from recoupe.server import highlight, views
from recoupe.server.app import create_app
from recoupe.server.rendering import speaker_url
from recoupe.server.routes import pages
from recoupe.server.state import AppState
from recoupe.store import Store
from web_samples import (
    CLOSING,
    SAMPLES,
    SHUTTLES,
    STORY_ID,
    USERS,
    analysis_of,
    article_id,
    entity_id,
    fill,
    quote_id,
    sample_facts,
)


@pytest.fixture
def client(store: Store, config: Config) -> Iterator[TestClient]:
    fill(store)
    with TestClient(create_app(config, store, token="t"), client=("127.0.0.1", 1)) as c:
        yield c


class Marks(HTMLParser):
    """Text inside each <mark id=...> element, and the tags seen."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.texts: dict[str, str] = {}
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.stack.append(dict(attrs).get("id") if tag == "mark" else None)
        if self.stack[-1]:
            self.texts[self.stack[-1] or ""] = ""

    def handle_endtag(self, tag: str) -> None:
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for ident in self.stack:
            if ident:
                self.texts[ident] += data


def _marks(html: str) -> Marks:
    parser = Marks()
    parser.feed(html)
    return parser


def _quote(start: int, end: int, text: str, ident: str = "q1") -> Quote:
    return Quote(ident, "a", text[start:end], start, end, "direct", "p", None)


def test_quote_is_one_element_with_nested_and_crossing_mentions() -> None:
    text = "Ana Lune dit : « Bruno Sol ment, Bruno Sol ment » et Bruno part."
    start = text.index("Bruno Sol ment, Bruno Sol ment")
    end = start + len("Bruno Sol ment, Bruno Sol ment")
    quote = _quote(start, end, text)
    mentions = [
        Mention("a", text.index("Bruno Sol"), text.index("Bruno Sol") + 9, "Bruno Sol", "e1"),
        Mention("a", text.index("Bruno Sol"), text.index("Bruno Sol") + 5, "Bruno", "e2"),  # overlaps: dropped
        Mention("a", end - 3, end + 4, "ent » e", "e3"),  # crosses the quote's end: cut in two
        Mention("a", 0, 8, "Ana Lune", "e4"),
    ]
    html = str(
        highlight.highlight(
            text, highlight.quote_spans([quote], len(text), {}), highlight.mention_spans(mentions, len(text), str)
        )
    )
    parsed = _marks(html)
    assert parsed.texts == {"q-q1": quote.text}
    assert unescape(re.sub("<[^>]+>", "", html)) == text
    assert html.count('href="e3"') == 2
    assert 'href="e2"' not in html


def test_overlapping_and_invalid_quotes_are_skipped_not_broken() -> None:
    text = "un deux trois quatre cinq"
    quotes = [_quote(0, 13, text, "long"), _quote(4, 7, text, "inner"), _quote(20, 99, text, "outside")]
    html = str(highlight.highlight(text, highlight.quote_spans(quotes, len(text), {}), []))
    assert _marks(html).texts == {"q-long": "un deux trois"}
    assert "inner" not in html and "outside" not in html


def test_every_text_piece_is_escaped() -> None:
    text = '<b>x</b> « <img src=x onerror="alert(1)"> » & fin'
    start = text.index("<img")
    quote = _quote(start, text.index(" »"), text)
    names = {"p": '"><script>alert(1)</script>'}
    mentions = [Mention("a", 0, 3, "<b>", "javascript:alert(1)")]
    html = str(
        highlight.highlight(
            text,
            highlight.quote_spans([quote], len(text), names),
            highlight.mention_spans(mentions, len(text), lambda e: "/speakers/" + e),
        )
    )
    parsed = _marks(html)
    assert parsed.tags == ["a", "mark"]
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert parsed.texts == {"q-q1": quote.text}


def test_paragraphs_split_only_outside_elements() -> None:
    text = "Premier.\n\n« Un\n\ndeux »\n\nFin."
    start = text.index("Un")
    quote = _quote(start, text.index(" »"), text)
    marked = highlight.highlight(text, highlight.quote_spans([quote], len(text), {}), [])
    parts = highlight.paragraphs(marked)
    assert len(parts) == 3
    assert "Un\n\ndeux</mark>" in str(parts[1])


def test_snippet_markers_become_balanced_marks() -> None:
    o, c = views.SNIPPET_OPEN, views.SNIPPET_CLOSE
    assert str(views.snippet_html(f"a {o}<b>{c} {c}x {o}y")) == "a <mark>&lt;b&gt;</mark> x <mark>y</mark>"


def test_story_list_and_story_page(client: TestClient) -> None:
    page = client.get("/").text
    assert "Fermeture du tramway de Valbrune" in page and "Grève reconduite" in page
    story = client.get(f"/stories/{STORY_ID}").text
    closing, strike = (f'id="e-{stable_id("event", key)}"' for key in ("fermeture", "grève"))
    assert story.index(closing) < story.index(strike)
    assert f"/articles/{article_id('a1')}#q-{quote_id('a1', 0)}" in story
    assert f"/speakers/{entity_id('Octave Lemaire')}" in story


def test_article_page_marks_each_quote_with_its_exact_text(client: TestClient, store: Store) -> None:
    html = client.get(f"/articles/{article_id('a1')}").text
    texts = _marks(html).texts
    for quote in store.quotes(article=article_id("a1")):
        assert texts[f"q-{quote.id}"] == quote.text
    assert f'href="/speakers/{entity_id("Maëlle Garnier")}"' in html


def test_speaker_and_search_pages(client: TestClient) -> None:
    speaker = client.get(f"/speakers/{entity_id('Octave Lemaire')}").text
    assert speaker.count('class="quote-link"') == 2
    assert "Quotidien des Collines" not in speaker  # he is only quoted by the Courrier
    search = client.get("/search", params={"q": "navettes", "from": "", "to": "", "outlet": ""}).text
    assert "<mark>navettes</mark>" in search
    filtered = client.get("/search", params={"speaker": entity_id("Octave Lemaire")}).text
    assert filtered.count('class="result-link"') == 2
    assert filtered.count(" selected>") == 1 and f'<option value="{entity_id("Octave Lemaire")}" selected>' in filtered


def test_page_errors_are_pages(client: TestClient) -> None:
    missing = client.get("/articles/<script>")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "<script>" not in missing.text
    bad = client.get("/search", params={"from": "demain"})
    assert bad.status_code == 422 and "from" in bad.text


def test_serve_command_is_registered_with_an_example() -> None:
    from typer.testing import CliRunner

    from recoupe.cli import app

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "recoupe --db news.db serve" in result.output and "--port" in result.output


def test_login_sets_a_strict_cookie_that_opens_reads_to_another_machine(store: Store, config: Config) -> None:
    fill(store)
    with TestClient(create_app(config, store, token="secret"), client=("192.0.2.9", 1)) as remote:
        assert remote.get("/").status_code == 401
        assert remote.get("/login").status_code == 200
        assert remote.post("/login", data={"token": "wrong"}).status_code == 401
        assert remote.get("/").status_code == 401
        response = remote.post("/login", data={"token": "secret"}, follow_redirects=False)
        assert response.status_code == 303
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert remote.get("/").status_code == 200
        assert remote.get("/api/stories").status_code == 200


def test_ingest_form_needs_the_token(client: TestClient, store: Store) -> None:
    assert 'name="uploads"' in client.get("/ingest").text
    refused = client.post("/ingest", data={"token": "nope"}, files={"uploads": ("a.txt", b"Un texte.")})
    assert refused.status_code == 401 and refused.headers["content-type"].startswith("text/html")
    assert client.post("/ingest", files={"uploads": ("a.txt", b"Un texte.")}).status_code == 422
    wrong_kind = client.post("/ingest", data={"token": "t"}, files={"uploads": ("a.exe", b"MZ")})
    assert wrong_kind.status_code == 422
    assert store.count_articles() == 3


def test_story_page_renders_a_structured_brief_escaped(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    source = {"article": article_id("a1"), "outlet": "<b>Le Courrier</b>", "date": None, "start": 0, "end": 5}
    data = {
        "timeline": [{"text": "<i>ligne</i> fermée", "sources": [source], "date": "2031-03-02", "note": None}],
        "statements": [{"title": "Maëlle Garnier", "lines": [{"text": "« pas le choix »", "sources": []}]}],
        "figures": [],
    }

    class Brief:
        def to_dict(self) -> dict[str, object]:
            return data

    monkeypatch.setattr(views, "build_brief", lambda store, story_id, config: Brief())
    html = client.get(f"/stories/{STORY_ID}").text
    assert "&lt;i&gt;ligne&lt;/i&gt; fermée" in html and "&lt;b&gt;Le Courrier&lt;/b&gt;" in html
    assert f'class="source" href="/articles/{article_id("a1")}?span=0-5#span"' in html
    assert "<h4>Maëlle Garnier</h4>" in html and "Chiffres" not in html


def test_brief_is_built_once_until_articles_are_added(
    client: TestClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def build(store: Store, story_id: str, config: Config) -> Brief:
        calls.append(story_id)
        return Brief()

    class Brief:
        def to_dict(self) -> dict[str, object]:
            return {"timeline": []}

    monkeypatch.setattr(views, "build_brief", build)
    client.get(f"/stories/{STORY_ID}")
    client.get(f"/api/stories/{STORY_ID}/brief")
    assert calls == [STORY_ID]
    extra = replace(SAMPLES[0], key="a9", text=SAMPLES[0].text + " Fin.")
    with store.transaction():
        store.save_analysis(analysis_of(extra, STORY_ID, None))
    client.get(f"/stories/{STORY_ID}")
    assert calls == [STORY_ID, STORY_ID]


def test_saved_brief_follows_the_articles_of_its_story(client: TestClient, store: Store) -> None:
    before = client.get(f"/api/stories/{STORY_ID}/brief").json()
    assert before["articles"] == 3 and "La Gazette du Plateau" not in before["outlets"]
    words = "Les navettes rouleront aussi le dimanche matin jusqu'à la réouverture"
    extra = replace(
        SAMPLES[1],
        key="a9",
        outlet="La Gazette du Plateau",
        text=f"Les usagers attendent. « {words} », a précisé Maëlle Garnier.",
        quotes=((words, "Maëlle Garnier"),),
        names=("Maëlle Garnier",),
    )
    with store.transaction():
        store.save_analysis(analysis_of(extra, STORY_ID, stable_id("event", extra.event)))
    after = client.get(f"/api/stories/{STORY_ID}/brief").json()
    assert after["articles"] == 4 and "La Gazette du Plateau" in after["outlets"]
    [garnier] = [s for s in after["statements"] if s["title"] == "Maëlle Garnier"]
    assert words in [line["text"] for line in garnier["lines"]]
    assert "La Gazette du Plateau" in client.get(f"/stories/{STORY_ID}").text


def test_saved_brief_outlives_the_app_until_the_brief_format_changes(
    store: Store, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(store)
    with TestClient(create_app(config, store, token="t"), client=("127.0.0.1", 1)) as first:
        built = first.get(f"/api/stories/{STORY_ID}/brief").json()
    calls: list[str] = []

    def build(store: Store, story_id: str, config: Config) -> object:
        calls.append(story_id)
        return recoupe.brief.build.build_brief(store, story_id, config)

    monkeypatch.setattr(views, "build_brief", build)
    with TestClient(create_app(config, store, token="t"), client=("127.0.0.1", 1)) as second:
        assert second.get(f"/api/stories/{STORY_ID}/brief").json() == built
        assert calls == []
    monkeypatch.setattr(recoupe.brief.build, "BRIEF_FORMAT", recoupe.brief.build.BRIEF_FORMAT + 1)
    with TestClient(create_app(config, store, token="t"), client=("127.0.0.1", 1)) as third:
        assert third.get(f"/api/stories/{STORY_ID}/brief").json() == built
        assert calls == [STORY_ID]


def test_concurrent_requests_build_a_brief_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "news.db"
    with Store(db) as setup:
        fill(setup)
    calls: list[str] = []

    def slow_build(store: Store, story_id: str, config: Config) -> object:
        calls.append(story_id)
        time.sleep(0.2)  # long enough for the other requests to arrive while it builds
        return recoupe.brief.build.build_brief(store, story_id, config)

    monkeypatch.setattr(views, "build_brief", slow_build)
    state = AppState(Config(db=db), db, token="t")
    try:
        with ThreadPoolExecutor(4) as pool:
            briefs = list(pool.map(state.brief, [STORY_ID] * 4))
    finally:
        state.close()
    assert calls == [STORY_ID] and all(b == briefs[0] for b in briefs)


def _fact_statuses(html: str, event_key: str) -> list[str]:
    """The statuses of the facts listed under one event, in page order."""
    start = html.index(f'id="e-{stable_id("event", event_key)}"')
    end = html.find('<article class="event"', start + 1)
    return re.findall(r'<li class="fact fact-(\w+)"', html[start : end if end > 0 else len(html)])


def test_story_page_cross_checks_each_event(client: TestClient, store: Store) -> None:
    store.replace_facts(STORY_ID, sample_facts())
    html = client.get(f"/stories/{STORY_ID}").text
    # Confirmed first, then single-source, then contested, though the store holds the contested one first.
    assert _fact_statuses(html, "fermeture") == ["confirmed", "contested"]
    assert _fact_statuses(html, "grève") == ["single_source"]
    text = re.sub(r"[ \t\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    assert "confirmé" in text and "source unique" in text and "contesté" in text
    assert "2 médias\u00a0: 2 sources indépendantes" in text
    assert "1 média, relayant un texte en espagnol\u00a0: 1 source indépendante" in text
    assert "Diverge sur navettes par heure" in text and "Diverge sur le locuteur" in text and "dément" in text
    assert f'<a href="{speaker_url(entity_id("Octave Lemaire"))}">Octave Lemaire</a>' in html
    # Both wordings of the confirmed fact, each with its outlet.
    assert USERS.replace("'", "&#39;") in html and CLOSING in html
    english = unescape(client.get(f"/stories/{STORY_ID}?lang=en").text)
    for fact in sample_facts():
        assert fact.chain in english  # the store's English wording, rebuilt from the counts
    assert "Differs on the speaker:" in english and "denies" in english


def test_claim_link_marks_the_claim_on_its_article(client: TestClient, store: Store) -> None:
    store.replace_facts(STORY_ID, sample_facts())
    html = client.get(f"/stories/{STORY_ID}").text
    links = re.findall(r'class="claim-link" href="([^"]+)"', html)
    claims = [c for fact in sample_facts() for c in fact.claims]
    assert len(links) == len(claims)
    shuttles = next(c for c in claims if c.text == SHUTTLES)
    link = f"/articles/{shuttles.article}?span={shuttles.start}-{shuttles.end}#span"
    assert link in links
    article = client.get(link.split("#")[0]).text
    # The claim's words are one mark, over the quote they overlap; the article's other quote stays marked.
    texts = _marks(article).texts
    assert texts["span"] == SHUTTLES and f"q-{quote_id('a2', 0)}" not in texts
    assert client.get(f"/articles/{article_id('a1')}?span=999-9999").status_code == 200  # past the end: no mark
    for bad in ("9-3", "a-b", "5"):
        response = client.get(f"/articles/{article_id('a1')}", params={"span": bad})
        assert response.status_code == 422 and "span" in response.text, bad


def test_article_outlet_falls_back_to_the_site() -> None:
    assert views.outlet_of({"outlet": None, "source": "https://www.vigie.example/a/1"}) == "vigie.example"
    assert views.outlet_of({"outlet": " La Vigie ", "source": "x.txt"}) == "La Vigie"
    assert views.outlet_of({"outlet": "", "source": "/tmp/a.txt"}) == "unknown outlet"


def _second_story(store: Store) -> str:
    """Add a one-article English story from another outlet, dated after the tramway story."""
    story = stable_id("story", "harbour")
    sample = replace(
        SAMPLES[2],
        key="en1",
        title="Harbour pilots call off their strike",
        outlet="Harbour Weekly",
        published="2031-04-01T09:00:00",
        text="The harbour pilots of Valbrune called off their strike on Tuesday after a night of talks.",
        quotes=(),
        names=("Valbrune",),
    )
    event = stable_id("event", "pilots")
    analysis = analysis_of(sample, story, event)
    with store.transaction():
        store.upsert_story(Story(story, "Harbour pilots call off their strike"))
        store.upsert_event(Event(event, story, "2031-04-01", "Strike called off"))
        store.save_analysis(replace(analysis, article=replace(analysis.article, language="en")))
    return story


def test_story_list_filters_and_sorts(client: TestClient, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    harbour = _second_story(store)

    def listed(**params: str) -> list[str]:
        response = client.get("/", params=params)
        assert response.status_code == 200, params
        return re.findall(r'class="story-link" href="/stories/([^"]+)"', response.text)

    assert listed() == [harbour, STORY_ID]  # latest first
    assert listed(sort="largest") == [STORY_ID, harbour]
    assert listed(sort="outlets") == [STORY_ID, harbour]
    assert listed(language="en") == [harbour]
    assert listed(outlet="Le Courrier de Valbrune") == [STORY_ID]
    assert listed(size="2") == [STORY_ID]
    assert listed(**{"from": "2031-03-04", "to": "2031-03-09"}) == []
    assert listed(**{"from": "2031-03-04", "to": "2031-03-10"}) == [STORY_ID]  # 'to' takes in its whole day
    assert listed(**{"from": "", "to": "", "outlet": "", "language": "", "size": "", "sort": ""}) == [harbour, STORY_ID]
    html = client.get("/").text
    assert f'class="entity-link" href="{speaker_url(entity_id("Maëlle Garnier"))}"' in html
    assert re.search(r'<span class="lang-label" title="anglais">en</span>', html)
    for params, field in (({"sort": "oldest"}, "sort"), ({"size": "0"}, "size"), ({"size": "x"}, "size")):
        response = client.get("/", params=params)
        assert response.status_code == 422 and field in response.text, params
    reversed_dates = client.get("/", params={"from": "2031-03-09", "to": "2031-03-04"})
    assert reversed_dates.status_code == 422
    # The pager keeps the filters.
    monkeypatch.setattr(pages, "PAGE_SIZE", 1)
    first = client.get("/", params={"sort": "largest"}).text
    older = re.search(r'<a href="([^"]+)">[^<]*→</a>', first)
    assert older is not None and unescape(older.group(1)) == "/?offset=1&sort=largest"
    assert re.findall(r'class="story-link" href="/stories/([^"]+)"', client.get(unescape(older.group(1))).text) == [
        harbour
    ]


def test_download_links_answer_their_files(client: TestClient) -> None:
    story = client.get(f"/stories/{STORY_ID}").text
    speaker = client.get(f"/speakers/{entity_id('Octave Lemaire')}").text
    links = re.findall(r'<a download href="([^"]+)"', story) + re.findall(r'<a download href="([^"]+)"', speaker)
    kinds = {"md": "text/markdown", "html": "text/html", "csv": "text/csv", "json": "application/json"}
    assert len(links) == 6  # the brief in three formats, the quotes, the story's JSON, the speaker's JSON
    for link in links:
        response = client.get(unescape(link))
        extension = link.rsplit(".", 1)[-1] if "." in link.rsplit("/", 1)[-1] else "json"
        assert response.status_code == 200 and response.headers["content-type"].startswith(kinds[extension]), link


def test_search_says_how_many_match_and_pages_through_them(client: TestClient) -> None:
    first = client.get("/search", params={"q": "Valbrune", "limit": "2"}).text
    assert "3 résultats" in first and first.count('class="result-link"') == 2
    following = re.search(r'<a href="([^"]+)">[^<]*→</a>', first)
    assert following is not None and "offset=2" in unescape(following.group(1))
    second = client.get(unescape(following.group(1)) + "&limit=2").text
    assert "3 résultats" in second and second.count('class="result-link"') == 1
    assert "← " in second and " →</a>" not in second
    filtered = client.get("/search", params={"q": "Valbrune", "outlet": "Quotidien des Collines"}).text
    assert "1 résultat" in filtered and "1 résultats" not in filtered


def test_story_page_names_near_copies_in_the_interface_language(client: TestClient, store: Store) -> None:
    copy = replace(SAMPLES[0], key="a4", outlet="La Gazette du Plateau", text=SAMPLES[0].text + " Reprise.")
    analysis = analysis_of(copy, STORY_ID, stable_id("event", "fermeture"))
    with store.transaction():
        store.save_analysis(replace(analysis, article=replace(analysis.article, duplicate_of=article_id("a1"))))
    french = re.sub(r"[ \t\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", client.get(f"/stories/{STORY_ID}").text)))
    title = SAMPLES[0].title
    assert f"La Gazette du Plateau ({title}) est une quasi-copie de Le Courrier de Valbrune ({title})" in french
    english = unescape(client.get(f"/stories/{STORY_ID}?lang=en").text)
    assert f"La Gazette du Plateau ({title}) is a near-copy of Le Courrier de Valbrune ({title})" in english


def test_search_results_carry_language_and_site(client: TestClient, store: Store) -> None:
    sample = replace(SAMPLES[2], key="en2", text="The Valbrune tram strike goes on.", quotes=(), names=())
    analysis = analysis_of(sample, None, None)
    article = replace(analysis.article, language="en", source="https://www.valbrune-news.example/tram", outlet=None)
    with store.transaction():
        store.save_analysis(replace(analysis, article=article))
    html = client.get("/search", params={"q": "tram"}).text
    assert '<span class="lang-label" title="anglais">en</span>' in html
    assert "valbrune-news.example · " in html
