"""The typer application and the options every command shares."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from recoupe.config import Config, ConfigError
from recoupe.store import Store, StoreError

if TYPE_CHECKING:  # the models are imported by the commands that read text only: they load spaCy
    from recoupe.models import Models


class _Commands(TyperGroup):
    """The commands, with a broken configuration reported as an error naming its file wherever it is read:
    the rule files of a language are read when a command first needs them, not when the options are."""

    def invoke(self, ctx: Any) -> Any:  # typer's own (vendored) click Context
        try:
            return super().invoke(ctx)
        except ConfigError as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(2) from err


app = typer.Typer(
    cls=_Commands,
    help="recoupe: cross-check the news. Ingest articles, then read stories, quotes and briefs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class State:
    """What the top-level options set for the command that runs."""

    def __init__(self, models: Models | None = None) -> None:
        self.config = Config()
        # Built by the first command that ingests (get_models); a caller may hand in models already loaded.
        self.models = models


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="SQLite store to use (default: recoupe.db in the user's data directory).", envvar="RECOUPE_DB"
    ),
]


def get_config(ctx: typer.Context) -> Config:
    """The configuration the top-level options built."""
    config: Config = ctx.ensure_object(State).config
    return config


def get_models(ctx: typer.Context, config: Config) -> Models:
    """The models for a command that ingests with `config`: built here, once, unless loaded ones were handed in.
    Commands that only read the store never ask for them."""
    from recoupe.models import Models

    state = ctx.ensure_object(State)
    if state.models is None or not state.models.serve(config):
        state.models = Models(config)
    return state.models


def open_store(ctx: typer.Context) -> Store:
    """Open the configured store, or exit with a message naming it."""
    config = get_config(ctx)
    try:
        return Store(config.db)
    except StoreError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from err


@app.callback()
def main(
    ctx: typer.Context,
    db: DbOption = None,
    config_file: Annotated[
        Path | None, typer.Option("--config", help="TOML file with a \\[recoupe] table of settings.")
    ] = None,
) -> None:
    """recoupe: cross-check the news.

    Example: recoupe --db news.db ingest articles/ && recoupe --db news.db stories
    """
    state = ctx.ensure_object(State)
    try:
        state.config = Config.load(config_file, db=db)
    except ConfigError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from err
