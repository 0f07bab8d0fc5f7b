"""The rows the web pages and the JSON API read: light dicts without article bodies, paged with limit and offset;
and the one full-text search."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from recoupe.records import Article
from recoupe.store.records import Records
from recoupe.store.search import match_expression
from recoupe.store.sql import select_in

# How many of the matches stored last search ranks by relevance (the rest follow, stored last first).
RANKED_MATCHES = 1000
# Where a snippet's hits start and end: private-use characters (U+E000, U+E001), which news text does not use.
HIT_OPEN, HIT_CLOSE = "\ue000", "\ue001"


class Queries(Records):
    """Rows for pages and the API. Built on the records, which `search` returns."""

    def story_summaries(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Stories with their article and event counts and date range, the latest events first."""
        rows = self.db.execute(
            """SELECT s.id, s.title,
                   (SELECT count(*) FROM articles a WHERE a.story = s.id) AS articles,
                   (SELECT count(*) FROM events e WHERE e.story = s.id) AS events,
                   (SELECT min(date) FROM events e WHERE e.story = s.id) AS first_date,
                   (SELECT max(date) FROM events e WHERE e.story = s.id) AS last_date
               FROM stories s ORDER BY last_date IS NULL, last_date DESC, s.id LIMIT ? OFFSET ?""",
            (limit, offset),
        )
        return [dict(r) for r in rows]

    def timelines(self, stories: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """The events of each story by date, with their article count: id, date, title, articles."""
        out: dict[str, list[dict[str, Any]]] = {s: [] for s in stories}
        rows = select_in(
            self.db.execute,
            """SELECT e.id, e.story, e.date, e.title, (SELECT count(*) FROM articles a WHERE a.event = e.id) AS articles
               FROM events e WHERE e.story IN ({marks}) ORDER BY e.story, e.date IS NULL, e.date, e.id""",
            stories,
        )
        for r in rows:
            out[r["story"]].append(dict(r))
        return out

    def count_stories(self) -> int:
        """How many stories there are."""
        return int(self.db.execute("SELECT count(*) FROM stories").fetchone()[0])

    def data_stamp(self) -> int:
        """A number that changes whenever articles are added (every ingest adds some): a cache key."""
        return int(self.db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0])

    def article_headers(self, story: str | None = None, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Id, title, outlet, dates and placement of a story's articles in ingest order, or of the given ids."""
        columns = "id, source, title, outlet, published, published_inferred, duplicate_of, story, event"
        if story is not None:
            rows = self.db.execute(f"SELECT {columns} FROM articles WHERE story = ? ORDER BY seq", (story,))
            return [dict(r) for r in rows]
        sql = f"SELECT {columns} FROM articles WHERE id IN ({{marks}})"
        return [dict(r) for r in select_in(self.db.execute, sql, ids or [])]

    def story_quotes(self, story: str, limit: int = 200) -> list[dict[str, Any]]:
        """Quotes of a story's articles with their speaker's name and the article's outlet and date."""
        rows = self.db.execute(
            """SELECT q.*, e.name AS speaker_name, a.outlet, a.published, a.title AS article_title
               FROM articles a JOIN quotes q ON q.article = a.id LEFT JOIN entities e ON e.id = q.speaker
               WHERE a.story = ? ORDER BY a.published IS NULL, a.published, a.seq, q.start LIMIT ?""",
            (story, limit),
        )
        return [dict(r) for r in rows]

    def speaker_statements(self, entity: str, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Quotes by one speaker across outlets and time, oldest first, with the article's outlet and date."""
        rows = self.db.execute(
            """SELECT q.*, a.outlet, a.published, a.title AS article_title, a.story
               FROM quotes q JOIN articles a ON a.id = q.article
               WHERE q.speaker = ? ORDER BY a.published IS NULL, a.published, a.seq, q.start LIMIT ? OFFSET ?""",
            (entity, limit, offset),
        )
        return [dict(r) for r in rows]

    def count_statements(self, entity: str) -> int:
        """How many quotes one speaker has."""
        return int(self.db.execute("SELECT count(*) FROM quotes WHERE speaker = ?", (entity,)).fetchone()[0])

    def top_speakers(self, limit: int = 200) -> list[dict[str, Any]]:
        """Speakers with the most quotes: id, name and count."""
        rows = self.db.execute(
            """SELECT e.id, e.name, c.quotes FROM
                   (SELECT speaker, count(*) AS quotes FROM quotes WHERE speaker IS NOT NULL GROUP BY speaker
                    ORDER BY quotes DESC LIMIT ?) c
               JOIN entities e ON e.id = c.speaker ORDER BY c.quotes DESC, e.name""",
            (limit,),
        )
        return [dict(r) for r in rows]

    def outlets(self) -> list[str]:
        """Every outlet name seen, sorted."""
        rows = self.db.execute("SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL ORDER BY outlet")
        return [r[0] for r in rows]

    # --- search ---------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[tuple[Article, str]]:
        """Full-text search over titles and bodies: articles with a snippet whose hits stand between [ and ], in
        the order of search_articles (the best of the matches stored last first)."""
        if not query.strip():
            return []  # search_articles would list the newest articles
        hits = self.search_articles(query, limit=limit)
        articles = {article.id: article for article in self.articles([hit["id"] for hit in hits])}
        brackets = str.maketrans({HIT_OPEN: "[", HIT_CLOSE: "]"})
        return [(articles[hit["id"]], str(hit["snippet"]).translate(brackets)) for hit in hits]

    def search_articles(
        self,
        query: str = "",
        speaker: str | None = None,
        outlet: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        limit: int = 20,
        offset: int = 0,
        ranked: int | None = None,
    ) -> list[dict[str, Any]]:
        """Article headers matching the words and the filters, with a snippet whose hits sit between U+E000 and
        U+E001: among the `ranked` (default RANKED_MATCHES) articles stored last that match the words, the best
        first, then older matches, stored last first. Without words, the filtered articles newest first. Dates
        compare as ISO strings, `date_to` inclusive of the day."""
        where: list[str] = []
        args: list[Any] = []
        if speaker is not None:
            if query.strip():
                # Tested on each match's rowid from a list of the speaker's articles built once through the
                # quotes_speaker index, rather than by reading every match's article row; `+ 0` keeps SQLite
                # from handing the list to FTS5, which would run the whole MATCH once per article in it.
                where.append(
                    "articles_fts.rowid + 0 IN "
                    "(SELECT s.seq FROM quotes q JOIN articles s ON s.id = q.article WHERE q.speaker = ?)"
                )
            else:
                # IN (subquery) lets SQLite start from the speaker's quotes instead of testing every article.
                where.append("a.id IN (SELECT q.article FROM quotes q WHERE q.speaker = ?)")
            args.append(speaker)
        more, values = given([("a.outlet = ?", outlet), *published_between(date_from, date_to)])
        where += more
        args += values
        columns = "a.id, a.title, a.outlet, a.published, a.story, a.event, a.duplicate_of"
        filters = " AND ".join(where)
        if query.strip():
            match = match_expression(self.db, query)
            return self._ranked_matches(match, columns, filters, args, limit, offset, ranked or RANKED_MATCHES)
        # Newest first, undated last (NULL sorts lowest); the (outlet, published) index serves the order.
        sql = f"""SELECT {columns}, NULL AS snippet FROM articles a {"WHERE " + filters if where else ""}
                  ORDER BY a.published DESC LIMIT ? OFFSET ?"""
        return [dict(r) for r in self.db.execute(sql, [*args, limit, offset])]

    def _ranked_matches(
        self, match: str, columns: str, filters: str, args: list[Any], limit: int, offset: int, ranked: int
    ) -> list[dict[str, Any]]:
        """search_articles with words: the `ranked` matches stored last, best first (bm25), then older matches."""
        # FTS5 scores every match it ranks (~1.5 µs each, 10-30 ms for a common word's 9,000 matches in 100,000
        # articles) and reads each one's article row to test the filters; ranking only the matches stored last
        # bounds both, while a rarer word or several words, with fewer matches, are ranked whole.
        last = self.db.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (match, ranked - 1),
        ).fetchone()
        floor = int(last[0]) if last else 0  # fewer matches than `ranked`: every one is ranked
        source = f"""FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid WHERE articles_fts MATCH ?
                     {"AND " + filters if filters else ""}"""
        snippet = f"snippet(articles_fts, 1, char({ord(HIT_OPEN)}), char({ord(HIT_CLOSE)}), '…', 16)"
        select = f"SELECT {columns}, {snippet} AS snippet {source}"
        hits = [
            dict(r)
            for r in self.db.execute(
                f"{select} AND articles_fts.rowid >= ? ORDER BY rank LIMIT ? OFFSET ?",
                [match, *args, floor, limit, offset],
            )
        ]
        if not floor or len(hits) == limit:
            return hits
        if hits or not offset:
            first_older = offset + len(hits)
        else:  # the page starts past the ranked matches: how many were there?
            count = f"SELECT count(*) {source} AND articles_fts.rowid >= ?"
            first_older = int(self.db.execute(count, [match, *args, floor]).fetchone()[0])
        older = self.db.execute(
            f"{select} AND articles_fts.rowid < ? ORDER BY articles_fts.rowid DESC LIMIT ? OFFSET ?",
            [match, *args, floor, limit - len(hits), max(0, offset - first_older)],
        )
        return hits + [dict(r) for r in older]


# --- the story list page: filters and orders (read-only, added after the class) ----------------------------------


def given(filters: Iterable[tuple[str, Any]]) -> tuple[list[str], list[Any]]:
    """The SQL conditions of the (condition, value) filters whose value is given, and their values, in order."""
    kept = [(condition, value) for condition, value in filters if value is not None]
    return [condition for condition, _ in kept], [value for _, value in kept]


def published_between(date_from: str | None, date_to: str | None) -> list[tuple[str, str | None]]:
    """The filters of a publication date range (ISO strings), `date_to` inclusive: every timestamp within its
    last day sorts below the day followed by U+FFFF."""
    return [("a.published >= ?", date_from), ("a.published < ?", date_to + "\uffff" if date_to is not None else None)]


def matching(db: sqlite3.Connection, words: str) -> tuple[str, str | None]:
    """The filter of articles (`a`) matching a reader's search words, as search_articles reads them; none for no
    words."""
    condition = "a.seq IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
    return condition, match_expression(db, words) if words.strip() else None


STORY_ORDERS = {
    "latest": "last_date IS NULL, last_date DESC, id",
    "largest": "articles DESC, last_date IS NULL, last_date DESC, id",
    "outlets": "outlets DESC, articles DESC, last_date IS NULL, last_date DESC, id",
}


def filtered_story_summaries(
    queries: Queries,
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    outlet: str | None = None,
    language: str | None = None,
    min_articles: int = 1,
    order: str = "latest",
    limit: int = 30,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """Stories with an article of this outlet, language and date range (ISO, `date_to` inclusive) and at least
    `min_articles` articles, in one of STORY_ORDERS: how many there are and one page of them, each with its article,
    event and outlet counts (`outlets`), date range and the languages of its articles: matching_story_summaries
    without search words."""
    total, summaries = matching_story_summaries(
        queries,
        date_from=date_from,
        date_to=date_to,
        outlet=outlet,
        language=language,
        min_articles=min_articles,
        order=order,
        limit=limit,
        offset=offset,
    )
    return total, [summary | {"outlets": summary["outlet_count"]} for summary in summaries]


def story_entities(queries: Queries, stories: Sequence[str], per_story: int = 6) -> dict[str, list[dict[str, Any]]]:
    """The entities each story's articles mention most: id, name, type and mention count, most mentioned first."""
    out: dict[str, list[dict[str, Any]]] = {s: [] for s in stories}
    rows = select_in(
        queries.db.execute,
        """SELECT a.story, e.id, e.name, e.type, count(*) AS mentions
           FROM articles a JOIN mentions m ON m.article = a.id JOIN entities e ON e.id = m.entity
           WHERE a.story IN ({marks}) GROUP BY a.story, e.id ORDER BY a.story, mentions DESC, e.name""",
        stories,
    )
    for row in rows:
        found = out[row["story"]]
        if len(found) < per_story:
            found.append({k: row[k] for k in ("id", "name", "type", "mentions")})
    return out


def languages(queries: Queries) -> list[str]:
    """Every language of the stored articles, sorted."""
    return [str(r[0]) for r in queries.db.execute("SELECT DISTINCT language FROM articles ORDER BY language")]


def count_matches(
    queries: Queries,
    query: str = "",
    speaker: str | None = None,
    outlet: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> int:
    """How many articles `search_articles` would list for these words and filters, over all its pages."""
    where, args = given(
        [
            matching(queries.db, query),
            ("a.id IN (SELECT q.article FROM quotes q WHERE q.speaker = ?)", speaker),
            ("a.outlet = ?", outlet),
            *published_between(date_from, date_to),
        ]
    )
    sql = f"SELECT count(*) FROM articles a {'WHERE ' + ' AND '.join(where) if where else ''}"
    return int(queries.db.execute(sql, args).fetchone()[0])


def article_labels(queries: Queries, ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """The language and source of each of these articles, by id: what a list of headers lacks for its labels."""
    rows = select_in(queries.db.execute, "SELECT id, language, source FROM articles WHERE id IN ({marks})", ids)
    return {str(r["id"]): {"language": str(r["language"]), "source": str(r["source"])} for r in rows}


# --- the quotes of the command line: filters and paging (read-only, added after the class) ----------------------


def filtered_quotes(
    queries: Queries,
    *,
    speakers: Sequence[str] | None = None,
    story: str | None = None,
    article: str | None = None,
    outlet: str | None = None,
    kind: str | None = None,
    language: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """Quotes by any of these speaker ids, of this story, article, outlet, kind and language, in articles published
    in this date range (ISO, `date_to` inclusive of the day), in ingest order: how many there are and one page of
    them, each with its speaker's name and its article's outlet, date, language, story and title."""
    conditions: list[str] = []
    args: list[Any] = []
    if speakers is not None:
        conditions.append(f"q.speaker IN ({', '.join('?' * len(speakers)) or 'NULL'})")
        args.extend(speakers)
    more, values = given(
        [
            ("a.story = ?", story),
            ("q.article = ?", article),
            ("a.outlet = ?", outlet),
            ("q.kind = ?", kind),
            ("a.language = ?", language),
            *published_between(date_from, date_to),
        ]
    )
    conditions += more
    args += values
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    joined = "FROM quotes q JOIN articles a ON a.id = q.article"
    total = int(queries.db.execute(f"SELECT count(*) {joined} {where}", args).fetchone()[0])
    rows = queries.db.execute(
        f"""SELECT q.*, e.name AS speaker_name, a.outlet, a.published, a.language, a.story, a.title AS article_title
            {joined} LEFT JOIN entities e ON e.id = q.speaker {where} ORDER BY a.seq, q.start LIMIT ? OFFSET ?""",
        [*args, limit, offset],
    )
    return total, [dict(r) for r in rows]


# --- the API's story list: the list page's filters and search words (read-only, added after the class) ----------


def matching_story_summaries(
    queries: Queries,
    *,
    words: str = "",
    date_from: str | None = None,
    date_to: str | None = None,
    outlet: str | None = None,
    language: str | None = None,
    min_articles: int = 1,
    order: str = "latest",
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """Stories with an article that matches the search words (as search_articles reads them) and is of this outlet,
    language and date range (ISO, `date_to` inclusive), with at least `min_articles` articles, in one of
    STORY_ORDERS: how many there are and one page of them, each with its article, event and outlet counts, date
    range and the languages of its articles."""
    if order not in STORY_ORDERS:
        raise ValueError(f"story order {order!r} is none of {', '.join(STORY_ORDERS)}")
    conditions, args = given(
        [
            matching(queries.db, words),
            ("a.outlet = ?", outlet),
            ("a.language = ?", language),
            *published_between(date_from, date_to),
        ]
    )
    kept = f"WHERE s.id IN (SELECT a.story FROM articles a WHERE {' AND '.join(conditions)})" if conditions else ""
    # The stories kept, with only what the size filter and the order read; the page's details come after, for the
    # page alone (counting every story's outlets and languages took longer than the rest of the list).
    outlets = "(SELECT count(DISTINCT a.outlet) FROM articles a WHERE a.story = s.id)" if order == "outlets" else "0"
    ordered = f"""SELECT * FROM (
                    SELECT s.id,
                      (SELECT count(*) FROM articles a WHERE a.story = s.id) AS articles,
                      {outlets} AS outlets,
                      (SELECT max(date) FROM events e WHERE e.story = s.id) AS last_date
                    FROM stories s {kept})
                  WHERE articles >= ?"""
    if min_articles > 1:
        total = int(queries.db.execute(f"SELECT count(*) FROM ({ordered})", [*args, min_articles]).fetchone()[0])
    else:
        total = int(queries.db.execute(f"SELECT count(*) FROM stories s {kept}", args).fetchone()[0])
    page = [
        str(r["id"])
        for r in queries.db.execute(
            f"{ordered} ORDER BY {STORY_ORDERS[order]} LIMIT ? OFFSET ?", [*args, min_articles, limit, offset]
        )
    ]
    details = {
        str(r["id"]): dict(r)
        for r in select_in(
            queries.db.execute,
            """SELECT s.id, s.title,
                 (SELECT count(*) FROM articles a WHERE a.story = s.id) AS articles,
                 (SELECT count(DISTINCT a.outlet) FROM articles a WHERE a.story = s.id) AS outlet_count,
                 (SELECT group_concat(DISTINCT a.language) FROM articles a WHERE a.story = s.id) AS languages,
                 (SELECT count(*) FROM events e WHERE e.story = s.id) AS events,
                 (SELECT min(date) FROM events e WHERE e.story = s.id) AS first_date,
                 (SELECT max(date) FROM events e WHERE e.story = s.id) AS last_date
               FROM stories s WHERE s.id IN ({marks})""",
            page,
        )
    }
    summaries = [details[story] for story in page]
    for summary in summaries:
        summary["languages"] = sorted(set((summary["languages"] or "").split(",")) - {""})
    return total, summaries


def filtered_speakers(
    queries: Queries,
    *,
    story: str | None = None,
    outlet: str | None = None,
    language: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """The speakers quoted in articles of this story, outlet, language and date range (ISO, `date_to` inclusive),
    most quoted there first: how many there are and one page of them, each with id, name and its quotes there."""
    conditions, args = given(
        [
            ("a.story = ?", story),
            ("a.outlet = ?", outlet),
            ("a.language = ?", language),
            *published_between(date_from, date_to),
        ]
    )
    conditions.insert(0, "q.speaker IS NOT NULL")
    counted = f"""SELECT q.speaker, count(*) AS quotes FROM quotes q JOIN articles a ON a.id = q.article
                  WHERE {" AND ".join(conditions)} GROUP BY q.speaker"""
    total = int(queries.db.execute(f"SELECT count(*) FROM ({counted})", args).fetchone()[0])
    rows = queries.db.execute(
        f"""SELECT e.id, e.name, c.quotes FROM ({counted}) c JOIN entities e ON e.id = c.speaker
            ORDER BY c.quotes DESC, e.name LIMIT ? OFFSET ?""",
        [*args, limit, offset],
    )
    return total, [dict(r) for r in rows]
