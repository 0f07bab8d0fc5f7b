"""The models of one process, built once from a Config and handed to every Pipeline that runs in it.

lingua's language models, the cleaner's rules and a spaCy Reader per language: what costs seconds to load and
nothing to share. A language's spaCy model is loaded the first time an article in that language is read, so a
run that meets only French articles never imports or loads an English model. A Pipeline is rebuilt whenever
its copy of the store goes stale (a server, `watch`); the models it was given stay loaded.
"""

from __future__ import annotations

import logging

import spacy.util

from recoupe.clean.cleaner import Cleaner
from recoupe.clean.language import LanguageIdentifier
from recoupe.config import Config
from recoupe.read.nlp import Reader, stop_words_of
from recoupe.rules import LanguageRules, load_language

log = logging.getLogger(__name__)


class Models:
    """lingua, the cleaner and the spaCy readers of one process; each language's model loaded on first use."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.languages = LanguageIdentifier()
        self.cleaner = Cleaner(config)
        self._rules: dict[str, LanguageRules | None] = {}
        self._readers: dict[str, Reader | None] = {}
        self._stop_words: dict[str, frozenset[str]] = {}

    def serve(self, config: Config) -> bool:
        """Whether these models read as `config` asks (its rules, default language and parser), so that a run
        with `config` may use them instead of loading its own."""
        mine = self.config
        return (mine.rules_dir, mine.language, mine.dependency_parse) == (
            config.rules_dir,
            config.language,
            config.dependency_parse,
        )

    def rules(self, code: str) -> LanguageRules | None:
        """The rules of a language, read once; None for a language without a folder under the rules directory."""
        if code not in self._rules:
            folder = self.config.rules_dir / code
            self._rules[code] = load_language(self.config.rules_dir, code) if folder.is_dir() else None
        return self._rules[code]

    def reader(self, code: str) -> Reader | None:
        """The spaCy reader of a language (its model loads when it reads its first text); None: read as words.

        A language is read as words when its rules name no model, or name one that is not installed: that is
        logged once, and the language's articles are stored, deduplicated and clustered on their words.
        """
        if code not in self._readers:
            self._readers[code] = self._new_reader(code)
        return self._readers[code]

    def loaded_reader(self, code: str) -> Reader | None:
        """The reader of a language if its model is loaded in this process already, else None (nothing loads)."""
        reader = self._readers.get(code)
        return reader if reader is not None and reader.loaded else None

    def has_model(self, code: str) -> bool:
        """Whether articles in a language are parsed with a spaCy model (loading nothing)."""
        return self.reader(code) is not None

    def stop_words(self, code: str) -> frozenset[str]:
        """spaCy's stop words of a language, for the articles read as words."""
        if code not in self._stop_words:
            self._stop_words[code] = stop_words_of(code)
        return self._stop_words[code]

    def warm(self) -> None:
        """Load lingua and the default language's model now, so that worker processes forked from this one share
        them instead of loading their own."""
        self.languages.warm()
        reader = self.reader(self.config.language)
        if reader is not None:
            reader.warm()

    def _new_reader(self, code: str) -> Reader | None:
        rules = self.rules(code)
        if rules is None or rules.model is None:
            return None
        if not spacy.util.is_package(rules.model):
            log.warning(
                "the spaCy model %s of language %r is not installed: its articles are read as words only",
                rules.model,
                code,
            )
            return None
        titles = frozenset(rules.names.titles) if rules.names is not None else frozenset()
        return Reader(self.config, rules.model, rules.warm_up, rules.labels, titles)
