"""The corpus-wide steps of a batch, as joins: nothing but counts comes back to the driver.

- names (merge_names): a person named by surname alone in one article and by full name in others is one
  person when the corpus holds one full name for that surname: a join on the surname key, as the single-machine
  resolver's index does for the articles stored before (people/entities.py).
- near-copies (near_copies): the MinHash signatures and bands of stories/near_copies.py; articles sharing a
  band are candidate pairs (a self-join on the band key), an article copies the earlier one it resembles most
  when the estimated resemblance reaches COPY_JACCARD, and a copy of a copy points to the first.
- document frequencies (document_frequencies): TF-IDF weighs an article's terms against the articles stored
  before it; the number of earlier articles holding each term is its rank in a window over the term.
- stories and events (components, place_groups): articles sharing a blocking key (a rare entity or term) are
  joined into components by label propagation over the key joins, a copy with its original; each component is
  placed in article order inside one task by the single-machine Clusterer, over a store holding only that
  component, with the document frequencies the whole corpus had at each article.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyspark import RDD
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from recoupe.config import Config
from recoupe.records import Analysis, Entity
from recoupe.spark.executors import analysis_from_dict, analysis_to_dict
from recoupe.store import Store
from recoupe.stories.cluster import Clusterer
from recoupe.stories.dates import DateReader
from recoupe.stories.near_copies import COPY_JACCARD, NUM_PERM

# A blocking key held by more articles than this joins no component: a country or a common word would chain
# half the corpus into one task. The single-machine clusterer ignores a key once it is on MAX_KEY_STORIES
# (100) stories; articles per story are a few, so this bound leaves every key it uses at that size joining.
COMPONENT_KEY_ARTICLES = 400
MAX_PROPAGATION_ROUNDS = 50  # label propagation stops when no label changes; this bounds a pathological chain

Row = dict[str, Any]  # one analysed article as executors.Analysed.to_row writes it


class TermCounter:
    """The terms an article adds to the document frequencies, as the Clusterer's own profile gives them.

    Against a store that has seen nothing every term of an article weighs more than zero, so the profile's
    terms are all the terms the Clusterer counts for it (tests/test_spark.py checks it); PrefixStore.drift
    counts any term asked for beyond them.
    """

    def __init__(self, config: Config) -> None:
        self.store = PrefixStore()
        self.clusterer = Clusterer(config, self.store, DateReader(config))

    def terms(self, analysis: Analysis) -> set[str]:
        """The article's document terms."""
        self.store.at(0, {})
        return set(self.clusterer.profile(analysis).terms)


# --- names ----------------------------------------------------------------------------------------


def merge_names(articles: RDD[tuple[int, Row]]) -> RDD[tuple[int, Row]]:
    """The articles with each lone-surname person merged into the one full name the corpus holds for it.

    The merged person keeps the id of whichever form appeared first, as the single-machine index does: a
    lone surname seen first is taken over by the full name (its id kept), a full name seen first absorbs
    the later lone surnames.
    """
    people = articles.flatMap(
        lambda item: [((person[2], person[0], person[1]), item[0]) for person in item[1]["people"]]
    )
    first_seen = people.reduceByKey(min)  # (surname, entity, first name) -> the first article naming it so
    by_surname = first_seen.map(lambda kv: (kv[0][0], (kv[0][1], kv[0][2], kv[1]))).groupByKey()
    renames = by_surname.flatMap(lambda kv: _renames(kv[0], list(kv[1])))  # (old id, new id)
    uses = articles.flatMap(lambda item: [(e["id"], item[0]) for e in item[1]["analysis"]["entities"]])
    per_article = uses.join(renames).map(lambda kv: (kv[1][0], (kv[0], kv[1][1]))).groupByKey().mapValues(dict)
    return articles.leftOuterJoin(per_article).mapValues(lambda pair: _renamed(pair[0], pair[1]))


def _renames(surname: str, forms: list[tuple[str, str, int]]) -> list[tuple[str, str]]:
    """(old id, new id) for a surname's forms: the lone form and the one full form become one person."""
    full = {entity: seen for entity, first, seen in forms if first}
    lone = [(entity, seen) for entity, first, seen in forms if not first]
    if len(full) != 1 or not lone:
        return []
    (full_id, full_seen), (lone_id, lone_seen) = next(iter(full.items())), min(lone, key=lambda f: f[1])
    if lone_seen < full_seen:
        return [(full_id, lone_id)]
    return [(lone_id, full_id)]


def _renamed(row: Row, renames: dict[str, str] | None) -> Row:
    """The row with its entity ids renamed (entities, mentions, quote speakers); two forms merged into one."""
    if not renames:
        return row
    analysis = row["analysis"]
    merged: dict[str, dict[str, Any]] = {}
    for entity in analysis["entities"]:
        entity_id = renames.get(entity["id"], entity["id"])
        if entity_id in merged:
            known = merged[entity_id]["variants"]
            known.extend(v for v in entity["variants"] if v not in known)
        else:
            merged[entity_id] = {**entity, "id": entity_id, "variants": list(entity["variants"])}
    analysis["entities"] = list(merged.values())
    for mention in analysis["mentions"]:
        mention["entity"] = renames.get(mention["entity"], mention["entity"])
    for quote in analysis["quotes"]:
        if quote["speaker"] is not None:
            quote["speaker"] = renames.get(quote["speaker"], quote["speaker"])
    row["people"] = [[renames.get(p[0], p[0]), p[1], p[2]] for p in row["people"]]
    return row


def entity_table(articles: RDD[tuple[int, Row]]) -> RDD[Entity]:
    """Each entity once: the name it was first seen with, its variants in the order they appeared."""
    seen = articles.flatMap(lambda item: [(e["id"], (item[0], e)) for e in item[1]["analysis"]["entities"]])
    return seen.groupByKey().map(lambda kv: _entity_of(list(kv[1])))


def _entity_of(forms: list[tuple[int, dict[str, Any]]]) -> Entity:
    forms.sort(key=lambda form: form[0])
    first = Entity.from_dict(forms[0][1])
    variants: list[str] = []
    for _order, form in forms:
        variants.extend(v for v in form["variants"] if v not in variants)
    return Entity(id=first.id, name=first.name, type=first.type, variants=variants, wikidata=first.wikidata)


# --- near-copies ------------------------------------------------------------------------------------


def near_copies(spark: SparkSession, articles: RDD[tuple[int, Row]]) -> DataFrame:
    """(order, earlier, duplicate_of) for every article that near-copies an earlier one: the first of its chain."""
    signed = spark.createDataFrame(
        articles.map(
            lambda item: (item[0], item[1]["analysis"]["article"]["id"], item[1]["bands"], item[1]["signature"])
        ),
        "order long, id string, bands array<string>, signature array<long>",
    )
    bands = signed.select("order", F.explode("bands").alias("band"))
    pairs = (
        bands.alias("a")
        .join(bands.alias("b"), "band")
        .where(F.col("a.order") > F.col("b.order"))
        .select(F.col("a.order").alias("order"), F.col("b.order").alias("earlier"))
        .distinct()
    )
    signatures = signed.select("order", "signature")
    scored = (
        pairs.join(signatures, "order")
        .join(signatures.withColumnRenamed("order", "earlier").withColumnRenamed("signature", "other"), "earlier")
        .withColumn(
            "similarity",
            F.size(F.filter(F.zip_with("signature", "other", lambda x, y: x == y), lambda same: same)) / NUM_PERM,
        )
        .where(F.col("similarity") >= COPY_JACCARD)
    )
    best = Window.partitionBy("order").orderBy(F.col("similarity").desc(), F.col("earlier"))
    links = (
        scored.withColumn("rank", F.row_number().over(best))
        .where("rank = 1")
        .select("order", "earlier")
        .localCheckpoint()
    )
    # A copy of a copy points to the first of the chain: follow the links until none changes.
    for _round in range(MAX_PROPAGATION_ROUNDS):
        onward = links.select(F.col("order").alias("earlier"), F.col("earlier").alias("next"))
        step = links.join(onward, "earlier", "left")
        moved = step.where(F.col("next").isNotNull()).count()
        links = step.select("order", F.coalesce("next", "earlier").alias("earlier")).localCheckpoint()
        if not moved:
            break
    ids = signed.select(F.col("order").alias("earlier"), F.col("id").alias("duplicate_of"))
    return links.join(ids, "earlier").select("order", "earlier", "duplicate_of")


def copy_edges(duplicates: DataFrame) -> DataFrame:
    """(order, key) pairs putting each copy and its original under one key, so one component holds both."""
    key = F.concat(F.lit("c:"), "duplicate_of")
    return duplicates.select("order", key.alias("key")).union(duplicates.select(F.col("earlier").alias("order"), key))


# --- document frequencies ---------------------------------------------------------------------------


def document_frequencies(
    spark: SparkSession, config: Config, articles: RDD[tuple[int, Row]]
) -> RDD[tuple[int, tuple[int, dict[str, int]]]]:
    """(order, (earlier articles, {term: earlier articles holding it})) for every article."""

    def terms_of(items: Iterable[tuple[int, Row]]) -> Iterator[tuple[int, str]]:
        counter = TermCounter(config)
        for order, row in items:
            for term in counter.terms(analysis_from_dict(row["analysis"])):
                yield order, term

    terms = spark.createDataFrame(articles.mapPartitions(terms_of), "order long, term string")
    earlier = Window.partitionBy("term").orderBy("order")
    counted = terms.withColumn("df", F.row_number().over(earlier) - 1)
    per_article = counted.groupBy("order").agg(F.map_from_entries(F.collect_list(F.struct("term", "df"))).alias("dfs"))
    position = articles.keys().sortBy(lambda order: order).zipWithIndex()  # articles placed before this one
    dfs = per_article.rdd.map(lambda row: (int(row["order"]), dict(row["dfs"])))
    return position.leftOuterJoin(dfs).mapValues(lambda pair: (pair[0], pair[1] or {}))


# --- stories and events -----------------------------------------------------------------------------


class PrefixStore(Store):
    """An in-memory store of one component, whose document frequencies are the whole corpus's at each article.

    The Clusterer asks the store how many articles came before and how many held each term; a component
    alone would count only its own articles, so the answers are set, article by article, from the corpus-wide
    counts of document_frequencies.
    """

    def __init__(self) -> None:
        super().__init__(":memory:")
        self.position = 0
        self.known: dict[str, int] = {}
        self.drift = 0  # terms asked for that TermCounter did not give: the two drifted apart

    def at(self, position: int, dfs: dict[str, int]) -> None:
        """Answer for the article with `position` articles before it and these document frequencies."""
        self.position, self.known = position, dfs

    def term_dfs(self, terms: Sequence[str]) -> dict[str, int]:
        """The corpus's document frequencies before the current article (absent ones left out, as Store does)."""
        out: dict[str, int] = {}
        for term in set(terms):
            df = self.known.get(term)
            if df is None:
                self.drift += 1
            elif df:
                out[term] = df
        return out

    def counter(self, name: str) -> int:
        """The corpus's article count before the current article for 'documents'; the store's own otherwise."""
        return self.position if name == "documents" else super().counter(name)

    def add_document_terms(self, terms: Sequence[str]) -> None:
        """Nothing: the corpus-wide counts already hold every article."""


@dataclass
class Placed:
    """What placing a component gives: each article's placement, the stories and events with their states."""

    articles: list[Row] = field(default_factory=list)
    stories: list[Row] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    drift: int = 0


class Placer:
    """Runs the single-machine Clusterer over one component at a time."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.dates = DateReader(config)

    def keys(self, analysis: Analysis, position: int, dfs: dict[str, int]) -> list[str]:
        """The blocking keys the Clusterer gives the article (its profile against the corpus so far)."""
        store = PrefixStore()
        store.at(position, dfs)
        clusterer = Clusterer(self.config, store, self.dates)
        keys: list[str] = clusterer._keys(clusterer.profile(analysis))
        store.close()
        return keys

    def place(self, members: Iterable[tuple[int, Row]]) -> Placed:
        """Place a component's articles in order, as one machine would place them into an empty store."""
        store = PrefixStore()
        clusterer = Clusterer(self.config, store, self.dates)
        placed = Placed()
        for _order, row in sorted(members, key=lambda member: member[0]):
            analysis = analysis_from_dict(row["analysis"])
            analysis.article.duplicate_of = row.get("duplicate_of")
            store.at(row["position"], row["dfs"])
            with store.transaction():
                analysis.article.story, analysis.article.event = clusterer.place(analysis)
                store.save_analysis(analysis)
            placed.articles.append({**row, "analysis": analysis_to_dict(analysis)})
        for story in store.stories():
            placed.stories.append({"id": story.id, "title": story.title, "state": store.story_state(story.id)})
            for event, state in store.event_states(story.id):
                placed.events.append({**event.to_dict(), "state": state})
        placed.drift = store.drift
        store.close()
        return placed


def components(orders: DataFrame, edges: DataFrame) -> DataFrame:
    """(order, component): articles joined by shared keys (edges: order, key), a component named by its first.

    A key held by more than COMPONENT_KEY_ARTICLES articles joins nothing."""
    held = edges.groupBy("key").count().where(F.col("count") <= COMPONENT_KEY_ARTICLES).select("key")
    edges = edges.distinct().join(held, "key").localCheckpoint()
    labels = orders.select("order", F.col("order").alias("component")).localCheckpoint()
    for _round in range(MAX_PROPAGATION_ROUNDS):
        by_key = edges.join(labels, "order").groupBy("key").agg(F.min("component").alias("reached"))
        reached = edges.join(by_key, "key").groupBy("order").agg(F.min("reached").alias("reached"))
        step = labels.join(reached, "order", "left").select(
            "order", "component", F.least("component", F.coalesce("reached", "component")).alias("next")
        )
        changed = step.where(F.col("next") < F.col("component")).count()
        labels = step.select("order", F.col("next").alias("component")).localCheckpoint()
        if not changed:
            break
    return labels


def place_groups(config: Config, groups: RDD[tuple[int, Iterable[tuple[int, Row]]]]) -> RDD[Placed]:
    """Each component placed in one task."""

    def place_all(partition: Iterable[tuple[int, Iterable[tuple[int, Row]]]]) -> Iterator[Placed]:
        placer = Placer(config)
        for _component, members in partition:
            yield placer.place(members)

    return groups.mapPartitions(place_all)
