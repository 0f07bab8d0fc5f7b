"""Quotations: direct, mixed and indirect, each with its speaker, reporting cue and exact span.

Quote marks of scraped text are paired by hand (no library reads French quotation typography with its
broken variants); cues and speakers come from spaCy lemmas and the rule data in rules/<lang>/quotes.toml.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from recoupe.people.names import NameRules
from recoupe.people.speakers import Person, Speakers
from recoupe.quotes.cues import QuoteRules
from recoupe.records import Article, Entity, Mention, Quote, QuoteKind, stable_id
from recoupe.rules import LanguageRules, Words

OPENERS = "«“"
CLOSERS = "»”"
MARKS = re.compile(r"[«»“”\"]")
WORD = re.compile(r"\w+")
SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")
FINAL_PUNCT = " .,;:"
# Words of the cue that may stand between two quotes of one speaker: ", a ajouté le ministre Jean Durand."
MAX_CUE_WORDS = 10
# Words a cue phrase may hold before the name of its source: a role ("selon le nouveau directeur du site
# Paul Roux"), or a document of an organisation ("d'après le communiqué du ministère").
MAX_ROLE_WORDS = 8
MAX_BODY_LEAD_WORDS = 4
NOUN_PHRASE_POS = frozenset({"DET", "NOUN", "ADJ", "PROPN", "ADP", "NUM"})
# Tokens that may stand between a reporting verb and its "que": "a déclaré mardi soir à la presse locale que".
MAX_BEFORE_THAT = 8


@dataclass
class Marked:
    """A span between quote marks: content offsets, and whether it stays open at the paragraph's end."""

    open_at: int
    start: int
    end: int
    close_at: int | None
    paragraph: int


@dataclass(frozen=True)
class Attribution:
    """Who said a quote, by which words, with which cue, how sure."""

    person: Person | None
    mention: str | None
    cue: str | None
    confidence: float | None


class QuoteExtractor:
    """Finds direct, indirect and mixed quotes with their speakers."""

    def __init__(self, rules: LanguageRules) -> None:
        if rules.quotes is None:
            raise rules.missing("quotes.toml", "finding quotes")
        if rules.words is None:
            raise rules.missing("words.toml", "finding quotes")
        self.rules = QuoteRules.of(rules.quotes)
        self.names = NameRules.of_language(rules)
        self.words: Words = rules.words
        # What a reporting verb's "que" may be written as, the elided form split from its apostrophe included.
        self._that = self.words.that | self.words.that_split
        # Phrases opening a lead that introduces a quote of its own: "Pour X, « ... »", "Comme le dit X, « ... »".
        self._cue_phrases = tuple(f"{cue} " for cue in (*self.rules.opening_cues, *sorted(self.rules.inverting)))

    def extract(self, doc: Doc, article: Article, entities: list[Entity], mentions: list[Mention]) -> list[Quote]:
        """The quotes of one article, in text order."""
        text = article.text
        paragraphs = _paragraphs(text)
        marked = pair_marks(text, paragraphs)
        spans = [m for m in marked if self._is_quotation(doc, text, m)]
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
        indirect = self._indirect(doc, text, speakers, spans)
        events: list[tuple[int, str, object]] = [(m.start, "direct", m) for m in spans]
        events += [(q.start, "indirect", q) for q in indirect]
        for _, kind, item in sorted(events, key=lambda e: e[0]):
            if kind == "indirect":
                assert isinstance(item, _Indirect)
                quotes.append(self._quote(article, item.start, item.end, "indirect", item.attribution))
                if item.attribution.person is not None:
                    speakers.add_speaker(item.start, item.attribution.person)
                last = (item.start, item.attribution)
                continue
            assert isinstance(item, Marked)
            attribution = self._attribute(doc, text, item, paragraphs, speakers, previous, last, organisations)
            kind = self._kind(doc, text, item)
            titled = attribution.cue is None or text[item.start : item.start + 1].isupper()
            if kind == "mixed" and attribution.person is None and titled and _verbless(doc, item):
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
        if not words:
            return False
        before = text[max(0, span.open_at - 40) : span.open_at].lower().split()
        if before and before[-1].strip(",:") in self.rules.title_cues:
            return False
        lead = text[_paragraph_start(text, span.open_at) : span.open_at].lower().strip(" :-–—>»\u00a0")
        if lead in self.rules.link_cues:
            return False  # "Lire aussi : « ... »": the title of a link
        if len(words) >= self.rules.min_words:
            return True
        return self._trailing_cue(doc, text, span) is not None and content[:1].isupper()

    def _kind(self, doc: Doc, text: str, span: Marked) -> QuoteKind:
        """Direct when the quote is a sentence of its own, mixed when it is embedded in reported speech."""
        lead = text[_sentence_start(doc, span.open_at) : span.open_at].strip()
        if not lead or lead.endswith(":") or span.open_at == _paragraph_start(text, span.open_at):
            return "direct"
        if lead.endswith(",") and lead.lower().startswith(self._cue_phrases) and len(lead.split()) <= 8:
            return "direct"  # "Pour X, « ... »", "Comme le dit X, « ... »": the quote is a sentence of its own
        return "mixed"

    # --- attribution ------------------------------------------------------------------------------

    def _attribute(
        self,
        doc: Doc,
        text: str,
        span: Marked,
        paragraphs: list[tuple[int, int]],
        speakers: Speakers,
        previous: tuple[Marked, Attribution] | None,
        last: tuple[int, Attribution] | None,
        mentions: list[Mention],
    ) -> Attribution:
        trailing = self._trailing_cue(doc, text, span) or self._late_trailing_cue(doc, text, span)
        if trailing is not None:
            by_cue = self._by_cue(doc, text, span, trailing, speakers, mentions)
            if by_cue is not None:
                return by_cue
        source = self._source_after(text, span, speakers)
        if source is not None:
            return source
        incise = self._incise(doc, text, span, speakers)
        if incise is not None:
            return incise
        lead_start = _sentence_start(doc, span.open_at)
        lead = text[lead_start : span.open_at]
        colon_paragraph = self._paragraph_ending_with_colon(doc, text, span, paragraphs)
        found = Attribution(None, None, None, None)
        if lead.rstrip().endswith(":") or colon_paragraph is not None:
            clause_start, clause_end = (lead_start, span.open_at) if colon_paragraph is None else colon_paragraph
            found = self._clause_speaker(doc, text, clause_start, clause_end, speakers, 0.9)
            found = self._or_body(found, speakers.body_subject(clause_start, clause_end), 0.8)
            found = self._or_body(found, speakers.body_ending(clause_start, clause_end, ":"), 0.75)
        elif lead.strip():
            verb = self._reporting_cue_in(doc, lead_start, span.open_at)
            inverted = self._inverted_subject(doc, text, verb, span.open_at, speakers) if verb is not None else None
            if inverted is not None:
                found = inverted
            elif verb is not None:
                found = self._clause_speaker(doc, text, lead_start, verb.idx, speakers, 0.85, cue=verb)
                found = self._or_body(found, speakers.body_subject(lead_start, verb.idx), 0.75)
            else:
                found = self._opening_cue(doc, text, lead_start, span.open_at, speakers) or found
        if found.person is not None:
            return found
        if previous is not None and previous[1].person is not None and _same_sentence(text, previous[0], span):
            return Attribution(previous[1].person, previous[1].mention, previous[1].cue, 0.7)
        if (
            previous is not None
            and previous[1].person is not None
            and self._continues(text, previous[0], span, paragraphs)
        ):
            return Attribution(previous[1].person, previous[1].mention, previous[1].cue, 0.75)
        if (
            previous is not None
            and previous[1].mention is not None
            and found.mention is None
            and not lead.strip()
            and self._follows_its_cue(text, previous[0], span)
        ):
            # « ... », a dit X. « ... »: the next sentence goes on quoting the same speaker (or the same words
            # naming someone the article does not name: "a répondu la porte-parole").
            before = previous[1]
            return Attribution(before.person, before.mention, before.cue, 0.7 if before.person else None)
        if last is not None and last[1].person is not None and lead.strip() and not lead.rstrip().endswith(":"):
            # A fragment quoted in the sentence right after reported speech, with no cue of its own.
            previous_sentence = _sentence_start(doc, max(0, lead_start - 1))
            same_paragraph = _paragraph_start(text, last[0]) == _paragraph_start(text, span.open_at)
            if previous_sentence <= last[0] < lead_start and same_paragraph:
                return Attribution(last[1].person, last[1].mention, last[1].cue, 0.6)
        return found

    def _inverted_subject(self, doc: Doc, text: str, verb: Token, end: int, speakers: Speakers) -> Attribution | None:
        """The subject after its verb in "comme le rappelle X, « ... »", "ainsi que l'a dit X : « ... »"."""
        before = [t.lower_ for t in doc[max(0, verb.i - 4) : verb.i]]
        if not any(word in self.rules.inverting for word in before):
            return None
        named = _named_right_after(text, speakers, verb.idx + len(verb.text), end)
        if named is None:
            return None
        speaker, is_body = named
        confidence = 0.8 if is_body else 0.85 - (0.05 if speaker.by_role else 0)
        return Attribution(speaker, speaker.text, verb.text, confidence)

    @staticmethod
    def _or_body(found: Attribution, body: Person | None, confidence: float) -> Attribution:
        """The clause's organisation when it names no person and has no pronoun for a subject."""
        if found.person is not None or found.mention is not None or body is None:
            return found
        return Attribution(body, body.text, found.cue, confidence)

    def _follows_its_cue(self, text: str, before: Marked, span: Marked) -> bool:
        """Whether a quote opens the sentence right after the one of the quote before, in its paragraph, with
        nothing between them but that sentence's cue: « ... », a-t-il ajouté. « ... »."""
        if before.paragraph != span.paragraph or before.close_at is None:
            return False
        between = text[before.close_at + 1 : span.open_at]
        ends = SENTENCE_END.findall(between)
        return len(ends) == 1 and between.rstrip()[-1:] in ".!?…" and len(WORD.findall(between)) <= MAX_CUE_WORDS

    def _by_cue(
        self,
        doc: Doc,
        text: str,
        span: Marked,
        cue_found: tuple[list[Token], Token | None],
        speakers: Speakers,
        organisations: list[Mention],
        inside: bool = False,
    ) -> Attribution | None:
        """The speaker named by a cue after a quote: its inverted pronoun, a name, an organisation or a role."""
        cue_tokens, pronoun = cue_found
        cue = text[cue_tokens[0].idx : cue_tokens[-1].idx + len(cue_tokens[-1].text)].strip("- ")
        after = cue_tokens[-1].idx + len(cue_tokens[-1].text)
        if pronoun is not None:
            if inside and not pronoun.text.startswith("-"):
                return None  # inside a quote only the inverted "dit-il" is an incise; "il" belongs to the quote
            person = speakers.resolve_pronoun(span.open_at, self.rules.pronouns.get(pronoun.lower_, ""))
            return Attribution(person, pronoun.text.strip("-"), cue, 0.8 if person else None)
        limit = min(len(text), after + 60)
        person = speakers.mention_at(after, limit) if inside else speakers.person_at(after, limit)
        if person is not None and len(text[after : person.start].split()) <= 3:
            return Attribution(person, person.text, cue, 0.85 if person.by_role else 0.95)
        if inside:
            return None
        body = self._body_after(text, after, organisations, cue)
        if body is not None:
            return body
        named = _role_phrase(doc, after, self.words)
        if named is not None:
            # "a ajouté le porte-parole de la police": the words name the speaker, but no one in the
            # article is known to hold the role, so there is no entity to give.
            return Attribution(None, named, cue, None)
        return None

    def _source_after(self, text: str, span: Marked, speakers: Speakers) -> Attribution | None:
        """A source cue right after the closing mark: « ... », selon Anne Roy."""
        if span.close_at is None:
            return None
        after = text[span.close_at + 1 : span.close_at + 80]
        lowered = after.lower().replace("’", "'")
        gap = len(lowered) - len(lowered.lstrip(" ,\u00a0"))
        cue = next((c for c in self.rules.source_cues if lowered[gap:].startswith(c + " ")), None)
        if cue is None:
            return None
        cue_end = span.close_at + 1 + gap + len(cue)
        named = _named_right_after(text, speakers, cue_end, cue_end + 40)
        if named is None:
            return None
        speaker, is_body = named
        confidence = 0.8 if is_body or speaker.by_role else 0.9
        return Attribution(speaker, speaker.text, after[gap : gap + len(cue)], confidence)

    def _incise(self, doc: Doc, text: str, span: Marked, speakers: Speakers) -> Attribution | None:
        """A cue set inside the quote between commas: « Moi, dit-il, je reste », « Nous, explique X, ... »."""
        for token in doc[_token_at(doc, span.start) : _token_at(doc, span.end)]:
            if token.text != ",":
                continue
            found = self._cue_from(doc, token.idx + 1)
            if found is None:
                continue
            close = found[0][-1].i + 1
            attribution = self._by_cue(doc, text, span, found, speakers, [], inside=True)
            if attribution is None or attribution.person is None:
                continue
            # The incise ends at a comma or the sentence's end right after the pronoun or the name.
            if attribution.mention and found[1] is None:
                close = _token_at(doc, text.find(attribution.mention, found[0][-1].idx) + len(attribution.mention))
            if close < len(doc) and doc[close].text in {",", ".", "!", "?", "»", "”"}:
                return attribution
        return None

    def _opening_cue(self, doc: Doc, text: str, start: int, end: int, speakers: Speakers) -> Attribution | None:
        """'Pour X, « ... »', 'Selon le ministre, « ... »': a cue phrase, a person and a comma before the quote."""
        lead = text[start:end]
        lowered = lead.lower()
        at = len(lowered) - len(lowered.lstrip())
        connective = next((c for c in self.rules.connectives if lowered.startswith(c + " ", at)), None)
        if connective is not None:
            at = _skip_space(lowered, at + len(connective))  # "Mais pour X, « ... »"
        cue = next((c for c in self.rules.opening_cues if lowered.startswith(c + " ", at)), None)
        if cue is None:
            return None
        cue_end = start + at + len(cue)
        cue_text = lead[at : at + len(cue)]
        # "Selon X, <clause> « ... »": a source cue gives X the whole sentence, quoted words and all (a reporting
        # verb in the clause has sent the quote to its subject before). "Pour X, le directeur juge « ... »":
        # after "pour", the clause's own verb has its own subject.
        if cue not in self.rules.source_cues and speakers.first_finite_verb(cue_end, end) is not None:
            return None
        pronoun = re.match(r"\s*(\w+)\s*,", text[cue_end:end])
        if pronoun is not None and pronoun[1].lower() in self.rules.cue_pronouns:
            gender = self.rules.cue_pronouns[pronoun[1].lower()]
            person = speakers.resolve_pronoun(cue_end, gender, _sentence_start(doc, cue_end))
            return Attribution(person, pronoun[1], cue_text, 0.7 if person else None)
        for speaker, is_body, confidence in (
            (speakers.person_at(cue_end, end), False, 0.85),
            (speakers.body_at(cue_end, end), True, 0.8),
        ):
            if speaker is None or not self._named_by_cue(doc, text, cue_end, speaker.start, is_body):
                continue
            if not lead.rstrip().endswith(",") and not text[speaker.end : end].lstrip().startswith(","):
                continue  # "Selon X, ...": the cue phrase ends with a comma right after the name
            return Attribution(speaker, speaker.text, cue_text, confidence - (0.05 if speaker.by_role else 0.0))
        return None

    def _named_by_cue(self, doc: Doc, text: str, cue_end: int, name_start: int, is_body: bool) -> bool:
        """Whether the words between a cue and a name only lead up to the name: "selon le nouveau directeur du
        site, David Quentin", "d'après le communiqué du ministère"; not "selon des proches de X" (for a person,
        a preposition right before the name makes someone else the source) nor a clause ("menée par X")."""
        genitive = self.words.genitive
        words = text[cue_end:name_start].split()
        if len(words) <= 2:
            return True
        if len(words) > (MAX_BODY_LEAD_WORDS if is_body else MAX_ROLE_WORDS):
            return False
        between = doc[_token_at(doc, cue_end) : _token_at(doc, name_start)]
        if len(between) > 1 and between[-1].text == ",":
            between = between[:-1]  # the name in apposition: "selon la fédération des banques, Febelfin"
        if not len(between) or any(t.pos_ not in NOUN_PHRASE_POS and t.text not in {"-", "'", "’"} for t in between):
            return False
        return is_body or not (between[-1].pos_ == "ADP" or between[-1].lower_ in genitive)

    def _body_after(self, text: str, after: int, organisations: list[Mention], cue: str) -> Attribution | None:
        """An organisation named right after a reporting cue ("», a averti Météo France")."""
        for mention in organisations:
            if after <= mention.start <= after + 40 and len(text[after : mention.start].split()) <= 2:
                person = Person(mention.start, mention.end, mention.text, mention.entity)
                return Attribution(person, mention.text, cue, 0.85)
        return None

    def _late_trailing_cue(self, doc: Doc, text: str, span: Marked) -> tuple[list[Token], Token | None] | None:
        """A cue after a stray closing mark later in the sentence: « ... États-Unis« , ce qui ... », a conclu X."""
        if span.close_at is None:
            return None
        line_end = text.find("\n", span.close_at)
        limit = min(span.close_at + 250, line_end if line_end >= 0 else len(text))
        for match in re.finditer(r"[»”\"](?=\s*,)", text[span.close_at + 1 : limit]):
            late = Marked(span.open_at, span.start, span.end, span.close_at + 1 + match.start(), span.paragraph)
            found = self._trailing_cue(doc, text, late)
            if found is not None:
                return found
        return None

    def _clause_speaker(
        self,
        doc: Doc,
        text: str,
        start: int,
        end: int,
        speakers: Speakers,
        confidence: float,
        cue: Token | None = None,
    ) -> Attribution:
        """The subject of the clause introducing a quote: a name, a role, or a pronoun resolved."""
        cue = cue or self._reporting_cue_in(doc, start, end)
        cue_text = cue.text if cue is not None else None
        first, last = _token_at(doc, start), _token_at(doc, end)
        relative = self._relative_subject(doc, first, last)
        if relative is not None:
            # "..., Arnaud Montebourg, le ministre, qui a déclaré que": "qui" stands for the name before it.
            person = speakers.person_before(doc[first].idx, relative.idx)
            if person is None:
                return Attribution(None, None, cue_text, None)
            return Attribution(person, person.text, cue_text, confidence - 0.1)
        # The subject nearest the verb, looking back from it: "lorsqu'il a répondu", "Caradec s'est dite".
        for token in reversed(doc[first:last]):
            if self._is_pronoun_subject(token):
                gender = self.rules.pronouns[token.lower_]
                person = speakers.resolve_pronoun(token.idx, gender, _sentence_start(doc, token.idx))
                return Attribution(person, token.text.strip("-"), cue_text, confidence - 0.15 if person else None)
            person = speakers.person_covering(token.idx)
            if (
                person is not None
                and person.start >= start
                and speakers.is_subject(person)
                and not speakers.inside_quote(person.start)
                and not _after_source_cue(doc, doc[_token_at(doc, person.start)], self.rules)
                and not self._in_reported_clause(doc, first, _token_at(doc, person.start))
            ):
                return Attribution(person, person.text, cue_text, confidence - (0.1 if person.by_role else 0.0))
        named: list[tuple[Person, bool]] = []
        for token in doc[first:last]:
            person = speakers.person_at(token.idx, token.idx + 1)
            if person is not None and person.start == token.idx:
                if not (
                    _after_source_cue(doc, token, self.rules)
                    or speakers.after_subordinator(token)
                    or self._in_reported_clause(doc, first, token.i)
                ):
                    named.append((person, speakers.is_subject(person)))
                continue
            personal = token.pos_ == "PRON" and not self.rules.impersonal(token)
            if token.lower_ in self.rules.pronouns and personal and not named:
                gender = self.rules.pronouns[token.lower_]
                person = speakers.resolve_pronoun(token.idx, gender, _sentence_start(doc, token.idx))
                return Attribution(person, token.text.strip("-"), cue_text, confidence - 0.15 if person else None)
        if named:
            person = next((p for p, subject in named if subject), named[0][0])
            return Attribution(person, person.text, cue_text, confidence - (0.1 if person.by_role else 0.0))
        person = speakers.subject_before(start, end)
        if person is not None:
            return Attribution(person, person.text, cue_text, confidence - 0.1)
        return Attribution(None, None, cue_text, None)

    def _relative_subject(self, doc: Doc, first: int, last: int) -> Token | None:
        """The relative "qui" right before the verb ending [first, last), past auxiliaries and clitics."""
        i = last - 1
        while i >= first and (doc[i].pos_ in {"AUX", "ADV"} or doc[i].lower_ in self.words.clitics):
            i -= 1
        return doc[i] if i >= first and doc[i].lower_ in self.words.relative_subjects else None

    def _in_reported_clause(self, doc: Doc, first: int, at: int) -> bool:
        """Whether a token stands after "que" following a reporting verb in [first, at): in "X annonce (...) que
        Y aurait été tué", Y is the subject of what is reported, not the one reporting."""
        verb_seen = False
        for token in doc[first:at]:
            if verb_seen and token.lower_ in self.words.that:
                return True
            verb_seen = verb_seen or (token.pos_ == "VERB" and self.rules.reporting_lemma(token) is not None)
        return False

    def _is_pronoun_subject(self, token: Token) -> bool:
        """'il'/'elle' followed by its verb (past clitics), and not impersonal ('il faut')."""
        if token.lower_ not in self.rules.pronouns or token.pos_ != "PRON" or self.rules.impersonal(token):
            return False
        doc = token.doc
        i = token.i + 1
        while i < len(doc) and doc[i].lower_ in self.words.clitics:
            i += 1
        return i < len(doc) and doc[i].pos_ in {"AUX", "VERB"}

    def _trailing_cue(self, doc: Doc, text: str, span: Marked) -> tuple[list[Token], Token | None] | None:
        """A reporting verb right after the closing mark (", a déclaré X", "a-t-il ajouté"), with its pronoun."""
        if span.close_at is None:
            return None
        return self._cue_from(doc, span.close_at + 1)

    def _cue_from(self, doc: Doc, char: int) -> tuple[list[Token], Token | None] | None:
        """A reporting verb starting at a character offset, past a comma or closing mark, with its pronoun."""
        first = _token_at(doc, char)
        tokens: list[Token] = []
        for token in doc[first : first + 7]:
            if token.text in {",", "»", "”", '"'} and not tokens:
                continue
            if "\n" in token.text:
                return None  # a cue never reaches into the next paragraph
            if token.is_space:
                continue
            tokens.append(token)
            if self.rules.reporting_lemma(token) is not None:
                if "Inf" in token.morph.get("VerbForm", []):
                    return None  # "Pour se justifier, ...": an infinitive reports nothing by itself
                pronoun = next((t for t in doc[token.i + 1 : token.i + 3] if t.lower_ in self.rules.pronouns), None)
                pronoun = pronoun or next((t for t in tokens if t.lower_ in self.rules.inverted_pronouns), None)
                if pronoun is not None:
                    tokens = tokens + [t for t in doc[token.i + 1 : pronoun.i + 1] if t not in tokens]
                return tokens, pronoun
            if token.pos_ not in {"AUX", "ADV", "PRON", "ADP"} and not token.text.startswith("-"):
                return None
        return None

    def _reporting_cue_in(self, doc: Doc, start: int, end: int) -> Token | None:
        """The last reporting verb in [start, end), outside quotes."""
        found = None
        for token in doc[_token_at(doc, start) : _token_at(doc, end)]:
            if token.idx >= end:
                break
            if token.pos_ != "AUX" and self.rules.reporting_lemma(token) is not None:
                found = token
        return found

    def _paragraph_ending_with_colon(
        self, doc: Doc, text: str, span: Marked, paragraphs: list[tuple[int, int]]
    ) -> tuple[int, int] | None:
        """The last sentence of the previous paragraph, when it ends with ':' and the quote opens its paragraph."""
        if span.paragraph == 0 or text[paragraphs[span.paragraph][0] : span.open_at].strip():
            return None
        start, end = paragraphs[span.paragraph - 1]
        if text[start:end].rstrip().endswith(":"):
            return _sentence_start(doc, end - 1), end
        return None

    def _continues(self, text: str, before: Marked, span: Marked, paragraphs: list[tuple[int, int]]) -> bool:
        """A paragraph that only continues the previous paragraph's quote keeps its speaker."""
        if span.paragraph != before.paragraph + 1:
            return False
        opens_paragraph = not text[paragraphs[span.paragraph][0] : span.open_at].strip()
        previous_closes_it = not text[(before.close_at or before.end) + 1 : paragraphs[before.paragraph][1]].strip(
            " .,"
        )
        return opens_paragraph and previous_closes_it

    # --- indirect speech --------------------------------------------------------------------------

    def _indirect(self, doc: Doc, text: str, speakers: Speakers, direct: list[Marked]) -> list[_Indirect]:
        """Reported speech without quote marks: 'X a déclaré que ...', 'selon X, ...'."""
        found: list[_Indirect] = []
        for sentence in doc.sents:
            if speakers.inside_quote(sentence.start_char) or any(
                m.open_at < sentence.end_char and sentence.start_char <= m.end for m in direct
            ):
                continue
            # spaCy's sentences may run over a paragraph break; reported speech never does.
            for line in re.finditer(r"[^\n]+", text[sentence.start_char : sentence.end_char]):
                start = _skip_space(text, sentence.start_char + line.start())
                end = sentence.start_char + line.end()
                if end - start > 1:
                    found.extend(self._reported_that(doc, text, start, end, speakers))
        return found

    def _reported_that(self, doc: Doc, text: str, start: int, end: int, speakers: Speakers) -> list[_Indirect]:
        tokens = doc[_token_at(doc, start) : _token_at(doc, end)]
        for token in tokens:
            lemma = self.rules.reporting_lemma(token) if token.pos_ == "VERB" else None
            if lemma is not None and lemma not in self.rules.not_before_that:
                nxt = self._that_after(doc, token, end)
                if nxt is not None:
                    content_start = nxt.idx + len(nxt.text)
                    split = nxt.lower_ in self.words.that_split
                    if split and content_start < len(text) and text[content_start] in "'’":
                        content_start += 1
                    content_end = _trim_end(text, content_start, end)
                    if len(WORD.findall(text[content_start:content_end])) < self.rules.min_words:
                        return []
                    attribution = self._clause_speaker(doc, text, start, token.idx, speakers, 0.8, cue=token)
                    attribution = self._or_body(attribution, speakers.body_subject(start, token.idx), 0.7)
                    if attribution.person is None:
                        return []
                    return [_Indirect(_skip_space(text, content_start), content_end, attribution)]
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
                    content_start = _skip_space(text, (second if apposition else comma) + 1)
                    content_end = _trim_end(text, content_start, end)
                else:
                    content_start, content_end = start, _trim_end(text, start, token.idx)
                if len(WORD.findall(text[content_start:content_end])) < self.rules.min_words:
                    return []
                attribution = Attribution(person, person.text, token.text, 0.85)
                return [_Indirect(content_start, content_end, attribution)]
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
            confidence=attribution.confidence,
        )


@dataclass(frozen=True)
class _Indirect:
    start: int
    end: int
    attribution: Attribution


def pair_marks(text: str, paragraphs: list[tuple[int, int]]) -> list[Marked]:
    """Pair the quote marks of each paragraph, reading the broken marks of scraped text.

    Handles « » and “ ” (with the other pair nested inside), straight quotes, an opening mark typed as a
    closing one (qu' »on ...), a closing mark typed as an opening one ("...États-Unis« , ce qui"), stray
    marks after numbers (27 800″) and a quote left open at the end of its paragraph.
    """
    spans: list[Marked] = []
    for number, (p_start, p_end) in enumerate(paragraphs):
        open_char: str | None = None
        open_at = 0
        depth = 0
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
                if opens:
                    open_char, open_at, depth = ch, i, 0
                continue
            if ch == '"' and open_char == '"':
                spans.append(_marked(text, open_at, i, number))
                open_char = None
            elif ch in OPENERS and ch != '"':
                if ch == "«" and open_char in "«»" and closing_shape:
                    spans.append(_marked(text, open_at, i, number))  # an opening mark typed as closing
                    open_char = None
                else:
                    depth += 1
            elif ch in CLOSERS:
                if depth:
                    depth -= 1
                else:
                    spans.append(_marked(text, open_at, i, number))
                    open_char = None
        if open_char is not None:
            spans.append(_marked(text, open_at, None, number, p_end))
    return [s for s in spans if s.end > s.start]


def _marked(text: str, open_at: int, close_at: int | None, paragraph: int, p_end: int = 0) -> Marked:
    start = _skip_space(text, open_at + 1)
    end = close_at if close_at is not None else p_end
    while end > start and text[end - 1].isspace():
        end -= 1
    return Marked(open_at, start, end, close_at, paragraph)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]


def _sentence_start(doc: Doc, position: int) -> int:
    """Where the sentence holding `position` starts: spaCy's sentences, also cut at line breaks."""
    starts: list[int] | None = doc.user_data.get("recoupe.sentence_starts")  # a per-document cache
    if starts is None:
        text = doc.text
        found = {s.start_char for s in doc.sents} | {m.end() for m in re.finditer(r"\n+", text)} | {0}
        starts = doc.user_data["recoupe.sentence_starts"] = sorted(found)
    return starts[bisect.bisect_right(starts, position) - 1]


def _paragraph_start(text: str, position: int) -> int:
    return text.rfind("\n", 0, position) + 1


def _same_sentence(text: str, before: Marked, span: Marked) -> bool:
    between = text[(before.close_at or before.end) + 1 : span.open_at]
    return before.paragraph == span.paragraph and not SENTENCE_END.search(between)


def _token_at(doc: Doc, char: int) -> int:
    """Index of the first token starting at or after `char`."""
    starts: list[int] | None = doc.user_data.get("recoupe.token_starts")  # a per-document cache
    if starts is None:
        starts = doc.user_data["recoupe.token_starts"] = [t.idx for t in doc]
    return bisect.bisect_left(starts, char)


def _after_source_cue(doc: Doc, token: Token, rules: QuoteRules) -> bool:
    return token.i > 0 and doc[token.i - 1].lower_ in rules.source_cues


ROLE_POS = frozenset({"NOUN", "ADJ", "PROPN", "DET"})


def _role_phrase(doc: Doc, after: int, words: Words) -> str | None:
    """A noun phrase right after a cue that names someone by role ("le porte-parole de la police"): a determiner,
    nouns and adjectives, genitive complements; it stops at any other preposition ("... à une question")."""
    i = _token_at(doc, after)
    while i < len(doc) and doc[i].text == ",":
        i += 1
    if i >= len(doc) or doc[i].lower_ not in words.role_determiners:
        return None
    end = i + 1
    while end < min(len(doc), i + 9) and (
        doc[end].pos_ in ROLE_POS
        or (doc[end].pos_ == "ADP" and doc[end].lower_ in words.genitive)
        or doc[end].text == "-"
    ):
        end += 1
    while end > i + 1 and (doc[end - 1].pos_ in {"ADP", "DET"} or doc[end - 1].text == "-"):
        end -= 1
    if end - i < 2:
        return None
    return doc.text[doc[i].idx : doc[end - 1].idx + len(doc[end - 1].text)]


def _named_right_after(text: str, speakers: Speakers, after: int, end: int) -> tuple[Person, bool] | None:
    """The person, else the organisation, named within two words after a cue and before `end`, and whether it
    is an organisation: "», selon (la) SNCF", "comme le rappelle Anne Roy"."""
    for speaker, is_body in ((speakers.person_at(after, end), False), (speakers.body_at(after, end), True)):
        if speaker is not None and len(text[after : speaker.start].split()) <= 2:
            return speaker, is_body
    return None


def _verbless(doc: Doc, span: Marked) -> bool:
    """Whether a quoted span holds no verb at all: a noun phrase, so a title or a scare phrase, not speech."""
    return not any(t.pos_ in {"VERB", "AUX"} for t in doc[_token_at(doc, span.start) : _token_at(doc, span.end)])


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \u00a0":
        i += 1
    return i


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in FINAL_PUNCT + "\n":
        end -= 1
    return end
