"""WARC archives written by the test itself: only whole HTML pages served with status 200 become articles."""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from conftest import CommandLine
from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest import files
from recoupe.ingest.charset import decode_body
from recoupe.ingest.warc import is_warc, read_warc
from recoupe.records import RawArticle
from recoupe.store import Store


def page(title: str, paragraphs: list[str], charset: str | None = None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="fr"><head>{meta}<title>{title}</title></head><body>'
        f'<nav><a href="/">Accueil</a></nav><article><h1>{title}</h1>{body}</article></body></html>'
    )


PONT = page(
    "Fermeture du pont Neuf à Bellerive",
    [
        "La mairie de Bellerive a annoncé mardi 4 mars 2025 la fermeture du pont Neuf pour trois semaines, "
        "après la découverte de fissures sur deux piles de l'ouvrage.",
        "« Les fissures sont trop profondes pour attendre », a déclaré la maire, Hélène Garnier, "
        "lors d'une conférence de presse tenue à l'hôtel de ville.",
        "Selon les services techniques, 12 000 véhicules empruntent le pont chaque jour. Une déviation par "
        "le pont de la Gare sera mise en place dès jeudi, et des navettes gratuites relieront les deux rives.",
        "Les commerçants du quai Voltaire craignent une baisse de leur chiffre d'affaires pendant les travaux, "
        "qui coûteront près de 800 000 euros à la commune.",
    ],
    charset="utf-8",
)
GREVE = page(
    "Grève illimitée au port de Valmer",
    [
        "Les dockers du port de Valmer ont cessé le travail lundi 10 mars 2025 pour réclamer une hausse "
        "des salaires et l'embauche de vingt agents supplémentaires.",
        "Le secrétaire du syndicat, Paul Verdier, a affirmé que la grève durerait « aussi longtemps qu'il le "
        "faudra ». Les piquets de grève bloquent depuis l'aube l'accès au terminal des conteneurs.",
        "La direction du port estime que quarante navires attendent au large et chiffre la perte à plusieurs "
        "millions d'euros par semaine. Une réunion de médiation est prévue à la préfecture vendredi.",
    ],
)
# Only ISO-8859-1 characters: no curly apostrophe, no œ, no euro sign.
FETE = page(
    "Fête de la châtaigne à Saint-Aubin-des-Prés",
    [
        "La quarantième fête de la châtaigne s'est ouverte samedi 15 mars 2025 à Saint-Aubin-des-Prés, "
        "où plus de trois mille visiteurs étaient attendus malgré la pluie.",
        "Le comité des fêtes a installé vingt brasiers sur la place de l'église. « Nous avons grillé près "
        "d'une tonne de châtaignes dès la première journée », s'est réjoui son président, Gérard Lefèvre.",
        "Les producteurs de la vallée proposaient aussi du miel, des confitures et du cidre. Une exposition "
        "retrace l'histoire des vergers du canton depuis le dix-neuvième siècle.",
    ],
)


@dataclass(frozen=True)
class Capture:
    """One record to write: WARC type, target URI, date, and for HTTP records the status and headers."""

    kind: str
    uri: str
    date: str
    body: bytes = b""
    status: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


PONT_URI = "https://courrier-bellerive.test/2025/03/04/pont-neuf"
GREVE_URI = "https://echo-valmer.test/economie/greve-port"
FETE_URI = "https://vallee-infos.test/fete-chataigne"
MIRROR_URI = "https://miroir.test/bellerive/pont-neuf"
HTML_UTF8 = (("Content-Type", "text/html; charset=utf-8"),)

CAPTURES = [
    Capture("request", PONT_URI, "2025-03-04T08:15:00Z", headers=(("Host", "courrier-bellerive.test"),)),
    Capture("response", PONT_URI, "2025-03-04T08:15:00Z", PONT.encode("utf-8"), "200 OK", HTML_UTF8),
    Capture("metadata", PONT_URI, "2025-03-04T08:15:00Z", b"fetchTimeMs: 84\r\n"),
    Capture(
        "response",
        "https://courrier-bellerive.test/rapport.pdf",
        "2025-03-04T08:16:00Z",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        "200 OK",
        (("Content-Type", "application/pdf"),),
    ),
    Capture(
        "response",
        "https://courrier-bellerive.test/2025/03/05/introuvable",
        "2025-03-04T08:17:00Z",
        page("Page introuvable", ["La page que vous cherchez a été déplacée ou supprimée du site."] * 4).encode(),
        "404 Not Found",
        HTML_UTF8,
    ),
    # The header has no charset: the page's <meta> is absent too, so UTF-8 is tried first and holds.
    Capture(
        "response", GREVE_URI, "2025-03-10T17:42:05Z", GREVE.encode("utf-8"), "200 OK", (("Content-Type", "text/html"),)
    ),
    Capture(
        "response",
        FETE_URI,
        "2025-03-15T19:03:27Z",
        FETE.encode("iso-8859-1"),
        "200 OK",
        (("Content-Type", "text/html; charset=ISO-8859-1"),),
    ),
    Capture("response", MIRROR_URI, "2025-03-16T06:00:00Z", PONT.encode("utf-8"), "200 OK", HTML_UTF8),
]
STORED = {PONT_URI: "2025-03-04T08:15:00Z", GREVE_URI: "2025-03-10T17:42:05Z", FETE_URI: "2025-03-15T19:03:27Z"}


def write_warc(path: Path, captures: list[Capture], gz: bool) -> list[int]:
    """Write a warcinfo record and the captures; the byte offset where each capture starts."""
    offsets = []
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "recoupe tests"}))
        for capture in captures:
            offsets.append(out.tell())
            writer.write_record(_record(writer, capture))
    return offsets


def _record(writer: WARCWriter, capture: Capture) -> Any:
    warc_headers = {"WARC-Date": capture.date}
    if capture.kind == "request":
        http = StatusAndHeaders("GET / HTTP/1.1", list(capture.headers), is_http_request=True)
        return writer.create_warc_record(
            capture.uri, "request", payload=io.BytesIO(b""), http_headers=http, warc_headers_dict=warc_headers
        )
    if capture.status is None:
        content_type = dict(capture.headers).get("Content-Type", "application/warc-fields")
        return writer.create_warc_record(
            capture.uri,
            capture.kind,
            payload=io.BytesIO(capture.body),
            length=len(capture.body),
            warc_content_type=content_type,
            warc_headers_dict=warc_headers,
        )
    http = StatusAndHeaders(capture.status, list(capture.headers), protocol="HTTP/1.1")
    return writer.create_warc_record(
        capture.uri, capture.kind, payload=io.BytesIO(capture.body), http_headers=http, warc_headers_dict=warc_headers
    )


def articles(items: list[RawArticle | InputError]) -> list[RawArticle]:
    assert not [i for i in items if isinstance(i, InputError)]
    return [i for i in items if isinstance(i, RawArticle)]


@pytest.mark.parametrize("name", ["news.warc.gz", "news.warc"])
def test_only_html_pages_with_status_200_come_out_with_their_dates(tmp_path: Path, config: Config, name: str) -> None:
    path = tmp_path / name
    offsets = write_warc(path, CAPTURES, gz=name.endswith(".gz"))
    found = articles(list(read_warc(path, config)))
    # Request, metadata, PDF and 404 are skipped; the duplicate is still here: the pipeline drops it by hash.
    assert [(a.source, a.published, a.fetched_at) for a in found] == [
        *((uri, date, date) for uri, date in STORED.items()),
        (MIRROR_URI, "2025-03-16T06:00:00Z", "2025-03-16T06:00:00Z"),
    ]
    assert [a.origin for a in found] == [f"{path}@{offsets[i]}" for i in (1, 5, 6, 7)]
    assert {a.format for a in found} == {"html"}
    assert found[0].content == found[3].content == PONT
    assert found[1].content == GREVE
    assert found[2].content == FETE  # ISO-8859-1 as the header says


def test_ingest_stores_the_right_articles_once(tmp_path: Path, cli: CommandLine) -> None:
    path = tmp_path / "news.warc.gz"
    write_warc(path, CAPTURES, gz=True)
    db = tmp_path / "t.db"
    result = cli("--db", str(db), "ingest", str(path))
    assert result.exit_code == 0, result.stderr
    assert "stored 3 articles, skipped 1 already stored, 0 inputs failed" in result.stderr
    with Store(db) as store:
        stored = {a.source: a for a in store.articles()}
    assert set(stored) == set(STORED)
    for uri, date in STORED.items():
        assert stored[uri].published == date[:10] and not stored[uri].published_inferred
        assert stored[uri].fetched_at == date
    assert "Hélène Garnier" in stored[PONT_URI].text
    assert "Gérard Lefèvre" in stored[FETE_URI].text and "châtaignes" in stored[FETE_URI].text
    assert stored[FETE_URI].title == "Fête de la châtaigne à Saint-Aubin-des-Prés"


def test_a_truncated_archive_is_named_and_keeps_the_records_before(
    tmp_path: Path, config: Config, cli: CommandLine
) -> None:
    path = tmp_path / "cut.warc.gz"
    offsets = write_warc(path, CAPTURES, gz=True)
    data = path.read_bytes()
    last = offsets[-1]
    path.write_bytes(data[: last + (len(data) - last) // 2])  # half of the last gzip member
    items = list(read_warc(path, config))
    assert [i.source for i in items if isinstance(i, RawArticle)] == list(STORED)
    assert isinstance(items[-1], InputError) and items[-1].origin == str(path)
    assert "truncated or corrupt WARC" in items[-1].message and f"byte {last}" in items[-1].message

    db = tmp_path / "t.db"
    result = cli("--db", str(db), "ingest", str(path))
    assert result.exit_code == 1
    assert f"error: {path}: truncated or corrupt WARC" in result.stderr
    assert "stored 3 articles, skipped 0 already stored, 1 inputs failed" in result.stderr
    with Store(db) as store:
        assert store.count_articles() == 3


def test_a_record_cut_short_in_an_uncompressed_archive(tmp_path: Path, config: Config) -> None:
    path = tmp_path / "cut.warc"
    offsets = write_warc(path, CAPTURES[:6], gz=False)
    path.write_bytes(path.read_bytes()[:-300])  # inside the body of the last record, the strike article
    items = list(read_warc(path, config))
    assert [i.source for i in items if isinstance(i, RawArticle)] == [PONT_URI]
    assert isinstance(items[-1], InputError) and items[-1].origin == str(path)
    assert f"record 7 at byte {offsets[5]} ends after" in items[-1].message


@pytest.mark.parametrize(
    "data", [b"", b"this is not a WARC file at all\n" * 20, gzip.compress(b"WARC/1.0\r\nWARC-Type: resp")]
)
def test_files_that_are_not_archives_give_one_error(tmp_path: Path, config: Config, data: bytes) -> None:
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(data)
    items = list(read_warc(path, config))
    assert len(items) == 1 and isinstance(items[0], InputError) and items[0].origin == str(path)


GZIPPED_AND_CHUNKED = (("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked"))


def test_resource_records_gzip_and_chunked_bodies_and_the_size_limit(tmp_path: Path) -> None:
    compressed = gzip.compress(GREVE.encode("utf-8"))
    parts = (compressed[:100], compressed[100:])
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"
    captures = [
        Capture(
            "resource",
            "https://echo-valmer.test/instantane",
            "2025-03-11T09:00:00Z",
            FETE.encode("cp1252"),
            headers=(("Content-Type", "text/html; charset=windows-1252"),),
        ),
        Capture(
            "resource",
            "https://echo-valmer.test/capture.png",
            "2025-03-11T09:00:01Z",
            b"\x89PNG\r\n\x1a\n",
            headers=(("Content-Type", "image/png"),),
        ),
        Capture("response", GREVE_URI, "2025-03-11T09:00:02Z", chunked, "200 OK", GZIPPED_AND_CHUNKED),
        Capture("response", PONT_URI, "2025-03-11T09:00:03Z", PONT.encode("utf-8") * 40, "200 OK", HTML_UTF8),
    ]
    path = tmp_path / "mixed.WARC.GZ"
    offsets = write_warc(path, captures, gz=True)
    config = Config(db=Path(":memory:"), max_html_bytes=20_000)
    items = list(files.read_path(path, config))  # the dispatch by name, whatever its case
    assert [(type(i).__name__, i.origin) for i in items] == [
        ("RawArticle", f"{path}@{offsets[0]}"),
        ("RawArticle", f"{path}@{offsets[2]}"),
        ("InputError", f"{path}@{offsets[3]}"),
    ]
    first, second, too_big = items
    assert isinstance(first, RawArticle) and first.content == FETE
    assert isinstance(second, RawArticle) and second.content == GREVE
    assert isinstance(too_big, InputError) and "limit: skipped" in too_big.message


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ('<meta charset="iso-8859-15"><p>Été</p>'.encode("iso-8859-15"), None, "Été"),
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><p>L’été</p>'.encode("cp1252"),
            "text/html",
            "L’été",
        ),
        ("<p>Été</p>".encode(), "text/html; charset=utf-8", "Été"),
        ('<meta charset="iso-8859-1"><p>Été</p>'.encode(), "text/html; charset=utf-8", "Été"),  # header wins
        ("<p>L’été</p>".encode("cp1252"), "text/html; charset=utf-8", "L’été"),  # wrong label: cp1252 fallback
        ("<p>Été</p>".encode(), "text/html; charset=x-no-such-thing", "Été"),
        ('<meta charset="base64"><p>Été</p>'.encode(), "text/html; charset=rot13", "Été"),
        ('<meta charset="utf-16"><p>Été</p>'.encode(), None, "Été"),
        ("\ufeff<p>Été</p>".encode(), None, "<p>Été</p>"),
    ],
)
def test_charsets(body: bytes, content_type: str | None, expected: str) -> None:
    assert expected in decode_body(body, content_type)
    assert "\ufeff" not in decode_body(body, content_type)


def test_warc_names() -> None:
    assert is_warc(Path("a/CC-NEWS-20250304.warc.gz")) and is_warc(Path("b.WARC"))
    assert not is_warc(Path("b.warc.gz.part")) and not is_warc(Path("notes.gz")) and not is_warc(Path("warc"))
