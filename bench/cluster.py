"""Clustering at scale: a synthetic French news stream of 1k, 10k and 100k articles through dedupe + cluster.

Each story has its own vocabulary, people and places, and several dated events with vocabulary of their own;
some people (a president, a minister) appear in many stories; a tenth of the articles are near-copies of an
earlier one. Articles are built as `Analysis` records directly (no spaCy), placed one by one into a file
store, one transaction per batch, as `recoupe ingest` does. Prints time (wall clock, and
the process's CPU time, which other work on a shared machine does not inflate), peak memory and B-cubed F1 of
the events at each size, the growth of both times between sizes, and the time to add one article to the
largest store.

    .venv/bin/python bench/cluster.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from recoupe.config import Config
from recoupe.records import Analysis, Article, Entity, stable_id
from recoupe.store import Store
from recoupe.stories.cluster import Clusterer
from recoupe.stories.near_copies import NearCopyIndex

WORDS = [
    "gouvernement",
    "ministre",
    "réforme",
    "budget",
    "déficit",
    "dette",
    "impôt",
    "retraite",
    "syndicat",
    "grève",
    "manifestation",
    "salaire",
    "emploi",
    "chômage",
    "entreprise",
    "usine",
    "fermeture",
    "licenciement",
    "industrie",
    "énergie",
    "électricité",
    "nucléaire",
    "pétrole",
    "gaz",
    "prix",
    "inflation",
    "banque",
    "marché",
    "bourse",
    "croissance",
    "récession",
    "export",
    "commerce",
    "agriculture",
    "agriculteur",
    "récolte",
    "sécheresse",
    "climat",
    "inondation",
    "incendie",
    "tempête",
    "séisme",
    "victime",
    "blessé",
    "secours",
    "pompier",
    "hôpital",
    "santé",
    "épidémie",
    "vaccin",
    "médecin",
    "patient",
    "école",
    "enseignant",
    "élève",
    "université",
    "étudiant",
    "examen",
    "police",
    "enquête",
    "procès",
    "tribunal",
    "juge",
    "avocat",
    "prison",
    "condamnation",
    "élection",
    "candidat",
    "campagne",
    "scrutin",
    "vote",
    "sondage",
    "parlement",
    "député",
    "sénat",
    "loi",
    "amendement",
    "décret",
    "conseil",
    "mairie",
    "maire",
    "région",
    "département",
    "commune",
    "transport",
    "train",
    "grève",
    "aéroport",
    "vol",
    "autoroute",
    "accident",
    "route",
    "pont",
    "tunnel",
    "chantier",
    "logement",
    "loyer",
    "immobilier",
    "construction",
    "quartier",
    "ville",
    "village",
    "habitant",
    "association",
    "festival",
    "concert",
    "exposition",
    "musée",
    "théâtre",
    "cinéma",
    "film",
    "livre",
    "auteur",
    "prix",
    "football",
    "match",
    "équipe",
    "joueur",
    "entraîneur",
    "championnat",
    "victoire",
    "défaite",
    "armée",
    "soldat",
    "guerre",
    "frontière",
    "réfugié",
    "diplomatie",
    "sommet",
    "accord",
    "traité",
    "sanction",
    "négociation",
    "ambassade",
    "président",
    "opposition",
    "coalition",
    "majorité",
    "motion",
    "censure",
    "crise",
    "scandale",
    "corruption",
    "fraude",
    "contrôle",
    "audit",
    "rapport",
    "commission",
    "réseau",
    "internet",
    "données",
    "cyberattaque",
    "satellite",
    "fusée",
    "espace",
    "recherche",
    "laboratoire",
    "chercheur",
    "découverte",
    "brevet",
    "port",
    "navire",
    "pêche",
    "pêcheur",
    "littoral",
    "tourisme",
    "saison",
    "hôtel",
    "restaurant",
    "commerce",
    "boutique",
    "marché",
    "consommateur",
]
PLACES = [f"Ville{i}" for i in range(400)]
POPULAR = [f"Personnalité{i}" for i in range(20)]


def stream(size: int, seed: int = 7) -> list[tuple[Analysis, str]]:
    """`size` analysed articles with their true event, in publication order."""
    rng = random.Random(seed)
    stories = max(1, size // 40)
    out: list[tuple[Analysis, str, date]] = []
    start = date(2022, 1, 1)
    n = 0
    for s in range(stories):
        topic = rng.sample(WORDS, 25) + [f"thème{s}_{k}" for k in range(10)]
        people = [f"Personne{s}_{k}" for k in range(3)] + rng.sample(POPULAR, 1)
        place = rng.choice(PLACES)
        first = start + timedelta(days=rng.randrange(0, 3 * 365))
        events = rng.randint(3, 6)
        per_event = max(1, 40 // events)
        for e in range(events):
            day = first + timedelta(days=e * rng.randint(3, 30))
            event_words = [f"fait{s}_{e}_{k}" for k in range(12)] + rng.sample(WORDS, 8)
            texts: list[list[str]] = []
            for _ in range(per_event):
                if texts and rng.random() < 0.1:
                    words = list(rng.choice(texts))
                    words[rng.randrange(len(words))] = rng.choice(WORDS)  # a light rewrite of a wire copy
                else:
                    words = rng.choices(topic, k=40) + rng.choices(event_words, k=30) + rng.choices(WORDS, k=30)
                    rng.shuffle(words)
                texts.append(words)
                n += 1
                article_id = stable_id("art", str(seed), str(n))
                article = Article(
                    id=article_id, source=f"synthetic:{n}", text=" ".join(words), content_hash=article_id,
                    title=" ".join(words[:8]), published=(day + timedelta(days=rng.randint(0, 1))).isoformat(),
                )  # fmt: skip
                entities = [
                    Entity(id=stable_id("ent", "PER", p), name=p, type="PER", variants=[p])
                    for p in rng.sample(people, 3)
                ] + [Entity(id=stable_id("ent", "LOC", place), name=place, type="LOC", variants=[place])]
                analysis = Analysis(article=article, entities=entities, lemmas=words, event_dates=[day.isoformat()])
                out.append((analysis, f"{s}:{e}", day))
    out.sort(key=lambda item: (item[2], item[0].article.id))
    return [(a, truth) for a, truth, _ in out[:size]]


def bcubed(truth: dict[str, str], predicted: dict[str, str]) -> float:
    """B-cubed F1 of a clustering against the truth, in linear time through cluster sizes."""
    from collections import Counter

    pairs = Counter((truth[i], predicted[i]) for i in truth)
    true_sizes = Counter(truth.values())
    predicted_sizes = Counter(predicted.values())
    precision = sum(c * c / predicted_sizes[p] for (t, p), c in pairs.items()) / len(truth)
    recall = sum(c * c / true_sizes[t] for (t, p), c in pairs.items()) / len(truth)
    return 2 * precision * recall / (precision + recall)


def run(size: int) -> tuple[float, float, float, Store, Clusterer, NearCopyIndex, Path]:
    items = stream(size)
    folder = Path(tempfile.mkdtemp(prefix="recoupe-bench-"))
    config = Config(db=folder / "bench.db")
    store = Store(config.db)
    clusterer, near_copies = Clusterer(config, store), NearCopyIndex(config, store)
    truth: dict[str, str] = {}
    start, cpu_start = time.perf_counter(), time.process_time()
    for i in range(0, len(items), 500):
        with store.transaction():
            for analysis, event in items[i : i + 500]:
                article = analysis.article
                article.duplicate_of = near_copies.find_and_add(article)
                article.story, article.event = clusterer.place(analysis)
                store.save_analysis(analysis)
                truth[article.id] = event
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    predicted = {a.id: a.event or a.id for a in store.articles()}
    return elapsed, cpu, bcubed(truth, predicted), store, clusterer, near_copies, folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    previous: tuple[int, float, float] | None = None
    last = None
    for size in sizes:
        elapsed, cpu, f1, store, clusterer, near_copies, _folder = run(size)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        growth = ""
        if previous:
            growth = (f"  x{elapsed / previous[1]:.1f} time (x{cpu / previous[2]:.1f} CPU) "
                      f"for x{size / previous[0]:.0f} articles")  # fmt: skip
        print(f"{size:>7} articles  {elapsed:8.1f} s (CPU {cpu:7.1f} s)  {size / elapsed:7.0f} articles/s  "
              f"peak {peak:6.0f} MB  events B-cubed F1 {f1:.3f}{growth}")  # fmt: skip
        previous = (size, elapsed, cpu)
        if last is not None:
            last[0].close()
        last = (store, clusterer, near_copies)
    if last is not None:
        store, clusterer, near_copies = last
        extra = stream(sizes[-1] + 50, seed=8)[-50:]
        timings = []
        for analysis, _ in extra:
            begin = time.perf_counter()
            with store.transaction():
                analysis.article.duplicate_of = near_copies.find_and_add(analysis.article)
                analysis.article.story, analysis.article.event = clusterer.place(analysis)
                store.save_analysis(analysis)
            timings.append(time.perf_counter() - begin)
        timings.sort()
        print(f"adding one article to the {sizes[-1]} store: median {timings[len(timings) // 2] * 1000:.1f} ms, "
              f"max {timings[-1] * 1000:.1f} ms (target <= 50 ms)")  # fmt: skip
        store.close()


if __name__ == "__main__":
    main()
