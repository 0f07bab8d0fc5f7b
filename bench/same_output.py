"""Behaviour unchanged: the same inputs give the same analysis at two revisions of recoupe.

Ingests the seeds, the wikinews corpus and the 181 extraction-benchmark pages, each into a fresh store, with
the code of a git revision (checked out into a temporary worktree) and with the working tree, exports both as
JSON and compares what a user sees: article ids, texts, titles, dates and near-copies; quotes with their spans,
kinds and speakers; stories and events as partitions of the articles, with their ids and dates.

    .venv/bin/python bench/same_output.py --before HEAD~3      # a revision against the working tree
    .venv/bin/python bench/same_output.py --save snap.json     # keep a snapshot of the working tree
    .venv/bin/python bench/same_output.py --against snap.json  # compare the working tree with a snapshot

Each corpus runs in its own process with that revision's sources first on the path, so the two runs share
the installed libraries and differ only by recoupe's code and rules. Exit code 1 when anything differs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPORA = {
    "seeds": SHARED / "seeds",
    "wikinews": SHARED / "corpus" / "wikinews-fr-2012",
    "extraction": SHARED / "benchmarks" / "article-extraction" / "html",
}
# Runs the CLI of whichever recoupe is first on sys.path: the one of the revision under test.
RUN_CLI = "import sys; from recoupe.cli import app; sys.argv[0] = 'recoupe'; app()"

Snapshot = dict[str, dict[str, Any]]
# A page without a URL of its own keeps its file path as source: for the benchmark's pages, a temporary folder.
UNPACKED = re.compile(r"^.*?/pages/")


def readable(corpus: Path, workdir: Path) -> Path:
    """The corpus as files recoupe ingests: the benchmark's gzipped pages are unpacked into `workdir`."""
    packed = sorted(corpus.glob("*.html.gz"))
    if not packed:
        return corpus
    pages = workdir / "pages"
    pages.mkdir()
    for path in packed:
        (pages / path.name.removesuffix(".gz")).write_bytes(gzip.decompress(path.read_bytes()))
    return pages


def export_corpus(src: Path, corpus: Path, workdir: Path) -> dict[str, Any]:
    """Ingest one corpus into a fresh store with the recoupe under `src`, and return its JSON export."""
    corpus = readable(corpus, workdir)
    db = workdir / "store.db"
    out = workdir / "export.json"
    env = {**os.environ, "PYTHONPATH": str(src)}
    for args in (["ingest", str(corpus)], ["export", "--format", "json", "-o", str(out)]):
        done = subprocess.run(
            [sys.executable, "-c", RUN_CLI, "--db", str(db), *args], env=env, capture_output=True, text=True
        )
        if done.returncode not in (0, 1):  # 1: some inputs were refused, and named
            raise SystemExit(f"{' '.join(args)} failed with {done.returncode}:\n{done.stderr[-3000:]}")
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def summary(export: dict[str, Any]) -> dict[str, Any]:
    """What must not change, keyed so that a difference names what changed."""
    names = {entity["id"]: entity.get("name") for entity in export["entities"]}
    articles = {
        a["id"]: {
            "text": a["text"],
            "title": a["title"],
            "published": a["published"],
            "source": a["source"],
            "language": a["language"],
            "duplicate_of": a["duplicate_of"],
            "story": a["story"],
            "event": a["event"],
        }
        for a in export["articles"]
    }
    quotes = sorted(
        [
            q["article"],
            q["start"],
            q["end"],
            q["kind"],
            q["text"],
            q.get("speaker"),
            names.get(q.get("speaker")),
            q.get("speaker_mention"),
        ]
        for q in export["quotes"]
    )
    stories = {s["id"]: sorted(s["articles"]) for s in export["stories"]}
    events = {
        e["id"]: {"articles": sorted(e["articles"]), "date": e["date"], "story": e["story"]} for e in export["events"]
    }
    return {"articles": articles, "quotes": quotes, "stories": stories, "events": events}


def snapshot(src: Path) -> Snapshot:
    """The summaries of every corpus, as the recoupe under `src` reads them."""
    result: Snapshot = {}
    for name, corpus in CORPORA.items():
        with tempfile.TemporaryDirectory() as workdir:
            result[name] = summary(export_corpus(src, corpus, Path(workdir)))
        print(f"  {name}: {len(result[name]['articles'])} articles, {len(result[name]['quotes'])} quotes", flush=True)
    return result


def without_workdir(snap: Snapshot) -> Snapshot:
    """The snapshot with the temporary folder of unpacked pages left out of their sources (it differs by run)."""
    for corpus in snap.values():
        for article in corpus["articles"].values():
            article["source"] = UNPACKED.sub("pages/", article["source"])
    return snap


def differences(before: Snapshot, after: Snapshot) -> list[str]:
    """One line for each corpus and part whose content differs."""
    before, after = without_workdir(before), without_workdir(after)
    lines = []
    for corpus in CORPORA:
        for part in ("articles", "quotes", "stories", "events"):
            old, new = before[corpus][part], after[corpus][part]
            if old == new:
                continue
            if isinstance(old, dict):
                changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
                lines.append(f"{corpus} {part}: {len(changed)} differ, e.g. {changed[:3]}")
            else:
                lost = [q for q in old if q not in new]
                gained = [q for q in new if q not in old]
                lines.append(f"{corpus} {part}: {len(lost)} lost, {len(gained)} new, e.g. {(lost + gained)[:2]}")
    return lines


def checkout(revision: str, into: Path) -> Path:
    """The sources of a git revision, checked out into a temporary worktree."""
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(into), revision], check=True)
    return into / "src"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--before", help="a git revision to compare the working tree with")
    group.add_argument("--against", type=Path, help="a snapshot saved by --save")
    group.add_argument("--save", type=Path, help="write the working tree's snapshot to this file")
    args = parser.parse_args()
    if args.before:
        with tempfile.TemporaryDirectory() as tmp:
            worktree = Path(tmp) / "before"
            print(f"before ({args.before}):", flush=True)
            try:
                before = snapshot(checkout(args.before, worktree))
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=False)
    elif args.against:
        before = json.loads(args.against.read_text(encoding="utf-8"))
    print("working tree:", flush=True)
    after = snapshot(ROOT / "src")
    if args.save:
        args.save.write_text(json.dumps(after, ensure_ascii=False), encoding="utf-8")
        print(f"saved to {args.save}")
        return 0
    lines = differences(before, after)
    for line in lines:
        print(line)
    counts = {c: {p: len(after[c][p]) for p in after[c]} for c in CORPORA}
    print("identical" if not lines else f"{len(lines)} parts differ", counts)
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
