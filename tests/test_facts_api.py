"""GET /api/stories/{id}/facts over invented facts: content, the chain of sources, filters, paging, errors, OpenAPI."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from recoupe.config import Config
from recoupe.facts.outlets import UNKNOWN_OUTLET
from recoupe.facts.records import Fact, FactClaim
from recoupe.records import Story, stable_id
from recoupe.server.app import create_app
from recoupe.store import Store
from web_samples import COLLINES, COURRIER, STORY_ID, Sample, analysis_of, article_id, fill, sample_facts

LOOPBACK = ("127.0.0.1", 50000)
GAZETTE, ECHO, AGENCY = "La Gazette du Plateau", "Écho de la Vallée", "Presse Alpine"
DEPOT = "Le dépôt de Valbrune rouvrira le 24 mars, a rapporté l'agence Presse Alpine."
DEPOT_LOCAL = "Le dépôt rouvrira le 24 mars."
STRIKE_EVENT = stable_id("event", "grève")

# Invented wire reports of the strike event: an agency story, a near-copy of it, two local texts of no outlet.
WIRE = (
    Sample("a4", "Réouverture du dépôt", GAZETTE, "2031-03-11T09:00:00", f"VALBRUNE. {DEPOT}", (), (), "grève"),
    Sample("a5", "Le dépôt rouvre", ECHO, "2031-03-11T11:00:00", f"VALBRUNE. {DEPOT}", (), (), "grève"),
    Sample("a6", "Dépôt", "", "2031-03-12T08:00:00", f"{DEPOT_LOCAL} Les agents sont prévenus.", (), (), "grève"),
    Sample("a7", "Dépôt", "", "2031-03-12T09:00:00", f"Selon la mairie, {DEPOT_LOCAL}", (), (), "grève"),
)
COPIES = {"a5": "a4"}


def _claim(sample: Sample, sentence: str, outlet: str, source: str) -> FactClaim:
    start = sample.text.index(sentence)
    return FactClaim(
        stable_id("clm", sample.key, sentence),
        article_id(sample.key),
        outlet,
        start,
        start + len(sentence),
        sentence,
        source,
    )


def wire_fact() -> Fact:
    """Four reports of one fact: two outlets relaying one agency (one a near-copy), two texts of unknown outlet."""
    a4, a5, a6, a7 = WIRE
    return Fact(
        stable_id("fct", "dépôt"),
        STORY_ID,
        STRIKE_EVENT,
        DEPOT,
        "confirmed",
        3,
        (GAZETTE, ECHO, UNKNOWN_OUTLET),
        "4 reports from 3 outlets, 1 a near-copy of another, relaying Presse Alpine: 3 independent sources",
        (
            _claim(a4, DEPOT, GAZETTE, AGENCY),
            _claim(a5, DEPOT, ECHO, AGENCY),
            _claim(a6, DEPOT_LOCAL, UNKNOWN_OUTLET, UNKNOWN_OUTLET),
            _claim(a7, DEPOT_LOCAL, UNKNOWN_OUTLET, UNKNOWN_OUTLET),
        ),
    )


@pytest.fixture
def filled(store: Store) -> Store:
    fill(store)
    with store.transaction():
        for sample in WIRE:
            analysis = analysis_of(sample, STORY_ID, STRIKE_EVENT)
            article = analysis.article
            if not sample.outlet:
                article = dataclasses.replace(article, outlet=None, source=f"/invented/{sample.key}.txt")
            if sample.key in COPIES:
                article = dataclasses.replace(article, duplicate_of=article_id(COPIES[sample.key]))
            store.save_analysis(dataclasses.replace(analysis, article=article))
        store.replace_facts(STORY_ID, [*sample_facts(), wire_fact()])
        store.upsert_story(Story(stable_id("story", "vide"), "Une histoire sans faits"))
    return store


@pytest.fixture
def client(filled: Store, config: Config) -> Iterator[TestClient]:
    with TestClient(create_app(config, filled, token="not-secret"), client=LOOPBACK) as c:
        yield c


def facts(client: TestClient, story: str = STORY_ID, **params: Any) -> dict[str, Any]:
    response = client.get(f"/api/stories/{story}/facts", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_every_fact_with_its_status_sources_outlets_and_claims(client: TestClient) -> None:
    body = facts(client)
    assert body["story"] == STORY_ID and body["total"] == 4
    expected = [*sample_facts(), wire_fact()]
    assert [f["id"] for f in body["facts"]] == [f.id for f in expected]
    for shown, fact in zip(body["facts"], expected, strict=True):
        assert shown["status"] == fact.status
        assert shown["independent_sources"] == fact.independent_sources
        assert shown["outlets"] == list(fact.outlets)
        assert shown["chain"] == fact.chain
        assert shown["statement"] == fact.statement
        assert shown["event"] == fact.event
    assert body["counts"] == {"confirmed": 2, "single_source": 1, "contested": 1}


def test_each_claim_gives_the_words_at_its_span_of_its_article(client: TestClient) -> None:
    texts: dict[str, str] = {}
    for fact in facts(client)["facts"]:
        for claim in fact["claims"]:
            if claim["article"] not in texts:
                texts[claim["article"]] = client.get(f"/api/articles/{claim['article']}").json()["text"]
            assert texts[claim["article"]][claim["start"] : claim["end"]] == claim["text"]
            assert claim["outlet"] and claim["source"]
    assert len(texts) == 7


def test_the_chain_groups_the_reports_resting_on_one_source(client: TestClient) -> None:
    wire = facts(client, status="confirmed", event=STRIKE_EVENT)["facts"][0]
    agency, *local = wire["sources"]
    assert agency == {
        "source": AGENCY,
        "relayed": True,
        "outlets": [GAZETTE, ECHO],
        "articles": [article_id("a4"), article_id("a5")],
        "copies": [article_id("a5")],
    }
    # Two texts of unknown outlet are two reports, not one outlet and not one source.
    assert [(s["source"], s["articles"], s["relayed"]) for s in local] == [
        (UNKNOWN_OUTLET, [article_id("a6")], False),
        (UNKNOWN_OUTLET, [article_id("a7")], False),
    ]
    assert len(wire["sources"]) == wire["independent_sources"]
    assert {c["article"]: c["copy_of"] for c in wire["claims"]}[article_id("a5")] == article_id("a4")
    assert [w["outlets"] for w in wire["wordings"]] == [[GAZETTE, ECHO], [UNKNOWN_OUTLET]]


def test_a_relayed_report_in_another_language_is_one_relayed_source(client: TestClient) -> None:
    (strike,) = facts(client, status="single_source")["facts"]
    assert strike["sources"] == [
        {
            "source": "a report in Spanish",
            "relayed": True,
            "outlets": [COURRIER],
            "articles": [article_id("a3")],
            "copies": [],
        }
    ]


def test_a_contested_fact_gives_its_differences_and_speakers_by_name(client: TestClient) -> None:
    (contested,) = facts(client, status="contested")["facts"]
    kinds = {d["kind"]: d for d in contested["differences"]}
    assert set(kinds) == {"figure", "attribution", "stance"}
    assert kinds["figure"]["about"] == "navettes par heure"
    assert [(v["value"], v["outlets"]) for v in kinds["figure"]["variants"]] == [("6", [COURRIER]), ("10", [COLLINES])]
    assert [v["name"] for v in kinds["attribution"]["variants"]] == ["Maëlle Garnier", "Octave Lemaire"]
    assert kinds["stance"]["variants"][0]["name"] is None
    assert {s["source"] for s in contested["sources"]} == {COURRIER, COLLINES}


def test_filters_by_status_and_event(client: TestClient) -> None:
    confirmed = facts(client, status="confirmed")
    assert confirmed["total"] == 2 and {f["status"] for f in confirmed["facts"]} == {"confirmed"}
    strike = facts(client, event=STRIKE_EVENT)
    assert [f["id"] for f in strike["facts"]] == [stable_id("fct", "grève"), stable_id("fct", "dépôt")]
    assert strike["counts"] == {"confirmed": 1, "single_source": 1, "contested": 0}
    assert facts(client, status="contested", event=STRIKE_EVENT)["facts"] == []


def test_pages_with_total_limit_and_offset(client: TestClient) -> None:
    every = [f["id"] for f in facts(client)["facts"]]
    second = facts(client, limit=1, offset=1)
    assert (second["total"], second["limit"], second["offset"]) == (4, 1, 1)
    assert [f["id"] for f in second["facts"]] == every[1:2]
    assert facts(client, offset=10)["facts"] == []


def test_a_story_without_facts_has_an_empty_list(client: TestClient) -> None:
    body = facts(client, stable_id("story", "vide"))
    assert body["total"] == 0 and body["facts"] == []
    assert body["counts"] == {"confirmed": 0, "single_source": 0, "contested": 0}


def test_an_unknown_story_is_404_naming_it(client: TestClient) -> None:
    response = client.get("/api/stories/no-such-story/facts")
    assert response.status_code == 404
    assert "no-such-story" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"status": "confirmé"}, "status"),
        ({"event": "no-such-event"}, "no-such-event"),
        ({"event": stable_id("event", "ailleurs")}, stable_id("event", "ailleurs")),
        ({"limit": "0"}, "limit"),
        ({"offset": "-3"}, "offset"),
    ],
)
def test_a_bad_filter_is_422_naming_it(client: TestClient, params: dict[str, str], named: str) -> None:
    response = client.get(f"/api/stories/{STORY_ID}/facts", params=params)
    assert response.status_code == 422
    assert named in response.json()["error"]["message"]


def test_the_openapi_describes_the_answer(client: TestClient) -> None:
    openapi = client.get("/api/openapi.json").json()
    operation = openapi["paths"]["/api/stories/{story_id}/facts"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/FactsOut"
    }
    assert {"404", "422"} <= set(operation["responses"])
    schemas = openapi["components"]["schemas"]
    assert schemas["FactsOut"]["properties"]["facts"]["items"] == {"$ref": "#/components/schemas/FactOut"}
    fact = schemas["FactOut"]
    assert {"status", "independent_sources", "outlets", "chain", "sources", "claims", "differences"} <= set(
        fact["required"]
    )
    assert fact["properties"]["status"]["enum"] == ["confirmed", "single_source", "contested"]
    assert {"article", "start", "end", "text", "outlet"} <= set(schemas["FactClaimOut"]["required"])
    status = next(p for p in operation["parameters"] if p["name"] == "status")
    assert "confirmed" in str(status["schema"])
