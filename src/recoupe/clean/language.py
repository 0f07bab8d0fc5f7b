"""Language of an article and the fragments left in another language (lingua)."""

from __future__ import annotations

import re

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from recoupe.people.names import function_words
from recoupe.records import ForeignFragment

# A handful of languages keeps lingua fast and its guesses on short spans sane; these are the languages that
# machine-translated and wire copy in European news most often leaves behind.
LANGUAGES = (
    Language.FRENCH, Language.ENGLISH, Language.SPANISH, Language.GERMAN, Language.ITALIAN,
    Language.PORTUGUESE, Language.DUTCH, Language.RUSSIAN, Language.UKRAINIAN, Language.ARABIC,
    Language.POLISH, Language.TURKISH,
)  # fmt: skip

# Spans set apart by brackets are where translation leftovers sit ("[las zonas ...]"); they are checked
# even when short. Other sentences are checked only when long enough for a reliable guess.
BRACKETED = re.compile(r"\[([^\[\]\n]{3,300})\]|\(([^()\n]{3,300})\)")
# Quoted words left in their language: « We are ready to talk », “Estamos listos”.
QUOTED = re.compile(r"«\s*([^«»\n]{3,300}?)\s*»|“([^“”\n]{3,300})”")
QUOTED_MIN_WORDS = 3  # two words are often a slogan kept on purpose (« fake news »)
# A quote with more than this share of function words of the article's language is in that language. Brackets
# get no such test: "[las calles del centro de la ciudad]" holds a French "de".
QUOTED_HOME_SHARE = 0.2
SENTENCE = re.compile(r"[^.!?…\n]+[.!?…]?")
LETTERS = re.compile(r"[^\W\d_]{2,}")

# lingua's time grows with the sample; on the 281 pages of bench/pipeline.py, 1,000 characters gave the same
# language as 2,000 on every page in half the time (0.9 ms instead of 1.9).
SAMPLE_CHARS = 1000
MIN_SENTENCE_WORDS = 6
BRACKET_CONFIDENCE = 0.3
MARGIN = 0.1  # over the runner-up language, so a coin toss between two languages is not flagged
SENTENCE_CONFIDENCE = 0.8
HOME_CEILING = 0.15  # a span this likely to be in the article's language is never flagged
# Sentences where this share of the words are function words of the article's language are not sent to
# lingua at all: a cheap test that keeps language identification off almost every sentence.
HOME_STOPWORD_SHARE = 0.12


class LanguageIdentifier:
    """Detects the language of a text and flags foreign fragments inside it."""

    def __init__(self) -> None:
        self._detector: LanguageDetector | None = None

    @property
    def detector(self) -> LanguageDetector:
        """lingua's detector, built on first use with all its models loaded at once.

        Loaded as they are needed, the models took 9 s of CPU in each process that cleans (bench/stages.py's
        first pass); loaded at once, 5 s, and worker processes forked after that share them.
        """
        if self._detector is None:
            builder = LanguageDetectorBuilder.from_languages(*LANGUAGES).with_preloaded_language_models()
            self._detector = builder.build()
        return self._detector

    def warm(self) -> None:
        """Load the models now, before worker processes are forked from this one."""
        self.detector  # noqa: B018

    def detect(self, text: str, default: str = "fr") -> str:
        """ISO 639-1 code of the text's language, from a sample of its start."""
        found = self.detector.detect_language_of(text[:SAMPLE_CHARS])
        return found.iso_code_639_1.name.lower() if found is not None else default

    def foreign_fragments(self, text: str, language: str) -> list[ForeignFragment]:
        """Spans of `text` written in another language than `language`, with their language."""
        fragments: list[ForeignFragment] = []
        taken: list[tuple[int, int]] = []
        home_words = function_words(language)
        for pattern, min_words, home_share in ((BRACKETED, 2, 1.0), (QUOTED, QUOTED_MIN_WORDS, QUOTED_HOME_SHARE)):
            for match in pattern.finditer(text):
                start, end = match.span(1 if match.group(1) is not None else 2)
                if any(s < end and start < e for s, e in taken):
                    continue
                words = [w.lower() for w in LETTERS.findall(text, start, end)]
                if home_words and sum(w in home_words for w in words) > home_share * len(words):
                    continue  # a quote in the article's language, as most are: lingua is not asked
                found = self._foreign(text[start:end], language, BRACKET_CONFIDENCE, min_words=min_words)
                if found:
                    fragments.append(ForeignFragment(start, end, found, text[start:end]))
                    taken.append((start, end))
        for match in SENTENCE.finditer(text):
            start, end = _strip_span(text, *match.span())
            if end - start < 20 or any(s < end and start < e for s, e in taken):
                continue
            words = [w.lower() for w in LETTERS.findall(text, start, end)]
            if home_words and sum(w in home_words for w in words) >= HOME_STOPWORD_SHARE * len(words):
                continue
            found = self._foreign(text[start:end], language, SENTENCE_CONFIDENCE, min_words=MIN_SENTENCE_WORDS)
            if found:
                fragments.append(ForeignFragment(start, end, found, text[start:end]))
        return sorted(fragments, key=lambda f: f.start)

    def _foreign(self, span: str, language: str, threshold: float, min_words: int) -> str | None:
        """The other language `span` is written in, when lingua is confident enough; else None."""
        words = LETTERS.findall(span)
        # At least one lower-case word: a bracketed acronym or name ("(FSB)", "(Kiev)") is no language at all.
        if len(words) < min_words or not any(w[0].islower() for w in words):
            return None
        values = self.detector.compute_language_confidence_values(span)
        if not values:
            return None
        best = values[0]
        code = best.language.iso_code_639_1.name.lower()
        home = next((v.value for v in values if v.language.iso_code_639_1.name.lower() == language), 0.0)
        runner_up = values[1].value if len(values) > 1 else 0.0
        if code != language and best.value >= threshold and best.value - runner_up >= MARGIN and home < HOME_CEILING:
            return code
        return None


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
