"""The pipeline: the same results in-process and on worker processes, failures named, repeats skipped."""

from __future__ import annotations

from pathlib import Path

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.pipeline import Pipeline
from recoupe.records import RawArticle
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


def test_worker_processes_give_the_same_store_as_in_process(tmp_path: Path) -> None:
    results = []
    for n_process in (1, 2):
        config = Config(db=tmp_path / f"{n_process}.db", n_process=n_process, batch_size=1)  # chunks of 4: two
        with Store(config.db) as store:
            report = Pipeline(config, store).run(raws())
            assert [str(e) for e in report.failed] == ["mem:broken: cannot be read"]
            assert report.skipped == ["mem:again"] and len(report.stored) == 4
            results.append(snapshot(store))
    assert results[0] == results[1]


def test_an_article_in_another_language_is_tokenised_not_read_with_french_rules(tmp_path: Path) -> None:
    config = Config(db=tmp_path / "t.db")
    with Store(config.db) as store:
        Pipeline(config, store).run(raws())
        by_source = {a.source: a for a in store.articles()}
        english, french = by_source["mem:3"], by_source["mem:0"]
        assert (english.language, french.language) == ("en", "fr")
        assert store.mentions(article=english.id) == [] and store.quotes(article=english.id) == []
        assert store.quotes(article=french.id) and store.mentions(article=french.id)
        lemmas, _ = store.article_features(english.id)
        assert {"harbour", "strike", "terminal"} <= set(lemmas) and "the" not in lemmas
