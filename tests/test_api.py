"""The JSON API through FastAPI's TestClient: reads, search filters, errors (404, 422, 401) and ingest."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from recoupe.config import Config
from recoupe.read.nlp import Reader
from recoupe.records import Event, Story, stable_id
from recoupe.server import auth
from recoupe.server.app import CSP, create_app
from recoupe.server.guards import served_hosts
from recoupe.server.routes.search import excerpt
from recoupe.server.routes.stories import StoryOrder
from recoupe.store import Store, queries
from web_samples import STORY_ID, Sample, analysis_of, article_id, entity_id, fill, quote_id

TOKEN = "test-token-not-secret"
LOOPBACK = ("127.0.0.1", 50000)


@pytest.fixture
def filled(store: Store) -> Store:
    fill(store)
    return store


@pytest.fixture
def client(filled: Store, config: Config) -> Iterator[TestClient]:
    with TestClient(create_app(config, filled, token=TOKEN), client=LOOPBACK) as c:
        yield c


def test_story_list_has_timelines(client: TestClient) -> None:
    body = client.get("/api/stories").json()
    assert body["total"] == 1
    (story,) = body["stories"]
    assert story["id"] == STORY_ID
    assert story["articles"] == 3
    assert [e["date"] for e in story["timeline"]] == ["2031-03-02", "2031-03-10"]
    assert [e["articles"] for e in story["timeline"]] == [2, 1]


def test_story_has_events_with_articles_and_quotes(client: TestClient) -> None:
    body = client.get(f"/api/stories/{STORY_ID}").json()
    first, second = body["events"]
    assert [a["id"] for a in first["articles"]] == [article_id("a1"), article_id("a2")]
    assert [q["speaker_name"] for q in first["articles"][0]["quotes"]] == ["Maëlle Garnier", "Octave Lemaire"]
    assert second["articles"][0]["quotes"][0]["text"].startswith("Tant que la mairie")
    assert body["outlets"] == ["Le Courrier de Valbrune", "Quotidien des Collines"]


def test_brief_of_a_story(client: TestClient) -> None:
    body = client.get(f"/api/stories/{STORY_ID}/brief").json()
    assert body["story"] == STORY_ID
    assert [line["date"] for line in body["timeline"]] == ["2031-03-02", "2031-03-10"]
    assert {s["title"] for s in body["statements"]} == {"Maëlle Garnier", "Octave Lemaire"}


def test_event_and_article_and_quote(client: TestClient) -> None:
    story = client.get(f"/api/stories/{STORY_ID}").json()
    event_id = story["events"][1]["id"]
    assert [a["id"] for a in client.get(f"/api/events/{event_id}").json()["articles"]] == [article_id("a3")]
    article = client.get(f"/api/articles/{article_id('a1')}").json()
    for quote in article["quotes"]:
        assert article["text"][quote["start"] : quote["end"]] == quote["text"]
    assert {e["name"] for e in article["entities"]} >= {"Maëlle Garnier", "Valbrune"}
    quote = client.get(f"/api/quotes/{quote_id('a2', 0)}").json()
    assert quote["speaker"] == entity_id("Maëlle Garnier")


def test_speaker_statements_across_outlets_and_time(client: TestClient) -> None:
    body = client.get(f"/api/entities/{entity_id('Maëlle Garnier')}").json()
    assert body["statement_count"] == 2
    assert [s["published"][:10] for s in body["statements"]] == ["2031-03-02", "2031-03-03"]
    assert body["outlets"] == ["Le Courrier de Valbrune", "Quotidien des Collines"]
    by_speaker = client.get("/api/quotes", params={"speaker": entity_id("Octave Lemaire")}).json()["quotes"]
    assert len(by_speaker) == 2
    top = client.get("/api/entities").json()["speakers"]
    assert {s["name"]: s["quotes"] for s in top} == {"Maëlle Garnier": 2, "Octave Lemaire": 2}


def test_search_words_and_filters(client: TestClient) -> None:
    def ids(**params: str) -> list[str]:
        return [r["id"] for r in client.get("/api/search", params=params).json()["results"]]

    assert set(ids(q="Valbrune")) == {article_id(k) for k in ("a1", "a2", "a3")}
    assert ids(q="greve") == [article_id("a3")]  # accents folded
    assert set(ids(q="Valbrune", outlet="Le Courrier de Valbrune")) == {article_id("a1"), article_id("a3")}
    assert set(ids(speaker=entity_id("Maëlle Garnier"))) == {article_id("a1"), article_id("a2")}
    assert ids(**{"from": "2031-03-03", "to": "2031-03-03"}) == [article_id("a2")]
    assert ids(q="navettes", **{"from": "2031-03-04"}) == []
    hit = client.get("/api/search", params={"q": "navettes"}).json()["results"][0]
    assert "[[navettes]]" in hit["snippet"]


def test_search_input_is_never_fts_syntax(client: TestClient) -> None:
    for query in ['"', "NEAR(", "a OR", "*", "title:x", ")("]:
        assert client.get("/api/search", params={"q": query}).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/stories/nope",
        "/api/stories/nope/brief",
        "/api/events/nope",
        "/api/articles/nope",
        "/api/quotes/nope",
        "/api/entities/nope",
        "/api/nothing-here",
    ],
)
def test_unknown_id_is_404_with_json_error(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["status"] == 404


@pytest.mark.parametrize(
    "params",
    [
        {"from": "hier"},
        {"to": "2031-13-40"},
        {"limit": "0"},
        {"limit": "many"},
        {"offset": "-1"},
        {"from": "2031-03-05", "to": "2031-03-01"},
        {"q": "x" * 501},
    ],
)
def test_bad_search_input_is_422(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 422
    assert response.json()["error"]["status"] == 422


def test_ingest_without_or_with_a_wrong_token_is_401(client: TestClient, filled: Store) -> None:
    article = {"articles": [{"text": "Un texte inventé.", "title": "Essai"}]}
    assert client.post("/api/ingest", json=article).status_code == 401
    wrong = client.post("/api/ingest", json=article, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["status"] == 401
    assert wrong.headers["www-authenticate"] == "Bearer"
    upload = client.post("/api/ingest/files", files={"uploads": ("a.txt", b"Un texte.")})
    assert upload.status_code == 401
    assert filled.count_articles() == 3


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"articles": []},
        {"articles": [{"title": "sans texte"}]},
        {"articles": [{"text": "  "}]},
        {"articles": [{"text": "x", "title": 3}]},
        {"articles": "texte"},
    ],
)
def test_ingest_bad_body_is_422(client: TestClient, body: object) -> None:
    response = client.post("/api/ingest", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 422
    assert response.json()["error"]["status"] == 422


def test_upload_of_unknown_kind_is_422(client: TestClient) -> None:
    response = client.post(
        "/api/ingest/files", files={"uploads": ("a.exe", b"MZ")}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 422


def test_reads_from_another_machine_need_the_token(filled: Store, config: Config) -> None:
    with TestClient(create_app(config, filled, token=TOKEN), client=("192.0.2.7", 4000)) as remote:
        assert remote.get("/api/stories").status_code == 401
        assert remote.get("/").status_code == 401
        assert remote.get("/api/stories", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_every_response_has_the_strict_csp(client: TestClient) -> None:
    for path in ["/", "/api/stories", "/api/articles/nope", "/static/style.css"]:
        assert client.get(path).headers["content-security-policy"] == CSP
    assert "'unsafe-inline'" not in CSP


def test_openapi_lists_the_endpoints(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ["/api/stories", "/api/stories/{story_id}/brief", "/api/search", "/api/ingest", "/api/ingest/files"]:
        assert path in paths


def test_token_is_created_once_with_owner_only_permissions(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    token, created = auth.ensure_token(db)
    again, created_again = auth.ensure_token(db)
    assert created and not created_again and token == again and len(token) >= 40
    assert stat.S_IMODE(os.stat(auth.token_path(db)).st_mode) == 0o600


def test_app_over_a_store_file_reads_from_worker_threads(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    with Store(db) as setup:
        fill(setup)
    with TestClient(create_app(Config(db=db), db), client=LOOPBACK) as c:
        assert c.get("/api/stories").json()["total"] == 1
    assert auth.token_path(db).exists()


def test_ingest_runs_the_pipeline(client: TestClient, filled: Store, reader: Reader) -> None:
    # `reader` loads spaCy once per session; the pipeline built by the app loads it again only if not cached.
    articles = [
        {
            "text": "Le conseil municipal de Valbrune a voté jeudi un budget de crise. « Les finances sont saines », "
            "a déclaré Maëlle Garnier devant les élus.",
            "title": "Valbrune vote un budget de crise",
            "outlet": "Le Courrier de Valbrune",
            "published": "2031-04-01",
            "url": "https://exemple.invalid/budget",
        }
    ]
    headers = {"Authorization": f"Bearer {TOKEN}"}
    first = client.post("/api/ingest", json={"articles": articles}, headers=headers).json()
    assert len(first["stored"]) == 1 and first["failed"] == []
    again = client.post("/api/ingest", json={"articles": articles}, headers=headers).json()
    assert again["stored"] == [] and again["skipped"] == ["https://exemple.invalid/budget"]
    stored = client.get(f"/api/articles/{first['stored'][0]}").json()
    assert stored["title"] == "Valbrune vote un budget de crise"
    upload = client.post(
        "/api/ingest/files",
        files=[("uploads", ("note.txt", "Une courte note inventée sur le marché de Valbrune.".encode()))],
        headers=headers,
    ).json()
    assert len(upload["stored"]) == 1
    assert filled.count_articles() == 5


def test_in_memory_store_gets_a_token_without_a_file(
    store: Store, config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with TestClient(create_app(config, store), client=LOOPBACK) as c:
        assert c.post("/api/ingest", json={"articles": [{"text": "x"}]}).status_code == 401
    assert list(tmp_path.iterdir()) == []


# --- guards (issue 24): hosts, unauthenticated bodies, body size, bodies that broke the 422 handler ---------------


@pytest.fixture
def guarded(filled: Store, config: Config) -> Iterator[TestClient]:
    app = create_app(
        config, filled, token=TOKEN, allowed_hosts=served_hosts("127.0.0.1", ["news.example"]), max_body_bytes=4000
    )
    with TestClient(app, base_url="http://127.0.0.1:8000", client=LOOPBACK) as c:
        yield c


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "LOCALHOST:9", "[::1]:8000", "news.example"])
def test_the_hosts_served_are_answered(guarded: TestClient, host: str) -> None:
    assert guarded.get("/api/stories", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "", "[::2]"])
def test_another_host_is_refused_with_400(guarded: TestClient, host: str) -> None:
    response = guarded.get("/api/stories", headers={"Host": host})
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400
    assert "stories" not in response.text
    assert guarded.get("/", headers={"Host": host}).status_code == 400


def test_served_hosts_of_each_listening_address() -> None:
    assert served_hosts("127.0.0.1") == {"127.0.0.1", "localhost", "[::1]"}
    assert served_hosts("0.0.0.0", ["Desk.Example:8000"]) == {"127.0.0.1", "localhost", "[::1]", "desk.example"}
    assert served_hosts("192.0.2.5") == {"192.0.2.5"}
    assert served_hosts("::1") == {"127.0.0.1", "localhost", "[::1]"}


def test_a_write_without_the_token_is_refused_before_its_body_is_read(filled: Store, config: Config) -> None:
    app = create_app(config, filled, token=TOKEN)
    sent: list[MutableMapping[str, Any]] = []
    reads = 0

    async def receive() -> MutableMapping[str, Any]:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"{}" * 1000, "more_body": True}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/ingest",
        "raw_path": b"/api/ingest",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"), (b"content-length", b"9999")],
        "client": LOOPBACK,
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 401 and reads == 0


def test_a_body_over_the_limit_is_refused_with_413_announced_or_streamed(guarded: TestClient) -> None:
    auth_header = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    body = json.dumps({"articles": [{"text": "Un mot. " * 1000}]}).encode()
    announced = guarded.post("/api/ingest", content=body, headers=auth_header)
    assert announced.status_code == 413 and announced.json()["error"]["status"] == 413

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 500):
            yield body[start : start + 500]

    streamed = guarded.post("/api/ingest", content=chunks(), headers=auth_header)
    assert streamed.status_code == 413 and streamed.json()["error"]["status"] == 413


HOSTILE_BODIES = [
    (b'{"articles": [{"text": "Un texte \\ud800 cass\\u00e9."}]}', "articles.0.text"),
    (b'{"articles": [{"text": "Un texte.", "title": "\\udfff"}]}', "articles.0.title"),
    (b'{"articles": [{"text": "Un texte.", "url": "https://a.example/\\ud800"}]}', "articles.0.url"),
    (b'{"articles": [{"text": "Un texte.", "outlet": "\\ud83d"}]}', "articles.0.outlet"),
    (b'{"articles": [{"html": "<p>\\ud800</p>"}]}', "articles.0.html"),
    (b'{"articles": [{"text": ' + b"7" * 5000 + b"}]}", "articles.0.text"),
    (b'{"articles": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", "body"),
    (b'{"articles": [' + b"[" * 500 + b"]" * 500 + b"]}", "articles.0"),
    (b'{"articles": [{"text": "caf\xe9"}]}', "body"),
]


@pytest.mark.parametrize(("body", "field"), HOSTILE_BODIES)
def test_hostile_bodies_answer_422_naming_the_field(client: TestClient, body: bytes, field: str) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    response = client.post("/api/ingest", content=body, headers=headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["status"] == 422
    assert field in error["message"]


# --- consistency (issue 21): every list pages alike, booleans are booleans ---------------------------------------


def test_every_list_has_total_limit_and_offset(client: TestClient) -> None:
    lists = [
        ("/api/stories", {}, "stories"),
        ("/api/entities", {}, "speakers"),
        ("/api/quotes", {"speaker": entity_id("Maëlle Garnier")}, "quotes"),
        ("/api/quotes", {"article": article_id("a1")}, "quotes"),
        (f"/api/entities/{entity_id('Maëlle Garnier')}", {}, "statements"),
        ("/api/search", {"q": "Valbrune"}, "results"),
    ]
    for path, params, key in lists:
        body = client.get(path, params={**params, "limit": 1, "offset": 1}).json()
        assert (body["limit"], body["offset"]) == (1, 1), path
        assert body["total"] > len(body[key]), path


def test_entities_honour_offset(client: TestClient) -> None:
    every = client.get("/api/entities").json()
    assert every["total"] == 2 and [s["name"] for s in every["speakers"]] == ["Maëlle Garnier", "Octave Lemaire"]
    second = client.get("/api/entities", params={"limit": 1, "offset": 1}).json()
    assert [s["name"] for s in second["speakers"]] == ["Octave Lemaire"]


def test_published_inferred_is_a_boolean_everywhere(client: TestClient) -> None:
    story = client.get(f"/api/stories/{STORY_ID}").json()
    headers = [a for event in story["events"] for a in event["articles"]]
    event = client.get(f"/api/events/{story['events'][0]['id']}").json()
    article = client.get(f"/api/articles/{article_id('a1')}").json()
    for item in [*headers, *event["articles"], article]:
        assert isinstance(item["published_inferred"], bool)


def test_the_openapi_describes_every_answer_and_docs_shows_it(client: TestClient) -> None:
    openapi = client.get("/api/openapi.json").json()
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            success = operation["responses"]["200"]["content"]["application/json"]["schema"]
            assert "$ref" in success, (method, path)
            assert {"401", "404", "422"} <= set(operation["responses"]), (method, path)
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/api/stories/{story_id}/brief" in docs.text and "/api/openapi.json" in docs.text


# --- a bounded fuzz run over the API (issue 24): no body and no query answers 5xx or a non-JSON error ------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=25,
)
INGEST_BODIES = st.one_of(
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries({"articles": JSON_VALUES}).map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=300),
)
READ_PATHS = [
    "/api/stories",
    "/api/quotes",
    "/api/entities",
    "/api/search",
    f"/api/stories/{STORY_ID}/facts",
    "/search",
    "/",
]
QUERY_NAMES = [
    "limit",
    "offset",
    "q",
    "speaker",
    "outlet",
    "from",
    "to",
    "article",
    "story",
    "kind",
    "language",
    "size",
]
QUERY_NAMES += ["sort", "status", "event"]


def _would_ingest(raw: bytes) -> bool:
    """Whether a body might hold a valid article (the fuzz run answers only bad bodies: no model is loaded)."""
    try:
        value = json.loads(raw)
    except ValueError:
        return False
    articles = value.get("articles") if isinstance(value, dict) else None
    return isinstance(articles, list) and any(
        isinstance(a, dict) and any(isinstance(a.get(k), str) and a[k].strip() for k in ("text", "html"))
        for a in articles
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=INGEST_BODIES)
def test_fuzzed_ingest_bodies_answer_a_json_error_never_5xx(client: TestClient, raw: bytes) -> None:
    assume(not _would_ingest(raw))
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    response = client.post("/api/ingest", content=raw, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["status"] == 422


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(READ_PATHS), query=st.dictionaries(st.sampled_from(QUERY_NAMES), st.text(max_size=30)))
def test_fuzzed_queries_never_answer_5xx(client: TestClient, path: str, query: dict[str, str]) -> None:
    response = client.get(path, params=query)
    assert response.status_code < 500, (path, query, response.text[:300])
    if path.startswith("/api/") and response.status_code >= 400:
        assert response.json()["error"]["status"] == response.status_code


def test_quotes_by_speaker_name_and_a_near_name_suggested(client: TestClient) -> None:
    by_id = client.get("/api/quotes", params={"speaker": entity_id("Octave Lemaire")}).json()
    by_name = client.get("/api/quotes", params={"speaker": "octave lemaire"}).json()
    assert by_name == by_id and by_name["total"] == 2
    typo = client.get("/api/quotes", params={"speaker": "Octave Lemair"})
    assert typo.status_code == 404 and "'Octave Lemaire'" in typo.json()["error"]["message"]


# --- the story list's filters (issue 21): words, dates, outlet, language, size and order, as the list page has --


def _second_story(store: Store) -> str:
    """A second invented story of one English article from another outlet, published later."""
    sample = Sample(
        "b1",
        "Harbour ferry suspended",
        "The Valbrune Herald",
        "2031-04-20T09:00:00",
        "The harbour ferry of Valbrune was suspended on Monday after a storm damaged the pier.",
        (),
        ("Valbrune",),
        "ferry",
    )
    story = stable_id("story", "ferry")
    with store.transaction():
        store.upsert_story(Story(story, "Harbour ferry"))
        store.upsert_event(Event(stable_id("event", "ferry"), story, "2031-04-20", "Ferry suspended"))
        analysis = analysis_of(sample, story, stable_id("event", "ferry"))
        analysis.article.language = "en"
        store.save_analysis(analysis)
    return story


def test_stories_filtered_by_words_dates_outlet_language_and_size(client: TestClient, filled: Store) -> None:
    ferry = _second_story(filled)

    def ids(**params: Any) -> list[str]:
        response = client.get("/api/stories", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == len(body["stories"]) or "limit" in params
        return [s["id"] for s in body["stories"]]

    assert ids() == [ferry, STORY_ID]  # latest first
    assert ids(q="tramway") == [STORY_ID]
    assert ids(q="pier storm") == [ferry]
    assert ids(q="navettes", outlet="The Valbrune Herald") == []  # one article matches every filter
    assert ids(outlet="Quotidien des Collines") == [STORY_ID]
    assert ids(language="en") == [ferry]
    assert ids(**{"from": "2031-03-04", "to": "2031-03-31"}) == [STORY_ID]
    assert ids(**{"to": "2031-03-02"}) == [STORY_ID]  # the whole last day
    assert ids(size=2) == [STORY_ID]
    assert ids(sort="largest") == [STORY_ID, ferry]
    assert ids(sort="outlets", limit=1) == [STORY_ID]


def test_a_story_in_the_list_says_its_counts_as_its_details_do(client: TestClient) -> None:
    (summary,) = client.get("/api/stories").json()["stories"]
    details = client.get(f"/api/stories/{STORY_ID}").json()
    assert summary["article_count"] == summary["articles"] == details["article_count"] == 3
    assert summary["event_count"] == summary["events"] == len(details["events"]) == 2
    assert summary["outlet_count"] == len(details["outlets"]) == 2
    assert summary["languages"] == ["fr"]
    assert [e["article_count"] for e in summary["timeline"]] == [e["articles"] for e in summary["timeline"]] == [2, 1]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"sort": "oldest"}, "sort"),
        ({"size": "0"}, "size"),
        ({"size": "many"}, "size"),
        ({"from": "hier"}, "from"),
        ({"from": "2031-03-05", "to": "2031-03-01"}, "'from' is after 'to'"),
        ({"q": "x" * 501}, "q"),
    ],
)
def test_a_bad_story_filter_is_422_naming_it(client: TestClient, params: dict[str, str], named: str) -> None:
    response = client.get("/api/stories", params=params)
    assert response.status_code == 422
    assert named in response.json()["error"]["message"]


def test_the_story_orders_of_the_api_are_the_stores() -> None:
    assert get_args(StoryOrder) == tuple(queries.STORY_ORDERS)


def test_search_counts_every_match_and_takes_a_speaker_by_name(client: TestClient) -> None:
    page = client.get("/api/search", params={"q": "Valbrune", "limit": 1, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"], len(page["results"])) == (3, 1, 1, 1)
    by_id = client.get("/api/search", params={"speaker": entity_id("Maëlle Garnier")}).json()
    by_name = client.get("/api/search", params={"speaker": "maëlle garnier"}).json()
    assert by_name == by_id and by_name["total"] == 2
    typo = client.get("/api/search", params={"speaker": "Maëlle Garnie"})
    assert typo.status_code == 404 and "'Maëlle Garnier'" in typo.json()["error"]["message"]


def test_a_search_hit_gives_a_plain_excerpt_and_where_its_hits_are(client: TestClient) -> None:
    (hit,) = client.get("/api/search", params={"q": "navettes"}).json()["results"]
    assert "[[" not in hit["excerpt"] and hit["hits"]
    for span in hit["hits"]:
        assert hit["excerpt"][span["start"] : span["end"]].lower() == "navettes"
    assert hit["snippet"].replace("[[", "").replace("]]", "") == hit["excerpt"]
    (newest, *_) = client.get("/api/search").json()["results"]  # no words: no passage
    assert (newest["excerpt"], newest["hits"]) == (None, [])


def test_an_excerpt_drops_markers_that_do_not_pair() -> None:
    assert excerpt("a \ue000b\ue001 \ue001c \ue000d") == ("a b c d", [{"start": 2, "end": 3}])


def test_quotes_filtered_by_story_outlet_kind_language_and_dates(client: TestClient) -> None:
    def ids(**params: str) -> list[str]:
        response = client.get("/api/quotes", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == len(body["quotes"])
        return [q["id"] for q in body["quotes"]]

    every = [quote_id("a1", 0), quote_id("a1", 1), quote_id("a2", 0), quote_id("a3", 0)]
    assert ids(story=STORY_ID) == every  # in the order their articles were stored
    assert ids(outlet="Quotidien des Collines") == [quote_id("a2", 0)]
    assert ids(story=STORY_ID, **{"from": "2031-03-03", "to": "2031-03-03"}) == [quote_id("a2", 0)]
    assert ids(speaker="Octave Lemaire", **{"to": "2031-03-02"}) == [quote_id("a1", 1)]
    assert ids(story=STORY_ID, kind="direct") == every
    assert ids(story=STORY_ID, kind="indirect") == []
    assert ids(story=STORY_ID, language="en") == []
    (quote,) = client.get("/api/quotes", params={"outlet": "Quotidien des Collines"}).json()["quotes"]
    assert (quote["speaker_name"], quote["outlet"], quote["story"]) == (
        "Maëlle Garnier",
        "Quotidien des Collines",
        STORY_ID,
    )


@pytest.mark.parametrize(
    ("params", "status", "named"),
    [
        ({}, 422, "give an article"),
        ({"story": STORY_ID, "kind": "hearsay"}, 422, "kind"),
        ({"story": STORY_ID, "from": "2031-03-05", "to": "2031-03-01"}, 422, "'from' is after 'to'"),
        ({"story": "no-such-story"}, 404, "no-such-story"),
        ({"article": "no-such-article"}, 404, "no-such-article"),
    ],
)
def test_a_bad_quote_filter_names_it(client: TestClient, params: dict[str, str], status: int, named: str) -> None:
    response = client.get("/api/quotes", params=params)
    assert response.status_code == status
    assert named in response.json()["error"]["message"]


def test_speakers_counted_in_the_articles_of_an_outlet_story_language_or_dates(client: TestClient) -> None:
    def counts(**params: str) -> dict[str, int]:
        response = client.get("/api/entities", params=params)
        assert response.status_code == 200, response.text
        assert response.json()["total"] == len(response.json()["speakers"])
        return {s["name"]: s["quotes"] for s in response.json()["speakers"]}

    assert counts(outlet="Le Courrier de Valbrune") == {"Octave Lemaire": 2, "Maëlle Garnier": 1}
    assert counts(**{"from": "2031-03-03", "to": "2031-03-03"}) == {"Maëlle Garnier": 1}
    assert counts(story=STORY_ID) == counts() == {"Maëlle Garnier": 2, "Octave Lemaire": 2}
    assert counts(language="en") == {}
    page = client.get("/api/entities", params={"outlet": "Le Courrier de Valbrune", "limit": 1, "offset": 1}).json()
    assert (page["total"], [s["name"] for s in page["speakers"]]) == (2, ["Maëlle Garnier"])
    assert client.get("/api/entities", params={"story": "no-such-story"}).status_code == 404
