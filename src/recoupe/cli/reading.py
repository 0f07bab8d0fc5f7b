"""The commands that read the store: stories, show, quotes. None of them loads a model."""

from __future__ import annotations

import shutil
import sys
import textwrap
import unicodedata
from datetime import date
from difflib import SequenceMatcher
from typing import Annotated, Any

import typer

from recoupe.cli.app import app, get_config, open_store
from recoupe.formats import plural
from recoupe.records import Entity
from recoupe.store import Store, queries

QUOTE_KINDS = ("direct", "indirect", "mixed")
# The kinds whose words stood between quotation marks in the article: a mixed quote is the quoted part of
# reported speech. Indirect speech is the reporter's wording and is never printed inside marks.
MARKED_KINDS = ("direct", "mixed")
# How alike a name must be to the one asked for to be suggested (difflib's ratio; get_close_matches takes 0.6,
# a little more keeps a short surname from suggesting every name of its length), and how far below the nearest
# name another may be and still be suggested ('Gernier': 'Garnier' at 0.86, not 'Verdier' at 0.71).
SUGGESTION_CUTOFF = 0.7
SUGGESTION_SPREAD = 0.1
SUGGESTIONS = 5
INDENT = "    "


def _iso_day(value: str | None) -> str | None:
    """A --from/--to value checked as an ISO date (2025-03-04)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError as err:
        raise typer.BadParameter(f"'{value}' is not a date as YYYY-MM-DD") from err


def _quote_kind(value: str | None) -> str | None:
    if value is not None and value not in QUOTE_KINDS:
        raise typer.BadParameter(f"'{value}' is none of {', '.join(QUOTE_KINDS)}")
    return value


def _story_order(value: str) -> str:
    if value not in queries.STORY_ORDERS:
        raise typer.BadParameter(f"'{value}' is none of {', '.join(queries.STORY_ORDERS)}")
    return value


DateFrom = Annotated[
    str | None,
    typer.Option("--from", help="Only articles published on or after this day (YYYY-MM-DD).", callback=_iso_day),
]
DateTo = Annotated[
    str | None,
    typer.Option("--to", help="Only articles published on or before this day (YYYY-MM-DD).", callback=_iso_day),
]
OutletOption = Annotated[str | None, typer.Option(help="Only articles of this outlet, as `recoupe export` names it.")]
LanguageOption = Annotated[str | None, typer.Option(help="Only articles in this language (fr, en...).")]
LimitOption = Annotated[int, typer.Option(min=1, help="How many to print.")]
OffsetOption = Annotated[int, typer.Option(min=0, help="How many to pass over first (the next page).")]


@app.command()
def stories(
    ctx: typer.Context,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    outlet: OutletOption = None,
    language: LanguageOption = None,
    min_articles: Annotated[int, typer.Option(min=1, help="Only stories with at least this many articles.")] = 1,
    sort: Annotated[
        str,
        typer.Option(
            help=f"{' | '.join(queries.STORY_ORDERS)}: latest events first, most articles first, most outlets first.",
            callback=_story_order,
        ),
    ] = "latest",
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
) -> None:
    """List the stories with their dated events as a timeline; a story is listed when one of its articles passes
    the filters.

    Examples: recoupe --db news.db stories --sort largest --limit 10;
    recoupe --db news.db stories --from 2025-03-01 --to 2025-03-31 --outlet "Le Courrier" --min-articles 3
    """
    with open_store(ctx) as store:
        print_stories(
            store,
            date_from=date_from,
            date_to=date_to,
            outlet=outlet,
            language=language,
            min_articles=min_articles,
            order=sort,
            limit=limit,
            offset=offset,
        )


def print_stories(store: Store, limit: int | None = None, offset: int = 0, **filters: Any) -> None:
    """One page of the stories that pass the filters of queries.filtered_story_summaries, each with its dated
    events as a timeline; a line on stderr says how many there are when the page does not hold them all."""
    page = limit if limit is not None else max(1, store.count_stories())
    total, summaries = queries.filtered_story_summaries(store, limit=page, offset=offset, **filters)
    if not total:
        typer.echo("no stories yet: ingest some articles first" if not store.count_stories() else "no story matches")
        return
    timelines = store.timelines([s["id"] for s in summaries])
    for summary in summaries:
        outlets = f", {plural(summary['outlets'], 'outlet')}" if summary["outlets"] else ""
        typer.echo(f"{summary['id']}  {summary['title']}  ({plural(summary['articles'], 'article')}{outlets})")
        for event in timelines[summary["id"]]:
            when = event["date"] or "undated"
            typer.echo(f"{INDENT}{when:<10}  {event['title']}  ({plural(event['articles'], 'article')})")
    if offset or len(summaries) < total:
        typer.echo(page_line("stories", offset, len(summaries), total), err=True)


@app.command()
def show(ctx: typer.Context, story: Annotated[str, typer.Argument(help="A story id from `recoupe stories`.")]) -> None:
    """Show one story: its events, their articles and the quotes they carry.

    Example: recoupe --db news.db show sto_0123456789abcdef
    """
    with open_store(ctx) as store:
        found = store.story(story)
        if found is None:
            typer.echo(f"error: no story '{story}' in {store.path}", err=True)
            raise typer.Exit(2)
        names = {e.id: e.name for e in store.entities()}
        width = _width()
        counts = f"{plural(len(found.articles), 'article')}, {plural(len(found.events), 'event')}"
        typer.echo(f"{found.title}\n{counts}\n")
        for event in store.events(found.id):
            typer.echo(f"{event.date or 'undated'}  {event.title}")
            for article in store.articles(event.articles):
                copy = f"  [near-copy of {article.duplicate_of}]" if article.duplicate_of else ""
                typer.echo(f"  - {article.title or article.id}  ({article.outlet or article.source}){copy}")
                for quote in store.quotes(article=article.id):
                    speaker = names.get(quote.speaker or "", "unattributed")
                    typer.echo(quoted_words(quote.text, quote.kind, f"      {speaker}: ", width))
            typer.echo("")


@app.command()
def quotes(
    ctx: typer.Context,
    speaker: Annotated[
        str | None, typer.Option(help="Only quotes of this person, under any variant of the name.")
    ] = None,
    story: Annotated[str | None, typer.Option(help="Only quotes of this story's articles.")] = None,
    article: Annotated[str | None, typer.Option(help="Only quotes of this article.")] = None,
    outlet: OutletOption = None,
    kind: Annotated[
        str | None, typer.Option(help=f"Only quotes of this kind: {' | '.join(QUOTE_KINDS)}.", callback=_quote_kind)
    ] = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    language: LanguageOption = None,
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
) -> None:
    """List quotes whole, with speaker, kind, outlet, date and source article (article:start-end).

    Direct speech (and the quoted words of reported speech) stands between « », indirect speech without marks;
    on a terminal a quote wraps to its width, through a pipe each is one line.

    Examples: recoupe --db news.db quotes --speaker "Caradec" --kind direct;
    recoupe --db news.db quotes --story sto_0123456789abcdef --from 2025-03-01 --limit 20 --offset 20

    Exit code 1 when no person has the name given to --speaker (the nearest known names are suggested).
    """
    with open_store(ctx) as store:
        speaker_ids: list[str] | None = None
        if speaker is not None:
            speaker_ids = _speaker_ids(store, speaker, ctx)
        total, rows = queries.filtered_quotes(
            store,
            speakers=speaker_ids,
            story=story,
            article=article,
            outlet=outlet,
            kind=kind,
            language=language,
            date_from=date_from,
            date_to=date_to,
            limit=limit,
            offset=offset,
        )
    width = _width()
    for row in rows:
        source = ", ".join(str(row[k]) for k in ("outlet", "published") if row[k])
        head = f"{row['article']}:{row['start']}-{row['end']}  {row['speaker_name'] or 'unattributed'} [{row['kind']}]"
        typer.echo(f"{head}  ({source})" if source else head)
        typer.echo(quoted_words(row["text"], row["kind"], INDENT, width))
    if not total:
        typer.echo("no quote matches", err=True)
    elif offset or len(rows) < total:
        typer.echo(page_line("quotes", offset, len(rows), total), err=True)


def page_line(things: str, offset: int, shown: int, total: int) -> str:
    """What part of the list one page printed, and how to ask for the next."""
    if not shown:
        return f"no {things} past --offset {offset}: there are {total}"
    last = offset + shown
    more = f"; --offset {last} for the next" if last < total else ""
    return f"{things} {offset + 1}-{last} of {total}{more}"


def quoted_words(text: str, kind: str, lead: str, width: int | None) -> str:
    """A quote's words after `lead`: the words that stood between marks (direct and mixed quotes) between « »,
    indirect speech without marks; wrapped to `width` under the lead, or on one line when `width` is None."""
    flat = " ".join(text.split())
    words = f"« {flat} »" if kind in MARKED_KINDS else flat
    if width is None:
        return lead + words
    return textwrap.fill(
        words, width=max(width, len(lead) + 20), initial_indent=lead, subsequent_indent=" " * len(lead)
    )


def _width() -> int | None:
    """The terminal's width when standard output is one, else None (a pipe gets each quote on one line)."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _speaker_ids(store: Store, name: str, ctx: typer.Context) -> list[str]:
    """The ids of the entities named `name` under any variant, or exit 1 suggesting the nearest known names."""
    from recoupe.people import names  # the name rules: loaded only when a name is asked for

    found = [e.id for e in names.find(store, name, get_config(ctx))]
    if found:
        return found
    suggested = nearest_names(store.entities(), name)
    hint = f"; did you mean {' or '.join(repr(n) for n in suggested)}?" if suggested else ""
    typer.echo(f"no person matching '{name}'{hint}", err=True)
    raise typer.Exit(1)


def nearest_names(known: list[Entity], name: str, limit: int = SUGGESTIONS) -> list[str]:
    """The names of the known people nearest `name` (a typo, another spelling), the nearest first: each variant
    is compared whole and word run by word run of the query's length, ignoring case and accents."""
    query = _folded(name).split()
    if not query:
        return []
    wanted = " ".join(query)
    scored: dict[str, float] = {}
    for entity in known:
        if entity.type != "PER":
            continue
        best = 0.0
        for variant in [entity.name, *entity.variants]:
            words = _folded(variant).split()
            runs = [words[i : i + len(query)] for i in range(max(1, len(words) - len(query) + 1))]
            for run in [words, *runs]:
                best = max(best, SequenceMatcher(None, wanted, " ".join(run)).ratio())
        if best >= SUGGESTION_CUTOFF:
            scored[entity.name] = max(best, scored.get(entity.name, 0.0))
    if not scored:
        return []
    nearest = max(scored.values())
    close = [n for n in scored if scored[n] >= nearest - SUGGESTION_SPREAD]
    return sorted(close, key=lambda n: (-scored[n], n))[:limit]


def _folded(text: str) -> str:
    """Lower case without accents: 'Hélène' and 'HELENE' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
