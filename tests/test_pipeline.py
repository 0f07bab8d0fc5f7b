"""The pipeline: the same results in-process and on worker processes, failures named, repeats skipped, each
language's model loaded when its first article arrives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.models import Models
from recoupe.pipeline import Pipeline, read
from recoupe.records import Article, RawArticle
from recoupe.store import Store

TEXTS = [
    "Le conseil régional a voté jeudi 6 mars 2025 un plan de 40 millions d'euros pour les lycées. "
    "« C'est un effort sans précédent », a déclaré la présidente de la région, Claire Mounier.",
    "Les pompiers de Valmer sont intervenus dans la nuit de vendredi à samedi sur un incendie d'entrepôt. "
    "Selon le capitaine Luc Fabre, aucun blessé n'est à déplorer.",
    "<html><head><title>Marché</title></head><body><article><p>Le marché couvert de Bellerive rouvrira en avril "
    "après deux ans de travaux, a annoncé la mairie mardi.</p><p>Les commerçants attendent ce retour avec "
    "impatience, selon leur association.</p></article></body></html>",
    "The harbour authority of Valmer said on Thursday that the strike had cost the port two million euros a day. "
    '"We will not give in," the union leader, Paul Garnier, told reporters outside the terminal gates.',
]


def raws() -> list[RawArticle | InputError]:
    items: list[RawArticle | InputError] = [
        RawArticle(source=f"mem:{i}", content=t, format="html" if t.startswith("<") else "text", origin=f"mem:{i}")
        for i, t in enumerate(TEXTS)
    ]
    items.insert(1, InputError("mem:broken", "cannot be read"))
    items.append(RawArticle(source="mem:again", content=TEXTS[0], format="text", origin="mem:again"))
    return items


Snapshot = list[tuple[str, str, str | None, str | None, list[str], list[tuple[int, int, str | None]]]]


def snapshot(store: Store) -> Snapshot:
    """Each article's text, story, event, lemmas and quotes: what the parse in the workers decides."""
    return [
        (
            a.id,
            a.text,
            a.story,
            a.event,
            store.article_features(a.id)[0],
            [(q.start, q.end, q.speaker) for q in store.quotes(article=a.id)],
        )
        for a in store.articles()
    ]


def test_worker_processes_give_the_same_store_as_in_process(tmp_path: Path, models: Models) -> None:
    results = []
    for n_process in (1, 2):
        config = Config(db=tmp_path / f"{n_process}.db", n_process=n_process, batch_size=1)  # chunks of 4: two
        with Store(config.db) as store:
            report = Pipeline(config, store, models).run(raws())
            assert [str(e) for e in report.failed] == ["mem:broken: cannot be read"]
            assert report.skipped == ["mem:again"] and len(report.stored) == 4
            results.append(snapshot(store))
    assert results[0] == results[1]


def test_each_article_is_read_in_its_own_language(tmp_path: Path, models: Models) -> None:
    config = Config(db=tmp_path / "t.db")
    with Store(config.db) as store:
        Pipeline(config, store, models).run(raws())
        by_source = {a.source: a for a in store.articles()}
        english, french = by_source["mem:3"], by_source["mem:0"]
        assert (english.language, french.language) == ("en", "fr")
        assert store.quotes(article=french.id) and store.mentions(article=french.id)
        lemmas, _ = store.article_features(english.id)
        assert {"harbour", "strike", "terminal"} <= set(lemmas) and "the" not in lemmas
        # With its spaCy model installed, English is parsed and lemmatised ("told": "tell"); else read as words.
        assert ("tell" in lemmas) == models.has_model("en") and ("told" in lemmas) != models.has_model("en")


def article(language: str, text: str) -> Article:
    return Article(id=f"art_{language}", source=language, text=text, content_hash=language, language=language)


PORTUGUESE = article("pt", "O ministro anunciou na segunda-feira que os preços vão baixar em todo o país.")
FRENCH = article("fr", "Le ministre a annoncé lundi que les prix baisseront dans tout le pays.")


def test_a_model_loads_with_the_first_article_of_its_language_only(config: Config) -> None:
    models = Models(config)  # built, nothing loaded
    [portuguese] = read(models, [PORTUGUESE])
    assert portuguese.doc is None and "ministro" in portuguese.lemmas
    assert models.loaded_reader("fr") is None  # no French article yet: no French model
    assert models.has_model("fr") and not models.has_model("pt")
    assert models.loaded_reader("fr") is None  # asking whether a language has a model loads nothing


def test_a_language_whose_model_is_not_installed_is_read_as_words(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(Config().rules_dir / "pt", rules / "pt")
    (rules / "pt" / "language.toml").write_text('model = "recoupe_no_such_model"\n', encoding="utf-8")
    models = Models(Config(db=Path(":memory:"), rules_dir=rules))
    [reading] = read(models, [PORTUGUESE])
    assert reading.doc is None and "ministro" in reading.lemmas
    assert "recoupe_no_such_model" in caplog.text and "'pt'" in caplog.text


def test_each_article_is_dated_with_the_date_words_of_its_language(tmp_path: Path, models: Models) -> None:
    config = Config(db=tmp_path / "t.db")
    english = (
        "The dockers of Valmer walked out on Monday, March 3, and the harbour stayed closed the next day. "
        "Talks with the port authority resumed yesterday, the union said in a statement to the press."
    )
    with Store(config.db) as store:
        Pipeline(config, store, models).run(
            [RawArticle(source="mem:en", content=english, format="text", origin="mem:en", published="2025-03-05")]
        )
        [article] = store.articles()
        _, event_dates = store.article_features(article.id)
        assert article.language == "en" and "2025-03-03" in event_dates  # French date words would find none
