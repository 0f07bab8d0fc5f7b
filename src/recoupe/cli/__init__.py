"""The command-line interface: a thin layer that parses arguments and calls the library."""

from __future__ import annotations

from recoupe.cli import (  # noqa: F401  (importing a command module registers its commands)
    batch,
    brief,
    commands,
    reading,
    serve,
    watch,
)
from recoupe.cli.app import app

__all__ = ["app"]
