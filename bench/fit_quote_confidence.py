"""Fit the quote speakers' confidence on the development sets, cross-validated by story; print the reliability table.

.venv/bin/python bench/fit_quote_confidence.py [--only fr|en] [--write]

Each set runs through recoupe with the raw confidences (a copy of the rules without quote_confidence.toml). For
each found quote with a speaker, the raw confidence (how the speaker was found) and whether the speaker is right
are kept. The fit is an isotonic curve from raw to right, each raw value pulled towards itself by PRIOR_WEIGHT
pseudo-quotes (a value seen twice says little). Reliability is read out of fold: stories are split in FOLDS
groups, each group's quotes scored by the curve fitted on the others. --write stores the curve fitted on every
story in src/recoupe/rules/<lang>/quote_confidence.toml.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import quotes_quality as bench  # the benchmark beside this script
from recoupe.quotes.confidence import CALIBRATION_FILE, Calibration

RULES = bench.ROOT / "src" / "recoupe" / "rules"
FOLDS = 5
PRIOR_WEIGHT = 4.0  # pseudo-quotes at each raw value, right at the rate the raw value says
BINS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01))


@dataclass(frozen=True)
class Sample:
    """A found quote with a speaker: its raw confidence, whether the speaker is right, its story."""

    raw: float
    right: bool
    story: str


def stories(language: str) -> dict[str, str]:
    """The story of each gold document of a development set (the ECB+ topic for English)."""
    if language == "fr":
        events = bench._jsonl(bench.DEV_FR / "events.jsonl")
        return {e["id"]: e["story"] for e in events}
    events = bench._jsonl(bench.DEV_EN / "events.jsonl")
    return {e["url"]: e["topic"] for e in events}


def samples(language: str, workdir: Path) -> list[Sample]:
    """Run a development set with raw confidences and keep every found quote given a speaker."""
    rules = workdir / "rules"
    shutil.copytree(RULES, rules)
    for fitted in rules.glob(f"*/{CALIBRATION_FILE}"):
        fitted.unlink()
    config = workdir / "raw.toml"
    config.write_text(f"[recoupe]\nrules_dir = {json.dumps(str(rules))}\n", encoding="utf-8")
    data = bench.french_dev() if language == "fr" else bench.english_dev()
    scores = bench.measure(data, workdir, ["--config", str(config)])
    story = stories(language)
    found: list[Sample] = []
    for outcome in scores.outcomes:
        quote = outcome.found
        if outcome.gold.optional or quote is None or quote.confidence is None:
            continue
        found.append(Sample(quote.confidence, bool(outcome.speaker_right), story.get(quote.doc, quote.doc)))
    return found


def fit(training: Sequence[Sample]) -> Calibration:
    """The isotonic curve from raw confidence to the share of right speakers, with the prior of PRIOR_WEIGHT."""
    by_raw: dict[float, list[float]] = {}
    for sample in training:
        by_raw.setdefault(sample.raw, [0.0, 0.0])
        by_raw[sample.raw][0] += sample.right
        by_raw[sample.raw][1] += 1
    # Pool adjacent violators over the raw values in order: blocks of (right, count, raw values).
    blocks: list[tuple[float, float, list[float]]] = []
    for raw in sorted(by_raw):
        right, count = by_raw[raw]
        blocks.append((right + PRIOR_WEIGHT * raw, count + PRIOR_WEIGHT, [raw]))
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            last = blocks.pop()
            before = blocks.pop()
            blocks.append((before[0] + last[0], before[1] + last[1], before[2] + last[2]))
    points = [(raw, right / count) for right, count, raws in blocks for raw in raws]
    return Calibration(tuple(p[0] for p in points), tuple(round(p[1], 3) for p in points))


def fold_of(story: str) -> int:
    """A story's fold: a stable hash, so every run splits the stories alike."""
    return zlib.crc32(story.encode()) % FOLDS


def out_of_fold(found: Sequence[Sample]) -> list[tuple[float, bool]]:
    """Each sample's confidence as fitted without its story's fold, with whether it is right."""
    scored: list[tuple[float, bool]] = []
    for fold in range(FOLDS):
        curve = fit([s for s in found if fold_of(s.story) != fold])
        for sample in found:
            if fold_of(sample.story) == fold:
                confidence = curve(sample.raw)
                assert confidence is not None
                scored.append((confidence, sample.right))
    return scored


def reliability(scored: Sequence[tuple[float, bool]]) -> list[str]:
    """Per confidence bin: how many quotes, their mean confidence and the share right."""
    lines = [f"  {'bin':<9} {'quotes':>6} {'mean':>6} {'right':>6}"]
    for low, high in BINS:
        group = [(c, r) for c, r in scored if low <= c < high]
        if not group:
            lines.append(f"  {low:.1f}-{min(high, 1.0):.1f}   {0:>6}      -      -")
            continue
        mean = sum(c for c, _ in group) / len(group)
        right = sum(r for _, r in group) / len(group)
        lines.append(f"  {low:.1f}-{min(high, 1.0):.1f}   {len(group):>6} {mean:>6.2f} {right:>6.2f}")
    brier = sum((c - r) ** 2 for c, r in scored) / len(scored) if scored else 0.0
    lines.append(f"  Brier score {brier:.3f} on {len(scored)} quotes")
    return lines


def write(language: str, curve: Calibration, count: int, stories_count: int) -> Path:
    """The curve as rules/<lang>/quote_confidence.toml."""
    path = RULES / language / CALIBRATION_FILE
    rows = "\n".join(f"  [{raw}, {value}]," for raw, value in zip(curve.raw, curve.fitted, strict=True))
    path.write_text(
        "# How often a quote's speaker is right for each raw confidence of recoupe.quotes.confidence, fitted by\n"
        f"# bench/fit_quote_confidence.py --write on the development set ({count} quotes with a speaker, "
        f"{stories_count} stories).\n"
        "# Points of a non-decreasing curve [raw, fitted], read by linear interpolation between them.\n"
        f"points = [\n{rows}\n]\n",
        encoding="utf-8",
    )
    return path


def main(argv: Sequence[str] | None = None) -> None:
    """Fit, cross-validate and print each language's confidence curve; write it with --write."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--only", choices=("fr", "en"), help="one language only")
    parser.add_argument("--write", action="store_true", help="store the curves fitted on every story")
    args = parser.parse_args(argv)
    for language in [args.only] if args.only else ["fr", "en"]:
        with tempfile.TemporaryDirectory(prefix=f"qfit-{language}-") as tmp:
            found = samples(language, Path(tmp))
        raw: Callable[[Sample], tuple[float, bool]] = lambda s: (s.raw, s.right)  # noqa: E731
        story_count = len({s.story for s in found})
        print(f"== {language}: {len(found)} quotes with a speaker, {story_count} stories, {FOLDS} folds by story")
        print("raw confidences:")
        print("\n".join(reliability([raw(s) for s in found])))
        print("fitted, out of fold (each story scored by the curve fitted without it):")
        print("\n".join(reliability(out_of_fold(found))))
        curve = fit(found)
        print(
            "curve fitted on every story: "
            + ", ".join(f"{r}->{f}" for r, f in zip(curve.raw, curve.fitted, strict=True))
        )
        if args.write:
            print(f"written to {write(language, curve, len(found), story_count)}")
        print()


if __name__ == "__main__":
    main()
