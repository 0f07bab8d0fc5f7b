"""The language rules loader: every folder loads; a missing key or a bad value names the file and the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from recoupe.config import RULES_DIR, ConfigError
from recoupe.rules import Debris, Figures, LanguageRules, RulesError, languages, load_language


@pytest.mark.parametrize("code", languages(RULES_DIR))
def test_every_language_folder_loads(code: str) -> None:
    rules = load_language(RULES_DIR, code)
    assert isinstance(rules, LanguageRules)
    assert rules.code == code
    # Every language has furniture rules; a model, when named, comes with the rules its stages read.
    assert rules.debris.exact or rules.debris.patterns
    if rules.quotes is not None:
        assert rules.model is not None and rules.names is not None and rules.roles is not None


def test_languages_lists_the_folders() -> None:
    assert {"fr", "en", "pt"} <= set(languages(RULES_DIR))


def test_french_rules_are_typed() -> None:
    rules = load_language(RULES_DIR, "fr")
    assert rules.model == "fr_core_news_md"
    assert rules.quotes is not None and "dire" in rules.quotes.reporting_verbs
    assert rules.quotes.pronouns["elle"] == "f"
    assert rules.dates is not None and rules.dates.relative["hier"] == -1
    assert rules.figures.scales["million"] == 1e6
    assert rules.roles is not None and ("porte-parole", "") in rules.roles.heads


def test_a_language_without_files_gets_empty_defaults(tmp_path: Path) -> None:
    (tmp_path / "xx").mkdir()
    rules = load_language(tmp_path, "xx")
    assert rules.model is None
    assert rules.quotes is None and rules.names is None and rules.dates is None
    assert rules.debris == Debris() and rules.figures == Figures()


def _copy_french(tmp_path: Path) -> Path:
    shutil.copytree(RULES_DIR / "fr", tmp_path / "fr")
    return tmp_path / "fr"


def test_a_missing_key_names_the_file_and_the_key(tmp_path: Path) -> None:
    folder = _copy_french(tmp_path)
    path = folder / "quotes.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("reporting_verbs = [")
    path.write_text(text[:start] + text[text.index("]", start) + 1 :], encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_language(tmp_path, "fr")
    assert str(caught.value) == f"{path}: key 'reporting_verbs' is missing"
    assert caught.value.key == "reporting_verbs" and caught.value.path == path
    assert isinstance(caught.value, ConfigError)


def test_a_missing_key_in_a_sub_table_is_named_with_its_table(tmp_path: Path) -> None:
    folder = _copy_french(tmp_path)
    path = folder / "dates.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("parts_of_day =", "parts =", 1), encoding="utf-8")
    with pytest.raises(RulesError, match=r"dates\.toml: key 'deictic\.parts_of_day' is missing"):
        load_language(tmp_path, "fr")


@pytest.mark.parametrize(
    ("file", "line", "key", "expected"),
    [
        ("quotes.toml", "min_words = 4", "min_words", "an integer"),
        ("quotes.toml", "min_words = 4", "subordinators", "a list of strings"),
        ("dates.toml", "months = [", "relative", "a table of integers"),
        ("roles.toml", "heads = [", "heads", "a list of pairs of strings"),
    ],
)
def test_a_bad_value_names_the_file_and_the_key(tmp_path: Path, file: str, line: str, key: str, expected: str) -> None:
    folder = _copy_french(tmp_path)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    bad = {"min_words": 'min_words = "four"', "subordinators": "subordinators = [1, 2]"}.get(key)
    if key == "min_words":
        text = text.replace(line, bad or "")
    elif key == "subordinators":
        start = text.index("subordinators = [")
        text = text[:start] + (bad or "") + text[text.index("]", start) + 1 :]
    elif key == "relative":
        text = text.replace('"hier" = -1', '"hier" = "yesterday"')
    else:
        text = text.replace('["porte-parole", ""]', '["porte-parole"]')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_language(tmp_path, "fr")
    assert str(caught.value) == f"{path}: key '{key}' must be {expected}"


def test_a_bad_pattern_names_the_file_and_the_key(tmp_path: Path) -> None:
    (tmp_path / "xx").mkdir()
    path = tmp_path / "xx" / "debris.toml"
    path.write_text("patterns = ['^(unclosed']\n", encoding="utf-8")
    expected = r"debris\.toml: key 'patterns' is wrong: '\^\(unclosed' is not a valid regular expression"
    with pytest.raises(RulesError, match=expected):
        load_language(tmp_path, "xx")


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "xx").mkdir()
    path = tmp_path / "xx" / "figures.toml"
    path.write_text("qualifiers = [\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"figures\.toml: is not valid TOML"):
        load_language(tmp_path, "xx")


def test_an_unknown_language_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="no rules for language 'zz'"):
        load_language(tmp_path, "zz")


def test_figures_digest_follows_the_file(tmp_path: Path) -> None:
    folder = _copy_french(tmp_path)
    before = load_language(tmp_path, "fr").figures.digest
    path = folder / "figures.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert load_language(tmp_path, "fr").figures.digest != before
