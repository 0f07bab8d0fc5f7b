"""The commands that ingest or read text, and export: ingest, demo, run, export, eval, extract."""

from __future__ import annotations

import json
import sys
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from recoupe import export
from recoupe.cli.app import app, get_config, get_models, open_store
from recoupe.cli.formats import format_option
from recoupe.cli.reading import print_stories
from recoupe.config import Config
from recoupe.errors import InputError
from recoupe.ingest.urls import read_url_file
from recoupe.store import Store

# The pipeline, its models and the readers of inputs load spaCy, lingua and trafilatura: each command that reads
# text imports them when it runs, so that the commands that only read the store start at once.
if TYPE_CHECKING:
    from recoupe.models import Models
    from recoupe.pipeline import RunReport


def run_ingest(
    config: Config,
    store: Store,
    targets: list[str],
    quiet: bool = False,
    refresh: bool = False,
    models: Models | None = None,
    progress: bool | None = None,
) -> RunReport:
    """Ingest the targets (paths and URLs) into the store; print a note on the files of a folder that hold no
    articles, a progress bar (on a terminal, or when `progress`; never when `quiet`), the failed inputs and a
    summary. `models`: loaded models to use (else they are built here, for this run)."""
    from recoupe.cli.progress import Progress, Targets, echo_note, shown
    from recoupe.ingest import open_inputs
    from recoupe.ingest.fetch import Fetcher
    from recoupe.ingest.session import IngestSession
    from recoupe.ingest.web import WebSource
    from recoupe.models import Models

    listed = Targets.listed(targets)
    echo_note(listed)
    files_and_urls = [str(p) for p in listed.paths] + listed.urls
    with (
        Fetcher(config) as fetcher,
        Progress(listed.expected(config), shown(quiet, progress)) as bar,
    ):
        web = WebSource(config, store, fetcher, refresh=refresh)
        session = IngestSession(config, store, models or Models(config), build=bar.build)
        inputs = bar.counted(chain(listed.unreadable, open_inputs(files_and_urls, config, web)))
        report = session.run(inputs, on_progress=bar.take, commit=web.commit)
        summary = bar.finish(report)
    for error in report.failed:
        typer.echo(f"error: {error}", err=True)
    typer.echo(summary, err=True)
    return report


@app.command()
def ingest(
    ctx: typer.Context,
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files or folders (.txt, .html, .json, .jsonl, .warc, .warc.gz) and URLs of pages, "
            "RSS/Atom feeds or sitemaps.",
            show_default=False,
        ),
    ] = None,
    urls: Annotated[
        Path | None, typer.Option("--urls", help="A file of URLs, one a line (# starts a comment).")
    ] = None,
    refresh: Annotated[bool, typer.Option(help="Fetch again URLs whose page is already stored.")] = False,
    allow_private: Annotated[
        bool, typer.Option(help="Allow fetching loopback, private, link-local and multicast addresses.")
    ] = False,
    workers: Annotated[
        int | None, typer.Option(help="Processes that clean and parse in parallel (default 1; use the core count).")
    ] = None,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress",
            help="Draw the progress bar on stderr (default: when stderr is a terminal).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Ingest articles into the store; already stored inputs are skipped.

    Examples: recoupe --db news.db ingest articles/ extra.jsonl crawl.warc.gz;
    recoupe --db news.db ingest https://example.org/rss.xml --urls more-urls.txt

    The files of a folder that hold no articles by their name (README.md, images, scripts) are passed over with a
    note; a file named on the command line is read whatever its name.

    Exit code 1 when some inputs failed (each is named on stderr); the others are stored.
    """
    config = get_config(ctx).with_overrides(n_process=workers, allow_private=allow_private or None)
    all_targets = list(targets or [])
    failed: list[InputError] = []
    if urls is not None:
        for item in read_url_file(urls):
            if isinstance(item, InputError):
                failed.append(item)
            else:
                all_targets.append(item)
    if not all_targets and not failed:
        typer.echo("error: nothing to ingest: give files, folders or URLs, or --urls FILE", err=True)
        raise typer.Exit(2)
    for error in failed:
        typer.echo(f"error: {error}", err=True)
    with open_store(ctx) as store:
        report = run_ingest(
            config, store, all_targets, refresh=refresh, models=get_models(ctx, config), progress=progress
        )
    if failed or not report.ok:
        raise typer.Exit(1)


@app.command()
def demo(ctx: typer.Context) -> None:
    """Ingest the built-in example corpus and print its stories with their events.

    Example: recoupe --db /tmp/demo.db demo
    """
    with open_store(ctx) as store:
        config = get_config(ctx)
        report = run_ingest(config, store, _example_targets(), models=get_models(ctx, config))
        print_stories(store)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def run(
    ctx: typer.Context,
    paths: Annotated[list[str] | None, typer.Argument(help="Files or folders; none: the built-in example.")] = None,
) -> None:
    """Ingest the given paths (or the built-in example) and print the stories with their events.

    Example: recoupe run ../shared/seeds
    """
    targets = paths or _example_targets()
    with open_store(ctx) as store:
        config = get_config(ctx)
        report = run_ingest(config, store, targets, models=get_models(ctx, config))
        print_stories(store)
    if not report.ok:
        raise typer.Exit(1)


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    fmt: Annotated[str, format_option(export.FORMATS)] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout); for parquet, a folder.")
    ] = None,
    table: Annotated[
        str | None,
        typer.Option(
            help=f"One table rather than all, for {', '.join(f.name for f in export.FORMATS if f.takes_table)}: "
            f"{' | '.join(export.TABLES)}."
        ),
    ] = None,
) -> None:
    """Export the whole store: json follows the analysis contract (version 2: version 1 with facts added).

    Examples: recoupe --db news.db export --format json -o analysis.json;
    recoupe --db news.db export --format parquet -o tables/
    """
    chosen = export.FORMATS[fmt]
    try:
        with open_store(ctx) as store:
            chosen.write(store, output or sys.stdout, chosen.check(table))
    except export.ExportError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from err


@app.command("eval")
def eval_cmd(
    ctx: typer.Context,
    gold: Annotated[Path, typer.Option(help="Gold annotations in the format of shared/gold/seeds.json.")],
    docs: Annotated[
        Path | None, typer.Option(help="Folder of the annotated articles (default: ../seeds beside the gold file).")
    ] = None,
) -> None:
    """Ingest the annotated articles into a fresh in-memory store and print quality figures against the gold.

    Example: recoupe eval --gold ../shared/gold/seeds.json
    """
    from recoupe import evaluate

    folder = docs or gold.resolve().parent.parent / "seeds"
    try:
        gold_data = json.loads(gold.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        typer.echo(f"error: {gold}: {err}", err=True)
        raise typer.Exit(2) from err
    if not folder.is_dir():
        typer.echo(f"error: {folder}: no such folder of annotated articles (use --docs)", err=True)
        raise typer.Exit(2)
    config = get_config(ctx)
    with Store(":memory:") as store:
        run_ingest(config, store, [str(folder)], quiet=True, models=get_models(ctx, config))
        figures = evaluate.evaluate(store, gold_data)
    typer.echo(evaluate.format_figures(figures))


@app.command()
def extract(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="One .html, .txt, .json or .jsonl file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole cleaned record as JSON.")] = False,
) -> None:
    """Print the cleaned text of one article (like trafilatura's CLI).

    Example: recoupe extract page.html --json
    """
    from recoupe import pipeline
    from recoupe.ingest import files

    config = get_config(ctx)
    models = get_models(ctx, config)
    failed = False
    for item in files.read_path(path, config) if path.is_file() else [InputError(str(path), "no such file")]:
        try:
            if isinstance(item, InputError):
                raise item
            article = pipeline.clean(models, item)
        except InputError as err:
            typer.echo(f"error: {err}", err=True)
            failed = True
            continue
        if as_json:
            typer.echo(json.dumps(export.article_record(article), ensure_ascii=False, indent=2))
        else:
            typer.echo(article.text)
    if failed:
        raise typer.Exit(1)


def _example_targets() -> list[str]:
    from recoupe import example  # the example ships inside the package; only these commands need it

    return [str(p) for p in example.paths()]
