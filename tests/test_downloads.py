"""The story page's downloads: the brief in each brief format, and the story's quotes as CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from recoupe.brief.render import FORMATS
from recoupe.config import Config
from recoupe.server.app import create_app
from recoupe.store import Store
from web_samples import SAMPLES, STORY_ID, fill


@pytest.fixture
def client(store: Store, config: Config) -> Iterator[TestClient]:
    fill(store)
    with TestClient(create_app(config, store, token="t"), client=("127.0.0.1", 1)) as c:
        yield c


def test_the_story_page_offers_every_brief_format_and_the_quotes(client: TestClient) -> None:
    page = client.get(f"/stories/{STORY_ID}").text
    for name in FORMATS.names():
        assert f'href="/stories/{STORY_ID}/brief.{name}"' in page
    assert f'href="/stories/{STORY_ID}/quotes.csv"' in page


def test_each_brief_format_downloads_as_a_file(client: TestClient) -> None:
    answers = {name: client.get(f"/stories/{STORY_ID}/brief.{name}") for name in FORMATS.names()}
    for name, answer in answers.items():
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-disposition"] == f'attachment; filename="{STORY_ID}-brief.{name}"'
    brief = json.loads(answers["json"].text)
    assert brief["story"] == STORY_ID and brief["title"] in answers["md"].text
    assert answers["html"].text.lstrip().lower().startswith("<!doctype html")


def test_the_quotes_download_has_every_quote_with_its_speaker_name(client: TestClient) -> None:
    answer = client.get(f"/stories/{STORY_ID}/quotes.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    expected = {(words, speaker) for sample in SAMPLES for words, speaker in sample.quotes}
    assert {(r["text"], r["speaker_name"]) for r in rows} == expected
    assert all(r["outlet"] and r["published"] for r in rows)


def test_a_bad_download_names_what_is_wrong(client: TestClient) -> None:
    unknown = client.get(f"/stories/{STORY_ID}/brief.docx")
    assert unknown.status_code == 404 and "unknown brief format 'docx'" in unknown.text
    missing = client.get("/stories/sto_nothere/quotes.csv")
    assert missing.status_code == 404 and "no story with id 'sto_nothere'" in missing.text
