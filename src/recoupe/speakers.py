"""Who speaks: person mentions in the text, sentence subjects, and pronoun resolution.

No dependency parse is used (it is half of spaCy's time): a main-clause subject is approximated as the first
person named in a sentence before any finite verb, outside quotes and not right after a subordinator.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from recoupe.names import NameRules
from recoupe.records import Entity, Mention

FEMALE = "f"
MALE = "m"


@dataclass(frozen=True)
class Person:
    """A person mention the quote finder can attribute to: a name, a bound role, or a resolved pronoun."""

    start: int
    end: int
    text: str
    entity: str
    by_role: bool = False


@dataclass
class Candidate:
    """A person salient at a point of the text: a main-clause subject or the speaker of a quote."""

    position: int
    person: Person


class Speakers:
    """Person mentions of one article and the salience needed to resolve 'il', 'elle' and role nouns."""

    def __init__(
        self,
        doc: Doc,
        entities: list[Entity],
        mentions: list[Mention],
        rules: NameRules,
        quoted: list[tuple[int, int]],
        subordinators: frozenset[str],
    ) -> None:
        self.doc = doc
        people = {e.id: e for e in entities if e.type == "PER"}
        self.gender = {entity.id: _gender(entity, rules) for entity in people.values()}
        # Role mentions start with the lower-case role noun ("porte-parole du Kremlin"), names with a capital.
        self.persons = [
            Person(m.start, m.end, m.text, m.entity, by_role=m.text[:1].islower())
            for m in mentions
            if m.entity in people
        ]
        self.persons.sort(key=lambda p: p.start)
        self._starts = [p.start for p in self.persons]
        self.quoted = quoted
        self.subordinators = subordinators
        self._token_starts = [t.idx for t in doc]
        self.candidates: list[Candidate] = [Candidate(p.start, p) for p in self._subjects()]

    def inside_quote(self, start: int) -> bool:
        """Whether a character offset lies inside a direct quote."""
        return any(s <= start < e for s, e in self.quoted)

    def person_at(self, start: int, end: int) -> Person | None:
        """The first person mention within [start, end), outside quotes."""
        i = bisect.bisect_left(self._starts, start)
        while i < len(self.persons) and self.persons[i].start < end:
            if not self.inside_quote(self.persons[i].start):
                return self.persons[i]
            i += 1
        return None

    def add_speaker(self, position: int, person: Person) -> None:
        """Make a quote's speaker salient from the quote's position on."""
        bisect.insort(self.candidates, Candidate(position, person), key=lambda c: c.position)

    def resolve_pronoun(self, position: int, gender: str) -> Person | None:
        """The nearest salient person before `position` whose gender does not contradict the pronoun's."""
        for candidate in reversed(self.candidates):
            if candidate.position >= position:
                continue
            known = self.gender.get(candidate.person.entity, "")
            if not known or not gender or known == gender:
                return candidate.person
        return None

    def subject_before(self, start: int, end: int) -> Person | None:
        """The subject of the clause in [start, end): the first person named before a finite verb."""
        for token in self.doc[self._token_index(start) : self._token_index(end)]:
            if token.idx >= end:
                break
            person = self._person_starting(token.idx)
            if person is not None and not self.inside_quote(token.idx) and not self._after_subordinator(token):
                return person
        return None

    def _subjects(self) -> list[Person]:
        """Main-clause subjects: per sentence, the first person named before any finite verb."""
        subjects: list[Person] = []
        for sentence in _sentences(self.doc):
            for token in sentence:
                if self.inside_quote(token.idx):
                    continue
                person = self._person_starting(token.idx)
                if person is not None:
                    if not self._after_subordinator(token):
                        subjects.append(person)
                    break
                if token.pos_ in {"VERB", "AUX"} and "Fin" in token.morph.get("VerbForm", []):
                    break
        return subjects

    def _person_starting(self, start: int) -> Person | None:
        i = bisect.bisect_left(self._starts, start)
        if i < len(self.persons) and self.persons[i].start == start:
            return self.persons[i]
        return None

    def _after_subordinator(self, token: Token) -> bool:
        i = token.i - 1
        while i >= 0 and self.doc[i].pos_ in {"DET", "ADJ"}:
            i -= 1
        return i >= 0 and self.doc[i].lower_ in self.subordinators

    def _token_index(self, char: int) -> int:
        return bisect.bisect_left(self._token_starts, char)


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
