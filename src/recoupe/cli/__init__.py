"""The command-line interface: a thin layer that parses arguments and calls the library."""

from __future__ import annotations

from recoupe.cli import (
    commands,  # noqa: F401  (registers the commands)
    serve,  # noqa: F401
)
from recoupe.cli.app import app

__all__ = ["app"]
