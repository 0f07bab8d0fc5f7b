"""Search: word forms in French and English, OR, prefixes, phrases, exclusions and the other spellings of a name."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from recoupe.records import Analysis, Article, Entity, Mention, stable_id
from recoupe.rules import RulesError
from recoupe.store import Store
from recoupe.store.queries import count_matches
from recoupe.store.search import Term, parse, stemmers

# Invented articles: (key, language, text, names with the spelling each text uses).
TEXTS = (
    ("t1", "fr", "Les électeurs de Valbrune ont voté dimanche aux élections municipales.", ()),
    ("t2", "fr", "Une élection partielle aura lieu à Corvenne au printemps.", ()),
    ("t3", "en", "Voters in Corvenne elected a new mayor after a tense campaign.", ()),
    ("t4", "fr", "Le ministre Dmitri Volkov a reçu les maires de la région.", ("Dmitri Volkov",)),
    ("t5", "en", "Minister Dmitry Volkov met the mayors of the region on Monday.", ("Dmitry Volkov",)),
    ("t6", "fr", "La réunion du conseil portuaire est reportée à jeudi.", ()),
)
VOLKOV = stable_id("ent", "volkov")


def article(key: str, language: str, text: str) -> Article:
    return Article(
        id=stable_id("art", key),
        source=f"https://exemple.invalid/{key}",
        text=text,
        content_hash=stable_id("hash", key),
        title=None,
        language=language,
    )


@pytest.fixture
def filled(store: Store) -> Store:
    with store.transaction():
        for key, language, text, names in TEXTS:
            art = article(key, language, text)
            # One person under two spellings: the reading stages merge them into one entity (people/names.py).
            entities = [Entity(VOLKOV, "Dmitri Volkov", "PER", list(names))] if names else []
            mentions = [Mention(art.id, text.index(n), text.index(n) + len(n), n, VOLKOV) for n in names]
            store.save_analysis(Analysis(article=art, entities=entities, mentions=mentions, quotes=[]))
    return store


def found(store: Store, query: str) -> set[str]:
    keys = {stable_id("art", key): key for key, *_ in TEXTS}
    return {keys[hit["id"]] for hit in store.search_articles(query)}


def test_a_word_finds_its_other_forms_in_french_and_english(filled: Store) -> None:
    # "élections" and "élection" (the index keeps no accent), and English "elected" through the English stemmer.
    assert found(filled, "élection") == found(filled, "elections") == {"t1", "t2", "t3"}
    assert found(filled, "maire") == {"t4"}  # "maires"; English "mayors" is another word
    assert found(filled, "mayor") == {"t3", "t5"}
    assert found(filled, "voter") == {"t1", "t3"}  # "voté" and "Voters"
    assert found(filled, "réunions") == {"t6"}


def test_or_prefix_phrase_and_exclusion(filled: Store) -> None:
    assert found(filled, "Valbrune OR Corvenne") == {"t1", "t2", "t3"}
    assert found(filled, "élection Valbrune") == {"t1"}  # both words
    assert found(filled, "port*") == {"t6"}  # portuaire
    assert found(filled, '"conseil portuaire"') == {"t6"}
    assert found(filled, '"portuaire conseil"') == set()  # a phrase keeps its order
    assert found(filled, "élection -Corvenne") == {"t1"}
    assert found(filled, "-Corvenne") == set()  # nothing to match: not every other article


def test_a_name_finds_its_other_spellings(filled: Store) -> None:
    assert found(filled, "Dmitry") == {"t4", "t5"}
    assert found(filled, "volkov") == {"t4", "t5"}
    assert found(filled, '"Dmitri Volkov"') == {"t4", "t5"}


def test_the_count_and_the_snippets_follow_the_same_expression(filled: Store) -> None:
    assert count_matches(filled, "élection") == 3
    [(_, snippet)] = filled.search("partielle élections")
    assert "[élection]" in snippet and "[partielle]" in snippet  # the form found is marked, not only the one typed


def test_what_a_reader_types_never_reaches_fts5_as_syntax(filled: Store) -> None:
    for query in ('"unbalanced', "AND", "OR OR", "NEAR(a b)", "col:word", "*", "-", '""', "a^b", "élec(tion"):
        filled.search_articles(query)  # no sqlite3.OperationalError
    assert parse("OR Valbrune OR") == [Term(("valbrune",))]
    assert parse("-x") == [Term(("x",), negated=True)]


def test_an_old_store_gets_the_indexes_of_search(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store(path) as store, store.transaction():
        art = article("t5", "en", TEXTS[4][2])
        entity = Entity(VOLKOV, "Dmitri Volkov", "PER", ["Dmitri Volkov", "Dmitry Volkov"])
        store.save_analysis(Analysis(article=art, entities=[entity], mentions=[], quotes=[]))
    db = sqlite3.connect(path)
    db.executescript(
        "DROP TABLE articles_vocab; DROP TABLE entities_fts; DROP TRIGGER entities_ai; DROP TRIGGER entities_ad;"
        " DROP TRIGGER entities_au; PRAGMA user_version = 7;"
    )
    db.close()
    with Store(path) as store:  # migration 8 rebuilds the name index from the stored entities
        assert found(store, "Dmitri") == {"t5"}


def test_a_language_naming_an_unknown_stemmer_is_an_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "xx").mkdir()
    (tmp_path / "xx" / "language.toml").write_text('stemmer = "klingon"\n', encoding="utf-8")
    with pytest.raises(RulesError, match=r"xx/language.toml: key 'stemmer' names no Snowball stemmer"):
        stemmers(tmp_path)
