"""The one loader of language rules: rules/<lang>/*.toml into frozen typed records.

Everything specific to a language lives in its folder, as data: the spaCy model (language.toml), reporting
verbs and cues (quotes.toml), titles and name folds (names.toml), role nouns (roles.toml), date words
(dates.toml), site furniture (debris.toml), figure words (figures.toml) and the small closed word classes the
stages read (words.toml). Adding a language adds a folder, not code.

A record declares its keys as dataclass fields; the loader checks each value against the field's type, so a
missing key or a bad value is a `RulesError` naming the file and the key. A file a language may lack gives its
record's empty default when that means "nothing to find" (no debris, no figures), or None when the stage that
reads it cannot run without it (quotes, names, roles, dates, words): that stage is skipped for the language.
The loader keeps no cache: callers load a language once and hand the record down.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

from recoupe.config import ConfigError

LANGUAGE_FILE = "language.toml"
ALIASES_FILE = "aliases.toml"  # at the root of the rules directory: spellings of one name across languages


class RulesError(ConfigError):
    """A rule file that cannot be read, or a key in it that is missing or has a bad value."""

    def __init__(self, path: Path, message: str, key: str | None = None) -> None:
        where = f"{path}: key '{key}' " if key is not None else f"{path}: "
        super().__init__(where + message)
        self.path = path
        self.key = key


def key(name: str, default: Any = MISSING, *, pattern: bool = False, required: bool = False) -> Any:
    """A record field read from the TOML key `name` (dotted for a sub-table); a default makes it optional.

    `pattern` checks that every string of the value compiles as a regular expression; `required` makes a key
    with a default (the record of an absent file) required in a file that exists.
    """
    metadata = {"key": name, "pattern": pattern, "required": required}
    if default is MISSING:
        return field(metadata=metadata)
    if isinstance(default, (dict, list, set)):
        raise TypeError("a mutable default would be shared: use a tuple, a frozenset or a Mapping factory")
    return field(default=default, metadata=metadata)


def _no_table() -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True, kw_only=True)
class Quotes:
    """Reporting verbs, cues and pronouns of quotes.toml."""

    reporting_verbs: frozenset[str] = key("reporting_verbs")
    reflexive_prefix: str = key("reflexive_prefix", "")
    not_before_that: frozenset[str] = key("not_before_that", frozenset())
    verb_endings: tuple[tuple[str, str], ...] = key("verb_endings", ())
    source_cues: tuple[str, ...] = key("source_cues")
    opening_cues: tuple[str, ...] = key("opening_cues", ())
    connectives: tuple[str, ...] = key("connectives", ())
    impersonal: frozenset[str] = key("impersonal", frozenset())
    impersonal_copulas: frozenset[str] = key("impersonal_copulas", frozenset())
    link_cues: frozenset[str] = key("link_cues", frozenset())
    title_cues: frozenset[str] = key("title_cues")
    min_words: int = key("min_words", 4)
    # Shorter quoted fragments are quotations only in a sentence with a reporting verb before them, or a speaker.
    min_fragment_words: int = key("min_fragment_words", 0)
    chant_verbs: frozenset[str] = key("chant_verbs", frozenset())  # a span chanted or written is a slogan
    subordinators: frozenset[str] = key("subordinators")
    inverting: frozenset[str] = key("inverting", frozenset())
    time_words: frozenset[str] = key("time_words", frozenset())
    cue_pronouns: Mapping[str, str] = key("cue_pronouns")
    pronouns: Mapping[str, str] = key("pronouns")
    inverted_pronouns: frozenset[str] = key("inverted_pronouns", frozenset())
    impersonal_complements: frozenset[str] = key("impersonal_complements", frozenset())
    # Words of a subject that may stand between a closing mark and its reporting verb ('", Dorsey said'): 0 for
    # a language that puts the subject after the verb (', a déclaré X').
    cue_subject_words: int = key("cue_subject_words", 0)


@dataclass(frozen=True, kw_only=True)
class Names:
    """Titles, transliteration folds, words glued to names and the NER stoplist of names.toml."""

    not_persons: tuple[str, ...] = key("not_persons", ())
    glued_words: tuple[str, ...] = key("glued_words", ())
    particles: frozenset[str] = key("particles", frozenset())
    titles: Mapping[str, str] = key("titles")
    folds: tuple[tuple[str, str], ...] = key("fold.replacements", (), pattern=True)


@dataclass(frozen=True, kw_only=True)
class Roles:
    """Role nouns with their gender, their premodifiers and the phrases naming one office, of roles.toml."""

    heads: tuple[tuple[str, str], ...] = key("heads")
    premodifiers: frozenset[str] = key("premodifiers", frozenset())
    same_office: tuple[tuple[str, ...], ...] = key("same_office", ())
    organisations: tuple[str, ...] = key("organisations", ())  # head nouns of bodies that speak ("parquet")
    descriptions: tuple[str, ...] = key("descriptions", ())  # nouns describing an unnamed speaker ("habitant")
    body_determiners: tuple[str, ...] = key("body_determiners", ())  # before an organisation head ("des")


@dataclass(frozen=True, kw_only=True)
class Dates:
    """Month, weekday and relative date words of dates.toml."""

    months: tuple[str, ...] = key("months")
    weekdays: tuple[str, ...] = key("weekdays")
    first_day: tuple[str, ...] = key("first_day")
    relative: Mapping[str, int] = key("relative")
    anaphoric: Mapping[str, int] = key("anaphoric")
    this: tuple[str, ...] = key("deictic.this")
    article: tuple[str, ...] = key("deictic.article")
    next: tuple[str, ...] = key("deictic.next")
    last: tuple[str, ...] = key("deictic.last")
    parts_of_day: tuple[str, ...] = key("deictic.parts_of_day")
    future_cues: tuple[str, ...] = key("future.cues")
    background_cues: tuple[str, ...] = key("background.cues")


@dataclass(frozen=True, kw_only=True)
class Debris:
    """Site furniture of debris.toml: whole lines, line patterns and rubric words (none when absent)."""

    exact: tuple[str, ...] = key("exact", ())
    patterns: tuple[str, ...] = key("patterns", (), pattern=True)
    rubrics: tuple[str, ...] = key("rubrics", ())


@dataclass(frozen=True, kw_only=True)
class Figures:
    """Qualifiers, scale words, uncounted nouns and source cues of figures.toml (none when absent)."""

    qualifiers: tuple[str, ...] = key("qualifiers", ())
    scales: Mapping[str, float] = field(default_factory=_no_table, metadata={"key": "scales"})
    not_counted: frozenset[str] = key("not_counted", frozenset())
    source_cues: tuple[str, ...] = key("source_cues", ())
    source_determiners: tuple[str, ...] = key("source_determiners", ())
    unit_links: tuple[str, ...] = key("unit_links", ())
    # How numbers are written: the pattern of one, and the marks read off it to get its value.
    number: str = key("number", "", pattern=True, required=True)
    thousands_separators: str = key("thousands_separators", "", required=True)
    decimal_mark: str = key("decimal_mark", "", required=True)
    # Which rules found a brief's figures: saved briefs are rebuilt when the file changes.
    digest: str = field(default=hashlib.sha256(b"").hexdigest()[:16], metadata={"key": None})


@dataclass(frozen=True, kw_only=True)
class Aliases:
    """Spellings of one name across languages and the one they are compared under, of aliases.toml."""

    names: Mapping[str, str] = field(default_factory=_no_table, metadata={"key": "aliases"})


@dataclass(frozen=True, kw_only=True)
class Words:
    """The small closed word classes the stages read, of words.toml."""

    determiners: frozenset[str] = key("determiners")
    role_determiners: frozenset[str] = key("role_determiners")
    genitive: frozenset[str] = key("genitive")
    prepositions: frozenset[str] = key("prepositions")
    clitics: frozenset[str] = key("clitics")
    relative_subjects: frozenset[str] = key("relative_subjects")
    that: frozenset[str] = key("that")
    that_split: frozenset[str] = key("that_split", frozenset())


@dataclass(frozen=True)
class LanguageRules:
    """Everything recoupe knows of one language: its spaCy model and one record per rule file."""

    code: str
    model: str | None = None  # the spaCy package; None: articles in this language are read as words only
    warm_up: str = ""  # a sentence in the language, parsed once before worker processes are forked
    # The model's entity labels renamed to recoupe's (PER, ORG, LOC, MISC); a label renamed to "" is dropped.
    labels: Mapping[str, str] = field(default_factory=_no_table)
    quotes: Quotes | None = None
    names: Names | None = None
    roles: Roles | None = None
    dates: Dates | None = None
    debris: Debris = field(default_factory=Debris)
    figures: Figures = field(default_factory=Figures)
    words: Words | None = None
    aliases: Aliases = field(default_factory=Aliases)  # shared by every language of a rules directory
    folder: Path | None = None  # where the files were read, for error messages

    def missing(self, file: str, reader: str) -> RulesError:
        """The error for a stage that needs a rule file this language lacks."""
        return RulesError((self.folder or Path(self.code)) / file, f"is missing, and {reader} needs it")


@dataclass(frozen=True, kw_only=True)
class _Language:
    """language.toml."""

    model: str = key("model", "")
    warm_up: str = key("warm_up", "")
    stemmer: str = key("stemmer", "")  # the Snowball algorithm of the language's word forms, for search
    labels: Mapping[str, str] = field(default_factory=_no_table, metadata={"key": "labels"})


def languages(rules_dir: Path) -> list[str]:
    """The codes of the language folders under a rules directory, sorted."""
    if not rules_dir.is_dir():
        raise RulesError(rules_dir, "is not a directory of language rules")
    return sorted(p.name for p in rules_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def stemmer_name(rules_dir: Path, code: str) -> str:
    """The Snowball stemmer a language folder names in its language.toml ("" when it names none)."""
    language = _optional(rules_dir / code / LANGUAGE_FILE, _Language)
    return language.stemmer if language else ""


def load_language(rules_dir: Path, code: str) -> LanguageRules:
    """The rules of one language folder, every file checked; a RulesError names the first bad file and key."""
    folder = rules_dir / code
    if not folder.is_dir():
        raise RulesError(folder, f"no rules for language {code!r}")
    language = _optional(folder / LANGUAGE_FILE, _Language) or _Language()
    figures_path = folder / "figures.toml"
    figures = _optional(figures_path, Figures) or Figures()
    if figures_path.is_file():
        digest = hashlib.sha256(_read(figures_path).encode()).hexdigest()[:16]
        figures = Figures(**{**_values(figures), "digest": digest})
    return LanguageRules(
        code=code,
        model=language.model or None,
        warm_up=language.warm_up,
        labels=language.labels,
        quotes=_optional(folder / "quotes.toml", Quotes),
        names=_optional(folder / "names.toml", Names),
        roles=_optional(folder / "roles.toml", Roles),
        dates=_optional(folder / "dates.toml", Dates),
        debris=_optional(folder / "debris.toml", Debris) or Debris(),
        figures=figures,
        words=_optional(folder / "words.toml", Words),
        aliases=_optional(rules_dir / ALIASES_FILE, Aliases) or Aliases(),
        folder=folder,
    )


Record = TypeVar("Record")


def _optional(path: Path, record: type[Record]) -> Record | None:
    """The record of a rule file, or None when the folder has no such file."""
    if not path.is_file():
        return None
    return parse_record(path, _read(path), record)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise RulesError(path, f"cannot be read ({err})") from err


def parse_record(path: Path, text: str, record: type[Record]) -> Record:
    """A record from the text of a rule file; `path` names the file in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise RulesError(path, f"is not valid TOML ({err})") from err
    hints = get_type_hints(record)
    values: dict[str, Any] = {}
    for item in fields(record):  # type: ignore[arg-type]
        name = item.metadata.get("key", item.name)
        if name is None:
            continue
        found, raw = _lookup(data, name)
        if not found:
            if item.metadata.get("required") or (item.default is MISSING and item.default_factory is MISSING):
                raise RulesError(path, "is missing", name)
            continue
        value = _convert(hints[item.name], raw, path, name)
        if item.metadata.get("pattern"):
            _check_patterns(value, path, name)
        values[item.name] = value
    return record(**values)


def _values(record: Any) -> dict[str, Any]:
    return {item.name: getattr(record, item.name) for item in fields(record)}


def _lookup(data: Mapping[str, Any], dotted: str) -> tuple[bool, Any]:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _check_patterns(value: Any, path: Path, name: str) -> None:
    strings = [value] if isinstance(value, str) else [s for s in _flatten(value) if isinstance(s, str)]
    # Pairs of (pattern, replacement): only the first of each is a pattern.
    if value and isinstance(next(iter(value)), tuple):
        strings = [pair[0] for pair in value]
    for pattern in strings:
        try:
            re.compile(pattern)
        except re.error as err:
            raise RulesError(path, f"is wrong: {pattern!r} is not a valid regular expression ({err})", name) from err


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, (tuple, frozenset, list)):
        return [x for item in value for x in _flatten(item)]
    return [value]


_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    tuple[str, ...]: "a list of strings",
    frozenset[str]: "a list of strings",
    tuple[tuple[str, str], ...]: "a list of pairs of strings",
    tuple[tuple[str, ...], ...]: "a list of lists of strings",
    Mapping[str, str]: "a table of strings",
    Mapping[str, int]: "a table of integers",
    Mapping[str, float]: "a table of numbers",
}


def _convert(kind: Any, raw: Any, path: Path, name: str) -> Any:
    """The value of a key as the field's type, or a RulesError saying what it must be."""
    converter = _CONVERTERS.get(kind)
    if converter is None:
        raise TypeError(f"no converter for rule field type {kind!r}")
    value = converter(raw)
    if value is None:
        raise RulesError(path, f"must be {_NAMES[kind]}", name)
    return value


def _is_str(x: Any) -> bool:
    return isinstance(x, str)


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _strings(raw: Any) -> tuple[str, ...] | None:
    if isinstance(raw, list) and all(_is_str(x) for x in raw):
        return tuple(raw)
    return None


def _pairs(raw: Any) -> tuple[tuple[str, str], ...] | None:
    if isinstance(raw, list) and all(isinstance(x, list) and len(x) == 2 and all(map(_is_str, x)) for x in raw):
        return tuple((a, b) for a, b in raw)
    return None


def _groups(raw: Any) -> tuple[tuple[str, ...], ...] | None:
    groups = [_strings(x) for x in raw] if isinstance(raw, list) else [None]
    return None if any(g is None for g in groups) else tuple(g for g in groups if g is not None)


def _table(check: Callable[[Any], bool], cast: Callable[[Any], Any]) -> Callable[[Any], Mapping[str, Any] | None]:
    def convert(raw: Any) -> Mapping[str, Any] | None:
        if isinstance(raw, dict) and all(check(v) for v in raw.values()):
            return {k: cast(v) for k, v in raw.items()}
        return None

    return convert


def _frozen(raw: Any) -> frozenset[str] | None:
    strings = _strings(raw)
    return None if strings is None else frozenset(strings)


_CONVERTERS: dict[Any, Callable[[Any], Any]] = {
    str: lambda raw: raw if _is_str(raw) else None,
    int: lambda raw: raw if _is_int(raw) else None,
    float: lambda raw: float(raw) if _is_number(raw) else None,
    tuple[str, ...]: _strings,
    frozenset[str]: _frozen,
    tuple[tuple[str, str], ...]: _pairs,
    tuple[tuple[str, ...], ...]: _groups,
    Mapping[str, str]: _table(_is_str, str),
    Mapping[str, int]: _table(_is_int, int),
    Mapping[str, float]: _table(_is_number, float),
}
