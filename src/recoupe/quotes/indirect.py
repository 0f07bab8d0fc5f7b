"""Indirect speech: reported speech without quote marks ("X a déclaré que ...", "selon X, ...")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from recoupe.people.speakers import Speakers
from recoupe.quotes.attribution import NOUN_PHRASE_POS, Attribution, Attributor
from recoupe.quotes.cues import QuoteRules
from recoupe.quotes.marks import Marked
from recoupe.quotes.offsets import WORD, skip_space, token_at, trim_end
from recoupe.rules import Words

# Tokens that may stand between a reporting verb and its "que": "a déclaré mardi soir à la presse locale que".
MAX_BEFORE_THAT = 8


@dataclass(frozen=True)
class Indirect:
    """A span of reported speech and who said it."""

    start: int
    end: int
    attribution: Attribution


class IndirectFinder:
    """Finds reported speech: a reporting verb and its "que", or a source cue, with the speaker of each."""

    def __init__(self, rules: QuoteRules, words: Words, attribution: Attributor) -> None:
        self.rules = rules
        self.words = words
        self.attribution = attribution
        # What a reporting verb's "que" may be written as, the elided form split from its apostrophe included.
        self._that = words.that | words.that_split

    def find(self, doc: Doc, text: str, speakers: Speakers, direct: list[Marked]) -> list[Indirect]:
        """Reported speech without quote marks: 'X a déclaré que ...', 'selon X, ...'."""
        found: list[Indirect] = []
        for sentence in doc.sents:
            if speakers.inside_quote(sentence.start_char) or any(
                m.open_at < sentence.end_char and sentence.start_char <= m.end for m in direct
            ):
                continue
            # spaCy's sentences may run over a paragraph break; reported speech never does.
            for line in re.finditer(r"[^\n]+", text[sentence.start_char : sentence.end_char]):
                start = skip_space(text, sentence.start_char + line.start())
                end = sentence.start_char + line.end()
                if end - start > 1:
                    found.extend(self._reported_that(doc, text, start, end, speakers))
        return found

    def _reported_that(self, doc: Doc, text: str, start: int, end: int, speakers: Speakers) -> list[Indirect]:
        sure = self.attribution.confidence
        tokens = doc[token_at(doc, start) : token_at(doc, end)]
        for token in tokens:
            lemma = self.rules.reporting_lemma(token) if token.pos_ == "VERB" else None
            if lemma is not None and lemma not in self.rules.not_before_that:
                nxt = self._that_after(doc, token, end)
                if nxt is not None:
                    content_start = nxt.idx + len(nxt.text)
                    split = nxt.lower_ in self.words.that_split
                    if split and content_start < len(text) and text[content_start] in "'’":
                        content_start += 1
                    content_end = trim_end(text, content_start, end)
                    if len(WORD.findall(text[content_start:content_end])) < self.rules.min_words:
                        return []
                    attribution = self.attribution.clause_speaker(
                        doc, text, start, token.idx, speakers, sure.indirect_clause, cue=token
                    )
                    attribution = self.attribution.or_body(
                        attribution, speakers.body_subject(start, token.idx), sure.indirect_body
                    )
                    if attribution.person is None:
                        return []
                    return [Indirect(skip_space(text, content_start), content_end, attribution)]
            if token.lower_ in self.rules.source_cues and token.i + 1 < len(doc):
                cue_end = token.idx + len(token.text)
                person = speakers.person_at(cue_end, cue_end + 3)
                body = speakers.body_at(cue_end, cue_end + 40)
                if person is None and body is not None and len(text[cue_end : body.start].split()) <= 1:
                    person = body  # "selon la SNCF": an organisation, after its determiner
                if person is None:
                    continue
                if token.idx - start <= 1:
                    comma = text.find(",", person.end, end)
                    if comma < 0:
                        return []
                    # "Selon X, secrétaire général du Conseil, le risque ...": skip the apposition after the name.
                    second = text.find(",", comma + 1, end)
                    # An organisation is followed by its subject, not by an apposition ("Selon l'AFP, le Conseil").
                    apposition = (
                        person is not body
                        and second > 0
                        and not text[person.end : comma].strip()
                        and text[comma + 1 :].lstrip()[:1].islower()
                    )
                    content_start = skip_space(text, (second if apposition else comma) + 1)
                    content_end = trim_end(text, content_start, end)
                else:
                    content_start, content_end = start, trim_end(text, start, token.idx)
                if len(WORD.findall(text[content_start:content_end])) < self.rules.min_words:
                    return []
                attribution = Attribution(person, person.text, token.text, sure.indirect_source_cue)
                return [Indirect(content_start, content_end, attribution)]
        return []

    def _that_after(self, doc: Doc, verb: Token, end: int) -> Token | None:
        """The "que" opening what a reporting verb reports: right after it, or past adverbs, the day and
        prepositional phrases ("a indiqué mardi à la presse que"); not past an object ("a annoncé un plan que":
        that "que" opens a relative clause)."""
        in_phrase = False
        for token in doc[verb.i + 1 : min(len(doc), verb.i + 1 + MAX_BEFORE_THAT)]:
            if token.idx >= end:
                return None
            if token.lower_ in self._that:
                return token
            if token.pos_ == "ADP":
                in_phrase = True
            elif token.text == ",":
                in_phrase = False
            elif token.lower_ in self.rules.time_words or token.pos_ == "ADV":
                continue
            elif not (in_phrase and token.pos_ in NOUN_PHRASE_POS):
                return None
        return None
