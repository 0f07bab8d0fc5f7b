"""The guards on inputs: JSON values, strings, file names, markup, an article's length and its time budget."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from recoupe import guards
from recoupe.errors import InputError
from recoupe.records import RawArticle


def test_json_nested_ten_thousand_levels_is_an_error_naming_the_line() -> None:
    with pytest.raises(InputError, match="nested more than") as caught:
        guards.load_json("[" * 10_000 + "]" * 10_000, "deep.jsonl", line=3)
    assert str(caught.value).startswith("deep.jsonl:3: JSON nested")


def test_json_nested_a_little_too_deep_is_refused_after_parsing() -> None:
    depth = guards.MAX_JSON_DEPTH + 1
    with pytest.raises(InputError, match=f"nested {depth} levels deep"):
        guards.load_json("[" * depth + "]" * depth, "deep.json")
    assert guards.load_json("[" * guards.MAX_JSON_DEPTH + "]" * guards.MAX_JSON_DEPTH, "ok.json") is not None


@pytest.mark.parametrize("literal", ["9" * 5_000, "1." + "5" * 5_000, "1e" + "9" * 200])
def test_a_huge_json_number_is_an_error(literal: str) -> None:
    with pytest.raises(InputError, match="JSON number of more than"):
        guards.load_json('{"text": "x", "n": ' + literal + "}", "big.jsonl", line=1)


def test_ordinary_json_numbers_are_kept() -> None:
    assert guards.load_json('{"year": 2024, "share": 0.25}', "x.json") == {"year": 2024, "share": 0.25}


def test_invalid_json_names_the_line_given() -> None:
    with pytest.raises(InputError) as caught:
        guards.load_json('{"text": ', "x.jsonl", line=7)
    assert caught.value.line == 7 and "invalid JSON" in caught.value.message


def test_json_depth_counts_arrays_and_objects() -> None:
    assert guards.json_depth("x") == 0
    assert guards.json_depth({"a": [1, {"b": []}]}) == 4


def test_an_unpaired_surrogate_is_named_with_its_field_and_place() -> None:
    with pytest.raises(InputError, match=r"field 'title' holds an unpaired surrogate \\ud800 at character 4"):
        guards.check_string("Pont\ud800", "title", "x.jsonl", 2)
    assert guards.check_string("Pont 🌉", "title", "x.jsonl", 2) == "Pont 🌉"


def test_a_string_over_its_limit_is_refused() -> None:
    with pytest.raises(InputError, match="field 'outlet' is 11 characters long, over 10"):
        guards.check_string("L" * 11, "outlet", "x.jsonl", limit=10)


def test_a_file_name_that_is_not_utf8_is_escaped_into_a_valid_string() -> None:
    path = Path(os.fsdecode(b"in/bad\xffname.txt"))
    name = guards.path_name(path)
    assert name == "in/bad\\xffname.txt"
    name.encode("utf-8")  # what the store does with a source: no UnicodeEncodeError
    assert guards.path_name(Path("in/été.txt")) == "in/été.txt"


def raw(content: str, fmt: str = "html", **fields: str) -> RawArticle:
    return RawArticle(
        source="page", content=content, format="html" if fmt == "html" else "text", origin="page", **fields
    )


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("<p>mot</p>" * (guards.MAX_MARKUP_TAGS // 2 + 1), "tags"),
        ("<p " + " ".join(f"a{i}='v'" for i in range(guards.MAX_MARKUP_ATTRIBUTES + 1)) + ">x</p>", "attributes"),
        ("<p>" + "&amp;" * (guards.MAX_CHARACTER_REFERENCES + 1) + "</p>", "character references"),
    ],
    ids=["tags", "attributes", "references"],
)
def test_markup_over_its_budget_is_refused_before_parsing(markup: str, message: str) -> None:
    with pytest.raises(InputError, match=f"more than [0-9,]+ {message}: refused before parsing"):
        guards.check_raw(raw(markup))


def test_markup_in_a_text_file_is_only_text() -> None:
    guards.check_raw(raw("<p>mot</p>" * guards.MAX_MARKUP_TAGS, fmt="text"))


def test_a_raw_article_with_a_surrogate_in_any_field_is_refused() -> None:
    guards.check_raw(raw("<p>Le pont ferme.</p>", title="Pont"))
    with pytest.raises(InputError, match="field 'outlet'"):
        guards.check_raw(raw("<p>Le pont ferme.</p>", outlet="Le \udcff Courrier"))
    with pytest.raises(InputError, match="field 'html'"):
        guards.check_raw(raw("<p>Le pont \ud834 ferme.</p>"))


def test_a_text_over_the_article_limit_is_refused_by_name() -> None:
    with pytest.raises(InputError, match="over the 500,000 limit") as caught:
        guards.bounded_text("a " * (guards.MAX_ARTICLE_CHARS // 2 + 1), "long.txt")
    assert caught.value.origin == "long.txt"


def test_long_runs_of_punctuation_are_cut_and_offsets_kept() -> None:
    run = ".,;:!?" * 2_700
    text = f"Début. {run} Fin."
    bounded = guards.bounded_text(text, "x.txt")
    assert len(bounded) == len(text)
    assert bounded.startswith("Début. ") and bounded.endswith(" Fin.")
    assert max(len(piece) for piece in bounded.split()) == guards.MAX_PUNCTUATION_RUN
    ordinary = "Il a dit : « non ! »... Puis -- rien ?!"
    assert guards.bounded_text(ordinary, "x.txt") is ordinary


def test_the_time_limit_interrupts_a_long_article() -> None:
    started = time.monotonic()
    with (
        pytest.raises(guards.ArticleTimeout, match=re.escape("slow.txt: took over 0.2 s")),
        guards.time_limit("slow.txt", seconds=0.2),
    ):
        while True:
            sum(range(1000))
    assert time.monotonic() - started < 2


def test_the_time_limit_leaves_a_quick_article_alone() -> None:
    with guards.time_limit("quick.txt", seconds=5):
        total = sum(range(1000))
    assert total == 499_500


def test_a_plain_text_over_the_article_limit_is_refused_before_cleaning() -> None:
    with pytest.raises(InputError, match="text is 500,001 characters long, over the 500,000 limit"):
        guards.check_raw(raw("a" * (guards.MAX_ARTICLE_CHARS + 1), fmt="text"))
