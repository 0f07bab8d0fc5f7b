"""`recoupe batch` (the analysis on Spark, Parquet out) and `recoupe import` (a batch's tables into a store)."""

from __future__ import annotations

from typing import Annotated

import typer

from recoupe.cli.app import app, get_config, open_store

MasterOption = Annotated[
    str,
    typer.Option(
        "--master",
        help="Spark master: local[*], local[4], spark://host:7077, yarn, k8s://https://host:443. "
        "Under spark-submit, its --master wins.",
        envvar="RECOUPE_SPARK_MASTER",
    ),
]


@app.command()
def batch(
    ctx: typer.Context,
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders or globs (.txt, .html, .json, .jsonl, .warc, .warc.gz), local or any Hadoop path "
            "(hdfs://, s3a://).",
            show_default=False,
        ),
    ],
    out: Annotated[str, typer.Option("--out", help="Folder (or Hadoop URI) the Parquet tables are written under.")],
    master: MasterOption = "local[*]",
) -> None:
    """Analyse the inputs on Spark and write the tables articles, quotes, entities, mentions, stories, events, errors.

    Example: recoupe batch crawl/*.warc.gz --out batch/ --master local[4]; then recoupe --db news.db import batch/

    Exit code 1 when some inputs were refused (each is a row of the errors table, and named on stderr).
    """
    from recoupe.spark.job import run_batch, session  # Spark is imported only by the commands that use it

    spark = session(master)
    spark.sparkContext.setLogLevel("ERROR")
    try:
        report = run_batch(spark, inputs, out, get_config(ctx))
        if report.errors:
            errors = spark.read.parquet(f"{out.rstrip('/')}/errors").orderBy("order").toLocalIterator()
            for row in errors:
                where = f"{row['origin']}:{row['line']}" if row["line"] is not None else row["origin"]
                typer.echo(f"error: {where}: {row['message']}", err=True)
    finally:
        spark.stop()
    typer.echo(
        f"wrote {report.articles} articles, {report.stories} stories, {report.events} events to {out}; "
        f"skipped {report.skipped} repeated inputs, {report.errors} inputs failed",
        err=True,
    )
    if report.errors:
        raise typer.Exit(1)


@app.command(name="import")
def import_(
    ctx: typer.Context,
    folder: Annotated[str, typer.Argument(help="The --out folder of a `recoupe batch` run.", show_default=False)],
    master: MasterOption = "local[*]",
) -> None:
    """Load a batch's tables into the store: serve, brief, export and search then work on it, and ingest goes on.

    Example: recoupe --db news.db import batch/
    """
    from recoupe.spark.job import session
    from recoupe.spark.loading import import_batch

    spark = session(master)
    spark.sparkContext.setLogLevel("ERROR")
    try:
        with open_store(ctx) as store, store.writer_lock():
            report = import_batch(spark, folder, store, get_config(ctx))
    finally:
        spark.stop()
    typer.echo(
        f"imported {report.articles} articles, {report.entities} entities, {report.stories} stories, "
        f"{report.events} events; skipped {report.skipped} already stored",
        err=True,
    )
