"""`recoupe serve`: the web UI and the JSON API over the store, with uvicorn."""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer

from recoupe.cli.app import app, get_config, open_store
from recoupe.server import auth


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on; reads are open only to loopback clients.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Server processes sharing the port (default: one per CPU core).")
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="Another name clients reach the server by (repeatable); requests naming any other host get 400.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the web pages and the JSON API (OpenAPI at /api/openapi.json, a page of it at /docs).

    Example: recoupe --db news.db serve --port 8000   (then open http://127.0.0.1:8000/)

    Ingest over HTTP needs the token kept in <db>.token, printed once when it is created.

    Only the hosts served are answered (against DNS rebinding): --host, the loopback names, each --allowed-host.

    Several processes (--workers) share the port; their ingests take turns through the file <db>.ingest-lock.
    """
    # Imported here: only this command needs the server, and other commands start faster without it.
    from recoupe.server.app import HOSTS_VARIABLE, create_app, worker_environment
    from recoupe.server.guards import WILDCARD_ADDRESSES, served_hosts
    from recoupe.server.supervisor import serve_many, serve_one

    config = get_config(ctx)
    open_store(ctx).close()  # fails early, with a message naming the store, when it cannot be opened
    token, created = auth.ensure_token(config.db)
    if created:
        typer.echo(f"ingest token (shown once, kept in {auth.token_path(config.db)}): {token}", err=True)
    if not auth.is_loopback(host):
        typer.echo(f"warning: listening on {host}; clients other than this machine need the token", err=True)
    hosts = served_hosts(host, allowed_host or [])
    if host.strip() in WILDCARD_ADDRESSES and not allowed_host:
        typer.echo("warning: only the loopback names are served; name the others with --allowed-host", err=True)
    workers = workers or cpu_cores()
    typer.echo(f"serving {config.db} on http://{host}:{port}/ with {workers} process(es)", err=True)
    if workers == 1:
        serve_one(create_app(config, config.db, token, allowed_hosts=hosts), host, port)
        return
    # uvicorn starts each worker process afresh, so it gets the app as a factory to import, which reads the
    # configuration from the environment and the token from the file written above.
    os.environ.update(worker_environment(config))
    os.environ[HOSTS_VARIABLE] = json.dumps(sorted(hosts))
    serve_many("recoupe.server.app:worker_app", host, port, workers)


def cpu_cores() -> int:
    """The CPU cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
