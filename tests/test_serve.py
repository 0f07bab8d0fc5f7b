"""`recoupe serve` with several worker processes: the token made once, every worker configured alike and taking it,
ingests one at a time across processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.server import auth
from recoupe.server.app import WORKER_CONFIG, worker_app, worker_environment
from recoupe.server.state import AppState
from recoupe.store import Store
from web_samples import SAMPLES, fill

ROOT = Path(__file__).resolve().parents[1]


def test_a_worker_rebuilds_the_configuration_and_reads_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Config(db=tmp_path / "news.db", language="fr", batch_size=7, dependency_parse=True, host_delay=0.5)
    token, created = auth.ensure_token(config.db)
    assert created
    for name, value in worker_environment(config).items():
        monkeypatch.setenv(name, value)
    app = worker_app()
    state: AppState = app.state.recoupe
    try:
        assert state.config == config
        assert state.token == token
    finally:
        state.close()


def test_worker_app_needs_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(WORKER_CONFIG, raising=False)
    with pytest.raises(KeyError):
        worker_app()


def test_ingests_wait_for_one_another_across_app_states(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    config = Config(db=db)
    first, second = AppState(config, db, "t"), AppState(config, db, "t")
    entered = threading.Event()

    def ingest_in_second() -> None:
        with second.writing():
            entered.set()

    try:
        with first.writing():
            thread = threading.Thread(target=ingest_in_second)
            thread.start()
            assert not entered.wait(0.3)  # the second state, standing for another worker process, waits
        assert entered.wait(5)
        thread.join()
    finally:
        first.close()
        second.close()


def test_a_pipeline_is_rebuilt_after_another_process_added_articles(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    state = AppState(Config(db=db), db, "t")
    try:
        with state.writing() as pipeline:
            pass
        with state.writing() as again:
            assert again is pipeline
        with Store(db) as other:  # another process's ingest
            fill(other, SAMPLES[:1])
        with state.writing() as fresh:
            assert fresh is not pipeline
    finally:
        state.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_with_two_workers_prints_the_token_once_and_each_worker_takes_it(tmp_path: Path) -> None:
    db, port = tmp_path / "news.db", free_port()
    recoupe = [sys.executable, "-c", "from recoupe.cli import app; app()"]
    command = [*recoupe, "--db", str(db), "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/api/stories", timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        token = auth.token_path(db).read_text(encoding="ascii").strip()
        # A new connection per request, so both workers are likely to answer some: each takes the token (the empty
        # batch is refused after the token was accepted) and refuses another.
        for _ in range(20):
            for given, status in ((token, 422), ("nope", 401)):
                response = httpx.post(base + "/api/ingest", json={}, headers={"Authorization": f"Bearer {given}"})
                assert response.status_code == status
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=20)
    assert stderr.count("ingest token") == 1 and stderr.count(token) == 1
    assert "with 2 process(es)" in stderr


# --- the server as users start it: the console script, its default workers (issues 21 and 24) --------------------

RECOUPE_SCRIPT = Path(sys.executable).with_name("recoupe")


def recoupe_command() -> list[str]:
    """The installed `recoupe` script when there is one: uvicorn's workers then re-import it, as in real use."""
    if RECOUPE_SCRIPT.exists():
        return [str(RECOUPE_SCRIPT)]
    return [sys.executable, "-c", "from recoupe.cli import app; app()"]


def start_server(db: Path, port: int, log: Path, *options: str) -> subprocess.Popen[str]:
    """`recoupe serve` on the port, its stderr into `log`, once it answers a page."""
    command = [*recoupe_command(), "--db", str(db), "serve", "--port", str(port), *options]
    with log.open("w", encoding="utf-8") as stderr:
        server = subprocess.Popen(command, stderr=stderr, text=True, cwd=ROOT)
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/stories", timeout=5).raise_for_status()
            return server
        except httpx.HTTPError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"the server did not start: {log.read_text(encoding='utf-8')}")
            time.sleep(0.3)


def invented_article(number: int) -> dict[str, str]:
    """An article of our own, different for each number."""
    return {
        "title": f"Le conseil de Brocéliande vote le budget numéro {number}",
        "outlet": "La Gazette du Val",
        "published": "2031-05-04",
        "text": (
            f"Le conseil municipal de Brocéliande a voté mardi un budget de {number} millions d'euros. "
            f"« Ce budget {number} protège les écoles », a déclaré Ysaline Morvan, maire de la commune. "
            "L'opposition a dénoncé « un budget sans ambition »."
        ),
    }


def test_serve_with_its_default_workers_answers_every_request_while_ingesting(tmp_path: Path) -> None:
    db, port, log = tmp_path / "news.db", free_port(), tmp_path / "serve.log"
    with Store(db) as store:
        fill(store, SAMPLES)
    server = start_server(db, port, log)  # no --workers: one process per core
    base = f"http://127.0.0.1:{port}"
    token = auth.token_path(db).read_text(encoding="ascii").strip()
    replies: list[int | str] = []
    done = threading.Event()

    def read_pages() -> None:
        paths = ["/", "/api/stories", "/api/entities", "/search?q=tramway", "/api/search?q=budget"]
        while not done.is_set():
            for path in paths:
                try:
                    replies.append(httpx.get(base + path, timeout=30).status_code)
                except httpx.HTTPError as err:
                    replies.append(f"{path}: {type(err).__name__}: {err}")

    reader = threading.Thread(target=read_pages)
    reader.start()
    try:
        for number in range(1, 4):
            body = {"articles": [invented_article(number)]}
            # A new connection each time, so that either worker may take it.
            response = httpx.post(
                base + "/api/ingest", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=300
            )
            assert response.status_code == 200, response.text
            assert len(response.json()["stored"]) == 1
        assert httpx.get(base + "/api/stories", headers={"Host": "evil.example"}).status_code == 400
    finally:
        done.set()
        reader.join()
        server.terminate()
        server.wait(timeout=30)
    stderr = log.read_text(encoding="utf-8")
    assert len(replies) > 10 and all(reply == 200 for reply in replies), [r for r in replies if r != 200][:5]
    assert "died" not in stderr, stderr
    with Store(db) as store:
        assert store.count_articles() == len(SAMPLES) + 3


def test_sigterm_stops_serve_within_seconds_in_the_middle_of_an_ingest(tmp_path: Path) -> None:
    db, port, log = tmp_path / "news.db", free_port(), tmp_path / "serve.log"
    server = start_server(db, port, log)
    token = auth.token_path(db).read_text(encoding="ascii").strip()
    body = {"articles": [invented_article(number) for number in range(400)]}  # a minute or more of work
    outcome: list[object] = []

    def ingest() -> None:
        try:
            outcome.append(
                httpx.post(
                    f"http://127.0.0.1:{port}/api/ingest",
                    json=body,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=300,
                ).status_code
            )
        except httpx.HTTPError as err:
            outcome.append(err)

    client = threading.Thread(target=ingest)
    client.start()
    time.sleep(8)  # the ingest process has started and is loading models or reading articles
    assert not outcome, "the ingest ended too soon to test a stop in its middle"
    started = time.monotonic()
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        pytest.fail("serve did not stop within 20 s of SIGTERM")
    took = time.monotonic() - started
    client.join(timeout=30)
    assert took < 15, took
    with Store(db) as store:  # the interrupted batch rolled back, the store whole
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_worker_that_dies_is_logged_with_its_reason_and_replaced(tmp_path: Path) -> None:
    db, port, log = tmp_path / "news.db", free_port(), tmp_path / "serve.log"
    server = start_server(db, port, log, "--workers", "2")
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
        if not children.exists():
            pytest.skip("no /proc children list to find the worker processes")
        workers = [int(pid) for pid in children.read_text().split()]
        victim = workers[-1]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while f"server process {victim} died: killed by SIGKILL" not in log.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/api/stories", timeout=10).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_an_app_over_a_store_file_ingests_in_a_child_process_that_close_stops(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    state = AppState(Config(db=db), db, "t")
    try:
        report = state.ingest([InputError("lettre.txt", "not readable")])
        assert [e.origin for e in report.failed] == ["lettre.txt"] and not report.stored
        ingester = state._ingester
        assert ingester is not None and ingester._process is not None
        child = ingester._process
        assert child.is_alive() and child.pid != os.getpid()
    finally:
        state.close()
    assert not child.is_alive()
