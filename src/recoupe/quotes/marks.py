"""Quotation marks: the marks of scraped text paired into quoted spans, per paragraph.

No library reads French quotation typography with its broken variants, so the marks are paired by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from recoupe.quotes.offsets import SENTENCE_END, skip_space, token_at

OPENERS = "«“"
CLOSERS = "»”"
MARKS = re.compile(r"[«»“”\"]")
# Punctuation after which a mark closes the quote before it ('"They argued, “X told').
CLOSING_PUNCTUATION = ",.!?…;"
# Paragraphs a quote left open may run on through before its closing mark (one sentence a line).
MAX_RUN_ON_PARAGRAPHS = 4


@dataclass
class Marked:
    """A span between quote marks: content offsets, and whether it stays open at the paragraph's end."""

    open_at: int
    start: int
    end: int
    close_at: int | None
    paragraph: int


def pair_marks(text: str, paragraphs: list[tuple[int, int]]) -> list[Marked]:
    """Pair the quote marks of each paragraph, reading the broken marks of scraped text.

    Handles « » and “ ” (with the other pair nested inside), straight quotes, an opening mark typed as a
    closing one (qu' »on ...), a closing mark typed as an opening one ("...États-Unis« , ce qui", "... I'm
    satisfied, “said X"), stray marks after numbers (27 800″) and a quote left open at the end of its paragraph.
    A quote left open runs on into the next paragraphs when the first mark after it closes it: text rebuilt from
    tokens puts each sentence on a line of its own ("« First sentence.\n\nSecond one », said X").
    """
    spans: list[Marked] = []
    open_char: str | None = None
    open_at = 0
    depth = 0
    opened_in = 0
    for number, (p_start, p_end) in enumerate(paragraphs):
        if open_char is not None and not _runs_on(text, paragraphs, number, open_char):
            spans.append(marked(text, open_at, None, opened_in, paragraphs[number - 1][1]))
            open_char = None
        for match in MARKS.finditer(text, p_start, p_end):
            i, ch = match.start(), match.group()
            prev = text[i - 1] if i > p_start else " "
            nxt = text[i + 1] if i + 1 < p_end else " "
            closing_shape = not prev.isspace() and (nxt.isspace() or nxt in ",.;:!?)")
            if open_char is None:
                opens = (
                    ch in OPENERS
                    or (ch == "»" and (nxt.isalpha() or nxt == " ") and "»" in text[i + 1 : p_end])
                    or (ch == '"' and not closing_shape and not prev.isalnum())
                )
                if opens and text[i + 1 : p_end].strip():  # a mark ending its paragraph opens nothing
                    open_char, open_at, depth, opened_in = ch, i, 0, number
                continue
            if ch == '"' and open_char == '"':
                spans.append(marked(text, open_at, i, opened_in))
                open_char = None
            elif ch in OPENERS and ch != '"':
                if (ch == "«" and open_char in "«»" and closing_shape) or (
                    ch == "“" and _closes_as_opener(text, i, open_char, p_start, p_end)
                ):
                    spans.append(marked(text, open_at, i, opened_in))  # an opening mark typed as closing
                    open_char = None
                else:
                    depth += 1
            elif ch in CLOSERS:
                if depth:
                    depth -= 1
                else:
                    spans.append(marked(text, open_at, i, opened_in))
                    open_char = None
    if open_char is not None:
        spans.append(marked(text, open_at, None, opened_in, paragraphs[-1][1]))
    return [s for s in spans if s.end > s.start]


def _closes_as_opener(text: str, i: int, open_char: str, p_start: int, p_end: int) -> bool:
    """Whether a “ inside an open quote closes it: after a straight opening mark, set after punctuation
    ('"They argued, “X told'), or with nothing but a space or punctuation after it ('... orchestra “, said X')."""
    nxt = text[i + 1] if i + 1 < p_end else " "
    if nxt.isspace() or nxt in ",.;:!?":
        return open_char in '"“'
    return open_char == '"' and text[p_start:i].rstrip()[-1:] in CLOSING_PUNCTUATION


def _runs_on(text: str, paragraphs: list[tuple[int, int]], number: int, open_char: str) -> bool:
    """Whether a quote left open before paragraph `number` goes on in it: no mark opens that paragraph, and the
    first mark of the next few paragraphs closes the quote."""
    for p_start, p_end in paragraphs[number : number + MAX_RUN_ON_PARAGRAPHS]:
        if text[p_start:p_end].lstrip()[:1] in OPENERS + '"':
            return False  # a new quote opens the paragraph: the one before ended with its paragraph
        match = MARKS.search(text, p_start, p_end)
        if match is None:
            continue
        i, ch = match.start(), match.group()
        if ch in CLOSERS:
            return True
        if ch == "“":
            return _closes_as_opener(text, i, open_char, p_start, p_end)
        return ch == open_char == '"'
    return False


def marked(text: str, open_at: int, close_at: int | None, paragraph: int, p_end: int = 0) -> Marked:
    start = skip_space(text, open_at + 1)
    end = close_at if close_at is not None else p_end
    while end > start and text[end - 1].isspace():
        end -= 1
    return Marked(open_at, start, end, close_at, paragraph)


def same_sentence(text: str, before: Marked, span: Marked) -> bool:
    between = text[(before.close_at or before.end) + 1 : span.open_at]
    return before.paragraph == span.paragraph and not SENTENCE_END.search(between)


def verbless(doc: Doc, span: Marked) -> bool:
    """Whether a quoted span holds no verb at all: a noun phrase, so a title or a scare phrase, not speech."""
    return not any(t.pos_ in {"VERB", "AUX"} for t in doc[token_at(doc, span.start) : token_at(doc, span.end)])
