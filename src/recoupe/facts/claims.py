"""Claims: the sentences of an article that state something, each with what it names, counts and dates.

A claim is a sentence of the cleaned text (or a run of short ones of one paragraph, so that "Le maire est prêt.
Nous attendons des signes." is one statement), never a question, a repeated headline or a line without a verb.
Each keeps its exact span, its content lemmas and word vector (for alignment across outlets), the entities it
names, its figures with what they count, its dates, its main verb, the stance of its reporting verb ("a
confirmé" or "a démenti") and, inside a quote, the quote's speaker. The words of a language are data
(rules/<lang>/claims.toml); this module holds no word of any language.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from spacy.tokens import Doc, Span, Token

from recoupe.facts.figures import Figure, FigureReader
from recoupe.facts.records import VECTOR_DTYPE, Claim, CountedFigure, Stance, fold
from recoupe.records import Mention, Quote, stable_id
from recoupe.rules import key, parse_record
from recoupe.stories.dates import DateReader, parse_iso

CLAIMS_FILE = "claims.toml"
CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM"})
VERB_POS = frozenset({"VERB", "AUX"})
MIN_CONTENT = 4  # content words a sentence needs to state something on its own; shorter ones join the next
MAX_CLAIM_CHARS = 600  # a run of short sentences stops growing here


@dataclass(frozen=True, kw_only=True)
class ClaimWords:
    """The words claims.toml gives a language: stance verbs, wire cues, agencies, participle endings."""

    confirming: frozenset[str] = key("confirming", frozenset())
    denying: frozenset[str] = key("denying", frozenset())
    # Lemmas that say how something was reported rather than what: left out of a claim's words.
    reporting: frozenset[str] = key("reporting", frozenset())
    # The cues that name where a text got its information ("selon", "a rapporté", "d'après").
    citing_cues: tuple[str, ...] = key("citing_cues", ())
    # News agencies and the outlets whose reports others relay: a cue names one of them, or a dateline does.
    agencies: tuple[str, ...] = key("agencies", ())
    # Words opening a clause of its own after a comma, a semicolon or a dash ("..., mais ...").
    clause_openers: tuple[str, ...] = key("clause_openers", ())
    feminine_ending: str = key("feminine_ending", "")
    plural_ending: str = key("plural_ending", "")


def load_claim_words(folder: Path) -> ClaimWords:
    """The claim words of a language folder; none (no stance, no wire cue) when it has no claims.toml."""
    path = folder / CLAIMS_FILE
    if not path.is_file():
        return ClaimWords()
    return parse_record(path, path.read_text(encoding="utf-8"), ClaimWords)


class ClaimReader:
    """Finds the claims of a parsed article, with one language's words and figure rules."""

    def __init__(self, folder: Path, figures: FigureReader, dates: DateReader | None = None) -> None:
        self.words = load_claim_words(folder)
        self.figures = figures
        self.dates = dates
        self.reporting = frozenset(fold(w) for w in self.words.reporting)
        self.confirming = frozenset(fold(w) for w in self.words.confirming)
        self.denying = frozenset(fold(w) for w in self.words.denying)
        openers = "|".join(re.escape(w) for w in sorted(self.words.clause_openers, key=len, reverse=True))
        # "..., mais à condition que": the clause after the opener states its own thing.
        self.openers = re.compile(rf"(?:[,;]|\s[–—])\s+(?P<opener>(?i:{openers})\b)") if openers else None

    def read(
        self,
        doc: Doc,
        article: str,
        title: str | None = None,
        quotes: Sequence[Quote] = (),
        mentions: Sequence[Mention] = (),
        published: str | None = None,
    ) -> list[Claim]:
        """The claims of one article, in text order."""
        text = doc.text
        headline = fold(title).strip() if title else None
        figures = [f for f in self.figures.read(article, text) if not _clock_or_rank(text, f)]
        dated = self._dates(text, published)
        claims = []
        direct = [q for q in quotes if q.kind != "indirect"]
        for start, end in self._units(doc):
            start, end = _within_quote(text, start, end, direct)
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None or not any(t.pos_ in VERB_POS for t in span):
                continue
            words = span.text.strip()
            if words.endswith("?") or (headline is not None and fold(words).strip(" .") == headline.strip(" .")):
                continue
            claims.append(self._claim(span, article, start, end, figures, dated, quotes, mentions))
        return claims

    def _units(self, doc: Doc) -> list[tuple[int, int]]:
        """The spans of the article's clauses: sentences cut at line breaks and before a clause opener ("...,
        mais ..."); a sentence that opens in lower case continues the one before (a stray full stop), and short
        ones join the next of their paragraph."""
        text = doc.text
        pieces: list[tuple[int, int, bool]] = []  # start, end, continues the piece before
        for sent in doc.sents:
            if sent.text.rstrip(QUOTE_MARKS).endswith("?"):
                continue  # a question states nothing, and would otherwise join the next sentence as a short one
            participles = _participle_clauses(sent)
            for start, end in _lines(text, sent.start_char, sent.end_char):
                first = True
                for part_start, part_end in self._clauses(text, start, end, participles):
                    opening = text[part_start:part_end].lstrip("«»\"“”'’ [()…")[:1]
                    pieces.append((part_start, part_end, first and opening.islower()))
                    first = False
        units: list[tuple[int, int]] = []
        run: tuple[int, int] | None = None
        for start, end, continues in pieces:
            same_paragraph = run is not None and "\n" not in text[run[1] : start]
            joins = run is not None and same_paragraph and (continues or self._content(doc, *run) < MIN_CONTENT)
            if joins and run is not None and end - run[0] <= MAX_CLAIM_CHARS:
                run = (run[0], end)
                continue
            if run is not None:
                units.append(run)
            run = (start, end)
        if run is not None:
            units.append(run)
        # A short last clause of a paragraph joins the one before it.
        merged: list[tuple[int, int]] = []
        for unit in units:
            if (
                merged
                and self._content(doc, *unit) < MIN_CONTENT
                and "\n" not in text[merged[-1][1] : unit[0]]
                and unit[1] - merged[-1][0] <= MAX_CLAIM_CHARS
            ):
                merged[-1] = (merged[-1][0], unit[1])
            else:
                merged.append(unit)
        return merged

    def _clauses(self, text: str, start: int, end: int, participles: Sequence[int] = ()) -> list[tuple[int, int]]:
        """A line cut before each clause opener that follows a comma, a semicolon or a dash, and before each
        participle clause (`_participle_clauses`)."""
        cuts = [m.start("opener") for m in self.openers.finditer(text, start, end)] if self.openers else []
        cuts += [at for at in participles if start < at < end]
        bounds = [start, *sorted(set(cuts)), end]
        return [(a, b) for a, b in itertools.pairwise(bounds) if text[a:b].strip()]

    @staticmethod
    def _content(doc: Doc, start: int, end: int) -> int:
        span = doc.char_span(start, end, alignment_mode="expand")
        return sum(1 for t in span if t.pos_ in CONTENT_POS and not t.is_stop) if span is not None else 0

    def _dates(self, text: str, published: str | None) -> list[tuple[int, int, str]]:
        """The dates written in the text: their span and the day they name (else the words, folded)."""
        if self.dates is None:
            return []
        base = parse_iso(published) if published else None
        found = []
        for mention in self.dates.mentions(text, base):
            if mention.background or mention.kind not in ("date", "weekday"):
                continue
            day = mention.day.isoformat() if isinstance(mention.day, date) else fold(text[mention.start : mention.end])
            found.append((mention.start, mention.end, day))
        return found

    def _claim(
        self,
        span: Span,
        article: str,
        start: int,
        end: int,
        figures: list[Figure],
        dated: list[tuple[int, int, str]],
        quotes: Sequence[Quote],
        mentions: Sequence[Mention],
    ) -> Claim:
        # The clause's characters out of its span's (which covers them), not out of Doc.text, which joins every
        # token of the article at each call.
        words = span.text[start - span.start_char : end - span.start_char]
        content = [t for t in span if t.pos_ in CONTENT_POS and not t.is_stop and not t.is_punct]
        lemmas = tuple(t.lemma_.lower() for t in content if fold(t.lemma_) not in self.reporting and len(t.lemma_) > 1)
        verbs = [t for t in span if t.pos_ == "VERB"]
        main = next((t for t in verbs if fold(t.lemma_) not in self.reporting), verbs[0] if verbs else None)
        stances = {fold(t.lemma_) for t in verbs}
        stance: Stance | None = "denies" if stances & self.denying else "affirms" if stances & self.confirming else None
        quote = max(
            (q for q in quotes if q.start < end and start < q.end),
            key=lambda q: min(q.end, end) - max(q.start, start),
            default=None,
        )
        entities = tuple(dict.fromkeys(m.entity for m in mentions if start <= m.start and m.end <= end))
        counted = tuple(self._counted(span, f) for f in figures if start <= f.start and f.end <= end)
        # A date's numbers and the digit groups of a figure ("3 400": "3" and "400") are no values of their own.
        taken = [(s, e) for s, e, _day in dated if start <= s and e <= end]
        taken += [(f.start, f.end) for f in counted]
        bare = (
            value
            for t in span
            if t.like_num and not any(s <= t.idx < e for s, e in taken) and (value := _value(t.text)) is not None
        )
        numbers = tuple(sorted({*(f.value for f in counted), *bare}))
        return Claim(
            id=stable_id("clm", article, str(start), str(end)),
            article=article,
            start=start,
            end=end,
            text=words,
            lemmas=lemmas,
            entities=entities,
            figures=counted,
            numbers=numbers,
            dates=tuple(dict.fromkeys(day for s, e, day in dated if start <= s and e <= end)),
            verb=fold(main.lemma_) if main is not None else None,
            stance=stance,
            speaker=quote.speaker if quote is not None and quote.kind != "indirect" else None,
            quote=quote.id if quote is not None else None,
            vector=_mean_vector(content),
        )

    def _counted(self, span: Span, figure: Figure) -> CountedFigure:
        """A figure with the participle that says what happened to what it counts ("civils tués")."""
        doc = span.doc
        noun = doc.char_span(figure.end - len(figure.counts), figure.end, alignment_mode="expand")
        counts = figure.counts
        if noun is not None and len(noun):
            token = noun[-1]
            after = doc[token.i + 1] if token.i + 1 < len(doc) else None
            if after is not None and after.idx < span.end_char and _participle(after):
                counts = f"{counts} {after.text}"
            else:
                before = next((t for t in reversed(doc[span.start : token.i]) if t.pos_ in VERB_POS), None)
                if before is not None and before.pos_ == "VERB" and _participle(before):
                    counts = f"{counts} {self._agree(before.text, token)}"
        return CountedFigure(figure.value, counts, figure.text, figure.start, figure.end, figure.source)

    def _agree(self, participle: str, noun: Token) -> str:
        """The participle agreed with the noun it now follows ("a tué ... civils" gives "civils tués")."""
        word = participle
        if "Fem" in noun.morph.get("Gender", []) and self.words.feminine_ending:
            word += self.words.feminine_ending
        if "Plur" in noun.morph.get("Number", []) and self.words.plural_ending:
            word += self.words.plural_ending
        return word


QUOTE_MARKS = "«»\"“”„‹›'’ \n"
QUOTE_CHARS = 40  # a quote this long that opens a clause is the claim, however long the frame after it
QUOTE_SHARE = 0.5  # a clause that is this much a direct quote is the quoted words, without the frame


def _within_quote(text: str, start: int, end: int, quotes: Sequence[Quote]) -> tuple[int, int]:
    """The quoted words of a clause that opens with a quote and is mostly that quote ("« Le maire est prêt », a
    déclaré son adjoint lors de ..."): what the speaker said, not how the outlet framed it. A clause that states
    something before its quote ("Peskov a accusé ..., ajoutant : « ... »") is kept whole."""
    for quote in quotes:
        if quote.end <= start or end <= quote.start:
            continue  # outside the clause: nothing of it quoted (and no slice of the text up to it)
        inside_start, inside_end = max(start, quote.start), min(end, quote.end)
        opens = not text[start:inside_start].strip(QUOTE_MARKS)
        quoted = inside_end - inside_start
        if opens and (quoted >= QUOTE_SHARE * (end - start) or quoted >= QUOTE_CHARS):
            words = text[inside_start:inside_end].strip()
            if words:
                lead = text.index(words, inside_start)
                return lead, lead + len(words)
    return start, end


def _participle_clauses(sent: Span) -> list[int]:
    """Where a clause led by a present participle or a gerund opens after a comma ("..., soulignant que ...",
    "..., adding that ..."): it states its own thing, told by the subject of the clause before."""
    cuts = []
    for token in sent[1:]:
        form = token.morph.get("VerbForm", [])
        if (
            token.pos_ == "VERB"
            and token.nbor(-1).text == ","
            and ("Ger" in form or ("Part" in form and "Pres" in token.morph.get("Tense", [])))
        ):
            cuts.append(token.idx)
    return cuts


def _participle(token: Token) -> bool:
    form, tense = token.morph.get("VerbForm", []), token.morph.get("Tense", [])
    return token.pos_ in VERB_POS and "Part" in form and "Past" in tense


CLOCK = re.compile(r"\d{1,2}\s*[h:]\s*\d{2}\b")


def _clock_or_rank(text: str, figure: Figure) -> bool:
    """A clock time ("12h02 UTC"), an ordinal or a score is no figure of a claim."""
    around = text[max(0, figure.start - 3) : figure.end]
    return bool(CLOCK.search(around)) or figure.counts[:1].isdigit()


DIGITS = re.compile(r"\d+")
YEARS = range(1900, 2100)


def _value(written: str) -> float | None:
    """The value of a number token written in digits; None for words, clock times, years and ordinals."""
    if not DIGITS.fullmatch(written.replace(" ", "").replace("\u202f", "").replace(".", "")):
        return None
    value = float(written.replace(" ", "").replace("\u202f", "").replace(".", ""))
    return None if len(written) == 4 and int(value) in YEARS else value


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The non-blank lines of text[start:end], trimmed."""
    out = []
    position = start
    for line in text[start:end].split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            out.append((position + lead, position + lead + len(stripped)))
        position += len(line) + 1
    return out


def _mean_vector(tokens: Sequence[Token]) -> bytes:
    """The unit-length mean of the tokens' word vectors, as float32 bytes (empty when none has a vector)."""
    vectors = [t.vector for t in tokens if t.has_vector]
    if not vectors:
        return b""
    mean = np.mean(np.asarray(vectors, dtype=VECTOR_DTYPE), axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm).astype(VECTOR_DTYPE).tobytes() if norm else b""
