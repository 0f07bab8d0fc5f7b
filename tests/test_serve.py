"""`recoupe serve` with several worker processes: the token made once, every worker configured alike and taking it,
ingests one at a time across processes."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from recoupe.config import Config
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
