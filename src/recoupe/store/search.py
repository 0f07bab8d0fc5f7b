"""What a reader's search words mean, as one FTS5 MATCH expression over `articles_fts`.

The syntax a search box takes:
- words: every one must match, in any of its forms ("élection" also finds "élections", "electoral" "électoral");
- `OR` between two words or phrases: either of them;
- `word*`: every word that starts so;
- `"several words"`: those words in that order, as written;
- `-word`: articles without it (beside at least one word that must match);
- a name also finds the other spellings the store knows for the same person, place or organisation ("Putin"
  finds "Poutine").
Anything else is read as words: what a reader types never reaches FTS5 as syntax.

Word forms are written here because FTS5 has no stemming tokenizer for French and Python's sqlite3 cannot
register one: each word is stemmed with the Snowball stemmers (PyStemmer) of the languages under `rules/`
(`stemmer` in language.toml) and compared with the index's own vocabulary (fts5vocab) that begins with that stem.
The index is unchanged: nothing costs more at ingest, and snippets mark every form found.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import Stemmer

from recoupe.config import RULES_DIR
from recoupe.rules import LANGUAGE_FILE, RulesError, languages, stemmer_name

# How many index words sharing a stem are compared at most (a very short stem begins thousands of words).
MAX_FORMS_SCANNED = 2000
# A word shorter than this is taken as written: its stem would begin too many unrelated words.
MIN_STEMMED_LENGTH = 4
# Name variants are looked up for words of at least this length.
MIN_NAME_LENGTH = 3
# Each word or phrase gives at most this many alternatives, so a query stays small.
MAX_ALTERNATIVES = 40

_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_WORD = re.compile(r"\w+")  # what unicode61 keeps of a token: runs of letters and digits


@dataclass(frozen=True)
class Term:
    """One word or phrase of a query: its words folded as the index folds them, and how it must match."""

    words: tuple[str, ...]
    phrase: bool = False  # written in quotes: these words in this order, as written
    prefix: bool = False  # written with a final `*`
    negated: bool = False  # written with a leading `-`


def parse(text: str) -> list[Term | str]:
    """The terms of a query and the `OR`s between them, in order."""
    items: list[Term | str] = []
    for token in _TOKEN.findall(text):
        if token == "OR":
            items.append("OR")
            continue
        negated = token.startswith("-") and len(token) > 1
        body = token[1:] if negated else token
        phrase = body.startswith('"')
        prefix = not phrase and body.endswith("*")
        words = tuple(fold(w) for w in _WORD.findall(body))
        if words:
            items.append(Term(words, phrase=phrase or len(words) > 1, prefix=prefix, negated=negated))
    # An OR needs a term on each side; a negation alone would match nothing in FTS5.
    cleaned: list[Term | str] = []
    for item in items:
        if item == "OR" and (not cleaned or cleaned[-1] == "OR"):
            continue
        cleaned.append(item)
    while cleaned and cleaned[-1] == "OR":
        cleaned.pop()
    return cleaned


def fold(word: str) -> str:
    """A word as unicode61 with remove_diacritics 2 indexes it: lower case, without accents."""
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn")


def quoted(words: Iterable[str]) -> str:
    """An FTS5 string: the words as one phrase, any double quote doubled."""
    return '"' + " ".join(words).replace('"', '""') + '"'


def match_expression(db: sqlite3.Connection, text: str, rules_dir: Path = RULES_DIR) -> str:
    """The FTS5 MATCH expression of a reader's query ('""' when it has no word: matches nothing)."""
    items = parse(text)
    positive = [i for i in items if isinstance(i, Term) and not i.negated]
    if not positive:
        return '""'
    # FTS5 takes no implicit AND beside a parenthesised group: each run of terms joined by OR is one group,
    # and the groups are joined by AND, every one in parentheses, whatever FTS5's precedence of operators.
    groups: list[list[str]] = []
    negated: list[str] = []
    joined = False
    for item in items:
        if isinstance(item, str):
            joined = bool(groups)
        elif item.negated:
            negated.append(alternatives(db, item, rules_dir))
            joined = False
        else:
            if joined:
                groups[-1].append(alternatives(db, item, rules_dir))
            else:
                groups.append([alternatives(db, item, rules_dir)])
            joined = False
    expression = " AND ".join("(" + " OR ".join(group) + ")" for group in groups)
    for term in negated:
        expression = f"({expression}) NOT {term}"
    return expression


def alternatives(db: sqlite3.Connection, term: Term, rules_dir: Path) -> str:
    """One term as an FTS5 group: its forms and name variants ORed, or the term as written."""
    if term.prefix:
        return quoted(term.words) + " *"
    options = [quoted(term.words)]
    if not term.phrase and len(term.words[0]) >= MIN_STEMMED_LENGTH:
        options += [quoted([w]) for w in word_forms(db, term.words[0], rules_dir) if w != term.words[0]]
    if len(" ".join(term.words)) >= MIN_NAME_LENGTH:
        options += [quoted(v) for v in name_variants(db, term.words) if v != term.words]
    options = list(dict.fromkeys(options))[:MAX_ALTERNATIVES]
    return options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")"


@cache
def stemmers(rules_dir: Path) -> tuple[Stemmer.Stemmer, ...]:
    """The Snowball stemmers of the languages under a rules directory that name one."""
    found: dict[str, Stemmer.Stemmer] = {}
    for code in languages(rules_dir):
        name = stemmer_name(rules_dir, code)
        if name and name not in found:
            try:
                found[name] = Stemmer.Stemmer(name)
            except KeyError:
                known = ", ".join(Stemmer.algorithms())
                raise RulesError(
                    rules_dir / code / LANGUAGE_FILE, f"names no Snowball stemmer ({known})", "stemmer"
                ) from None
    return tuple(found.values())


def word_forms(db: sqlite3.Connection, word: str, rules_dir: Path) -> list[str]:
    """The words of the index that share a stem with `word` under one of the languages' stemmers."""
    found: list[str] = []
    for stemmer in stemmers(rules_dir):
        stem = stemmer.stemWord(word)
        if len(stem) < MIN_STEMMED_LENGTH - 1:
            continue
        rows = db.execute(
            "SELECT term FROM articles_vocab WHERE term >= ? AND term < ? LIMIT ?",
            (stem, stem + "\U0010ffff", MAX_FORMS_SCANNED),
        )
        candidates = [r[0] for r in rows]
        found += [t for t, s in zip(candidates, stemmer.stemWords(candidates), strict=True) if s == stem]
    return list(dict.fromkeys(found))


def name_variants(db: sqlite3.Connection, words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every name-like spelling of the entities one of whose spellings holds these words in order ("putin" ->
    "vladimir poutine", "poutine"): the store's entities keep the spellings their mentions used, merged across
    titles, transliterations and languages. Role phrases among the spellings ("le porte-parole") are left out."""
    rows = db.execute(
        "SELECT e.variants FROM entities_fts JOIN entities e ON e.rowid = entities_fts.rowid"
        " WHERE entities_fts MATCH ? LIMIT 50",
        (quoted(words),),
    )
    found: list[tuple[str, ...]] = []
    for (raw,) in rows:
        spellings = [s for s in json.loads(raw) if isinstance(s, str) and s[:1].isupper()]
        folded = [tuple(fold(w) for w in _WORD.findall(s)) for s in spellings]
        if any(_holds(f, words) for f in folded):
            found += [f for f in folded if f]
    return list(dict.fromkeys(found))


def _holds(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    """Whether `part` is a run of consecutive words of `words`."""
    n = len(part)
    return any(words[i : i + n] == part for i in range(len(words) - n + 1))
