"""spaCy's attribute ruler with its one-token patterns looked up by value instead of tried at every token.

A model's attribute ruler maps a tagger's tags to parts of speech and morphology, and corrects a few words: 179
patterns in en_core_web_sm, 23 in fr_core_news_md. spaCy runs them through its Matcher, which tries every
pattern at every token: 18 to 19 ms an English page of bench/pipeline.py (4,300 characters), the cost of the
model's tok2vec, where setting the attributes found takes 2. Nearly all of these patterns are one token that
must equal given values ({"TAG": "NN"}, {"LOWER": "us", "TAG": "PRP"}): here they are looked up in a table by
the token's values, and only the others (several tokens, a dependency label, an operator) go through a Matcher.
The matches are merged in the ruler's own order, so the later pattern still wins, and the ruler sets them as it
always does (tests/test_nlp.py compares both on texts of both languages). spaCy has no indexed matcher for this.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from itertools import product
from typing import Any, cast

import numpy
from numpy.typing import NDArray
from spacy.attrs import IDS
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.vocab import Vocab

# Token attributes a pattern may test by equality (or membership, "IN") that Doc.to_array reads as plain values.
INDEXED_ATTRIBUTES = ("ORTH", "LOWER", "NORM", "TAG", "POS", "DEP", "IS_SPACE")

Match = tuple[int, int, int, int]  # (pattern index, match id, start, end), as AttributeRuler.match gives them
Values = tuple[int, ...]  # a token's values of some attributes, in the order of their names
Step = tuple[tuple[str, ...], frozenset[Values]]  # the attributes a pattern's next token tests, and what passes
Candidate = tuple[int, tuple[Step, ...]]  # a pattern's index and the tokens after its first


def index_attribute_rulers(nlp: Language) -> None:
    """Give every attribute ruler of a pipeline the indexed matching below (once)."""
    for _name, component in nlp.pipeline:
        if isinstance(component, AttributeRuler) and not isinstance(component.match, IndexedMatch):
            component.match = IndexedMatch(component)  # type: ignore[method-assign]


class IndexedMatch:
    """The matches of an attribute ruler's patterns in a Doc, the same as `AttributeRuler.match`'s."""

    def __init__(self, ruler: AttributeRuler) -> None:
        vocab: Vocab = ruler.vocab
        # names tested by a pattern's first token -> their values -> the patterns that start there
        self.tables: dict[tuple[str, ...], dict[Values, list[Candidate]]] = defaultdict(lambda: defaultdict(list))
        self.others = Matcher(vocab, validate=False)
        self.match_ids: list[int] = []
        for index, entry in enumerate(ruler.patterns):
            key = str(index)
            self.match_ids.append(vocab.strings.add(key))
            alternatives = cast(list[list[dict[str, Any]]], entry["patterns"])
            steps = [_steps(vocab, pattern) for pattern in alternatives]
            if any(pattern_steps is None for pattern_steps in steps):
                self.others.add(key, alternatives)
                continue
            for pattern_steps in steps:
                assert pattern_steps is not None
                (names, firsts), rest = pattern_steps[0], tuple(pattern_steps[1:])
                for values in firsts:
                    self.tables[names][values].append((index, rest))
        self.columns = sorted({name for names in self.tables for name in names})
        # the values of its first attribute that a pattern's first token may have, per table
        self.firsts = {
            names: numpy.array(sorted({values[0] for values in table}), dtype=numpy.uint64)
            for names, table in self.tables.items()
        }

    def __call__(self, doc: Doc) -> list[Match]:
        matches = [
            (int(doc.vocab.strings[match_id]), match_id, start, end)
            for match_id, start, end in self.others(doc, allow_missing=True, as_spans=False)
        ]
        if self.columns and len(doc):
            array = doc.to_array([IDS[name] for name in self.columns])
            columns = {name: array[:, i] for i, name in enumerate(self.columns)}
            values = {name: column.tolist() for name, column in columns.items()}
            for names, table in self.tables.items():
                matches.extend(self._found(names, table, columns, values))
        matches.sort()
        return matches

    def _found(
        self,
        names: tuple[str, ...],
        table: Mapping[Values, list[Candidate]],
        columns: Mapping[str, NDArray[Any]],
        values: Mapping[str, list[int]],
    ) -> list[Match]:
        """The matches of the patterns whose first token tests `names`, tried only where its first attribute has
        one of the values they need (a word's spelling or a tag, found by numpy over the whole Doc)."""
        length = len(values[names[0]])
        starts = numpy.flatnonzero(numpy.isin(columns[names[0]], self.firsts[names]))
        found = []
        for start in starts.tolist():
            for index, rest in table.get(tuple(values[name][start] for name in names), ()):
                end = start + 1 + len(rest)
                if end <= length and all(
                    tuple(values[name][start + 1 + i] for name in step_names) in allowed
                    for i, (step_names, allowed) in enumerate(rest)
                ):
                    found.append((index, self.match_ids[index], start, end))
        return found


def _steps(vocab: Vocab, pattern: list[dict[str, Any]]) -> list[Step] | None:
    """A pattern's tokens as the attributes each tests and the values that pass; None if one cannot be indexed
    (an operator such as "?", a regular expression, NOT_IN, an attribute Doc.to_array does not give as is)."""
    if not pattern:
        return None
    steps = []
    for token in pattern:
        if not token or any(name not in INDEXED_ATTRIBUTES for name in token):
            return None
        names = tuple(sorted(token))
        choices = [_choices(vocab, name, token[name]) for name in names]
        if any(choice is None for choice in choices):
            return None
        steps.append((names, frozenset(product(*(choice for choice in choices if choice is not None)))))
    return steps


def _choices(vocab: Vocab, name: str, value: object) -> list[int] | None:
    """The values of one attribute a token may have to pass, as Doc.to_array gives them (a string's hash, a
    flag's 0 or 1); None for a test that is not equality or membership."""
    kind: type[str] | type[bool] = bool if name == "IS_SPACE" else str
    if isinstance(value, dict):
        members = value.get("IN") if set(value) == {"IN"} else None
        if not isinstance(members, list) or not all(isinstance(v, kind) for v in members):
            return None
        return [_value(vocab, v) for v in members]
    return [_value(vocab, value)] if isinstance(value, (str, bool)) and isinstance(value, kind) else None


def _value(vocab: Vocab, value: str | bool) -> int:
    return int(value) if isinstance(value, bool) else int(vocab.strings.add(value))
