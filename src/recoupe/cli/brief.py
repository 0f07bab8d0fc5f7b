"""`recoupe brief`: the consolidated, source-attributed account of one story."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from recoupe.brief import render as brief_render
from recoupe.brief.build import BriefError, build_brief
from recoupe.cli.app import app, get_config, open_store
from recoupe.cli.formats import format_option


@app.command()
def brief(
    ctx: typer.Context,
    story: Annotated[str, typer.Argument(help="A story id from `recoupe stories`.")],
    fmt: Annotated[str, format_option(brief_render.FORMATS)] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
) -> None:
    """Write the brief of one story: timeline, who said what, key figures, differences, coverage, sources.

    Example: recoupe --db news.db brief sto_0123456789abcdef --format html -o brief.html
    """
    render = brief_render.FORMATS[fmt].render
    with open_store(ctx) as store:
        try:
            built = build_brief(store, story, get_config(ctx))
        except BriefError as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(2) from err
    text = render(built)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
