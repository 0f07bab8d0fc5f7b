"""Who speaks: person mentions in the text, sentence subjects, and pronoun resolution.

No dependency parse is used (it is half of spaCy's time): a main-clause subject is approximated as the first
person named in a sentence before any finite verb, outside quotes and not right after a subordinator.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from recoupe.people.mentions import PersonMention
from recoupe.people.names import NameRules
from recoupe.records import Entity, Mention
from recoupe.rules import Words

# Entity types that may speak besides persons: organisations, and places named for their government.
BODY_TYPES = frozenset({"ORG", "LOC"})
# Parts of speech of a subject noun phrase before its name ("Le syndicat CGT", "la NASA").
HEAD_POS = frozenset({"DET", "NOUN", "ADJ", "PROPN", "NUM"})
FEMALE = "f"
MALE = "m"


@dataclass
class Candidate:
    """A person salient at a point of the text: a main-clause subject or the speaker of a quote."""

    position: int
    person: PersonMention


class Speakers:
    """PersonMention mentions of one article and the salience needed to resolve 'il', 'elle' and role nouns."""

    def __init__(
        self,
        doc: Doc,
        entities: list[Entity],
        mentions: list[Mention],
        rules: NameRules,
        quoted: list[tuple[int, int]],
        subordinators: frozenset[str],
        words: Words,
    ) -> None:
        self.doc = doc
        self.text = doc.text  # Doc.text joins every token at each call: built once per article
        self.clitics = words.clitics  # may stand between a subject and its verb ("Caradec s'est dite")
        self.prepositions = words.prepositions
        people = {e.id: e for e in entities if e.type == "PER"}
        self.gender = {entity.id: _gender(entity, rules) for entity in people.values()}
        # Role mentions start with the lower-case role noun ("porte-parole du Kremlin"), names with a capital.
        self.persons = [
            PersonMention(m.start, m.end, m.text, m.entity, role=m.text[:1].islower())
            for m in mentions
            if m.entity in people
        ]
        self.persons.sort(key=lambda p: p.start)
        self._starts = [p.start for p in self.persons]
        # Organisations, and places standing for their government ("Moscou a dénoncé"): they speak too, in
        # communiqués and through spokespeople the text does not name.
        bodies = {e.id for e in entities if e.type in BODY_TYPES}
        self.bodies = sorted(
            (PersonMention(m.start, m.end, m.text, m.entity) for m in mentions if m.entity in bodies),
            key=lambda p: p.start,
        )
        self.quoted = quoted
        self.subordinators = subordinators
        self._token_starts = [t.idx for t in doc]
        self.candidates: list[Candidate] = [Candidate(p.start, p) for p in self._subjects()]

    def inside_quote(self, start: int) -> bool:
        """Whether a character offset lies inside a direct quote."""
        return any(s <= start < e for s, e in self.quoted)

    def person_at(self, start: int, end: int) -> PersonMention | None:
        """The first person mention within [start, end), outside quotes."""
        i = bisect.bisect_left(self._starts, start)
        while i < len(self.persons) and self.persons[i].start < end:
            if not self.inside_quote(self.persons[i].start):
                return self.persons[i]
            i += 1
        return None

    def person_before(self, start: int, end: int) -> PersonMention | None:
        """The last person mention within [start, end), outside quotes."""
        i = bisect.bisect_left(self._starts, end) - 1
        while i >= 0 and self.persons[i].start >= start:
            if not self.inside_quote(self.persons[i].start):
                return self.persons[i]
            i -= 1
        return None

    def mention_at(self, start: int, end: int) -> PersonMention | None:
        """The first person mention within [start, end), inside quotes too (a name in an incise)."""
        i = bisect.bisect_left(self._starts, start)
        return self.persons[i] if i < len(self.persons) and self.persons[i].start < end else None

    def person_covering(self, char: int) -> PersonMention | None:
        """The person mention whose span covers a character offset."""
        i = bisect.bisect_right(self._starts, char) - 1
        if i >= 0 and self.persons[i].start <= char < self.persons[i].end:
            return self.persons[i]
        return None

    def add_speaker(self, position: int, person: PersonMention) -> None:
        """Make a quote's speaker salient from the quote's position on, if a person: "il" and "elle" stand for
        people far more often than for an organisation that spoke before them."""
        if person.entity in self.gender:
            bisect.insort(self.candidates, Candidate(position, person), key=lambda c: c.position)

    def resolve_pronoun(self, position: int, gender: str, sentence_start: int | None = None) -> PersonMention | None:
        """The person a pronoun stands for: the nearest compatible person named earlier in its sentence, else
        the nearest salient one (a main-clause subject or a speaker) before it."""
        if sentence_start is not None:
            i = bisect.bisect_left(self._starts, position)
            while i > 0 and self.persons[i - 1].start >= sentence_start:
                i -= 1
                person = self.persons[i]
                known = self.gender.get(person.entity, "")
                if not self.inside_quote(person.start) and (not known or not gender or known == gender):
                    return person
        for candidate in reversed(self.candidates):
            if candidate.position >= position:
                continue
            known = self.gender.get(candidate.person.entity, "")
            if not known or not gender or known == gender:
                return candidate.person
        # No one salient yet (the names so far stood in subordinate clauses or complements): the last person
        # named before the pronoun, outside quotes.
        i = bisect.bisect_left(self._starts, position)
        while i > 0:
            i -= 1
            person = self.persons[i]
            known = self.gender.get(person.entity, "")
            if not self.inside_quote(person.start) and (not known or not gender or known == gender):
                return person
        return None

    def body_subject(self, start: int, end: int) -> PersonMention | None:
        """The organisation or place heading the subject of the clause in [start, end): "Le syndicat CGT
        estime", "Moscou a dénoncé"; not one inside a complement ("le porte-parole de la SNCF a dit")."""
        main_verb = self.first_finite_verb(start, end)
        for body in self.bodies:
            if body.start >= end:
                break
            if body.start < start or self.inside_quote(body.start):
                continue
            i = self._token_index(body.start)
            if i >= len(self.doc):
                break
            j = i - 1
            while j >= 0 and self.doc[j].idx >= start and self._heads_noun_phrase(self.doc[j]):
                j -= 1
            in_complement = j >= 0 and self.doc[j].idx >= start and self._preposition(self.doc[j])
            if main_verb is not None and main_verb.idx < body.start:
                return None  # past the main verb: an organisation further on is its object
            if not in_complement and not self.after_subordinator(self.doc[j + 1]) and self.is_subject(body, True):
                return body
        return None

    def _heads_noun_phrase(self, token: Token) -> bool:
        return token.pos_ in HEAD_POS and not self._preposition(token) and "\n" not in token.text

    def _preposition(self, token: Token) -> bool:
        """A preposition, contracted ones included, which spaCy may tag as determiners ("du", "des", "au")."""
        return token.pos_ == "ADP" or token.lower_ in self.prepositions

    def body_ending(self, start: int, end: int, mark: str) -> PersonMention | None:
        """The organisation named last in [start, end) when only `mark` follows it: "Pour l'April : « ... »"."""
        for body in reversed(self.bodies):
            if start <= body.start < end and not self.inside_quote(body.start):
                return body if self.text[body.end : end].strip() == mark else None
        return None

    def body_at(self, start: int, end: int) -> PersonMention | None:
        """The first organisation or place named within [start, end), outside quotes."""
        return next((b for b in self.bodies if start <= b.start < end and not self.inside_quote(b.start)), None)

    def first_finite_verb(self, start: int, end: int) -> Token | None:
        """The first finite verb of [start, end), outside quotes."""
        tokens = self.doc[self._token_index(start) : self._token_index(end)]
        return next((t for t in tokens if is_finite_verb(t) and not self.inside_quote(t.idx)), None)

    def subject_before(self, start: int, end: int) -> PersonMention | None:
        """The subject of the clause in [start, end): the first person named before a finite verb, past a
        subordinate clause opening the sentence ("Lorsqu'il entre, Éric Ciotti sait que")."""
        tokens = self._main_clause(list(self.doc[self._token_index(start) : self._token_index(end)]))
        for token in tokens:
            if token.idx >= end:
                break
            person = self._person_starting(token.idx)
            if person is not None and not self.inside_quote(token.idx) and not self.after_subordinator(token):
                return person
            if is_finite_verb(token) and not self.inside_quote(token.idx):
                return None  # past the main verb: a name further on is its object or in a clause of its own
        return None

    def is_subject(self, person: PersonMention, finite: bool = False) -> bool:
        """Whether a mention stands where a subject does: before a verb (a finite one if asked), past an
        apposition or a clitic."""
        verb = self._verb_after(person)
        return verb is not None and (not finite or is_finite_verb(verb))

    def _verb_after(self, person: PersonMention) -> Token | None:
        i = self._token_index(person.end)
        doc = self.doc
        if i + 1 < len(doc) and doc[i].text == "," and doc[i + 1].pos_ in {"AUX", "VERB"}:
            return doc[i + 1]  # the comma closes an apposition opened before the name
        if i < len(doc) and doc[i].text in {",", "("}:
            closer = "," if doc[i].text == "," else ")"
            j = next((k for k in range(i + 1, min(len(doc), i + 16)) if doc[k].text == closer), None)
            if j is None:
                return None
            i = j + 1
        while i < len(doc) and doc[i].lower_ in self.clitics:
            i += 1
        return doc[i] if i < len(doc) and doc[i].pos_ in {"AUX", "VERB"} else None

    def _subjects(self) -> list[PersonMention]:
        """Main-clause subjects: per sentence, the first person named before any finite verb."""
        subjects: list[PersonMention] = []
        for sentence in _sentences(self.doc):
            opener = next((t for t in sentence if t.is_alpha), None)
            if opener is not None and opener.text[:1].islower():
                continue  # a fragment of a sentence cut by scraping or by the splitter: its main clause is elsewhere
            for token in self._main_clause(sentence):
                if self.inside_quote(token.idx):
                    continue
                person = self._person_starting(token.idx)
                if person is not None:
                    if not self.after_subordinator(token):
                        subjects.append(person)
                    break
                if is_finite_verb(token):
                    break
        return subjects

    def _main_clause(self, tokens: list[Token]) -> list[Token]:
        """The tokens of a sentence from its main clause on: past a subordinate clause that opens it and ends at
        a comma ("Lorsqu'il entre dans les locaux, ...")."""
        opener = next((t for t in tokens if t.is_alpha), None)
        if opener is None or opener.lower_ not in self.subordinators:
            return tokens
        comma = next((i for i, t in enumerate(tokens) if t.text == ","), None)
        return tokens if comma is None else tokens[comma + 1 :]

    def _person_starting(self, start: int) -> PersonMention | None:
        i = bisect.bisect_left(self._starts, start)
        if i < len(self.persons) and self.persons[i].start == start:
            return self.persons[i]
        return None

    def after_subordinator(self, token: Token) -> bool:
        """Whether a token follows a subordinator, so it does not start a main clause."""
        i = token.i - 1
        while i >= 0 and self.doc[i].pos_ in {"DET", "ADJ"}:
            i -= 1
        return i >= 0 and self.doc[i].lower_ in self.subordinators

    def _token_index(self, char: int) -> int:
        return bisect.bisect_left(self._token_starts, char)


def is_finite_verb(token: Token) -> bool:
    """A verb or auxiliary in a finite form: the main verb of its clause, not a participle or an infinitive."""
    return token.pos_ in {"VERB", "AUX"} and "Fin" in token.morph.get("VerbForm", [])


def _gender(entity: Entity, rules: NameRules) -> str:
    """Gender evidence from titles and gendered role nouns among the variants; '' when none."""
    for variant in entity.variants:
        words = variant.split()
        if words and rules.titles.get(words[0]):
            return rules.titles[words[0]]
    for variant in entity.variants:
        lowered = variant.lower()
        for role in rules.roles:
            if role.gender and (lowered.startswith(role.head + " ") or lowered == role.head):
                return role.gender
    return ""


def _sentences(doc: Doc) -> list[list[Token]]:
    """spaCy's sentences, also cut at line breaks: a heading or a paragraph end closes a sentence."""
    out: list[list[Token]] = []
    for sentence in doc.sents:
        current: list[Token] = []
        for token in sentence:
            if "\n" in token.text:
                if current:
                    out.append(current)
                current = []
            else:
                current.append(token)
        if current:
            out.append(current)
    return out
