"""Reading files: formats, encodings and every kind of bad input, each named in its error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest import files, open_inputs
from recoupe.ingest.files import decode
from recoupe.records import RawArticle, Skipped

TEXT = "La mairie de Bellerive a annoncé mardi la fermeture du pont.\n\nLes travaux dureront trois semaines."


def read(targets: list[str], config: Config | None = None) -> list[RawArticle | InputError | Skipped]:
    return list(open_inputs(targets, config or Config(db=Path(":memory:"))))


def test_txt_html_and_folders_are_read_recursively(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text(f"<html><body><p>{TEXT}</p></body></html>", encoding="utf-8")
    (tmp_path / ".hidden").write_text("x", encoding="utf-8")
    items = read([str(tmp_path)])
    assert [(type(i).__name__, Path(i.origin).name) for i in items] == [
        ("RawArticle", "a.txt"),
        ("RawArticle", "b.html"),
    ]
    assert [i.format for i in items if isinstance(i, RawArticle)] == ["text", "html"]


@pytest.mark.parametrize(
    "encoded",
    [TEXT.encode("utf-8"), b"\xef\xbb\xbf" + TEXT.encode("utf-8"), TEXT.encode("cp1252"), TEXT.encode("latin-1")],
    ids=["utf-8", "utf-8-bom", "cp1252", "latin-1"],
)
def test_encodings_are_detected(encoded: bytes) -> None:
    assert decode(encoded, "x.txt") == TEXT


def test_cp1252_punctuation_is_decoded() -> None:
    assert decode("L’été « chaud » – 5 €".encode("cp1252"), "x.txt") == "L’été « chaud » – 5 €"


def test_jsonl_records_with_one_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"text": TEXT, "url": "https://exemple.test/a", "title": "Pont", "outlet": "Le Courrier"}),
        '{"text": "cassé", ',
        json.dumps({"html": f"<p>{TEXT}</p>", "published": "2025-03-04"}),
        json.dumps({"title": "sans corps"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read([str(path)])
    assert isinstance(items[0], RawArticle) and items[0].source == "https://exemple.test/a"
    assert items[0].outlet == "Le Courrier" and items[0].title == "Pont"
    assert isinstance(items[1], InputError) and str(items[1]).startswith(f"{path}:2: invalid JSON")
    assert isinstance(items[2], RawArticle) and items[2].format == "html" and items[2].source == f"{path}:3"
    assert isinstance(items[3], InputError) and items[3].line == 4 and "no non-empty 'text' or 'html'" in str(items[3])


def test_json_list_and_single_object(tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text(json.dumps([{"text": TEXT}, {"text": TEXT + " Fin."}]), encoding="utf-8")
    (tmp_path / "one.json").write_text(json.dumps({"text": TEXT}, indent=2), encoding="utf-8")
    items = read([str(tmp_path / "list.json"), str(tmp_path / "one.json")])
    raws = [i for i in items if isinstance(i, RawArticle)]
    assert len(raws) == len(items) == 3
    assert raws[2].source == str(tmp_path / "one.json")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n ", "only whitespace"),
        ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("broken.txt", "Déjà vu à Paris ".encode() + b"\xff\xfe" + b" fin", "invalid UTF-8 at byte"),
        ("table.xlsx", b"PK\x03\x04", "unsupported file type '.xlsx'"),
    ],
)
def test_bad_files_name_the_file(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    [item] = read([str(path)])
    assert isinstance(item, InputError)
    assert str(item).startswith(str(path)) and message in str(item)


def test_oversized_html_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    with path.open("wb") as handle:
        handle.write(b"<html><body>")
        handle.write(b"<p>bla bla bla bla</p>" * (50_000_000 // 22))
    [item] = read([str(path)])
    assert isinstance(item, InputError) and "over the 20 MB limit" in str(item) and str(path) in str(item)


def test_missing_path_is_an_error() -> None:
    [item] = read(["/nonexistent/recoupe/nowhere.txt"])
    assert isinstance(item, InputError) and str(item) == "/nonexistent/recoupe/nowhere.txt: no such file or folder"


def test_an_empty_list_of_records_is_named(tmp_path: Path) -> None:
    path = tmp_path / "none.json"
    path.write_text("[]", encoding="utf-8")
    items = read([str(path)])
    assert len(items) == 1 and isinstance(items[0], InputError) and items[0].message == "an empty list of records"


def test_files_of_a_folder_that_hold_no_articles_are_passed_over_by_name(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "README.md").write_text("# Les articles du mois\n", encoding="utf-8")
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "scrape.py").write_text("print('bonjour')\n", encoding="utf-8")
    (tmp_path / "tools" / "photo.JPG").write_bytes(b"\xff\xd8\xff\xe0")
    (tmp_path / "LICENSE").write_text("Tous droits réservés.\n", encoding="utf-8")
    listed = list(files.entries([str(tmp_path)]))
    passed = {Path(e.origin).name: e.reason for e in listed if isinstance(e, Skipped)}
    assert passed == {
        "README.md": "not an article file (.md)",
        "scrape.py": "not an article file (.py)",
        "photo.JPG": "not an article file (.jpg)",
        "LICENSE": "not an article file (no suffix)",
    }
    assert [p.name for p in listed if isinstance(p, Path)] == ["a.txt"]
    assert [p.name for p in files.walk([str(tmp_path)]) if isinstance(p, Path)] == ["a.txt"]
    # The same folder through open_inputs: one article, no error for the files that hold none.
    assert [type(i).__name__ for i in read([str(tmp_path)])] == ["RawArticle"]


def test_a_file_named_as_a_target_is_read_whatever_its_name(tmp_path: Path) -> None:
    notes = tmp_path / "README.md"
    notes.write_text("# Les articles du mois\n", encoding="utf-8")
    assert list(files.entries([str(notes)])) == [notes]
    [item] = read([str(notes)])
    assert isinstance(item, InputError) and str(item) == f"{notes}: unsupported file type '.md': skipped"


@pytest.mark.parametrize(
    ("suffix", "data", "expected"),
    [
        (".TXT", TEXT.encode("cp1252"), "text"),
        (".html", f"<p>{TEXT}</p>".encode(), "html"),
        (".jsonl", json.dumps({"text": TEXT}).encode(), "text"),
        (".txt", b"", "empty file"),
        (".txt", b" \n ", "file holds only whitespace"),
        (".md", TEXT.encode(), "unsupported file type '.md': skipped"),
    ],
)
def test_the_bytes_of_a_file_read_as_a_local_file_is(suffix: str, data: bytes, expected: str) -> None:
    [item] = files.read_bytes(data, "s3a://seau/x" + suffix, suffix, Config(db=Path(":memory:")))
    if isinstance(item, RawArticle):
        assert item.format == expected and item.content.startswith(("La mairie", "<p>La mairie"))
    else:
        assert isinstance(item, InputError) and item.message == expected
