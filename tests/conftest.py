"""Shared fixtures: paths to ../shared, one set of models (lingua, spaCy) per test session, in-memory stores."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from recoupe.cli import app
from recoupe.cli.app import State
from recoupe.config import Config
from recoupe.models import Models
from recoupe.read.nlp import Reader
from recoupe.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: tests need ../shared beside the checkout")
    return SHARED


@pytest.fixture(scope="session")
def seeds_dir(shared_dir: Path) -> Path:
    return shared_dir / "seeds"


@pytest.fixture(scope="session")
def gold(shared_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((shared_dir / "gold" / "seeds.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def config() -> Config:
    return Config(db=Path(":memory:"))


@pytest.fixture(scope="session")
def models(config: Config) -> Models:
    """The models of the whole test session: every test that builds a Pipeline hands it these."""
    return Models(config)


CommandLine = Callable[..., Result]


@pytest.fixture
def cli(models: Models) -> CommandLine:
    """Run the command line as a caller holding the session's models would: `cli("--db", db, "ingest", path)`."""

    def invoke(*args: str, catch_exceptions: bool = False) -> Result:
        state = State(models=models)
        return CliRunner().invoke(app, list(args), obj=state, catch_exceptions=catch_exceptions)

    return invoke


@pytest.fixture(scope="session")
def reader(models: Models) -> Reader:
    """The French spaCy reader of the session's models."""
    french = models.reader("fr")
    assert french is not None
    return french


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store(":memory:")
    yield s
    s.close()
