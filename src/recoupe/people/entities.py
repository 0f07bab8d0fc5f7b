"""Named entities, and the merging of every variant of a name into one store-wide entity.

spaCy's NER finds the names; what no library does for French news is done here, by rules kept as data:
titles ("Mme Caradec"), transliterations ("Dmitry"/"Dmitri"), surname-only mentions, and role nouns bound
to the person named beside them ("la porte-parole de la mairie, Inès Caradec"). Merging is conservative:
a surname shared by two known people is never merged on the surname alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from spacy.tokens import Doc, Span, Token

from recoupe.people.mentions import PersonMention
from recoupe.people.names import NameRules, Role, fold_plain
from recoupe.quotes.cues import QuoteRules
from recoupe.quotes.offsets import token_at
from recoupe.records import Article, Entity, EntityType, Mention, stable_id
from recoupe.rules import LanguageRules
from recoupe.store import Store

LABELS: dict[str, EntityType] = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC"}
COMPLEMENT_POS = frozenset({"ADJ", "ADP", "DET", "NOUN", "PROPN", "NUM"})
MAX_COMPLEMENT = 6
CLOSING_MARKS = frozenset({"»", "”", '"'})
ELIDED = ("'", "’")  # an elided determiner is written without a space before the noun ("l'élu")
NAME_AFTER_ROLE = 40  # characters after a role phrase the tagger cut short, before the name it leads up to
MAX_NAME_WORDS = 3  # words of a full name the NER mistyped ("Yanis Varoufakis")
MAX_AUXILIARIES = 2  # auxiliaries between an organisation's head and its reporting verb ("police have said")
MIN_PROTAGONIST_NAMES = 2  # times the main person of an article is named, at least, to hold its unbound roles


@dataclass
class _Index:
    """What the resolver knows of the store's people: surnames, roles, names, genders."""

    by_surname: dict[str, set[str]] = field(default_factory=dict)  # surname key -> entity ids
    by_key: dict[str, str] = field(default_factory=dict)  # "first|last" key -> entity id
    by_role: dict[str, set[str]] = field(default_factory=dict)  # folded role phrase -> entity ids
    names: dict[str, Entity] = field(default_factory=dict)
    gender: dict[str, str] = field(default_factory=dict)


class EntityResolver:
    """Finds the entities of an article and binds them to store-wide ids."""

    def __init__(self, rules: LanguageRules, store: Store) -> None:
        if rules.quotes is None:
            raise rules.missing("quotes.toml", "finding entities (inverted subjects after a reporting verb)")
        if rules.words is None:
            raise rules.missing("words.toml", "finding entities (determiners of role nouns)")
        self.store = store
        self.language = rules  # what another resolver of the same language is built from
        self.rules = NameRules.of_language(rules)
        self.cues = QuoteRules.of(rules.quotes)
        self.words = rules.words
        self._heads = frozenset(fold_plain(r.head) for r in self.rules.roles)
        self._role_words = frozenset(fold_plain(r.head).split()[0] for r in self.rules.roles)
        assert rules.roles is not None  # NameRules.of_language checked it
        self._organisations = frozenset(fold_plain(h) for h in rules.roles.organisations)
        self._body_determiners = frozenset(rules.roles.body_determiners) | self.words.determiners
        # Role nouns by their first word, longest first: one dictionary look-up per token.
        self._roles_by_first: dict[str, list[tuple[Role, int]]] = {}
        for role in self.rules.roles:
            words = role.head.replace("'", "' ").split()
            self._roles_by_first.setdefault(words[0].rstrip("'"), []).append((role, len(words)))
        # The role heads of each office's phrases: whoever holds "chef de l'État français" is "le président"
        # and "le chef de l'État" of the article too.
        self._office_heads: dict[str, set[str]] = {}
        for phrase, office in self.rules.offices.items():
            head = next(
                (h for h in sorted(self._heads, key=len, reverse=True) if f"{phrase} ".startswith(f"{h} ")), None
            )
            if head is not None:
                self._office_heads.setdefault(office, set()).add(head)
        self._index: _Index | None = None

    @property
    def index(self) -> _Index:
        """People already known, loaded from the store once, then kept up to date in memory."""
        if self._index is None:
            self._index = _Index()
            for entity in self.store.entities():
                if entity.type == "PER":
                    self._learn(entity)
        return self._index

    def resolve(self, doc: Doc, article: Article) -> tuple[list[Entity], list[Mention]]:
        """Entities of the article (with store-wide ids) and their mentions, persons' roles included."""
        people = self.people(doc)
        found: dict[str, Entity] = {}
        mentions: list[Mention] = []
        foreign = [(f.start, f.end) for f in article.foreign_fragments]
        people = [p for p in people if not any(s <= p.start < e for s, e in foreign)]
        for person in people:
            entity = found.setdefault(person.entity, self._entity_copy(person.entity))
            bare_role = person.role and fold_plain(person.text) in self._heads
            if person.text not in entity.variants and not bare_role:
                entity.variants.append(person.text)
            mentions.append(Mention(article.id, person.start, person.end, person.text, person.entity))
        taken = [(p.start, p.end) for p in people if not p.role]
        for body in self.organisations(doc, taken):
            entity = found.setdefault(body.entity, Entity(id=body.entity, name=body.text, type="ORG"))
            if body.text not in entity.variants:
                entity.variants.append(body.text)
            mentions.append(Mention(article.id, body.start, body.end, body.text, body.entity))
            taken.append((body.start, body.end))
        for ent in doc.ents:
            kind = LABELS.get(ent.label_, "MISC")
            if kind == "PER" or len(ent.text) < 2 or any(s < ent.end_char and ent.start_char < e for s, e in taken):
                continue
            entity_id = stable_id("ent", kind, self.rules.fold_entity(ent.text))
            entity = found.setdefault(entity_id, Entity(id=entity_id, name=ent.text, type=kind))
            if ent.text not in entity.variants:
                entity.variants.append(ent.text)
            mentions.append(Mention(article.id, ent.start_char, ent.end_char, ent.text, entity_id))
        for entity in found.values():
            if entity.type == "PER":
                self._learn(entity)
            elif fold_plain(entity.name) in self._organisations and len(entity.variants) > 1:
                entity.name = max(entity.variants, key=len)  # "police" merged with "Surrey Police" goes by the latter
        mentions.sort(key=lambda m: (m.start, m.end))
        return list(found.values()), mentions

    def organisations(self, doc: Doc, taken: list[tuple[int, int]]) -> list[PersonMention]:
        """Organisations named by a head noun of the rules ("le parquet de Paris", "l'intersyndicale", "le
        Kremlin"), which the NER often misses or cuts; a bare head ("le parquet") is the one organisation of
        that head named with a complement in the article, when there is one."""
        spans: list[tuple[int, int, str, str]] = []  # start, end, head, folded phrase
        whole = doc.text  # Doc.text joins every token at each call: once here, not once per organisation
        i = 0
        while i < len(doc):
            token = doc[i]
            head = fold_plain(token.text)
            determined = i > 0 and doc[i - 1].lower_ in self._body_determiners
            # '", police said': a bare head right before a reporting verb is the subject of a cue.
            if head not in self._organisations or not (determined or self._before_reporting_verb(doc, i)):
                i += 1
                continue
            if i + 1 < len(doc) and doc[i + 1].ent_iob_ == "B" and doc[i + 1].ent_type_ in {"ORG", "MISC"}:
                i += 1
                continue  # "le syndicat CGT": the organisation's own name follows its head, the NER has it
            end = _complement_end(doc, i + 1, self.words.genitive)
            start, stop = token.idx, doc[end - 1].idx + len(doc[end - 1].text)
            if not any(s < stop and start < e for s, e in taken):
                spans.append((start, stop, head, fold_plain(whole[start:stop])))
            i = end
        full: dict[str, set[str]] = {}
        for _, _, head, phrase in spans:
            if phrase != head:
                full.setdefault(head, set()).add(phrase)
        named = self._named_organisations(doc)
        found: list[PersonMention] = []
        for start, stop, head, phrase in spans:
            entity = stable_id("ent", "ORG", phrase)
            if phrase == head and len(full.get(head, ())) == 1:
                entity = stable_id("ent", "ORG", next(iter(full[head])))
            elif phrase == head and len(named.get(head, ())) == 1:
                # "the police" of an article naming one "Surrey Police": the same organisation.
                entity = next(iter(named[head]))
            found.append(PersonMention(start, stop, whole[start:stop], entity))
        return found

    def _before_reporting_verb(self, doc: Doc, i: int) -> bool:
        """Whether token i stands right before a reporting verb, past auxiliaries ("police have said")."""
        j = i + 1
        while j < len(doc) and (doc[j].pos_ == "AUX" or doc[j].lower_ in self.words.clitics):
            j += 1
        return j < len(doc) and j - i <= MAX_AUXILIARIES + 1 and self.cues.reporting_lemma(doc[j]) is not None

    def _named_organisations(self, doc: Doc) -> dict[str, set[str]]:
        """The entity ids of the organisations the NER names, by each organisation head word of their names."""
        named: dict[str, set[str]] = {}
        for ent in doc.ents:
            if LABELS.get(ent.label_) != "ORG" or fold_plain(ent.text) in self._organisations:
                continue  # a bare head ("Police") names no organisation of its own
            for word in ent.text.split():
                head = fold_plain(word)
                if head in self._organisations:
                    named.setdefault(head, set()).add(stable_id("ent", "ORG", self.rules.fold_entity(ent.text)))
        return named

    def people(self, doc: Doc) -> list[PersonMention]:
        """Every person mention of the document, by name or bound role, in text order."""
        spans = [span for span in doc.ents if span.label_ == "PER"] + self._inverted_subjects(doc)
        spans += self._mistyped_names(doc, spans)
        whole = doc.text  # Doc.text joins every token at each call: once here, not once per name
        found = [n for n in (self._name_mention(span, whole) for span in spans) if n is not None]
        names = self._unglued(found)
        by_surname = self._article_surnames(names)
        people: list[PersonMention] = []
        for mention, tokens in names:
            first, last = self.rules.person_key(tokens)
            entity = self._person_id(first, last, " ".join(tokens), by_surname)
            people.append(replace(mention, entity=entity, gender=mention.gender or self.index.gender.get(entity, "")))
        people += self._missed_surnames(doc, people)
        people += self._roles(doc, people)
        return sorted(people, key=lambda p: p.start)

    def _inverted_subjects(self, doc: Doc) -> list[Span]:
        """Names the NER missed or took for a place where a subject is inverted after a quote ("», ajoute
        Hassan"): right after a reporting verb that follows a closing mark, only a speaker can stand."""
        found: list[Span] = []
        for token in doc:
            if token.i + 1 >= len(doc) or not any(t.text in CLOSING_MARKS for t in doc[max(0, token.i - 3) : token.i]):
                continue
            if self.cues.reporting_lemma(token) is None:
                continue
            before = self._subject_before_cue(doc, token)
            if before is not None:
                found.append(before)
                continue
            start = token.i + 1 + (doc[token.i + 1].text in self.rules.titles)
            end = start
            while end < len(doc) and doc[end].pos_ == "PROPN" and doc[end].text[:1].isupper():
                end += 1
            if end > start and all(t.ent_type_ in {"", "LOC", "MISC"} for t in doc[start:end]):
                found.append(Span(doc, start, end, label="PER"))
        return found

    def _mistyped_names(self, doc: Doc, persons: list[Span]) -> list[Span]:
        """Full names the NER typed as an organisation or else ("Yanis Varoufakis" ORG) whose surname it tagged as
        a person elsewhere in the article ("Professor Varoufakis"): a first name and that surname."""
        surnames = {self.rules.fold(span[-1].text) for span in persons if span[-1].text[:1].isupper()}
        found: list[Span] = []
        for ent in doc.ents:
            if ent.label_ == "PER" or not 2 <= len(ent) <= MAX_NAME_WORDS:
                continue
            if not all(t.pos_ == "PROPN" and t.text[:1].isupper() for t in ent):
                continue
            if any(fold_plain(t.text) in self._organisations for t in ent):
                continue  # "Surrey Police": an organisation's own name
            if self.rules.fold(ent[-1].text) in surnames:
                found.append(Span(doc, ent.start, ent.end, label="PER"))
        return found

    def _subject_before_cue(self, doc: Doc, verb: Token) -> Span | None:
        """In a language whose cues set the subject first ('", Klitschko said'), the name between the comma after
        the closing mark and the verb, when the NER missed it or took it for something else."""
        if not self.cues.cue_subject_words:
            return None
        start = verb.i
        while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].text[:1].isupper():
            start -= 1
        if start == verb.i or start == 0 or doc[start - 1].text not in {",", *CLOSING_MARKS}:
            return None
        if any(t.ent_type_ not in {"", "LOC", "MISC"} for t in doc[start : verb.i]):
            return None
        return Span(doc, start, verb.i, label="PER")

    def _unglued(self, names: list[tuple[PersonMention, list[str]]]) -> list[tuple[PersonMention, list[str]]]:
        """Names whose surname swallowed the next word when scraping lost a space ("Duvalest" for
        "Duval est"): cut when the rest is a surname known in the article or the store."""
        surnames = [self.rules.fold(tokens[-1]) for _, tokens in names]
        unglued: list[tuple[PersonMention, list[str]]] = []
        for number, (mention, tokens) in enumerate(names):
            others = set(surnames[:number] + surnames[number + 1 :]) | set(self.index.by_surname)
            if len(tokens) >= 2 and surnames[number] not in others:
                for glued in self.rules.glued:
                    stem = tokens[-1][: -len(glued)]
                    if tokens[-1].endswith(glued) and len(stem) > 2 and self.rules.fold(stem) in others:
                        tokens[-1] = stem
                        cut = len(mention.text) - len(glued)
                        mention = replace(mention, end=mention.end - len(glued), text=mention.text[:cut])
                        break
            unglued.append((mention, tokens))
        return unglued

    def _missed_surnames(self, doc: Doc, people: list[PersonMention]) -> list[PersonMention]:
        """Surnames of the article's people that NER did not tag ("Caradec a ajouté", at a paragraph start)."""
        surnames: dict[str, str] = {}
        for person in people:
            words = person.text.split()
            if len(words) >= 2 and words[0] not in self.rules.titles:
                surnames.setdefault(self.rules.fold(words[-1]), person.entity)
        covered = [(p.start, p.end) for p in people]
        found: list[PersonMention] = []
        whole = doc.text  # Doc.text joins every token at each call: once here, not once per surname
        for token in doc:
            if not token.text[:1].isupper() or token.ent_type_ in {"ORG", "LOC"} or len(token.text) < 3:
                continue
            entity_id = surnames.get(self.rules.fold(token.text))
            if entity_id is None or any(s <= token.idx < e for s, e in covered):
                continue
            start = token.idx
            previous = doc[token.i - 1] if token.i > 0 else None
            if previous is not None and previous.text in self.rules.titles:
                start = previous.idx
            end = token.idx + len(token.text)
            gender = self.index.gender.get(entity_id, "")
            found.append(PersonMention(start, end, whole[start:end], entity_id, gender))
        return found

    def _name_mention(self, span: Span, whole: str) -> tuple[PersonMention, list[str]] | None:
        """A person-name span (`whole`: the text of its Doc), titles moved out of the name, NER errors dropped."""
        tokens = [t for t in span if not t.is_punct or t.text == "-"]
        gender = ""
        start = span.start_char
        while tokens and tokens[0].text in self.rules.titles:
            gender = self.rules.titles[tokens[0].text] or gender
            tokens = tokens[1:]
        # The NER may take the role before a name into it ("président Obama", "général Dupont"): a name starts
        # with a capital, so a leading lower-case word goes when a capitalised one follows it (before a particle
        # it may be a role's complement, "président de la République", or a name, "général de Gaulle").
        while (
            len(tokens) > 1
            and tokens[0].is_lower
            and tokens[0].is_alpha
            and tokens[0].lower_ not in self.rules.particles
            and tokens[1].text[:1].isupper()
        ):
            tokens = tokens[1:]
            start = tokens[0].idx
        if not tokens or _not_a_name(tokens) or fold_plain(" ".join(t.text for t in tokens)) in self.rules.not_persons:
            return None
        if tokens[0].is_lower and fold_plain(tokens[0].text) in self._role_words:
            return None  # "président de la République": a role, found and bound by _roles, not a name
        if len(tokens) == 1 and _cut_at_end(tokens[0]):
            return None
        doc = span.doc
        previous = doc[span.start - 1] if span.start > 0 else None
        if previous is not None and previous.text in self.rules.titles and start == span.start_char:
            gender = self.rules.titles[previous.text] or gender
            start = previous.idx
        text = whole[start : span.end_char]
        return PersonMention(start, span.end_char, text, "", gender), _words(tokens)

    def _article_surnames(self, names: list[tuple[PersonMention, list[str]]]) -> dict[str, set[str]]:
        """Full names (first|last keys) of the article by surname key."""
        out: dict[str, set[str]] = {}
        for _, tokens in names:
            first, last = self.rules.person_key(tokens)
            if first:
                out.setdefault(last, set()).add(f"{first}|{last}")
        return out

    def _person_id(self, first: str, last: str, surface: str, article_names: dict[str, set[str]]) -> str:
        """The store-wide id of a person: full names by key; a lone surname by the one full name it can be."""
        index = self.index
        if first:
            key = f"{first}|{last}"
        elif len(article_names.get(last, ())) == 1:
            key = next(iter(article_names[last]))
        elif not article_names.get(last) and len(index.by_surname.get(last, ())) == 1:
            return next(iter(index.by_surname[last]))
        else:
            key = f"|{last}"
        if key in index.by_key:
            return index.by_key[key]
        # A full name whose surname was known only alone takes over that entity, if nobody else bears it.
        lone = index.by_key.get(f"|{last}")
        if first and lone is not None and not (index.by_surname.get(last, set()) - {lone}):
            index.by_key[key] = lone
            return lone
        entity_id = stable_id("ent", "PER", key)
        index.by_key[key] = entity_id
        index.names.setdefault(entity_id, Entity(id=entity_id, name=surface, type="PER"))
        return entity_id

    def _roles(self, doc: Doc, names: list[PersonMention]) -> list[PersonMention]:
        """Role-noun mentions, bound to the person named beside them or known to hold the role."""
        found: list[PersonMention] = []
        bindings: dict[str, set[str]] = {}  # role key -> entity ids, in this article
        heads: dict[str, set[str]] = {}  # role head -> entity ids, in this article
        bare_bindings: dict[str, bool] = {}  # role head -> whether it was only ever bound without complement
        by_start = {n.start: n for n in names}
        by_end = {n.end: n for n in names}
        whole = doc.text  # Doc.text joins every token at each call: once here, not once per role
        spans = self._role_spans(doc)
        unbound: list[tuple[Role, int, int, str]] = []
        for role, span_start, span_end, key in spans:
            text = whole[span_start:span_end]
            person = _next_name(whole, span_end, by_start) or _previous_name(
                whole, span_start, by_end, self.words.determiners
            )
            if person is not None:
                bindings.setdefault(key, set()).add(person.entity)
                head = fold_plain(role.head)
                heads.setdefault(head, set()).add(person.entity)
                bare_bindings[head] = bare_bindings.get(head, True) and key == head
                for other in self._office_heads.get(key, set()) - {head}:
                    heads.setdefault(other, set()).add(person.entity)
                    bare_bindings[other] = False
                entity_id: str | None = person.entity
            else:
                entity_id = self._holder(key, role, bindings, heads, bare_bindings, {n.entity for n in names})
                if entity_id is None:
                    unbound.append((role, span_start, span_end, key))
            if entity_id is not None:
                gender = role.gender or self.index.gender.get(entity_id, "")
                found.append(PersonMention(span_start, span_end, text, entity_id, gender, role=True))
        protagonist = _protagonist(names)
        for role, span_start, span_end, key in unbound:
            head = fold_plain(role.head)
            if protagonist is None or head in heads or not _definite(doc, span_start):
                continue  # a role of someone else of the article, or "un maire": no one to give it to
            if any(
                span_end <= n.start < span_end + NAME_AFTER_ROLE and _no_break(whole[span_end : n.start]) for n in names
            ):
                continue  # "la nageuse bretonne Anne Kerlo": the role leads up to a name
            if any(n.start < span_end and span_start < n.end for n in names):
                continue  # "le général Dupont": a name inside the role's words is the holder, named
            held = {h for h, ids in heads.items() if protagonist.entity in ids}
            gender = protagonist.gender or self.index.gender.get(protagonist.entity, "")
            if held - self._office_heads.get(key, set()) or (role.gender and gender and role.gender != gender):
                continue  # the article's main person holds another role, or the role's gender is not theirs
            # The article names its main person by name, then by role ("le Premier ministre a ajouté"), though
            # it never sets the two side by side.
            found.append(
                PersonMention(span_start, span_end, whole[span_start:span_end], protagonist.entity, gender, role=True)
            )
        return sorted(found, key=lambda p: p.start)

    def _holder(
        self,
        key: str,
        role: Role,
        bindings: dict[str, set[str]],
        heads: dict[str, set[str]],
        bare_bindings: dict[str, bool],
        present: set[str],
    ) -> str | None:
        """Who holds a role named alone: bound earlier in the article, else known and named in the article."""
        if key in bindings:
            # Two ministers named in the article: "le ministre" alone could be either.
            return next(iter(bindings[key])) if len(bindings[key]) == 1 else None
        # The one person of the article bound to that head ("la porte-parole de la mairie de Brest, I. Caradec"
        # -> "le porte-parole du Kremlin"), unless only a bare head was bound and this role says more
        # ("le président Poutine" does not make him "le président des États-Unis"). A role naming an office
        # held by one person ("le président américain") is only bound by a phrase of that office.
        head = fold_plain(role.head)
        bare = key == head or key in self._heads  # "le magistrat", an office of its own ("procureur")
        bound = heads.get(head, set()) | (heads.get(key, set()) if key in self._heads else set())
        named_office = key in self._office_heads and not bare
        if len(bound) == 1 and not named_office and (bare or not bare_bindings.get(head, False)):
            return next(iter(bound))
        known = self.index.by_role.get(key, set()) & present
        return next(iter(known)) if len(known) == 1 else None

    def _role_spans(self, doc: Doc) -> list[tuple[Role, int, int, str]]:
        """(role, start, end, key) of each role noun phrase: premodifiers, head and complement."""
        spans: list[tuple[Role, int, int, str]] = []
        lowered = [t.lower_ for t in doc]
        i = 0
        while i < len(doc):
            matched = self._role_at(lowered, i)
            if matched is None:
                i += 1
                continue
            role, head_end = matched
            begin = i
            while (begin > 0 and lowered[begin - 1] in self.rules.premodifiers) or (
                begin > 0 and doc[begin - 1].like_num
            ):
                begin -= 1
            has_determiner = begin > 0 and lowered[begin - 1] in self.words.determiners
            end = _complement_end(doc, head_end, self.words.genitive)
            previous_is_comma = begin > 0 and doc[begin - 1].text == ","
            if has_determiner or previous_is_comma or _after_name_comma(doc, begin):
                key = self.rules.office(" ".join(fold_plain(t.text) for t in doc[i:end]))
                spans.append((role, doc[begin].idx, doc[end - 1].idx + len(doc[end - 1].text), key))
            i = end
        return spans

    def _role_at(self, lowered: list[str], i: int) -> tuple[Role, int] | None:
        """The longest role noun starting at token i, with the index of the token after it."""
        for role, size in self._roles_by_first.get(lowered[i].rstrip("'’"), ()):
            joined = " ".join(lowered[i : i + size]).replace("' ", "'").replace("’ ", "'")
            if joined == role.head:
                return role, i + size
        return None

    def _entity_copy(self, entity_id: str) -> Entity:
        known = self.index.names.get(entity_id)
        if known is None:
            known = self.store.entity(entity_id) or Entity(id=entity_id, name=entity_id, type="PER")
        return Entity(id=known.id, name=known.name, type=known.type, variants=list(known.variants))

    def _learn(self, entity: Entity) -> None:
        """Add a person's names, roles and gender evidence to the index."""
        index = self.index if self._index is not None else None
        if index is None:
            return
        known = index.names.get(entity.id)
        if known is None or len(entity.variants) >= len(known.variants):
            index.names[entity.id] = Entity(entity.id, entity.name, entity.type, list(entity.variants))
        for variant in entity.variants:
            words = variant.split()
            title = words[0] if words and words[0] in self.rules.titles else None
            if title and self.rules.titles[title]:
                index.gender.setdefault(entity.id, self.rules.titles[title])
            role = self._role_of_variant(variant)
            if role is not None:
                index.by_role.setdefault(role, set()).add(entity.id)
                continue
            first, last = self.rules.person_key(words)
            if last:
                index.by_surname.setdefault(last, set()).add(entity.id)
                if first:  # "M. Garnier" names no one by itself: only full names become keys
                    index.by_key.setdefault(f"{first}|{last}", entity.id)

    def _role_of_variant(self, variant: str) -> str | None:
        lowered = fold_plain(variant)
        for role in self.rules.roles:
            head = fold_plain(role.head)
            position = lowered.find(head)
            if position >= 0 and (position == 0 or lowered[position - 1] == " ") and variant[:1].islower():
                return self.rules.office(lowered[position:])
        return None


def _words(tokens: list[Token]) -> list[str]:
    """The words of a name, a hyphen gluing the tokens the tokenizer split ("Ruiz", "-", "Gallardón")."""
    words: list[str] = []
    for i, token in enumerate(tokens):
        glued = i > 0 and not tokens[i - 1].whitespace_ and (token.text == "-" or tokens[i - 1].text == "-")
        if glued and words:
            words[-1] += token.text
        else:
            words.append(token.text)
    return words


ELLIPSES = frozenset({"…", "...", "[…]", "(…)"})  # what may end an excerpt cut off in a word


def _cut_at_end(token: Token) -> bool:
    """A word cut off by the end of the excerpt ("déclare Jea…"): the last word of the text, no sentence end."""
    # Read as far as the first characters that cannot be an ellipsis, not the rest of the article (Doc.text
    # joins every token of it at each call).
    rest = ""
    for following in token.doc[token.i + 1 :]:
        rest += following.text_with_ws
        if len(rest.strip()) > max(len(mark) for mark in ELLIPSES):
            return False
    rest = rest.strip()
    return not rest or rest in ELLIPSES


def _not_a_name(tokens: list[Token]) -> bool:
    """NER errors: a verb or lower-case word tagged as a person, a name made of one letter, a word opening a
    quote or sentence and followed by a comma ("« Regardez, ... »"), which is an imperative or interjection."""
    first = tokens[0]
    if len(tokens) == 1 and first.i + 1 < len(first.doc) and first.doc[first.i + 1].text in {",", "!"}:
        before = first.doc[first.i - 1].text if first.i > 0 else "."
        before = "." if before.isspace() else before  # a word opening a paragraph
        if before in {"«", "“", '"', ".", "!", "?", ":"} and first.doc.vocab.has_vector(first.lower_):
            return True
    if first.pos_ in {"VERB", "AUX", "ADV", "PRON", "DET", "ADP", "CCONJ", "SCONJ"} and len(tokens) == 1:
        return True
    if not any(t.text[:1].isupper() for t in tokens):
        return True
    return len("".join(t.text for t in tokens)) < 3


def _complement_end(doc: Doc, end: int, genitive: frozenset[str]) -> int:
    """Where the complement of a role noun ends: adjectives and a prepositional phrase, stopping at a name."""
    limit = min(len(doc), end + MAX_COMPLEMENT)
    i = end
    while i < limit:
        token = doc[i]
        participle = i == end and "Part" in token.morph.get("VerbForm", [])  # "le président élu des États-Unis"
        inside_name = token.ent_iob_ == "I" and token.ent_type_ != "PER"  # "de New York", "York" tagged X
        if (token.ent_iob_ == "B" and token.ent_type_ == "PER") or (
            token.pos_ not in COMPLEMENT_POS and not participle and not inside_name
        ):
            break
        if token.pos_ == "DET" and (i + 1 >= limit or doc[i + 1].pos_ not in {"NOUN", "PROPN", "ADJ"}):
            break
        if token.pos_ == "ADP" and token.lower_ not in genitive:
            break  # "le maire adjoint après sa réélection": the role ends before "après"
        i += 1
    # A complement does not end on a preposition or determiner.
    while i > end and doc[i - 1].pos_ in {"ADP", "DET"}:
        i -= 1
    return i


def _next_name(text: str, end: int, by_start: dict[int, PersonMention]) -> PersonMention | None:
    """The name right after a role ("le président américain Donald Trump", "la ministre, Anne Roy")."""
    for gap in (" ", ", "):
        person = by_start.get(end + len(gap))
        if person is not None and text[end : end + len(gap)] == gap and not person.role:
            return person
    return None


def _previous_name(
    text: str, start: int, by_end: dict[int, PersonMention], determiners: frozenset[str]
) -> PersonMention | None:
    """The name right before a role in apposition ("Inès Caradec, porte-parole de la mairie", "Olivier Roux,
    le procureur de Foix")."""
    gaps = [", ", " , "] + [", " + d + ("" if d.endswith(ELIDED) else " ") for d in determiners]
    for gap in gaps:
        person = by_end.get(start - len(gap))
        if person is not None and text[start - len(gap) : start] == gap and not person.role:
            return person
    return None


def _protagonist(names: list[PersonMention]) -> PersonMention | None:
    """The person an article names most, by name, when named at least twice and more often than anyone else."""
    counts: dict[str, int] = {}
    for name in names:
        if not name.role:
            counts[name.entity] = counts.get(name.entity, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] < MIN_PROTAGONIST_NAMES or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return next(n for n in names if n.entity == ranked[0][0])


def _no_break(between: str) -> bool:
    """Whether the words between a role and a name run on, with no punctuation but a hyphen."""
    return not any(c in between for c in ',.;:!?«»“”"()\n')


def _definite(doc: Doc, start: int) -> bool:
    """Whether a role phrase opens with a definite determiner ("le maire", not "un maire" nor "son maire")."""
    i = token_at(doc, start) - 1  # a role span starts past its determiner
    return i >= 0 and doc[i].pos_ == "DET" and doc[i].morph.get("Definite", []) == ["Def"]


def _after_name_comma(doc: Doc, begin: int) -> bool:
    return begin > 1 and doc[begin - 1].text == "," and doc[begin - 2].ent_type_ == "PER"
