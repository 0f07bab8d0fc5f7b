"""The store: migrations, round trips of every record, transactions, search."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from recoupe.records import Analysis, Article, Entity, Event, ForeignFragment, Mention, Quote, Story, stable_id
from recoupe.store import SCHEMA_VERSION, Store, StoreError

TEXT = "Le maire, Jean Vasseur, a déclaré : « Le pont rouvrira lundi. » Les commerçants attendent."


def sample(suffix: str = "") -> Analysis:
    article = Article(
        id=stable_id("art", "x" + suffix),
        source=f"https://exemple.test/{suffix or 'a'}",
        text=TEXT + suffix,
        content_hash="h" + suffix,
        title="Le pont rouvrira",
        outlet="Le Courrier",
        published="2025-03-04",
        removed=["PARTAGEZ!"],
        foreign_fragments=[ForeignFragment(0, 2, "es", "Le")],
    )
    person = Entity(id="ent_vasseur", name="Jean Vasseur", type="PER", variants=["Jean Vasseur", "le maire"])
    start = TEXT.index("Le pont")
    quote = Quote(
        id=stable_id("quo", article.id, str(start)),
        article=article.id,
        text="Le pont rouvrira lundi.",
        start=start,
        end=start + len("Le pont rouvrira lundi."),
        kind="direct",
        speaker=person.id,
        speaker_mention="Jean Vasseur",
        cue="a déclaré",
        confidence=0.95,
    )
    mention = Mention(article.id, TEXT.index("Jean"), TEXT.index("Jean") + 12, "Jean Vasseur", person.id)
    return Analysis(article=article, entities=[person], mentions=[mention], quotes=[quote], lemmas=["pont"])


@pytest.mark.parametrize(
    "record",
    [
        sample().article,
        sample().entities[0],
        sample().quotes[0],
        sample().mentions[0],
        Event(id="evt_1", story="sto_1", date="2025-03-04", title="Réouverture", articles=["a"]),
        Story(id="sto_1", title="Le pont", events=["evt_1"], articles=["a"]),
    ],
)
def test_records_round_trip(record: object) -> None:
    assert type(record).from_dict(record.to_dict()) == record  # type: ignore[attr-defined]


def test_analysis_round_trips_through_the_store(store: Store) -> None:
    analysis = sample()
    store.save_analysis(analysis)
    assert store.article(analysis.article.id) == analysis.article
    assert store.quotes(article=analysis.article.id) == analysis.quotes
    assert store.mentions(article=analysis.article.id) == analysis.mentions
    assert store.entity("ent_vasseur") == analysis.entities[0]
    assert store.article_features(analysis.article.id) == (["pont"], [])


def test_entity_variants_are_merged_not_replaced(store: Store) -> None:
    store.upsert_entity(Entity(id="e", name="Jean Vasseur", type="PER", variants=["Jean Vasseur"]))
    store.upsert_entity(Entity(id="e", name="Jean Vasseur", type="PER", variants=["M. Vasseur", "Jean Vasseur"]))
    assert store.entity("e") == Entity(id="e", name="Jean Vasseur", type="PER", variants=["Jean Vasseur", "M. Vasseur"])


def test_a_failed_transaction_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.save_analysis(sample("1"))
        raise RuntimeError("crash")
    assert store.count_articles() == 0
    store.save_analysis(sample("2"))
    assert store.count_articles() == 1


def test_document_frequencies_added_in_a_transaction_are_read_back_and_written_at_commit(tmp_path: Path) -> None:
    path = tmp_path / "df.db"
    with Store(path) as store:
        store.add_document_terms(["pont", "grève"])  # outside a transaction: written at once
        with store.transaction():
            store.add_document_terms(["pont", "maire", "pont"])
            store.add_document_terms(["maire"])
            assert store.term_dfs(["pont", "grève", "maire", "absent"]) == {"pont": 2, "grève": 1, "maire": 2}
            assert store.counter("documents") == 3
        with pytest.raises(RuntimeError), store.transaction():
            store.add_document_terms(["pont"])
            raise RuntimeError("crash")
        assert store.term_dfs(["pont"]) == {"pont": 2}
    with Store(path) as reopened:
        assert reopened.term_dfs(["pont", "grève", "maire"]) == {"pont": 2, "grève": 1, "maire": 2}
        assert reopened.counter("documents") == 3


def test_document_frequencies_read_before_are_read_again_once_another_connection_wrote(tmp_path: Path) -> None:
    path = tmp_path / "df.db"
    with Store(path) as store, Store(path) as other:
        store.add_document_terms(["pont"])
        assert store.term_dfs(["pont", "maire"]) == {"pont": 1}
        store.add_document_terms(["pont", "maire"])  # its own writes are added to what it knows
        assert store.term_dfs(["pont", "maire"]) == {"pont": 2, "maire": 1}
        other.add_document_terms(["pont", "grève"])
        assert store.term_dfs(["pont", "maire", "grève"]) == {"pont": 3, "maire": 1, "grève": 1}


def test_stories_and_events_are_listed_by_date(store: Store) -> None:
    a = sample()
    store.save_analysis(a)
    store.upsert_story(Story(id="s", title="Le pont"))
    store.upsert_event(Event(id="late", story="s", date="2025-03-10", title="Réouverture"))
    store.upsert_event(Event(id="early", story="s", date="2025-03-04", title="Fermeture"))
    store.set_placement(a.article.id, "s", "early", None)
    assert store.story("s") == Story(id="s", title="Le pont", events=["early", "late"], articles=[a.article.id])
    assert store.event("early") == Event(id="early", story="s", date="2025-03-04", title="Fermeture",
                                         articles=[a.article.id])  # fmt: skip


def test_search_takes_any_user_text(store: Store) -> None:
    store.save_analysis(sample())
    [(article, snippet)] = store.search("pont rouvrira")
    assert article.id == sample().article.id and "[pont]" in snippet.lower()
    assert store.search('"unbalanced AND OR (') == []
    assert store.search("  ") == []  # no words: nothing, not the newest articles


def test_search_lists_the_articles_of_search_articles_in_its_order(store: Store) -> None:
    for n, words in enumerate(["pont pont rue", "pont rue rue", "rue rue rue", "pont pont pont"]):
        analysis = sample(str(n))
        analysis.article.text, analysis.article.title = f"{words} n{n}", "Travaux"
        store.save_analysis(analysis)
    found = store.search("pont")
    assert [article.id for article, _ in found] == [hit["id"] for hit in store.search_articles("pont")]
    assert len(found) == 3 and all("[pont]" in snippet for _, snippet in found)


def test_search_ranks_the_matches_stored_last_then_lists_older_ones(store: Store) -> None:
    # Same-length texts: bm25 puts the one saying "pont" most first. Even-numbered articles quote the speaker.
    times = [3, 1, 2, 1, 3, 2, 1]
    ids = []
    for n, k in enumerate(times):
        analysis = sample(str(n))
        analysis.article.text = " ".join(["pont"] * k + ["rue"] * (6 - k)) + f" n{n}"
        if n % 2:
            analysis.quotes, analysis.mentions = [], []
        store.save_analysis(analysis)
        ids.append(analysis.article.id)

    def found(limit: int = 20, offset: int = 0, speaker: str | None = None) -> list[str]:
        hits = store.search_articles("pont", speaker=speaker, limit=limit, offset=offset, ranked=3)
        return [hit["id"] for hit in hits]

    assert found() == [ids[n] for n in (4, 5, 6, 3, 2, 1, 0)]
    assert [i for offset in range(0, 8, 2) for i in found(2, offset)] == found()
    assert found(speaker="ent_vasseur") == [ids[n] for n in (4, 6, 2, 0)]
    assert [i for offset in range(0, 4) for i in found(1, offset, "ent_vasseur")] == found(speaker="ent_vasseur")
    every = store.search_articles("pont", limit=20)
    assert [times[ids.index(hit["id"])] for hit in every] == [3, 3, 2, 2, 1, 1, 1]  # all ranked


def test_file_store_is_wal_and_versioned(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer than this recoupe"):
        Store(path)


def _placed(suffix: str, story: str) -> Analysis:
    analysis = sample(suffix)
    analysis.article.story = story
    return analysis


def test_story_stamp_changes_when_an_article_joins_the_story(store: Store) -> None:
    assert store.story_stamp("s") == (0, 0)
    store.save_analysis(_placed("1", "s"))
    first = store.story_stamp("s")
    store.save_analysis(_placed("2", "other"))
    assert store.story_stamp("s") == first
    store.save_analysis(_placed("3", "s"))
    assert store.story_stamp("s") != first and store.story_stamp("s")[0] == 2


def test_saved_brief_is_found_only_for_its_stamp_and_builder(store: Store) -> None:
    store.save_analysis(_placed("1", "s"))
    stamp = store.story_stamp("s")
    assert store.cached_brief("s", stamp, "b1") is None
    assert store.save_brief("s", stamp, "b1", '{"v": 1}')
    assert store.cached_brief("s", stamp, "b1") == '{"v": 1}'
    assert store.cached_brief("s", stamp, "b2") is None
    assert store.fresh_briefs("b1") == 1
    store.save_analysis(_placed("2", "s"))
    assert store.cached_brief("s", store.story_stamp("s"), "b1") is None
    assert store.fresh_briefs("b1") == 0
    assert store.save_brief("s", store.story_stamp("s"), "b1", '{"v": 2}')  # replaces the stale one
    assert store.cached_brief("s", store.story_stamp("s"), "b1") == '{"v": 2}'
    store.clear_briefs()
    assert store.fresh_briefs("b1") == 0


def test_brief_is_not_saved_while_another_connection_writes(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as reader, Store(tmp_path / "s.db") as writer:
        with writer.transaction():
            writer.save_analysis(_placed("1", "s"))
            assert not reader.save_brief("s", (1, 1), "b", "{}", wait=0.01)
            assert reader.db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000  # the usual wait is back
        assert reader.save_brief("s", (1, 1), "b", "{}")


def test_brief_quotes_are_the_story_quotes_in_article_order(store: Store) -> None:
    later, earlier, elsewhere = _placed("2", "s"), _placed("1", "s"), _placed("3", "other")
    for analysis in (earlier, elsewhere, later):
        store.save_analysis(analysis)
    assert store.brief_quotes("s") == [*earlier.quotes, *later.quotes]


def test_writers_of_one_store_file_take_turns(tmp_path: Path) -> None:
    order: list[str] = []
    with Store(tmp_path / "w.db") as first, Store(tmp_path / "w.db") as second:

        def write_second() -> None:
            with second.writer_lock():
                order.append("second")

        with first.writer_lock():
            waiting = threading.Thread(target=write_second)
            waiting.start()
            waiting.join(timeout=0.3)
            order.append("first")
        waiting.join(timeout=5)
    assert order == ["first", "second"]
