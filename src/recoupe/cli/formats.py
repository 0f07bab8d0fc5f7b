"""The `--format` option of a command, from the registry of its output's formats."""

from __future__ import annotations

from typing import Any

import typer

from recoupe.formats import Registry, UnknownFormat


def format_option(registry: Registry[Any]) -> Any:
    """A `--format/-f` option whose choices, help and error for an unknown name come from the registry."""

    def check(name: str) -> str:
        try:
            registry[name]
        except UnknownFormat as err:
            raise typer.BadParameter(str(err)) from err
        return name

    return typer.Option("--format", "-f", help=registry.help(), metavar="|".join(registry.names()), callback=check)
