"""Entities: variants of one person merged within and across articles, different people kept apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import CommandLine
from people_samples import french, resolve_all
from recoupe.cli import app
from recoupe.config import Config
from recoupe.people.names import NameRules, find
from recoupe.read.nlp import Reader
from recoupe.store import Store


@pytest.mark.parametrize(
    ("a", "b"),
    [("Dmitri", "Dmitry"), ("Sergueï Narychkine", "Sergei Naryshkin"), ("Zelensky", "Zelenski"),
     ("Choïgou", "Shoigu"), ("Poutine", "Putin"), ("Alexeï Navalny", "Aleksei Navalnyi"),
     ("Benyamin Netanyahou", "Benjamin Netanyahu"), ("Mohammed ben Salmane", "Mohammed bin Salman"),
     ("Ievgueni Prigojine", "Yevgeny Prigozhin")],
)  # fmt: skip
def test_transliterations_fold_together(config: Config, a: str, b: str) -> None:
    rules = NameRules.of_language(french(config))
    assert [rules.fold(w) for w in a.split()] == [rules.fold(w) for w in b.split()]


def test_variants_merge_across_articles(reader: Reader, config: Config, store: Store) -> None:
    people = resolve_all(
        reader,
        config,
        store,
        [
            "Le porte-parole du gouvernement, Dmitri Volkov, a répondu aux journalistes mardi à Moscou.",
            "Dmitry Volkov a démenti l'information. M. Volkov a ensuite quitté la salle.",
            "Volkov a refusé de commenter la rumeur.",
        ],
    )
    [volkov] = [p for p in people if "Volkov" in p.name]
    assert {"Dmitri Volkov", "Dmitry Volkov", "M. Volkov", "Volkov", "porte-parole du gouvernement"} <= set(
        volkov.variants
    )


def test_two_people_sharing_a_surname_stay_apart(reader: Reader, config: Config, store: Store) -> None:
    people = resolve_all(
        reader,
        config,
        store,
        [
            "Le syndicaliste Paul Garnier a appelé à la grève. M. Garnier a été entendu par la direction.",
            "La maire de Lizières, Hélène Garnier, a visité les quartiers inondés.",
            "Mme Garnier a demandé des renforts.",
        ],
    )
    paul = next(p for p in people if p.name == "Paul Garnier")
    helene = next(p for p in people if p.name == "Hélène Garnier")
    assert paul.id != helene.id
    assert "Hélène Garnier" not in paul.variants and "Paul Garnier" not in helene.variants
    assert "M. Garnier" in paul.variants
    assert all(p.id in {paul.id, helene.id} or p.variants == ["Mme Garnier"] for p in people if "Garnier" in p.name)


def test_capitals_and_imperatives_are_not_people(reader: Reader, config: Config, store: Store) -> None:
    people = resolve_all(
        reader,
        config,
        store,
        ['"Regardez, tout le monde est prêt", a dit Luc Morel. Washington a réagi vivement, Moscou aussi.'],
    )
    assert [p.name for p in people] == ["Luc Morel"]


def test_find_and_quotes_by_any_variant(tmp_path: Path, cli: CommandLine) -> None:
    runner = CliRunner()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "La porte-parole de la mairie, Inès Caradec, a tenu une conférence de presse lundi.\n\n"
        "« Le marché restera ouvert tout l'été », a déclaré Mme Caradec devant les commerçants.",
        encoding="utf-8",
    )
    (folder / "b.txt").write_text(
        "Ines Caradec a confirmé mercredi le calendrier des travaux.\n\n"
        "« Les travaux commenceront en septembre, pas avant », a précisé la porte-parole de la mairie.",
        encoding="utf-8",
    )
    db = str(tmp_path / "t.db")
    assert cli("--db", db, "ingest", str(folder), catch_exceptions=True).exit_code == 0
    with Store(db) as store:
        [entity] = find(store, "caradec")
        assert entity.name == "Inès Caradec"
    result = runner.invoke(app, ["--db", db, "quotes", "--speaker", "Ines Caradec"])
    assert result.exit_code == 0
    assert "Le marché restera ouvert" in result.stdout and "Les travaux commenceront" in result.stdout
    assert runner.invoke(app, ["--db", db, "quotes", "--speaker", "Personne"]).exit_code == 1
