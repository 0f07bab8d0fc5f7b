"""Shared fixtures: paths to ../shared, one spaCy reader per test session, in-memory stores."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from recoupe.config import Config
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
def reader(config: Config) -> Reader:
    """One loaded spaCy model for the whole test session."""
    return Reader(config)


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store(":memory:")
    yield s
    s.close()
