"""Quality figures of a store against a gold file in the format of shared/gold/seeds.json.

Articles are matched to gold documents by file name (the end of `Article.source`). Text comparisons ignore
case, accents, apostrophe and quote-mark variants and spacing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from recoupe.people.names import strip_accents
from recoupe.records import Article, Quote
from recoupe.store import Store

MATCHED_KINDS = ("direct", "mixed")  # the gold annotates direct and mixed quotes only


def fold(text: str) -> str:
    """Text reduced for comparison."""
    text = strip_accents(text).lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"[«»“”\"]", " ", text)
    return " ".join(text.split())


def evaluate(store: Store, gold: dict[str, Any]) -> dict[str, Any]:
    """Every figure: debris, quotes, speakers, not-quotes, events, entity variants."""
    articles = {PurePath(a.source).name: a for a in store.articles()}
    figures: dict[str, Any] = {"documents": len(articles)}
    figures.update(_debris(articles, gold))
    figures.update(_quotes(store, articles, gold))
    figures.update(_events(store, articles, gold))
    figures.update(_entities(store, gold))
    return figures


def _debris(articles: dict[str, Article], gold: dict[str, Any]) -> dict[str, Any]:
    wanted = found = 0
    for doc, lines in gold.get("debris_lines", {}).items():
        removed = {fold(r) for r in articles[doc].removed} if doc in articles else set()
        wanted += len(lines)
        found += sum(fold(line) in removed for line in lines)
    foreign_wanted = foreign_found = 0
    for doc, fragments in gold.get("foreign_fragments", {}).items():
        article = articles.get(doc)
        flagged = [fold(article.text[f.start : f.end]) for f in article.foreign_fragments] if article else []
        foreign_wanted += len(fragments)
        foreign_found += sum(any(fold(f) in span for span in flagged) for f in fragments)
    return {
        "debris_recall": _ratio(found, wanted),
        "debris_lines": f"{found}/{wanted}",
        "removed_lines": sum(len(a.removed) for a in articles.values()),
        "foreign_recall": _ratio(foreign_found, foreign_wanted),
    }


def _quotes(store: Store, articles: dict[str, Article], gold: dict[str, Any]) -> dict[str, Any]:
    names = {e.id: [e.name, *e.variants] for e in store.entities()}
    by_doc: dict[str, list[Quote]] = {}
    for doc, article in articles.items():
        by_doc[doc] = [q for q in store.quotes(article=article.id) if q.kind in MATCHED_KINDS]
    gold_quotes = gold.get("quotes", [])
    optional = gold.get("optional_quotes", [])
    found = right = 0
    misses: list[str] = []
    wrong: list[str] = []
    for item in gold_quotes:
        match = _find(by_doc.get(item["doc"], []), item["starts_with"])
        if match is None:
            misses.append(f"{item['doc']}: {item['starts_with']}")
            continue
        found += 1
        variants = {fold(v) for v in gold.get("entity_variants", {}).get(item["speaker"], [item["speaker"]])}
        reported = {fold(n) for n in names.get(match.speaker or "", [])}
        if reported & variants:
            right += 1
        else:
            wrong.append(f"{item['doc']}: {item['starts_with'][:40]} -> {match.speaker_mention}")
    reported_total = sum(len(q) for q in by_doc.values())
    spurious = [
        f"{doc}: {q.text[:50]}"
        for doc, quotes in by_doc.items()
        for q in quotes
        if not any(fold(g["starts_with"]) in fold(q.text) for g in [*gold_quotes, *optional] if g["doc"] == doc)
    ]
    not_quotes = [
        n["text"] for n in gold.get("not_quotes", []) if _find_all_kinds(store, articles.get(n["doc"]), n["text"])
    ]
    return {
        "quote_recall": _ratio(found, len(gold_quotes)),
        "quote_precision": _ratio(reported_total - len(spurious), reported_total),
        "speaker_accuracy": _ratio(right, found),
        "not_quotes_reported": len(not_quotes),
        "quotes_reported": reported_total,
        "indirect_quotes_reported": sum(
            1 for a in articles.values() for q in store.quotes(article=a.id) if q.kind == "indirect"
        ),
        "missed_quotes": misses,
        "spurious_quotes": spurious,
        "wrong_speakers": wrong,
    }


def _find(quotes: Iterable[Quote], starts_with: str) -> Quote | None:
    key = fold(starts_with)
    return next((q for q in quotes if key in fold(q.text)), None)


def _find_all_kinds(store: Store, article: Article | None, text: str) -> bool:
    if article is None:
        return False
    key = fold(text)
    return any(fold(q.text) == key or fold(q.text).startswith(key) for q in store.quotes(article=article.id))


def _events(store: Store, articles: dict[str, Article], gold: dict[str, Any]) -> dict[str, Any]:
    gold_events = gold.get("events", {})
    truth = {doc: name for name, event in gold_events.items() for doc in event["docs"] if doc in articles}
    predicted = {doc: articles[doc].event or doc for doc in truth}
    precision, recall = _bcubed(truth, predicted)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    within = 0
    event_dates = {e.id: e.date for e in store.events()}
    for event in gold_events.values():
        dates = {event_dates.get(predicted[d]) for d in event["docs"] if d in predicted}
        if any(d and abs(_days(d) - _days(event["date"])) <= 1 for d in dates):
            within += 1
    stories = {articles[doc].story for doc in truth}
    return {
        "events_bcubed_precision": round(precision, 3),
        "events_bcubed_recall": round(recall, 3),
        "events_bcubed_f1": round(f1, 3),
        "events_predicted": len(set(predicted.values())),
        "event_dates_within_one_day": f"{within}/{len(gold_events)}",
        "stories_for_gold_story": len(stories),
    }


def _bcubed(truth: dict[str, str], predicted: dict[str, str]) -> tuple[float, float]:
    if not truth:
        return 0.0, 0.0
    precision = recall = 0.0
    for item in truth:
        same_pred = {o for o in truth if predicted[o] == predicted[item]}
        same_true = {o for o in truth if truth[o] == truth[item]}
        both = len(same_pred & same_true)
        precision += both / len(same_pred)
        recall += both / len(same_true)
    return precision / len(truth), recall / len(truth)


def _days(iso: str) -> int:
    from datetime import date

    return date.fromisoformat(iso[:10]).toordinal()


def _entities(store: Store, gold: dict[str, Any]) -> dict[str, Any]:
    """Whether every variant of each gold person leads to one entity. A variant is found under an entity when
    its words appear in a row in the entity's name or a variant ("Lavrov" in "M. Lavrov"), as `recoupe quotes
    --speaker` finds it; transliterations are not folded here, so "Zelenski" must have been seen as written."""
    surfaces = {e.id: [fold(v).split() for v in [e.name, *e.variants]] for e in store.entities() if e.type == "PER"}
    merged = 0
    split: list[str] = []
    for person, variants in gold.get("entity_variants", {}).items():
        owners: set[str] = set()
        missing: list[str] = []
        for variant in variants:
            holders = {e for e, forms in surfaces.items() if any(_contains(f, fold(variant).split()) for f in forms)}
            owners |= holders
            if not holders:
                missing.append(variant)
        if len(owners) == 1 and not missing:
            merged += 1
        else:
            unseen = f", not seen: {', '.join(missing)}" if missing else ""
            split.append(f"{person}: {len(owners)} entities{unseen}")
    total = len(gold.get("entity_variants", {}))
    return {"people_fully_merged": f"{merged}/{total}", "people_not_merged": split}


def _contains(words: list[str], part: list[str]) -> bool:
    return bool(part) and any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def format_figures(figures: dict[str, Any]) -> str:
    """The figures as aligned text lines, lists last."""
    lines = []
    for key, value in figures.items():
        if not isinstance(value, list):
            lines.append(f"{key:<30} {value}")
    for key, value in figures.items():
        if isinstance(value, list) and value:
            lines.append(f"{key}:")
            lines.extend(f"  - {item}" for item in value)
    return "\n".join(lines)
