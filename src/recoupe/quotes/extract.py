"""Quotations: direct, mixed and indirect, each with its speaker, reporting cue and exact span.

The entry point of the quotes package: marks.py pairs the quote marks, attribution.py finds the speaker of each
quoted span, indirect.py finds reported speech without marks; cues and speakers come from spaCy lemmas and the
rule data in rules/<lang>/quotes.toml.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from recoupe.people.names import NameRules
from recoupe.people.speakers import Speakers
from recoupe.quotes.attribution import Attribution, Attributor
from recoupe.quotes.confidence import Calibration, QuoteConfidence
from recoupe.quotes.cues import QuoteRules
from recoupe.quotes.indirect import Indirect, IndirectFinder
from recoupe.quotes.marks import Marked, pair_marks, verbless
from recoupe.quotes.offsets import WORD, paragraph_spans, paragraph_start, sentence_start, token_at
from recoupe.records import Article, Entity, Mention, Quote, QuoteKind, stable_id
from recoupe.rules import LanguageRules, Words

__all__ = ["Marked", "QuoteExtractor", "pair_marks"]

CHANT_WINDOW = 4  # tokens before the opening or after the closing mark where a chanting verb makes a slogan
MAX_CUE_LEAD_WORDS = 8  # words of "Pour X," or "Comme le dit X," before a quote that is a sentence of its own


class QuoteExtractor:
    """Finds direct, indirect and mixed quotes with their speakers."""

    def __init__(self, rules: LanguageRules, confidence: QuoteConfidence | None = None) -> None:
        if rules.quotes is None:
            raise rules.missing("quotes.toml", "finding quotes")
        if rules.words is None:
            raise rules.missing("words.toml", "finding quotes")
        self.rules = QuoteRules.of(rules.quotes)
        self.names = NameRules.of_language(rules)
        self.words: Words = rules.words
        self.fragment_words = rules.quotes.min_fragment_words or self.rules.min_words
        self.chant_verbs = rules.quotes.chant_verbs
        self.confidence = confidence or QuoteConfidence()
        # How often each way of finding a speaker is right, fitted on the development set; none: raw values.
        self.calibration = Calibration.read(rules.folder) if confidence is None else Calibration()
        self.attribution = Attributor(self.rules, self.words, self.confidence)
        self.indirect = IndirectFinder(self.rules, self.words, self.attribution)
        # Phrases opening a lead that introduces a quote of its own: "Pour X, « ... »", "Comme le dit X, « ... »".
        self._cue_phrases = tuple(f"{cue} " for cue in (*self.rules.opening_cues, *sorted(self.rules.inverting)))

    def extract(self, doc: Doc, article: Article, entities: list[Entity], mentions: list[Mention]) -> list[Quote]:
        """The quotes of one article, in text order."""
        text = article.text
        paragraphs = paragraph_spans(text)
        marked = pair_marks(text, paragraphs)
        spans = [m for m in marked if self._is_quotation(doc, text, m)]
        # Short fragments ("a promis un soutien « dans la durée »") kept only with a reporting verb or a speaker.
        fragments = [m for m in marked if m not in spans and self._is_fragment(doc, text, m)]
        spans = sorted(spans + fragments, key=lambda m: m.start)
        speakers = Speakers(
            doc,
            entities,
            mentions,
            self.names,
            [(m.open_at, m.end + 1) for m in marked],
            self.rules.subordinators,
            self.words,
        )
        quotes: list[Quote] = []
        previous: tuple[Marked, Attribution] | None = None
        last: tuple[int, Attribution] | None = None
        kinds = {e.id: e.type for e in entities}
        organisations = [m for m in mentions if kinds.get(m.entity) == "ORG"]
        # Quoted spans and reported speech in text order (a quoted span first when both start at one offset).
        events: list[tuple[int, Marked | Indirect]] = [(m.start, m) for m in spans]
        events += [(q.start, q) for q in self.indirect.find(doc, text, speakers, spans)]
        for _, item in sorted(events, key=lambda e: e[0]):
            if isinstance(item, Indirect):
                quotes.append(self._quote(article, item.start, item.end, "indirect", item.attribution))
                if item.attribution.person is not None:
                    speakers.add_speaker(item.start, item.attribution.person)
                last = (item.start, item.attribution)
                continue
            attribution = self.attribution.attribute(
                doc, text, item, paragraphs, speakers, previous, last, organisations
            )
            if item in fragments and attribution.person is None and not self._reported_before(doc, item):
                continue
            kind = self._kind(doc, text, item)
            titled = attribution.cue is None or text[item.start : item.start + 1].isupper()
            if kind == "mixed" and attribution.person is None and titled and verbless(doc, item):
                continue  # a title or a phrase set apart ("une étude sur « Les revenus des ménages »")
            quotes.append(self._quote(article, item.start, item.end, kind, attribution))
            if attribution.person is not None:
                speakers.add_speaker(item.start, attribution.person)
            previous = (item, attribution)
            last = (item.start, attribution)
        return quotes

    # --- which quoted spans are quotations ---------------------------------------------------------

    def _is_quotation(self, doc: Doc, text: str, span: Marked) -> bool:
        """Not a title, a name or a scare quote: long enough, or with a reporting cue attached."""
        content = text[span.start : span.end]
        words = WORD.findall(content)
        if not words or self._set_apart(doc, text, span):
            return False
        if len(words) >= self.rules.min_words:
            return True
        return self.attribution.trailing_cue(doc, text, span) is not None and content[:1].isupper()

    def _is_fragment(self, doc: Doc, text: str, span: Marked) -> bool:
        """A few words quoted inside the journalist's sentence, not set apart as a title or a slogan."""
        words = len(WORD.findall(text[span.start : span.end]))
        if not self.fragment_words <= words < self.rules.min_words or self._set_apart(doc, text, span):
            return False
        first = token_at(doc, span.open_at)
        # "la crise des « gilets jaunes »": a noun phrase quoted as the complement of a noun names a thing.
        return not (first > 0 and doc[first - 1].lower_ in self.words.prepositions and verbless(doc, span))

    def _set_apart(self, doc: Doc, text: str, span: Marked) -> bool:
        """A title ("le livre « ... »"), a link ("Lire aussi : « ... »") or a slogan chanted or written."""
        if span.close_at is not None and re.match(r"-\w", text[span.close_at + 1 : span.close_at + 3]):
            return True  # a "Twilight"-style compound: the quoted words qualify a noun, nobody says them
        before = text[max(0, span.open_at - 40) : span.open_at].lower().split()
        if before and before[-1].strip(",:") in self.rules.title_cues:
            return True
        lead = text[paragraph_start(text, span.open_at) : span.open_at].lower().strip(" :-–—>»\u00a0")
        if lead in self.rules.link_cues:
            return True  # "Lire aussi : « ... »": the title of a link
        # A chanting verb or noun in the sentence before the mark (or the sentence before, when the quote opens
        # its own), or right after the closing mark: "les slogans entonnés par la foule. « ... »".
        start = sentence_start(doc, span.open_at)
        if not text[start : span.open_at].strip() and start > 0:
            start = sentence_start(doc, start - 1)
        last = token_at(doc, span.close_at if span.close_at is not None else span.end)
        near = [*doc[token_at(doc, start) : token_at(doc, span.open_at)], *doc[last + 1 : last + 1 + CHANT_WINDOW]]
        return any(t.lemma_.lower() in self.chant_verbs for t in near)

    def _reported_before(self, doc: Doc, span: Marked) -> bool:
        """Whether the sentence of a quoted span has a reporting verb before it, outside quotes."""
        start = sentence_start(doc, span.open_at)
        return self.attribution.reporting_cue_in(doc, start, span.open_at) is not None

    def _kind(self, doc: Doc, text: str, span: Marked) -> QuoteKind:
        """Direct when the quote is a sentence of its own, mixed when it is embedded in reported speech."""
        lead = text[sentence_start(doc, span.open_at) : span.open_at].strip()
        if not lead or lead.endswith(":") or span.open_at == paragraph_start(text, span.open_at):
            return "direct"
        if (
            lead.endswith(",")
            and lead.lower().startswith(self._cue_phrases)
            and len(lead.split()) <= MAX_CUE_LEAD_WORDS
        ):
            return "direct"  # "Pour X, « ... »", "Comme le dit X, « ... »": the quote is a sentence of its own
        return "mixed"

    def _quote(self, article: Article, start: int, end: int, kind: QuoteKind, attribution: Attribution) -> Quote:
        return Quote(
            id=stable_id("quo", article.id, str(start), str(end)),
            article=article.id,
            text=article.text[start:end],
            start=start,
            end=end,
            kind=kind,
            speaker=attribution.person.entity if attribution.person else None,
            speaker_mention=attribution.mention,
            cue=attribution.cue,
            confidence=self.calibration(attribution.confidence),
        )
