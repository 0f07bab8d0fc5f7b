"""`recoupe watch`: poll feeds and ingest their new items until stopped."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recoupe.cli.app import app, get_config, get_models, open_store


@app.command()
def watch(
    ctx: typer.Context,
    feeds_file: Annotated[Path, typer.Argument(help="A file of feed URLs, one a line (# starts a comment).")],
    every: Annotated[str, typer.Option(help="Time between two polls: 30s, 10m, 1h...")] = "10m",
    cycles: Annotated[
        int | None, typer.Option(help="Stop after this many cycles (default: run until stopped).")
    ] = None,
    allow_private: Annotated[
        bool, typer.Option(help="Allow fetching loopback, private, link-local and multicast addresses.")
    ] = False,
    workers: Annotated[int | None, typer.Option(help="Processes that clean and parse in parallel.")] = None,
) -> None:
    """Poll RSS/Atom feeds and ingest new items; each new article joins its story. Ctrl-C or SIGTERM stops it.

    Example: recoupe --db news.db watch feeds.txt --every 10m

    Exit code 1 when no cycle succeeded (no feed could be read, or the file lists none).
    """
    from recoupe.ingest.watch import Watcher, parse_every  # the pipeline and its models: for this command only

    try:
        seconds = parse_every(every)
    except ValueError as err:
        typer.echo(f"error: --every: {err}", err=True)
        raise typer.Exit(2) from err
    if not feeds_file.is_file():
        typer.echo(f"error: {feeds_file}: no such file of feed URLs", err=True)
        raise typer.Exit(2)
    if cycles is not None and cycles < 1:
        typer.echo("error: --cycles must be at least 1", err=True)
        raise typer.Exit(2)
    config = get_config(ctx).with_overrides(n_process=workers, allow_private=allow_private or None)
    with open_store(ctx) as store:
        watcher = Watcher(
            config,
            store,
            feeds_file,
            seconds,
            log=lambda line: typer.echo(line, err=True),
            models=get_models(ctx, config),
        )
        succeeded = watcher.run(cycles=cycles)
    if not succeeded:
        typer.echo(f"error: none of the {watcher.cycles} cycles succeeded", err=True)
        raise typer.Exit(1)
