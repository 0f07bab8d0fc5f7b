"""`recoupe serve`: the web UI and the JSON API over the store, with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from recoupe.cli.app import app, get_config, open_store
from recoupe.web import auth


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on; reads are open only to loopback clients.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Serve the web pages and the JSON API (OpenAPI at /api/openapi.json).

    Example: recoupe --db news.db serve --port 8000   (then open http://127.0.0.1:8000/)

    Ingest over HTTP needs the token kept in <db>.token, printed once when it is created.
    """
    import uvicorn  # only this command needs the server

    from recoupe.api import create_app

    config = get_config(ctx)
    open_store(ctx).close()  # fails early, with a message naming the store, when it cannot be opened
    token, created = auth.ensure_token(config.db)
    if created:
        typer.echo(f"ingest token (shown once, kept in {auth.token_path(config.db)}): {token}", err=True)
    if not auth.is_loopback(host):
        typer.echo(f"warning: listening on {host}; clients other than this machine need the token", err=True)
    typer.echo(f"serving {config.db} on http://{host}:{port}/", err=True)
    uvicorn.run(create_app(config, config.db, token), host=host, port=port, log_level="warning", access_log=False)
