"""Hostile inputs through `recoupe ingest`: each one refused by name (or stored safely), the good ones beside it
stored, never a traceback; and the fetcher's refusal of addresses that lead to a private one."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CommandLine
from recoupe import guards
from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest import files
from recoupe.ingest.fetch import Fetcher, FetchError
from recoupe.models import Models
from recoupe.pipeline import Pipeline
from recoupe.read.nlp import Reading
from recoupe.records import Analysis, Article, RawArticle
from recoupe.store import Store

GOOD = (
    "La mairie de Bellerive a annoncé mardi la fermeture du pont de la Gare pour trois semaines de travaux. "
    "Selon l'adjointe chargée de la voirie, Claire Vasseur, les bus seront déviés par le quai Nord."
)
OTHER = (
    "Le club de handball de Sainte-Aure a remporté samedi la finale régionale face à Montbrison. "
    "L'entraîneur, Marc Olivier, a salué « une équipe qui n'a rien lâché »."
)


def stored_sources(db: Path) -> list[str]:
    with Store(db) as store:
        return sorted(row[0] for row in store.db.execute("SELECT source FROM articles"))


def ingest(cli: CommandLine, db: Path, *targets: Path) -> tuple[int, str]:
    result = cli("--db", str(db), "ingest", *(str(t) for t in targets))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stderr


def test_bad_json_records_are_named_by_line_and_the_good_ones_stored(cli: CommandLine, tmp_path: Path) -> None:
    lines = [json.dumps({"text": GOOD, "url": "https://exemple.test/pont"})]
    for field in ("text", "title", "url", "outlet", "published"):
        record = {"text": OTHER, field: "Bellerive \\ud800 pont"}
        lines.append(json.dumps(record).replace("\\\\ud800", "\\ud800"))  # a lone surrogate escape in the JSON
    lines += [
        "[" * 10_000 + "]" * 10_000,
        '{"text": "' + OTHER + '", "count": ' + "7" * 5_000 + "}",
        json.dumps({"text": 12}),
        json.dumps({"text": OTHER, "title": ["Pont"]}),
        json.dumps({"text": OTHER, "outlet": "L" * 10_000}),
        json.dumps({"text": OTHER, "url": "https://exemple.test/sport"}),
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, stderr = ingest(cli, tmp_path / "t.db", path)
    assert code == 1
    for number, reason in [
        (2, "field 'text' holds an unpaired surrogate"),
        (3, "field 'title' holds an unpaired surrogate"),
        (4, "field 'url' holds an unpaired surrogate"),
        (5, "field 'outlet' holds an unpaired surrogate"),
        (6, "field 'published' holds an unpaired surrogate"),
        (7, "JSON nested more than"),
        (8, "JSON number of more than"),
        (9, "field 'text' must be a string"),
        (10, "field 'title' must be a string"),
        (11, "field 'outlet' is 10,000 characters long"),
    ]:
        assert f"error: {path}:{number}: {reason}" in stderr
    assert "stored 2 articles, skipped 0 already stored, 10 inputs failed" in stderr
    assert stored_sources(tmp_path / "t.db") == ["https://exemple.test/pont", "https://exemple.test/sport"]


def test_a_json_list_with_a_surrogate_names_the_record(cli: CommandLine, tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text('[{"text": "' + GOOD + '"}, {"text": "x", "title": "\\udfff"}]', encoding="utf-8")
    code, stderr = ingest(cli, tmp_path / "t.db", path)
    assert code == 1
    assert f"error: {path}:2: field 'title' holds an unpaired surrogate \\udfff" in stderr
    assert "stored 1 articles" in stderr


def test_a_file_name_that_is_not_utf8_is_stored_escaped(cli: CommandLine, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    bad = Path(os.fsdecode(os.fsencode(folder) + b"/bad\xffname.txt"))
    bad.write_text(GOOD, encoding="utf-8")
    (folder / "good.txt").write_text(OTHER, encoding="utf-8")
    code, stderr = ingest(cli, tmp_path / "t.db", folder)
    assert code == 0, stderr
    assert "stored 2 articles" in stderr
    assert stored_sources(tmp_path / "t.db") == sorted([f"{folder}/bad\\xffname.txt", f"{folder}/good.txt"])


def test_a_missing_target_with_a_name_that_is_not_utf8_is_named(cli: CommandLine, tmp_path: Path) -> None:
    missing = os.fsdecode(os.fsencode(tmp_path) + b"/gone\xfe.txt")
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    code, stderr = ingest(cli, tmp_path / "t.db", Path(missing), tmp_path / "good.txt")
    assert code == 1
    assert f"error: {tmp_path}/gone\\xfe.txt: no such file or folder" in stderr
    assert "stored 1 articles" in stderr


def test_an_article_over_a_million_characters_is_refused_by_name(cli: CommandLine, tmp_path: Path) -> None:
    long = tmp_path / "long.txt"
    long.write_text((GOOD + "\n\n") * (1_050_000 // len(GOOD)), encoding="utf-8")
    (tmp_path / "short.txt").write_text(OTHER, encoding="utf-8")
    code, stderr = ingest(cli, tmp_path / "t.db", long, tmp_path / "short.txt")
    assert code == 1
    assert f"error: {long}: text is " in stderr and f"over the {guards.MAX_ARTICLE_CHARS:,} limit" in stderr
    assert "E088" not in stderr
    assert stored_sources(tmp_path / "t.db") == [str(tmp_path / "short.txt")]


# Seconds that a few kilobytes of hostile text may take, far above what they take once guarded (about one).
SMALL_INPUT_SECONDS = 20.0


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("punctuation.txt", GOOD + "\n\n" + ".,;:!?" * 2_700 + "\n\n" + OTHER),
        ("references.html", "<html><body><p>" + GOOD + "</p><p>" + "&amp;" * 20_000 + "</p></body></html>"),
    ],
    ids=["punctuation", "references"],
)
def test_small_inputs_that_would_take_minutes_are_read_quickly(
    cli: CommandLine, tmp_path: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    started = time.monotonic()
    code, stderr = ingest(cli, tmp_path / "t.db", path)
    seconds = time.monotonic() - started
    assert code == 0, stderr
    assert seconds < SMALL_INPUT_SECONDS, f"{name} took {seconds:.1f} s"


@pytest.mark.parametrize(
    "markup",
    [
        "<p>mot</p>" * 100_000,
        "<p " + " ".join(f"a{i}='v'" for i in range(100_000)) + ">x</p>",
        "<p>" + "&amp;" * 200_000 + "</p>",
    ],
    ids=["siblings", "attributes", "references"],
)
def test_markup_too_costly_to_parse_is_refused_by_name(cli: CommandLine, tmp_path: Path, markup: str) -> None:
    page = tmp_path / "page.html"
    page.write_text(f"<html><body><p>{GOOD}</p>{markup}</body></html>", encoding="utf-8")
    (tmp_path / "short.txt").write_text(OTHER, encoding="utf-8")
    started = time.monotonic()
    code, stderr = ingest(cli, tmp_path / "t.db", page, tmp_path / "short.txt")
    assert time.monotonic() - started < SMALL_INPUT_SECONDS
    assert code == 1
    assert f"error: {page}: page holds more than" in stderr and "refused before parsing" in stderr
    assert "stored 1 articles" in stderr


def test_an_unreadable_folder_is_a_failure_named_and_the_rest_stored(
    cli: CommandLine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "good.txt").write_text(OTHER, encoding="utf-8")
    listing = Path.iterdir

    def refuse(self: Path) -> object:
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return listing(self)

    # As root (the test machine) chmod cannot lock a folder: listing it fails as it would for a user.
    monkeypatch.setattr(Path, "iterdir", refuse)
    code, stderr = ingest(cli, tmp_path / "t.db", locked, tmp_path / "good.txt")
    assert code == 1
    assert f"error: {locked}: cannot read this folder: Permission denied" in stderr
    assert "stored 1 articles, skipped 0 already stored, 1 inputs failed" in stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder whatever its mode")
def test_a_folder_without_read_permission_is_named(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text(GOOD, encoding="utf-8")
    locked.chmod(0)
    try:
        found = list(files.walk([str(locked)]))
    finally:
        locked.chmod(0o755)
    assert len(found) == 1 and isinstance(found[0], InputError) and "cannot read this folder" in found[0].message


# --- the fetcher: addresses that lead to a private one ------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("2002:7f00:1::1", "6to4 address of 127.0.0.1, a loopback"),
        ("2002:c0a8:101::1", "6to4 address of 192.168.1.1, a private"),
        ("2002:a9fe:a9fe::1", "6to4 address of 169.254.169.254, a link-local"),
        ("64:ff9b::7f00:1", "NAT64 address of 127.0.0.1, a loopback"),
        ("64:ff9b::a00:1", "NAT64 address of 10.0.0.1, a private"),
        ("64:ff9b:1::a9fe:a9fe", "NAT64 local-use address of 169.254.169.254, a link-local"),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo address of 127.0.0.1, a loopback"),
        ("2001:0:4136:e378:8000:63bf:3f57:fefe", "Teredo address of 192.168.1.1, a private"),
        ("::ffff:127.0.0.1", "IPv4-mapped address of 127.0.0.1, a loopback"),
        ("::ffff:10.1.2.3", "IPv4-mapped address of 10.1.2.3, a private"),
        ("::127.0.0.1", "IPv4-compatible address of 127.0.0.1, a loopback"),
        ("::a9fe:a9fe", "IPv4-compatible address of 169.254.169.254, a link-local"),
        ("::1", "loopback"),
        ("fe80::1%eth0", "link-local"),
        ("fd00::1", "private"),
    ],
)
def test_addresses_that_lead_to_a_private_one_are_refused(address: str, kind: str) -> None:
    fetcher = Fetcher(Config(db=Path(":memory:")), resolve=lambda host, port: [address])
    with fetcher, pytest.raises(FetchError, match="refused") as caught:
        fetcher.check_address("http://exemple.test/page")
    assert f"is at {address}, a {kind} address" in caught.value.message


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "2002:5db8:d70e::1", "::ffff:93.184.215.14"]
)
def test_public_addresses_are_fetched(address: str) -> None:
    fetcher = Fetcher(Config(db=Path(":memory:")), resolve=lambda host, port: [address])
    with fetcher:
        fetcher.check_address("http://exemple.test/page")


# --- workers of a killed ingest ------------------------------------------------------------------------------

# Seconds the worker processes of a killed ingest may outlive it, and a later ingest may take.
ORPHAN_SECONDS = 5.0
LATER_INGEST_SECONDS = 240.0
RECOUPE = str(Path(sys.executable).with_name("recoupe"))  # the venv's command, as a user runs it


def children_of(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def long_articles(folder: Path, count: int, paragraphs: int) -> None:
    """`count` distinct articles of `paragraphs` paragraphs each: minutes of parsing for two workers."""
    folder.mkdir()
    for i in range(count):
        body = "\n\n".join(f"{j}. {GOOD} {OTHER}" for j in range(paragraphs))
        (folder / f"{i:04d}.txt").write_text(f"Numéro {i}.\n\n{body}", encoding="utf-8")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the worker processes")
def test_the_workers_of_a_killed_ingest_die_with_it_and_free_the_store(tmp_path: Path) -> None:
    long_articles(tmp_path / "in", 32, 250)  # 32 articles of 100,000 characters: each worker busy a minute
    db = tmp_path / "t.db"
    command = [RECOUPE, "--db", str(db), "ingest", "--workers", "2", str(tmp_path / "in")]
    ingest = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + LATER_INGEST_SECONDS
        while len(workers := children_of(ingest.pid)) < 2:
            assert ingest.poll() is None, "the ingest ended before its workers started"
            assert time.monotonic() < deadline, "no worker processes started"
            time.sleep(0.2)
        time.sleep(2)  # the workers at work, the writer lock held
        os.kill(ingest.pid, signal.SIGKILL)
        ingest.wait()
        gone_by = time.monotonic() + ORPHAN_SECONDS
        while any(alive(pid) for pid in workers) and time.monotonic() < gone_by:
            time.sleep(0.1)
        left = [pid for pid in workers if alive(pid)]
    finally:
        ingest.kill()
        for pid in children_of(ingest.pid) + [pid for pid in workers if alive(pid)]:
            os.kill(pid, signal.SIGKILL)  # whatever outlived it, so that a failure leaves no process behind
    assert not left, f"worker processes {left} outlived the killed ingest by {ORPHAN_SECONDS:g} s"
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "a.txt").write_text(GOOD + " Une dernière phrase.", encoding="utf-8")
    later = subprocess.run(
        [RECOUPE, "--db", str(db), "ingest", str(tmp_path / "more")],
        capture_output=True,
        text=True,
        timeout=LATER_INGEST_SECONDS,
    )
    assert later.returncode == 0, later.stderr
    assert "stored 1 articles" in later.stderr


# --- exit codes ----------------------------------------------------------------------------------------------


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_watch_fails_when_no_cycle_succeeded(cli: CommandLine, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"http://127.0.0.1:{closed_port()}/rss.xml\n", encoding="utf-8")
    db = str(tmp_path / "w.db")
    result = cli("--db", db, "watch", str(feeds), "--every", "1s", "--cycles", "2", "--allow-private")
    assert "cycle 1: failed: no feed could be read" in result.stderr
    assert "cycle 2: failed: no feed could be read" in result.stderr
    assert result.exit_code == 1
    assert "error: none of the 2 cycles succeeded" in result.stderr


def test_watch_fails_when_its_file_lists_no_feed(cli: CommandLine, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("not a url\n", encoding="utf-8")
    result = cli("--db", str(tmp_path / "w.db"), "watch", str(feeds), "--every", "1s", "--cycles", "1")
    assert f"error: {feeds}:1: not an http(s) URL" in result.stderr
    assert result.exit_code == 1
    assert "error: none of the 1 cycles succeeded" in result.stderr


# --- the per-article budget in the pipeline ------------------------------------------------------------------


def test_an_article_over_its_time_budget_is_refused_and_the_batch_goes_on(
    config: Config, models: Models, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guards, "ARTICLE_SECONDS", 0.5)
    analyse = Pipeline.analyse

    def slow_on_one(self: Pipeline, article: Article, reading: Reading) -> Analysis:
        if "handball" in article.text:
            time.sleep(30)  # as a pathological text would take in a stage
        return analyse(self, article, reading)

    monkeypatch.setattr(Pipeline, "analyse", slow_on_one)
    raws = [
        RawArticle(source="slow.txt", content=OTHER, format="text", origin="slow.txt"),
        RawArticle(source="quick.txt", content=GOOD, format="text", origin="quick.txt"),
    ]
    started = time.monotonic()
    with Store(":memory:") as store:
        report = Pipeline(config, store, models).run(raws)
        assert store.count_articles() == 1
    assert time.monotonic() - started < 20
    assert len(report.stored) == 1
    assert [str(err) for err in report.failed] == ["slow.txt: took over 0.5 s, the limit for one article: refused"]


def test_a_page_whose_text_is_over_the_limit_is_refused_after_extraction(cli: CommandLine, tmp_path: Path) -> None:
    paragraphs = "".join(f"<p>{i}. {' '.join([GOOD] * 30)}</p>" for i in range(100))  # distinct: none dropped
    page = tmp_path / "page.html"
    page.write_text(f"<html><body><article>{paragraphs}</article></body></html>", encoding="utf-8")
    (tmp_path / "short.txt").write_text(OTHER, encoding="utf-8")
    code, stderr = ingest(cli, tmp_path / "t.db", page, tmp_path / "short.txt")
    assert code == 1
    assert f"error: {page}: text is " in stderr and f"over the {guards.MAX_ARTICLE_CHARS:,} limit" in stderr
    assert "stored 1 articles" in stderr
