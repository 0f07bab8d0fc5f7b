"""Offsets in an article's text and its Doc: sentences and paragraphs, tokens at a character, spacing."""

from __future__ import annotations

import bisect
import re

from spacy.tokens import Doc

WORD = re.compile(r"\w+")
SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")
FINAL_PUNCT = " .,;:"


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]


def sentence_start(doc: Doc, position: int) -> int:
    """Where the sentence holding `position` starts: spaCy's sentences, also cut at line breaks."""
    starts: list[int] | None = doc.user_data.get("recoupe.sentence_starts")  # a per-document cache
    if starts is None:
        text = doc.text
        found = {s.start_char for s in doc.sents} | {m.end() for m in re.finditer(r"\n+", text)} | {0}
        starts = doc.user_data["recoupe.sentence_starts"] = sorted(found)
    return starts[bisect.bisect_right(starts, position) - 1]


def paragraph_start(text: str, position: int) -> int:
    return text.rfind("\n", 0, position) + 1


def token_at(doc: Doc, char: int) -> int:
    """Index of the first token starting at or after `char`."""
    starts: list[int] | None = doc.user_data.get("recoupe.token_starts")  # a per-document cache
    if starts is None:
        starts = doc.user_data["recoupe.token_starts"] = [t.idx for t in doc]
    return bisect.bisect_left(starts, char)


def skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \u00a0":
        i += 1
    return i


def trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in FINAL_PUNCT + "\n":
        end -= 1
    return end
