"""Key figures: numbers with what they count, their qualifier and the source the text gives for them.

Hand-written over rule data (rules/<lang>/figures.toml): French number formats ("12 300", "1,2 million",
"27 800″ civils") and the "selon X" attribution are what no general quantity parser handles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from recoupe.people.names import function_words
from recoupe.rules import LanguageRules, load_language

NO_NUMBER = r"\d+"  # a language without figure rules finds no figures; its pattern still compiles


@dataclass(frozen=True)
class Figure:
    """A number in an article: its value, what it counts, how it is qualified and who gives it."""

    article: str
    start: int
    end: int
    text: str
    value: float
    counts: str  # the noun counted ("civils", "foyers")
    qualifier: str | None  # "plus de", "environ"
    source: str | None  # "l'ONU", from "selon l'ONU"

    @property
    def key(self) -> str:
        """What quantity this is, for comparing outlets: the counted noun."""
        return self.counts.lower()


class FigureReader:
    """Finds key figures in cleaned text."""

    def __init__(self, folder: Path) -> None:
        # A language without a folder, or without figures.toml, finds no figures: its briefs have no key figures.
        language = load_language(folder.parent, folder.name) if folder.is_dir() else LanguageRules(code=folder.name)
        figures = language.figures
        self.digest = figures.digest  # which rules found the figures: saved briefs are rebuilt when they change
        self.scales: dict[str, float] = dict(figures.scales)
        # Function words are never what a number counts ("140 comme l'affirme le syndicat").
        self.not_counted = figures.not_counted | function_words(folder.name)
        qualifiers = "|".join(re.escape(q) for q in sorted(figures.qualifiers, key=len, reverse=True))
        scales = "|".join(sorted(self.scales, key=len, reverse=True))
        # A figure starts with a digit or a qualifier: the lookahead rejects every other position with one test
        # instead of trying each qualifier there, which makes scanning a text 2-3 times faster.
        starts = "".join(sorted({re.escape(q[0]) for q in figures.qualifiers}))
        self.separators = (
            re.compile(f"[{re.escape(figures.thousands_separators)}]") if figures.thousands_separators else None
        )
        self.decimal_mark = figures.decimal_mark
        number = figures.number or NO_NUMBER
        # "3,5 millions d'euros": the word linking a number to what it counts.
        links = "|".join(re.escape(w) for w in figures.unit_links)
        link = rf"(?:(?:{links})\s*)?" if links else ""
        self.pattern = re.compile(
            rf"(?=[\d{starts}])(?:(?P<q>{qualifiers})\s+)?(?P<n>{number})(?:\s+(?P<s>{scales}))?[\"″”]?\s+"
            rf"{link}(?P<u>[^\W\d_][\w-]*)",
            re.IGNORECASE,
        )
        self.has_rules = bool(figures.qualifiers or figures.scales or figures.not_counted or figures.source_cues)
        cues = "|".join(re.escape(c) for c in figures.source_cues)
        # A determiner ending with an apostrophe is glued to the next word ("l'ONU"), another one is followed by
        # a space ("la préfecture").
        determiners = "|".join(
            re.escape(d) if d[-1:] in "'’" else re.escape(d) + " " for d in figures.source_determiners
        )
        lead = f"(?:{determiners})?" if determiners else ""
        # "selon l'ONU", "selon la préfecture", "d'après le syndicat départemental": up to three words.
        self.source = re.compile(rf"\b(?i:{cues})\s+(?P<src>{lead}[\w'’-]+(?: [\w'’-]+){{0,2}}?)(?=[,.;:)]|$)")

    def read(self, article: str, text: str) -> list[Figure]:
        """Every key figure of a text, with the source named in its sentence."""
        figures: list[Figure] = []
        if not self.has_rules:
            return figures
        for match in self.pattern.finditer(text):
            unit = match.group("u")
            number = match.group("n")
            if unit.lower() in self.not_counted or (
                len(number) == 4 and number.isdigit() and 1900 <= int(number) < 2100
            ):
                continue
            digits = self.separators.sub("", number) if self.separators else number
            value = float(digits.replace(self.decimal_mark, ".") if self.decimal_mark else digits)
            if match.group("s"):
                value *= self.scales[match.group("s").lower()]
            start = match.start("q") if match.group("q") else match.start("n")
            sentence_start = max(text.rfind(". ", 0, start) + 1, text.rfind("\n", 0, start) + 1)
            sentence_end = min(
                x for x in (text.find(". ", match.end()), text.find("\n", match.end()), len(text)) if x >= 0
            )
            source = self.source.search(text, sentence_start, sentence_end)
            figures.append(
                Figure(
                    article=article,
                    start=start,
                    end=match.end(),
                    text=text[start : match.end()],
                    value=value,
                    counts=unit,
                    qualifier=match.group("q").lower() if match.group("q") else None,
                    source=source.group("src") if source else None,
                )
            )
        return figures
