"""Stories, events and event dates on the development sets, beside a same-run baseline.

Each set is ingested into a fresh store through recoupe's own CLI (`recoupe --db X ingest texts.jsonl`), then
its stories and events are scored against the gold with B-cubed precision, recall and F1 (Bagga and Baldwin
1998, over the texts), and its event dates against the gold event date (within a day, and the share left
undated). Beside them, in the same run: a TF-IDF single-pass clustering (each text, in file order, joins the
most similar centroid when the cosine is at least 0.2, else starts a cluster) and all-singletons.

B-cubed is computed over every text; a text the pipeline refuses counts as a cluster of its own. The
clustering model shipped in rules/ was fitted on these very sets, so the figures of the ingest are in
sample. The cross-validated figures replay the same readings (no second spaCy pass) through the clusterer
once per fold, with a model fitted by bench/fit_clustering.py on the other folds' stories, and score only
the held-out stories' texts: each text's figure comes from a model that never saw its story.

    .venv/bin/python bench/quality.py [--sets fr,en] [--folds 5]
    .venv/bin/python bench/quality.py --fr-db dev.db    # reuse the readings of a store of dev/

dev/ (French) has stories and events; dev-en/ (ECB+) has events only. Its two events of a topic are two
unrelated happenings of one kind (two earthquakes), so its gold stories are its gold events.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

sys.path.insert(0, str(Path(__file__).parent))
import fit_clustering  # bench/ is no package: its modules are found on the path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
RUN_CLI = "import sys; from recoupe.cli import app; sys.argv[0] = 'recoupe'; app()"
BASELINE_COSINE = 0.2  # the baseline: join the most similar centroid at this cosine or more
DATE_TOLERANCE_DAYS = 1


@dataclass(frozen=True)
class Text:
    """One development text with its gold labels."""

    url: str
    title: str | None
    text: str
    published: str | None
    outlet: str | None
    story: str
    event: str
    event_date: str | None


@dataclass(frozen=True)
class Scores:
    """B-cubed precision, recall and F1."""

    precision: float
    recall: float

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def __str__(self) -> str:
        return f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}"


def load_set(name: str) -> list[Text]:
    """The texts of dev/ ("fr") or dev-en/ ("en") with their gold story, event and event date."""
    if name == "fr":
        folder = SHARED / "dev"
        gold = {g["id"]: g for g in _jsonl(folder / "events.jsonl")}
        return [
            Text(
                a["url"],
                a.get("title"),
                a["text"],
                a.get("published"),
                a.get("outlet"),
                gold[a["id"]]["story"],
                gold[a["id"]]["event"],
                gold[a["id"]]["event_date"],
            )
            for a in _jsonl(folder / "articles.jsonl")
        ]
    folder = SHARED / "dev-en"
    events = {g["url"]: g["event"] for g in _jsonl(folder / "events.jsonl")}
    return [
        Text(a["url"], a.get("title"), a["text"], None, None, events[a["url"]], events[a["url"]], None)
        for a in _jsonl(folder / "articles.jsonl")
    ]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def baseline(texts: Sequence[Text], threshold: float = BASELINE_COSINE) -> dict[str, int]:
    """TF-IDF single pass: each text, in order, joins the most similar centroid at `threshold` or more."""
    vectors = TfidfVectorizer(sublinear_tf=True).fit_transform([f"{t.title or ''}\n{t.text}" for t in texts])
    dense = vectors.toarray()
    sums: list[np.ndarray] = []
    assigned: dict[str, int] = {}
    for text, vector in zip(texts, dense, strict=True):
        best, best_cosine = -1, threshold
        for cluster, total in enumerate(sums):
            norm = float(np.linalg.norm(total)) or 1.0
            cosine = float(vector @ total) / norm
            if cosine >= best_cosine:
                best, best_cosine = cluster, cosine
        if best < 0:
            sums.append(vector.copy())
            best = len(sums) - 1
        else:
            sums[best] += vector
        assigned[text.url] = best
    return assigned


def ingest(texts: Sequence[Text], workdir: Path) -> Path:
    """A fresh store holding the texts, ingested by recoupe's CLI as JSON lines."""
    source = workdir / "texts.jsonl"
    with source.open("w", encoding="utf-8") as out:
        for t in texts:
            record = {"url": t.url, "title": t.title, "text": t.text, "published": t.published, "outlet": t.outlet}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    db = workdir / "store.db"
    done = subprocess.run(
        [sys.executable, "-c", RUN_CLI, "--db", str(db), "ingest", str(source)], capture_output=True, text=True
    )
    if done.returncode not in (0, 1):  # 1: some texts were refused, and named; the others are stored
        raise SystemExit(f"ingest failed with {done.returncode}:\n{done.stderr[-3000:]}")
    return db


def placements(db: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str | None]]:
    """Story, event and event date of every stored article, keyed by its url."""
    from recoupe.store import Store

    with Store(db) as store:
        dates = {e.id: e.date for e in store.events()}
        stories, events, days = {}, {}, {}
        for article in store.articles():
            stories[article.source] = article.story or article.id
            events[article.source] = article.event or article.id
            days[article.source] = dates.get(article.event or "")
    return stories, events, days


def dated_share(days: Mapping[str, str | None], texts: Sequence[Text]) -> tuple[float, float]:
    """Shares of the texts whose event date is within a day of the gold one, and of the undated ones."""
    near = undated = 0
    for text in texts:
        found = days.get(text.url)
        if found is None:
            undated += 1
        elif text.event_date and abs((date.fromisoformat(found[:10]) - date.fromisoformat(text.event_date)).days) <= (
            DATE_TOLERANCE_DAYS
        ):
            near += 1
    return near / len(texts), undated / len(texts)


def report(name: str, texts: Sequence[Text], folds: int, stored: Path | None = None) -> None:
    """Print every figure of one set."""
    urls = [t.url for t in texts]
    gold_events = {t.url: t.event for t in texts}
    gold_stories = {t.url: t.story for t in texts}
    print(
        f"== {name}: {len(texts)} texts, {len(set(gold_events.values()))} events, "
        f"{len(set(gold_stories.values()))} stories"
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        db = stored or ingest(texts, Path(tmp))
        labels = [(t.url, t.story, t.event) for t in texts]
        if stored is None:
            stories, events, days = placements(db)
        else:  # the store's placement may be older than the code: its readings are placed again
            analyses, _gold, config = fit_clustering.prepare(db, labels)
            stories, events, days, _ = fit_clustering.replay(analyses, config, None)
        cross = fit_clustering.cross_validate(db, labels, folds) if folds > 1 else None
    elapsed = time.perf_counter() - started
    print(f"{len(stories)} texts stored, {len(texts) - len(stories)} refused by the pipeline (scored as singletons)")
    base = baseline(texts)
    single = {u: u for u in urls}
    rows: list[tuple[str, ItemScores, ItemScores]] = [
        ("recoupe, shipped model", _items(events, gold_events), _items(stories, gold_stories)),
        ("tf-idf single pass 0.2", _items(base, gold_events), _items(base, gold_stories)),
        ("all singletons", _items(single, gold_events), _items(single, gold_stories)),
    ]
    if cross is not None:
        rows.insert(1, (f"recoupe, {folds}-fold by story", cross[0], cross[1]))
    print(f"{'':28} {'events':34} stories")
    for label, event_items, story_items in rows:
        print(f"{label:28} {_scores(event_items)!s:34} {_scores(story_items)}")
    if any(t.event_date for t in texts):
        near, undated = dated_share(days, texts)
        print(f"shipped model: event dated within {DATE_TOLERANCE_DAYS} day {near:.1%}, undated {undated:.1%}")
        if cross is not None:
            near, undated = dated_share(cross[2], texts)
            print(
                f"{folds}-fold by story: event dated within {DATE_TOLERANCE_DAYS} day {near:.1%}, undated {undated:.1%}"
            )
    print(f"({elapsed:.0f} s)")


ItemScores = dict[str, tuple[float, float]]


def _items(predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> ItemScores:
    return fit_clustering.per_item(predicted, gold, list(gold))


def _scores(items: ItemScores) -> Scores:
    return Scores(*fit_clustering.precision_recall(items))


def main() -> None:
    """Run every set asked for."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="fr,en", help="fr (dev/), en (dev-en/), comma-separated")
    parser.add_argument("--folds", type=int, default=5, help="folds by story for the cross-validated figures")
    parser.add_argument("--fr-db", type=Path, help="a store already holding dev/ (not ingested again)")
    parser.add_argument("--en-db", type=Path, help="a store already holding dev-en/ (not ingested again)")
    args = parser.parse_args()
    for name in args.sets.split(","):
        report(name, load_set(name), args.folds, getattr(args, f"{name}_db"))


if __name__ == "__main__":
    main()
