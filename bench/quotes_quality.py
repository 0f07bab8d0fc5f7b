"""Quote and speaker quality on the French dev set, the seeds and the English dev set; quote counts on wikinews.

Each set is written as JSON Lines to a temporary folder and run through the stable interface
(`recoupe --db X ingest FILE.jsonl`, then `recoupe --db X export --format json`); the figures are read from the
export alone, so the benchmark measures whatever the pipeline does, whatever its code looks like.

.venv/bin/python bench/quotes_quality.py [--only fr|en|seeds|wikinews] [--errors N] [--dump FILE.json]

Matching: a gold quote (its first characters, without the opening mark) is found when a direct or mixed quote of
the same text starts with it, both folded (case, accents, spaces, quote marks and apostrophes), the found span
allowed to start up to MATCH_SHIFT characters earlier or later. Optional gold quotes count neither as misses
nor, when found, as false positives. A found quote matching no gold quote is a false positive; when it matches a
listed not-quote it is counted apart as well. A speaker is right when a name or variant of its entity matches the
gold speaker (titles dropped, or for the seeds one of the gold variants); a gold organisation or unnamed role
("le parquet de Paris") matches loosely, on its head noun (its first word, or its last when that is an
organisation head: "New Zealand Police"); a gold `inconnu`/`unknown` is right when no speaker
is given.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV_FR = SHARED / "dev"
DEV_EN = SHARED / "dev-en"
SEEDS = SHARED / "seeds"
SEEDS_GOLD = SHARED / "gold" / "seeds.json"
WIKINEWS = SHARED / "corpus" / "wikinews-fr-2012"

MATCH_SHIFT = 6  # characters the found span may start before or after the gold quote (a mark or a space kept)
SHIFTED_MATCH_MIN = 12  # a span starting later must still hold this many characters of the gold quote
MATCHED_KINDS = ("direct", "mixed")  # the gold annotates quotes inside quotation marks only
CONFIDENCE_BINS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0))
LOW_CONFIDENCE = 0.5  # the calibration check: how many speakers under this confidence are wrong
# Quote recall, precision and speaker accuracy wanted (issues 17 and 18).
TARGETS = {"French dev": (0.95, 0.95, 0.92), "seeds": (1.0, 1.0, 1.0), "English dev": (0.90, 0.95, 0.90)}
UNKNOWN_SPEAKERS = frozenset({"inconnu", "unknown"})
WRITTEN_CLASSES = ("name", "title + name", "role noun", "pronoun", "organisation", "none")
SPELLING_PREFIX = 4  # first letters two spellings of one name share (Dmitri, Dmitry)
NAME_WORDS_MIN = 2  # shortest word of a gold name that counts as naming the person where the text points to them

# Words of the gold and of the export that are no part of a name: determiners, honorifics.
DETERMINERS = frozenset({"le", "la", "les", "l", "un", "une", "des", "du", "the", "a", "an"})
TITLES = frozenset({"m", "mme", "mlle", "mgr", "me", "dr", "pr", "mr", "mrs", "ms", "sir", "prof"})
PARTICLES = frozenset({"de", "du", "d", "des", "le", "la", "van", "von", "der", "den", "ben", "bin", "al", "el"})
# Words pointing back to someone named earlier (pronouns and anaphoric descriptions).
ANAPHORS = frozenset(
    {
        "il", "elle", "ils", "elles", "on", "lui", "eux", "je", "nous", "celui-ci", "celle-ci", "ceux-ci",
        "celles-ci", "ce dernier", "cette derniere", "ces derniers", "l'interesse", "l'interessee",
        "he", "she", "they", "it", "we", "him", "her", "them", "the latter",
    }
)  # fmt: skip
# Head nouns of organisations speaking through a statement (the words after the determiner).
ORGANISATION_HEADS = frozenset(
    {
        "parquet", "prefecture", "diocese", "gouvernement", "syndicat", "syndicats", "intersyndicale",
        "communique", "autorites", "kremlin", "elysee", "ministere", "agence", "sdis", "haut-commissariat",
        "conseil", "bloc", "rassemblement", "parti", "confederation", "fnsea", "afp", "france", "sources",
        "entourage", "brigade", "pompiers", "senat", "rapports", "documents", "police", "department",
        "ministry", "government", "office", "agency", "company", "statement", "organisation", "organization",
    }
)  # fmt: skip


def fold(text: str) -> str:
    """Text reduced for comparison: no accents, lower case, one apostrophe, no quote marks, single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[’‘`´ʼ]", "'", text)
    text = re.sub(r"[«»“”„‟\"‹›]", " ", text)
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """Folded words, an elided article split off ("l'elysee" gives "l", "elysee")."""
    return [w for w in re.split(r"[\s,.;:()'\[\]]+", fold(text)) if w]


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class GoldQuote:
    """One annotated quotation."""

    doc: str
    quote: str
    speaker: str
    as_written: str
    kind: str
    optional: bool
    variants: tuple[str, ...] = ()  # gold name variants (seeds only)


@dataclass(frozen=True)
class FoundQuote:
    """One direct or mixed quote of the export, with the forms of its speaker entity."""

    doc: str
    text: str
    kind: str
    speaker_forms: tuple[str, ...]
    speaker_type: str | None
    mention: str | None
    cue: str | None
    confidence: float | None

    @property
    def speaker_name(self) -> str | None:
        """The entity's name, None when no speaker was given."""
        return self.speaker_forms[0] if self.speaker_forms else None


@dataclass
class DataSet:
    """Texts to ingest, their gold quotes and not-quotes."""

    name: str
    records: list[dict[str, Any]]  # JSON Lines records ready for `recoupe ingest`
    doc_of_source: dict[str, str]  # the article's source (its url) -> the gold document id
    gold: list[GoldQuote]
    not_quotes: dict[str, list[str]]  # doc -> texts in quotation marks that are no quotation
    language: str


@dataclass
class Outcome:
    """A gold quote and what the pipeline made of it."""

    gold: GoldQuote
    found: FoundQuote | None
    speaker_right: bool | None  # None when the quote was not found
    written_as: str


@dataclass
class Scores:
    """The figures of one set, with every outcome kept for the error listing."""

    name: str
    texts: int
    outcomes: list[Outcome] = field(default_factory=list)
    false_positives: list[tuple[FoundQuote, str | None]] = field(default_factory=list)  # with the not-quote why
    found_total: int = 0  # direct and mixed quotes found, optional ones left out
    indirect_total: int = 0
    failed_inputs: int = 0


# ---------------------------------------------------------------- the sets


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _record(text: str, url: str, title: str | None, published: str | None, outlet: str | None) -> dict[str, Any]:
    return {"text": text, "url": url, "title": title, "published": published, "outlet": outlet}


def french_dev() -> DataSet:
    """The annotated texts of ../shared/dev."""
    ids = set(json.loads((DEV_FR / "quotes_annotated_ids.json").read_text(encoding="utf-8")))
    articles = [a for a in _jsonl(DEV_FR / "articles.jsonl") if a["id"] in ids]
    records = [_record(a["text"], a["url"], a["title"], a["published"], a["outlet"]) for a in articles]
    gold = [
        GoldQuote(q["id"], q["quote"], q["speaker"], q["speaker_as_written"], q["kind"], bool(q.get("optional")))
        for q in _jsonl(DEV_FR / "quotes.jsonl")
        if q["id"] in ids
    ]
    not_quotes: dict[str, list[str]] = {}
    for item in _jsonl(DEV_FR / "not_quotes.jsonl"):
        not_quotes.setdefault(item["id"], []).append(item["text"])
    return DataSet("French dev", records, {a["url"]: a["id"] for a in articles}, gold, not_quotes, "fr")


def english_dev() -> DataSet:
    """The ECB+ texts of ../shared/dev-en whose direct quotes are annotated."""
    urls = set(json.loads((DEV_EN / "quotes_annotated_urls.json").read_text(encoding="utf-8")))
    articles = [a for a in _jsonl(DEV_EN / "articles.jsonl") if a["url"] in urls]
    records = [_record(a["text"], a["url"], a.get("title"), None, None) for a in articles]
    gold = [
        GoldQuote(q["url"], q["quote"], q["speaker"], q["speaker_as_written"], q["kind"], bool(q.get("optional")))
        for q in _jsonl(DEV_EN / "quotes.jsonl")
        if q["url"] in urls
    ]
    not_quotes: dict[str, list[str]] = {}
    for item in _jsonl(DEV_EN / "not_quotes.jsonl"):
        not_quotes.setdefault(item["url"], []).append(item["text"])
    return DataSet("English dev", records, {a["url"]: a["url"] for a in articles}, gold, not_quotes, "en")


def seeds() -> DataSet:
    """The five seed articles and their gold (shared/gold/seeds.json); the url is the file's path."""
    data = json.loads(SEEDS_GOLD.read_text(encoding="utf-8"))
    variants: dict[str, list[str]] = data.get("entity_variants", {})
    paths = sorted(SEEDS.glob("*.txt"))
    records = [_record(p.read_text(encoding="utf-8"), str(p), None, None, None) for p in paths]
    gold = [
        GoldQuote(
            q["doc"],
            q["starts_with"],
            q["speaker"],
            q.get("speaker_as_written", ""),
            q.get("kind", "direct"),
            optional,
            tuple(variants.get(q["speaker"], [q["speaker"]])),
        )
        for key, optional in (("quotes", False), ("optional_quotes", True))
        for q in data.get(key, [])
    ]
    not_quotes: dict[str, list[str]] = {}
    for item in data.get("not_quotes", []):
        not_quotes.setdefault(item["doc"], []).append(item["text"])
    return DataSet("seeds", records, {str(p): p.name for p in paths}, gold, not_quotes, "fr")


# ---------------------------------------------------------------- running recoupe


def recoupe_command() -> list[str]:
    """The venv's recoupe script beside this interpreter, else the CLI module run by it."""
    script = Path(sys.executable).parent / "recoupe"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from recoupe.cli import app; app()"]


def run_recoupe(inputs: Sequence[str], workdir: Path, options: Sequence[str] = ()) -> tuple[dict[str, Any], int]:
    """Ingest the inputs into a fresh store, export it: the analysis document and the number of failed inputs.
    `options` go before the command ("--config", FILE)."""
    db = workdir / "store.db"
    command = [*recoupe_command(), *options]
    ingest = subprocess.run([*command, "--db", str(db), "ingest", *inputs], capture_output=True, text=True, check=False)
    # Exit code 1 says that some inputs failed (each named on stderr, the others stored); a traceback is a crash.
    if ingest.returncode not in (0, 1) or "Traceback (most recent call last)" in ingest.stderr:
        sys.exit(f"recoupe ingest failed ({ingest.returncode}):\n{ingest.stderr}")
    failed = sum(1 for line in ingest.stderr.splitlines() if line.strip().lower().startswith("error"))
    export = subprocess.run(
        [*command, "--db", str(db), "export", "--format", "json"], capture_output=True, text=True, check=False
    )
    if export.returncode != 0:
        sys.exit(f"recoupe export failed ({export.returncode}):\n{export.stderr}")
    document: dict[str, Any] = json.loads(export.stdout)
    return document, failed


def found_quotes(document: dict[str, Any], doc_of_source: dict[str, str]) -> tuple[list[FoundQuote], int]:
    """The direct and mixed quotes of an export, keyed by gold document, and the number of indirect ones."""
    doc_of_article = {a["id"]: doc_of_source.get(a["source"]) for a in document["articles"]}
    entities = {e["id"]: e for e in document["entities"]}
    quotes: list[FoundQuote] = []
    indirect = 0
    for quote in document["quotes"]:
        doc = doc_of_article.get(quote["article"])
        if doc is None:
            continue
        if quote["kind"] not in MATCHED_KINDS:
            indirect += 1
            continue
        entity = entities.get(quote["speaker"] or "")
        forms = (entity["name"], *entity.get("variants", [])) if entity else ()
        quotes.append(
            FoundQuote(
                doc,
                quote["text"],
                quote["kind"],
                tuple(forms),
                entity["type"] if entity else None,
                quote.get("speaker_mention"),
                quote.get("cue"),
                quote.get("confidence"),
            )
        )
    return quotes, indirect


# ---------------------------------------------------------------- matching and scoring


def matches(found: str, gold: str) -> bool:
    """Whether a found quote's text starts with the gold quote, its start shifted by a few characters at most."""
    found_key, gold_key = fold(found), fold(gold)
    if not gold_key:
        return False
    for shift in range(MATCH_SHIFT + 1):
        if found_key[shift:].startswith(gold_key):  # the found span starts earlier
            return True
        tail = gold_key[shift:].lstrip()
        if shift and len(tail) >= SHIFTED_MATCH_MIN and found_key.startswith(tail):  # it starts later
            return True
    return False


def _name_words(name: str) -> list[str]:
    return [w for w in words(name) if w not in TITLES]


def _head(text: str) -> str | None:
    """The head noun of an organisation or role: its first word after determiners and titles."""
    rest = [w for w in words(text) if w not in DETERMINERS and w not in TITLES]
    return rest[0] if rest else None


def _heads(text: str) -> set[str]:
    """The head nouns an organisation may go by: its first word after determiners, and its last word when that
    is an organisation head ("New Zealand Police" is "police", "the Indian Defence Ministry" is "ministry")."""
    rest = [w for w in words(text) if w not in DETERMINERS and w not in TITLES]
    return set(rest[:1]) | ({rest[-1]} if rest and rest[-1] in ORGANISATION_HEADS else set())


def _is_described(speaker: str) -> bool:
    """Whether a gold speaker is an organisation or an unnamed role rather than a person's name."""
    first = words(speaker)[:1]
    return bool(first) and first[0] in DETERMINERS


def speaker_right(gold: GoldQuote, found: FoundQuote) -> bool:
    """Whether the found speaker is the gold one (see the module docstring)."""
    if gold.speaker.lower() in UNKNOWN_SPEAKERS:
        return not found.speaker_forms
    if not found.speaker_forms:
        return False
    forms = [_name_words(f) for f in found.speaker_forms]
    wanted = [_name_words(v) for v in (gold.speaker, *gold.variants)]
    if any(f and f in wanted for f in forms):
        return True
    if found.speaker_type != "PER" or _is_described(gold.speaker):
        heads = _heads(gold.speaker)
        return bool(heads) and any(_heads(f) & heads for f in found.speaker_forms)
    # An entity known by the surname alone ("Macron") is the person when that is how the gold name ends.
    name = _name_words(found.speaker_forms[0])
    full = _name_words(gold.speaker)
    return bool(name) and len(name) < len(full) and full[-len(name) :] == name


def written_class(gold: GoldQuote) -> str:
    """How the text names the speaker nearest the quote: name, title + name, role noun, pronoun, organisation."""
    as_written = re.sub(r"\([^)]*\)", " ", gold.as_written)  # the seeds' notes: "il (Poutine)"
    written = fold(as_written)
    if not written:
        return "none"
    if written in ANAPHORS:
        return "pronoun"
    head = _head(as_written)
    if head in ORGANISATION_HEADS or (_is_described(gold.speaker) and _head(gold.speaker) in ORGANISATION_HEADS):
        return "organisation"
    said = words(as_written)
    if gold.speaker.lower() not in UNKNOWN_SPEAKERS and not _is_described(gold.speaker):
        name = {w for w in _name_words(gold.speaker) if len(w) >= NAME_WORDS_MIN and w not in PARTICLES}
        if name & set(said):
            rest = [w for w in said if w not in name and w not in PARTICLES and not _spelling_of(w, name)]
            return "title + name" if rest else "name"
    return "role noun"


def _spelling_of(word: str, name: set[str]) -> bool:
    """Whether a word is another spelling of a word of the name ("Dmitry" for "Dmitri")."""
    return any(word[:SPELLING_PREFIX] == part[:SPELLING_PREFIX] for part in name if len(part) >= SPELLING_PREFIX)


def score(data: DataSet, quotes: list[FoundQuote], indirect: int, failed: int) -> Scores:
    """Match the found quotes to the gold of one set."""
    scores = Scores(data.name, len(data.records), indirect_total=indirect, failed_inputs=failed)
    by_doc: dict[str, list[FoundQuote]] = {}
    for quote in quotes:
        by_doc.setdefault(quote.doc, []).append(quote)
    gold_by_doc: dict[str, list[GoldQuote]] = {}
    for item in data.gold:
        gold_by_doc.setdefault(item.doc, []).append(item)
    for item in data.gold:
        match = next((q for q in by_doc.get(item.doc, []) if matches(q.text, item.quote)), None)
        right = speaker_right(item, match) if match else None
        scores.outcomes.append(Outcome(item, match, right, written_class(item)))
    for quote in quotes:
        golds = [g for g in gold_by_doc.get(quote.doc, []) if matches(quote.text, g.quote)]
        if golds and all(g.optional for g in golds):
            continue  # an optional quote reported: no penalty, no credit
        scores.found_total += 1
        if not golds:
            listed = next((n for n in data.not_quotes.get(quote.doc, []) if matches(quote.text, n)), None)
            scores.false_positives.append((quote, listed))
    return scores


# ---------------------------------------------------------------- printing


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f} ({part}/{whole})" if whole else "n/a (0/0)"


def report(scores: Scores) -> list[str]:
    """The figures of one set as text lines."""
    required = [o for o in scores.outcomes if not o.gold.optional]
    found = [o for o in required if o.found]
    right = [o for o in found if o.speaker_right]
    listed = sum(1 for _, why in scores.false_positives if why is not None)
    true_positives = scores.found_total - len(scores.false_positives)
    with_speaker = sum(1 for o in found if o.found and o.found.speaker_forms)
    lines = [
        f"== {scores.name}: {scores.texts} texts, {len(required)} quotes to find "
        f"({len(scores.outcomes) - len(required)} optional), {scores.found_total + scores.indirect_total} "
        f"quotes reported ({scores.indirect_total} indirect, not scored)"
        + (f", {scores.failed_inputs} inputs failed" if scores.failed_inputs else ""),
        f"quote recall        {_ratio(len(found), len(required))}{_target(scores.name, 0)}",
        f"quote precision     {_ratio(true_positives, scores.found_total)}{_target(scores.name, 1)}; false "
        f"positives {len(scores.false_positives)}, of which {listed} listed not-quotes",
        f"speaker accuracy    {_ratio(len(right), len(found))}{_target(scores.name, 2)}",
        f"found with a speaker {_ratio(with_speaker, len(found))}",
        "speaker accuracy by how the speaker is written (found quotes):",
    ]
    for kind in WRITTEN_CLASSES:
        group = [o for o in found if o.written_as == kind]
        missed = sum(1 for o in required if o.written_as == kind and not o.found)
        lines.append(f"  {kind:<14} {_ratio(sum(1 for o in group if o.speaker_right), len(group)):<20} missed {missed}")
    lines.append("calibration (found quotes, speaker right by confidence):")
    for low, high in CONFIDENCE_BINS:
        group = [o for o in found if _in_bin(o, low, high)]
        share = f"{sum(1 for o in group if o.speaker_right) / len(group):.2f}" if group else "  - "
        lines.append(f"  {low:.1f}-{high:.1f}   {len(group):4d} quotes, right {share}")
    unrated = [o for o in found if o.found and o.found.confidence is None]
    lines.append(f"  no confidence {len(unrated):4d} quotes, right {_share(unrated)}")
    low_group = [o for o in found if o.found and o.found.confidence is not None and o.found.confidence < LOW_CONFIDENCE]
    wrong_low = sum(1 for o in low_group if not o.speaker_right)
    lines.append(f"under {LOW_CONFIDENCE} confidence: {_ratio(wrong_low, len(low_group))} wrong")
    return lines


def _target(name: str, which: int) -> str:
    wanted = TARGETS.get(name)
    return f" [target {wanted[which]:.2f}]" if wanted else ""


def _in_bin(outcome: Outcome, low: float, high: float) -> bool:
    confidence = outcome.found.confidence if outcome.found else None
    if confidence is None:
        return False
    return low <= confidence < high or (high == CONFIDENCE_BINS[-1][1] and confidence == high)


def _share(group: list[Outcome]) -> str:
    return f"{sum(1 for o in group if o.speaker_right) / len(group):.2f}" if group else "  - "


def errors(scores: Scores) -> list[str]:
    """Every error of one set, in document order: misses, wrong speakers, false positives."""
    lines: list[str] = []
    for outcome in sorted(scores.outcomes, key=lambda o: o.gold.doc):
        gold = outcome.gold
        if gold.optional:
            continue
        if outcome.found is None:
            lines.append(
                f"{gold.doc} missed [{gold.kind}] «{gold.quote}» ({gold.speaker}; as written: {gold.as_written!r})"
            )
        elif not outcome.speaker_right:
            found = outcome.found
            lines.append(
                f"{gold.doc} wrong speaker «{gold.quote[:40]}»: found {found.speaker_name!r} "
                f"(mention {found.mention!r}, cue {found.cue!r}, {found.confidence}) vs gold {gold.speaker!r} "
                f"[{outcome.written_as}: {gold.as_written!r}]"
            )
    for quote, why in sorted(scores.false_positives, key=lambda item: item[0].doc):
        kind = f"listed not-quote «{why}»" if why else "not in the gold"
        lines.append(f"{quote.doc} false positive [{quote.kind}] «{quote.text[:60]}» ({kind})")
    return [" ".join(line.split()) for line in lines]  # a quote over several paragraphs on one line


def dump(scores: Iterable[Scores]) -> dict[str, Any]:
    """Every outcome and false positive as JSON, for reading the errors elsewhere."""
    return {
        s.name: {
            "outcomes": [
                {"gold": asdict(o.gold), "found": asdict(o.found) if o.found else None, "right": o.speaker_right,
                 "written_as": o.written_as}
                for o in s.outcomes
            ],
            "false_positives": [{"found": asdict(q), "not_quote": why} for q, why in s.false_positives],
        }
        for s in scores
    }  # fmt: skip


# ---------------------------------------------------------------- main


def measure(data: DataSet, workdir: Path, options: Sequence[str] = ()) -> Scores:
    """Write a set as JSON Lines, run recoupe on it (with `options`, see run_recoupe) and score the export."""
    path = workdir / f"{data.language}-{len(data.records)}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in data.records), encoding="utf-8")
    document, failed = run_recoupe([str(path)], workdir, options)
    quotes, indirect = found_quotes(document, data.doc_of_source)
    return score(data, quotes, indirect, failed)


def wikinews(workdir: Path) -> list[str]:
    """Quotes and quotes with a speaker on the wikinews corpus, by kind."""
    document, failed = run_recoupe([str(WIKINEWS)], workdir)
    quotes = document["quotes"]
    kinds = Counter(q["kind"] for q in quotes)
    with_speaker = sum(1 for q in quotes if q["speaker"])
    by_kind = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    return [
        f"== wikinews: {len(document['articles'])} articles" + (f" ({failed} inputs failed)" if failed else ""),
        f"quotes {len(quotes)} ({by_kind}), with a speaker {with_speaker} (target: more than 126 of 183)",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the options, run the chosen sets, print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--only", choices=("fr", "en", "seeds", "wikinews"), help="run one set only")
    parser.add_argument("--errors", type=int, default=0, metavar="N", help="print the N first errors of each set")
    parser.add_argument("--dump", type=Path, help="write every outcome of the scored sets to this JSON file")
    args = parser.parse_args(argv)
    makers = {"fr": french_dev, "seeds": seeds, "en": english_dev}
    chosen = [args.only] if args.only else ["fr", "seeds", "en", "wikinews"]
    measured: list[Scores] = []
    for name in chosen:
        with tempfile.TemporaryDirectory(prefix=f"qbench-{name}-") as tmp:
            if name == "wikinews":
                print("\n".join(wikinews(Path(tmp))), flush=True)
                continue
            scores = measure(makers[name](), Path(tmp))
        measured.append(scores)
        print("\n".join(report(scores)), flush=True)
        if args.errors:
            listed = errors(scores)
            print(f"errors ({min(args.errors, len(listed))} of {len(listed)}):")
            print("\n".join(f"  {line}" for line in listed[: args.errors]), flush=True)
        print()
    if args.dump:
        args.dump.write_text(json.dumps(dump(measured), ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
