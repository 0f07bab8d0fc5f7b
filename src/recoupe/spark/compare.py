"""How far a batch agrees with a single-machine ingest of the same inputs, from the two stores' JSON exports."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

QuoteKey = tuple[str, int, int, str, str]


def bcubed(truth: dict[str, str], predicted: dict[str, str]) -> float:
    """B-cubed F1 of a partition of items (item -> cluster) against another one over the same items."""
    if not truth:
        return 1.0
    true_members: dict[str, set[str]] = defaultdict(set)
    found_members: dict[str, set[str]] = defaultdict(set)
    for item, cluster in truth.items():
        true_members[cluster].add(item)
    for item, cluster in predicted.items():
        found_members[cluster].add(item)
    precision = recall = 0.0
    for item in truth:
        found = found_members[predicted[item]] if item in predicted else {item}
        shared = len(true_members[truth[item]] & found) or 1
        precision += shared / len(found)
        recall += shared / len(true_members[truth[item]])
    precision, recall = precision / len(truth), recall / len(truth)
    return 2 * precision * recall / (precision + recall)


def _quotes(export: dict[str, Any]) -> dict[QuoteKey, str | None]:
    return {(q["article"], q["start"], q["end"], q["kind"], q["text"]): q.get("speaker") for q in export["quotes"]}


def agreement(single: dict[str, Any], batch: dict[str, Any]) -> dict[str, Any]:
    """Article ids, quotes (spans, kinds, texts) and speakers, events and stories (B-cubed) compared."""
    single_quotes, batch_quotes = _quotes(single), _quotes(batch)
    shared = set(single_quotes) & set(batch_quotes)
    return {
        "articles": len(single["articles"]),
        "same_article_ids": {a["id"] for a in single["articles"]} == {a["id"] for a in batch["articles"]},
        "quotes": len(single_quotes),
        "same_quotes": set(single_quotes) == set(batch_quotes),
        "same_speakers": sum(1 for key in shared if single_quotes[key] == batch_quotes[key]),
        "events_bcubed": bcubed(
            {a["id"]: a["event"] for a in single["articles"]}, {a["id"]: a["event"] for a in batch["articles"]}
        ),
        "stories_bcubed": bcubed(
            {a["id"]: a["story"] for a in single["articles"]}, {a["id"]: a["story"] for a in batch["articles"]}
        ),
    }
