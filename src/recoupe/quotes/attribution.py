"""Attribution: the speaker of a direct or mixed quote, from its cue, the clause before it or the quotes around it.

Cues and speakers come from spaCy lemmas and the rule data in rules/<lang>/quotes.toml and words.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from recoupe.people.mentions import PersonMention
from recoupe.people.speakers import Speakers
from recoupe.quotes.confidence import QuoteConfidence
from recoupe.quotes.cues import QuoteRules
from recoupe.quotes.marks import Marked, same_sentence
from recoupe.quotes.offsets import SENTENCE_END, WORD, paragraph_start, sentence_start, skip_space, token_at
from recoupe.records import Mention
from recoupe.rules import Words

# Words of the cue that may stand between two quotes of one speaker: ", a ajouté le ministre Jean Durand."
MAX_CUE_WORDS = 10
MAX_LONG_CUE_WORDS = 24  # a cue sentence with a role or a place, naming no one but the speaker
# Words a cue phrase may hold before the name of its source: a role ("selon le nouveau directeur du site
# Paul Roux"), or a document of an organisation ("d'après le communiqué du ministère").
MAX_ROLE_WORDS = 8
MAX_BODY_LEAD_WORDS = 4
APPOSITION_GAP = 3  # characters between a role phrase and the name in apposition after it (", ")
MAX_PARAGRAPH_BREAKS = 2  # "\n\n": a quote opening the paragraph right after the sentence naming its speaker
NOUN_PHRASE_POS = frozenset({"DET", "NOUN", "ADJ", "PROPN", "ADP", "NUM"})


@dataclass(frozen=True)
class Attribution:
    """Who said a quote, by which words, with which cue, how sure."""

    person: PersonMention | None
    mention: str | None
    cue: str | None
    confidence: float | None


class Attributor:
    """Finds who said a quoted span: the cue after it, the clause before it, or the quote before it."""

    def __init__(self, rules: QuoteRules, words: Words, confidence: QuoteConfidence) -> None:
        self.rules = rules
        self.words = words
        self.confidence = confidence

    # --- attribution ------------------------------------------------------------------------------

    def attribute(
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
        """Who said a quoted span, by which words and cue, how sure; an empty Attribution when no one is found."""
        sure = self.confidence
        trailing = self.trailing_cue(doc, text, span) or self._late_trailing_cue(doc, text, span)
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
        lead_start = sentence_start(doc, span.open_at)
        lead = text[lead_start : span.open_at]
        colon_paragraph = self._paragraph_ending_with_colon(doc, text, span, paragraphs)
        found = Attribution(None, None, None, None)
        if lead.rstrip().endswith(":") or colon_paragraph is not None:
            clause_start, clause_end = (lead_start, span.open_at) if colon_paragraph is None else colon_paragraph
            found = self.clause_speaker(doc, text, clause_start, clause_end, speakers, sure.colon_clause)
            found = self.or_body(found, speakers.body_subject(clause_start, clause_end), sure.colon_body_subject)
            found = self.or_body(found, speakers.body_ending(clause_start, clause_end, ":"), sure.colon_body_ending)
        elif lead.strip():
            verb = self.reporting_cue_in(doc, lead_start, span.open_at)
            inverted = self._inverted_subject(doc, text, verb, span.open_at, speakers) if verb is not None else None
            if inverted is not None:
                found = inverted
            elif verb is not None:
                found = self.clause_speaker(doc, text, lead_start, verb.idx, speakers, sure.lead_clause, cue=verb)
                found = self.or_body(found, speakers.body_subject(lead_start, verb.idx), sure.lead_body_subject)
            else:
                found = self._opening_cue(doc, text, lead_start, span.open_at, speakers) or found
        if found.person is not None:
            return found
        if previous is not None and previous[1].person is not None and same_sentence(text, previous[0], span):
            return Attribution(previous[1].person, previous[1].mention, previous[1].cue, sure.same_sentence)
        if (
            previous is not None
            and previous[1].person is not None
            and self._continues(text, previous[0], span, paragraphs)
        ):
            return Attribution(previous[1].person, previous[1].mention, previous[1].cue, sure.continued_paragraph)
        if (
            previous is not None
            and previous[1].mention is not None
            and found.mention is None
            and (not lead.strip() or (previous[0].close_at or -1) >= lead_start)  # a sentence split missed
            and self._follows_its_cue(text, previous[0], span, speakers, previous[1].person)
        ):
            # « ... », a dit X. « ... »: the next sentence goes on quoting the same speaker (or the same words
            # naming someone the article does not name: "a répondu la porte-parole").
            before = previous[1]
            return Attribution(before.person, before.mention, before.cue, sure.next_sentence if before.person else None)
        if last is not None and last[1].person is not None and lead.strip() and not lead.rstrip().endswith(":"):
            # A fragment quoted in the sentence right after reported speech, with no cue of its own.
            previous_sentence = sentence_start(doc, max(0, lead_start - 1))
            same_paragraph = paragraph_start(text, last[0]) == paragraph_start(text, span.open_at)
            if previous_sentence <= last[0] < lead_start and same_paragraph:
                return Attribution(last[1].person, last[1].mention, last[1].cue, sure.after_reported_speech)
        if found.mention is None and trailing is None:
            return self._subject_around(doc, text, span, lead_start, speakers) or found
        return found

    def _subject_around(
        self, doc: Doc, text: str, span: Marked, lead_start: int, speakers: Speakers
    ) -> Attribution | None:
        """No cue at all: the subject of the quote's sentence ("X a décidé de « ... »"), or, for a quote opening
        its sentence, the subject of the sentence right before it, in its paragraph or ending the previous one
        ("Jean Castex a eu une pensée pour les sinistrés. « ... »")."""
        sure = self.confidence
        if text[lead_start : span.open_at].strip():
            start, end, confidence = lead_start, span.open_at, sure.sentence_subject
        else:
            end = lead_start
            while end > 0 and text[end - 1].isspace():
                end -= 1
            if end == 0 or text[end:lead_start].count("\n") > MAX_PARAGRAPH_BREAKS or text[end - 1] not in ".!?…":
                return None  # a heading, a colon or the start of the text: no sentence to go on from
            start, confidence = sentence_start(doc, end - 1), sure.previous_subject
            if any(start <= at < end for at, _ in speakers.quoted):
                return None  # the sentence before quotes someone: the chain of quotes decides, not its subject
        person = speakers.subject_before(start, end) or speakers.body_subject(start, end)
        if person is None or speakers.inside_quote(person.start):
            return None
        return Attribution(person, person.text, None, confidence)

    def _inverted_subject(self, doc: Doc, text: str, verb: Token, end: int, speakers: Speakers) -> Attribution | None:
        """The subject after its verb in "comme le rappelle X, « ... »", "ainsi que l'a dit X : « ... »"."""
        before = [t.lower_ for t in doc[max(0, verb.i - 4) : verb.i]]
        if not any(word in self.rules.inverting for word in before):
            return None
        named = _named_right_after(text, speakers, verb.idx + len(verb.text), end)
        if named is None:
            return None
        speaker, is_body = named
        sure = self.confidence
        penalty = sure.inverted_role_penalty if speaker.role else 0.0
        confidence = sure.inverted_body if is_body else sure.inverted_subject - penalty
        return Attribution(speaker, speaker.text, verb.text, confidence)

    @staticmethod
    def or_body(found: Attribution, body: PersonMention | None, confidence: float) -> Attribution:
        """The clause's organisation when it names no person and has no pronoun for a subject."""
        if found.person is not None or found.mention is not None or body is None:
            return found
        return Attribution(body, body.text, found.cue, confidence)

    def _follows_its_cue(
        self, text: str, before: Marked, span: Marked, speakers: Speakers, speaker: PersonMention | None
    ) -> bool:
        """Whether a quote opens the sentence right after the one of the quote before, in its paragraph or opening
        the next one, with nothing between them but that sentence's cue: « ... », a-t-il ajouté. « ... ». A longer
        cue sentence ("a poursuivi X, directeur de Y, sur le plateau du JT") counts when it names no one else."""
        if before.close_at is None:
            return False
        between = text[before.close_at + 1 : span.open_at]
        if "\n" in between.strip() or between.lstrip(" ,").startswith("\n"):
            return False  # the cue's sentence ends the quote's paragraph; a paragraph break may follow it
        ends = SENTENCE_END.findall(between)
        if len(ends) != 1 or between.rstrip()[-1:] not in ".!?…":
            return False
        count = len(WORD.findall(between))
        if count <= MAX_CUE_WORDS:
            return True
        if speaker is None or count > MAX_LONG_CUE_WORDS:
            return False
        # Someone else named as the subject of a verb there may be the one quoted next ("as Y replied").
        others = [
            p
            for p in speakers.persons
            if before.close_at < p.start < span.open_at and p.entity != speaker.entity and speakers.is_subject(p)
        ]
        return not others

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
            return Attribution(person, pronoun.text.strip("-"), cue, self.confidence.cue_pronoun if person else None)
        if self.rules.cue_subject_words and not inside:
            subject = self._subject_of_cue(doc, text, cue_tokens, speakers, organisations, cue)
            if subject is not None:
                return subject
        limit = min(len(text), after + 60)
        person = speakers.mention_at(after, limit) if inside else speakers.person_at(after, limit)
        sure = self.confidence
        if person is not None and len(text[after : person.start].split()) <= 3:
            if not inside and self._someone_of(doc, after, person.start):
                # "a précisé l'entourage du maire": the mayor's people speak, not the mayor.
                return Attribution(None, text[after : person.end].strip(" ,"), cue, None)
            return Attribution(person, person.text, cue, sure.cue_role if person.role else sure.cue_name)
        if inside:
            return None
        late = self._subject_past_adverbials(doc, text, after, speakers)
        if late is not None:
            # "a déclaré peu avant sur Radio Valmer le président de la coopérative, Jean Morvan": time and place words
            # set between the verb and its inverted subject.
            return Attribution(late, late.text, cue, sure.cue_role if late.role else sure.cue_name)
        named = _role_phrase(doc, after, self.words)
        if named is not None:
            # "a déclaré la nageuse de fond canadienne Léa Morin", "assure le responsable de la presse du
            # musée, Paul Renaud": the name in apposition past a long role phrase.
            role_end = text.find(named, after) + len(named)
            person = speakers.person_at(role_end, role_end + APPOSITION_GAP)
            if person is not None and not text[role_end : person.start].strip(" ,"):
                return Attribution(person, person.text, cue, sure.cue_role)
        body = self._body_after(text, after, organisations, cue)
        if body is not None:
            return body
        if named is not None:
            # "a ajouté le porte-parole de la police": the words name the speaker, but no one in the
            # article is known to hold the role, so there is no entity to give.
            return Attribution(None, named, cue, None)
        return None

    def _subject_of_cue(
        self,
        doc: Doc,
        text: str,
        cue_tokens: list[Token],
        speakers: Speakers,
        organisations: list[Mention],
        cue: str,
    ) -> Attribution | None:
        """The subject set before the reporting verb of a cue after a quote: a name, an organisation or a role
        ('", Dorsey said', '", police said', '", a police spokeswoman said'); None when the verb comes first."""
        verb = next(t for t in cue_tokens if self.rules.reporting_lemma(t) is not None)
        start = cue_tokens[0].idx
        if start >= verb.idx:
            return None
        sure = self.confidence
        person = speakers.person_at(start, verb.idx)
        if person is not None:
            return Attribution(person, person.text, cue, sure.cue_role if person.role else sure.cue_name)
        body = self._body_after(text, start, organisations, cue)
        if body is not None and body.person is not None and body.person.start < verb.idx:
            return body
        named = text[start : verb.idx].strip(" ,")
        # The words name someone the article does not name ("one man told X"): no entity to give.
        return Attribution(None, named, cue, None)

    def _subject_past_adverbials(self, doc: Doc, text: str, after: int, speakers: Speakers) -> PersonMention | None:
        """The person named after a cue past adverbials and prepositional phrases ("a estimé devant la presse le
        magistrat, X"); None when a verb, a pronoun or a conjunction comes first, or when the name is itself the
        complement of a preposition ("a dit à X", "a indiqué le fils de X")."""
        first = token_at(doc, after)
        for i in range(first, min(len(doc), first + MAX_ADVERBIAL_WORDS + 1)):
            token = doc[i]
            person = speakers.person_covering(token.idx) if not speakers.inside_quote(token.idx) else None
            if person is not None:
                if person.start != token.idx or i == first:
                    return None  # right after the cue: the caller has looked there already
                before = doc[i - 1]
                if (
                    before.pos_ == "ADP"
                    or before.lower_ in self.words.genitive
                    or before.lower_ in self.words.prepositions
                ):
                    return None
                return person
            if "\n" in token.text or token.text in SENTENCE_STOPS or token.pos_ not in ADVERBIAL_POS:
                return None
        return None

    def _someone_of(self, doc: Doc, after: int, name_start: int) -> bool:
        """Whether the words between a cue and a name make someone else the speaker: a noun and a genitive
        right before the name ("l'entourage du maire", "des proches de X")."""
        between = [t for t in doc[token_at(doc, after) : token_at(doc, name_start)] if not t.is_punct]
        return (
            len(between) >= 2
            and between[-1].lower_ in self.words.genitive
            and any(t.pos_ == "NOUN" for t in between[:-1])
        )

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
        sure = self.confidence
        confidence = sure.source_after_body_or_role if is_body or speaker.role else sure.source_after_name
        return Attribution(speaker, speaker.text, after[gap : gap + len(cue)], confidence)

    def _incise(self, doc: Doc, text: str, span: Marked, speakers: Speakers) -> Attribution | None:
        """A cue set inside the quote between commas: « Moi, dit-il, je reste », « Nous, explique X, ... »."""
        for token in doc[token_at(doc, span.start) : token_at(doc, span.end)]:
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
                close = token_at(doc, text.find(attribution.mention, found[0][-1].idx) + len(attribution.mention))
            if close < len(doc) and doc[close].text in {",", ".", "!", "?", "»", "”"}:
                return attribution
        return None

    def _opening_cue(self, doc: Doc, text: str, start: int, end: int, speakers: Speakers) -> Attribution | None:
        """'Pour X, « ... »', 'Selon le ministre, « ... »': a cue phrase, a person and a comma before the quote."""
        sure = self.confidence
        lead = text[start:end]
        lowered = lead.lower()
        at = len(lowered) - len(lowered.lstrip())
        connective = next((c for c in self.rules.connectives if lowered.startswith(c + " ", at)), None)
        if connective is not None:
            at = skip_space(lowered, at + len(connective))  # "Mais pour X, « ... »"
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
            person = speakers.resolve_pronoun(cue_end, gender, sentence_start(doc, cue_end))
            return Attribution(person, pronoun[1], cue_text, sure.opening_pronoun if person else None)
        for speaker, is_body, confidence in (
            (speakers.person_at(cue_end, end), False, sure.opening_person),
            (speakers.body_at(cue_end, end), True, sure.opening_body),
        ):
            if speaker is None or not self._named_by_cue(doc, text, cue_end, speaker.start, is_body):
                continue
            if not lead.rstrip().endswith(",") and not text[speaker.end : end].lstrip().startswith(","):
                continue  # "Selon X, ...": the cue phrase ends with a comma right after the name
            return Attribution(
                speaker, speaker.text, cue_text, confidence - (sure.opening_role_penalty if speaker.role else 0.0)
            )
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
        between = doc[token_at(doc, cue_end) : token_at(doc, name_start)]
        if len(between) > 1 and between[-1].text == ",":
            between = between[:-1]  # the name in apposition: "selon la fédération des banques, Febelfin"
        if not len(between) or any(t.pos_ not in NOUN_PHRASE_POS and t.text not in {"-", "'", "’"} for t in between):
            return False
        return is_body or not (between[-1].pos_ == "ADP" or between[-1].lower_ in genitive)

    def _body_after(self, text: str, after: int, organisations: list[Mention], cue: str) -> Attribution | None:
        """An organisation named right after a reporting cue ("», a averti Météo France")."""
        for mention in organisations:
            if after <= mention.start <= after + 40 and len(text[after : mention.start].split()) <= 2:
                person = PersonMention(mention.start, mention.end, mention.text, mention.entity)
                return Attribution(person, mention.text, cue, self.confidence.body_after_cue)
        return None

    def _late_trailing_cue(self, doc: Doc, text: str, span: Marked) -> tuple[list[Token], Token | None] | None:
        """A cue after a stray closing mark later in the sentence: « ... États-Unis« , ce qui ... », a conclu X."""
        if span.close_at is None:
            return None
        line_end = text.find("\n", span.close_at)
        limit = min(span.close_at + 250, line_end if line_end >= 0 else len(text))
        comma = text.find(",", span.close_at + 1, min(limit, span.close_at + 1 + MAX_COMPLEMENT_CHARS))
        if comma > span.close_at + 1:
            # « ... » par les suies, a déclaré X: a complement of the quoted words before the cue, no verb in it.
            between = doc[token_at(doc, span.close_at + 1) : token_at(doc, comma)]
            if all(t.pos_ in COMPLEMENT_POS and t.text not in SENTENCE_STOPS for t in between):
                found = self._cue_from(doc, comma + 1)
                if found is not None:
                    return found
        for match in re.finditer(r"[»”\"](?=\s*,)", text[span.close_at + 1 : limit]):
            late = Marked(span.open_at, span.start, span.end, span.close_at + 1 + match.start(), span.paragraph)
            found = self.trailing_cue(doc, text, late)
            if found is not None:
                return found
        return None

    def clause_speaker(
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
        sure = self.confidence
        cue = cue or self.reporting_cue_in(doc, start, end)
        cue_text = cue.text if cue is not None else None
        first, last = token_at(doc, start), token_at(doc, end)
        relative = self._relative_subject(doc, first, last)
        if relative is not None:
            # "..., Arnaud Montebourg, le ministre, qui a déclaré que": "qui" stands for the name before it.
            person = speakers.person_before(doc[first].idx, relative.idx)
            if person is None:
                return Attribution(None, None, cue_text, None)
            return Attribution(person, person.text, cue_text, confidence - sure.relative_penalty)
        # The subject nearest the verb, looking back from it: "lorsqu'il a répondu", "Caradec s'est dite".
        for token in reversed(doc[first:last]):
            if self._is_pronoun_subject(token):
                gender = self.rules.pronouns[token.lower_]
                person = speakers.resolve_pronoun(token.idx, gender, sentence_start(doc, token.idx))
                return Attribution(
                    person, token.text.strip("-"), cue_text, confidence - sure.pronoun_penalty if person else None
                )
            person = speakers.person_covering(token.idx)
            if (
                person is not None
                and person.start >= start
                and speakers.is_subject(person)
                and not speakers.inside_quote(person.start)
                and not _after_source_cue(doc, doc[token_at(doc, person.start)], self.rules)
                and not self._in_reported_clause(doc, first, token_at(doc, person.start))
            ):
                return Attribution(
                    person, person.text, cue_text, confidence - (sure.clause_role_penalty if person.role else 0.0)
                )
        named: list[tuple[PersonMention, bool]] = []
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
                person = speakers.resolve_pronoun(token.idx, gender, sentence_start(doc, token.idx))
                return Attribution(
                    person, token.text.strip("-"), cue_text, confidence - sure.pronoun_penalty if person else None
                )
        if named:
            person = next((p for p, subject in named if subject), named[0][0])
            return Attribution(
                person, person.text, cue_text, confidence - (sure.clause_role_penalty if person.role else 0.0)
            )
        person = speakers.subject_before(start, end)
        if person is not None:
            return Attribution(person, person.text, cue_text, confidence - sure.subject_before_penalty)
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

    def trailing_cue(self, doc: Doc, text: str, span: Marked) -> tuple[list[Token], Token | None] | None:
        """A reporting verb right after the closing mark (", a déclaré X", "a-t-il ajouté"), with its pronoun."""
        if span.close_at is None:
            return None
        return self._cue_from(doc, span.close_at + 1)

    def _cue_from(self, doc: Doc, char: int) -> tuple[list[Token], Token | None] | None:
        """A reporting verb starting at a character offset, past a comma or closing mark, with its pronoun."""
        first = token_at(doc, char)
        tokens: list[Token] = []
        apposition: list[Token] | None = None  # words set between commas after a subject ("X, 37, said")
        reach = 7 + self.rules.cue_subject_words + (MAX_APPOSITION_WORDS if self.rules.cue_subject_words else 0)
        for token in doc[first : first + reach]:
            if token.text in {",", "»", "”", '"'} and not tokens:
                continue
            if "\n" in token.text:
                return None  # a cue never reaches into the next paragraph
            if token.is_space:
                continue
            if self.rules.cue_subject_words and token.text == ",":
                apposition = [] if apposition is None else None  # '", Anne Roy, director of X, said'
                continue
            if apposition is not None:
                apposition.append(token)
                if len(apposition) > MAX_APPOSITION_WORDS:
                    return None
                continue
            tokens.append(token)
            if self.rules.reporting_lemma(token) is not None:
                if "Inf" in token.morph.get("VerbForm", []):
                    return None  # "Pour se justifier, ...": an infinitive reports nothing by itself
                subject = [t for t in tokens[:-1] if t.pos_ not in {"AUX", "ADV"}]
                if self.rules.cue_subject_words and subject:
                    # The subject before the verb ('", he said', '", Dorsey told X'): what follows is no subject.
                    return tokens, next((t for t in subject if t.lower_ in self.rules.pronouns), None)
                pronoun = next((t for t in doc[token.i + 1 : token.i + 3] if t.lower_ in self.rules.pronouns), None)
                pronoun = pronoun or next((t for t in tokens if t.lower_ in self.rules.inverted_pronouns), None)
                if pronoun is not None:
                    tokens = tokens + [t for t in doc[token.i + 1 : pronoun.i + 1] if t not in tokens]
                return tokens, pronoun
            subject_word = token.pos_ in SUBJECT_POS and len(tokens) <= self.rules.cue_subject_words
            following = doc[token.i + 1] if token.i + 1 < len(doc) else None
            # An auxiliary the tagger did not know either ("a tweeté": X X) stands before its verb.
            unknown = token.pos_ == "X" and following is not None and self.rules.reporting_lemma(following) is not None
            auxiliary = token.pos_ in {"AUX", "ADV", "PRON", "ADP"} or unknown
            if not auxiliary and not token.text.startswith("-") and not subject_word:
                return None
        return None

    def reporting_cue_in(self, doc: Doc, start: int, end: int) -> Token | None:
        """The last reporting verb in [start, end), outside quotes."""
        found = None
        for token in doc[token_at(doc, start) : token_at(doc, end)]:
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
            return sentence_start(doc, end - 1), end
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


def _after_source_cue(doc: Doc, token: Token, rules: QuoteRules) -> bool:
    return token.i > 0 and doc[token.i - 1].lower_ in rules.source_cues


ROLE_POS = frozenset({"NOUN", "ADJ", "PROPN", "DET"})
# What may stand between a cue and its inverted subject: time, place and manner ("jeudi sur Radio Valmer", "devant la
# presse", "un peu plus tôt dans la matinée"), commas included; never a verb, a pronoun or a conjunction.
ADVERBIAL_POS = frozenset({"ADV", "ADP", "DET", "NOUN", "PROPN", "ADJ", "NUM", "PUNCT"})
SENTENCE_STOPS = frozenset({".", "!", "?", ";", ":", "«", "»", "“", "”", '"', "(", ")"})
MAX_ADVERBIAL_WORDS = 12
# A complement between a closing mark and the comma before a cue ("« ... » par les suies, a dit X").
COMPLEMENT_POS = frozenset({"ADV", "ADP", "DET", "NOUN", "PROPN", "ADJ", "NUM"})
MAX_COMPLEMENT_CHARS = 40
# Words of an apposition between a subject and its reporting verb ('", Anne Roy, director of the port, said').
MAX_APPOSITION_WORDS = 12
# What a subject set before the reporting verb of a cue may hold ('", the actress's rep Jack Ketsoyan said').
SUBJECT_POS = frozenset({"NOUN", "ADJ", "PROPN", "DET", "NUM", "PART"})


def _role_phrase(doc: Doc, after: int, words: Words) -> str | None:
    """A noun phrase right after a cue that names someone by role ("le porte-parole de la police"): a determiner,
    nouns and adjectives, genitive complements; it stops at any other preposition ("... à une question")."""
    i = token_at(doc, after)
    while i < len(doc) and doc[i].text == ",":
        i += 1
    if i >= len(doc) or doc[i].lower_ not in words.role_determiners:
        return None
    end = i + 1
    while end < min(len(doc), i + 9) and (
        doc[end].pos_ in ROLE_POS
        or (doc[end].pos_ == "ADP" and doc[end].lower_ in words.genitive)
        or doc[end].text.startswith("-")  # "water-polo" split by the tokenizer
        or (end > i and doc[end - 1].text.endswith("-") and not doc[end - 1].whitespace_)
    ):
        end += 1
    while end > i + 1 and (doc[end - 1].pos_ in {"ADP", "DET"} or doc[end - 1].text == "-"):
        end -= 1
    if end - i < 2:
        return None
    return doc[i:end].text  # the span's characters; Doc.text would join every token of the article


def _named_right_after(text: str, speakers: Speakers, after: int, end: int) -> tuple[PersonMention, bool] | None:
    """The person, else the organisation, named within two words after a cue and before `end`, and whether it
    is an organisation: "», selon (la) SNCF", "comme le rappelle Anne Roy"."""
    for speaker, is_body in ((speakers.person_at(after, end), False), (speakers.body_at(after, end), True)):
        if speaker is not None and len(text[after : speaker.start].split()) <= 2:
            return speaker, is_body
    return None
