"""Independence: which reports rest on the same source, so that they count as one.

An article's origin is, in order: the original it is a near-copy of; the wire agency its dateline or its lead
names ("PARIS, 2 juillet (Reuters) -", "..., a rapporté l'agence TASS"); a report in another language, when
leftovers of a machine translation are left in it (its foreign fragments); else its outlet, or the article
itself for an input of unknown outlet (two such texts that share neither wording nor a cited source are two
reports). A claim whose own sentence cites an agency rests on that agency whatever its article's origin.
The cues and agency names are data (rules/<lang>/claims.toml).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from recoupe.facts.claims import ClaimWords
from recoupe.facts.outlets import UNKNOWN_OUTLET, outlet_name
from recoupe.facts.records import Claim
from recoupe.records import Article

LEAD_CHARS = 400  # the lead: where a text says what report it relays
MIN_FOREIGN_CHARS = 8  # a foreign fragment this long is a leftover of a translation, not a stray word
LANGUAGE_NAMES = {
    "es": "Spanish",
    "en": "English",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "ru": "Russian",
    "uk": "Ukrainian",
    "ar": "Arabic",
    "fr": "French",
    "nl": "Dutch",
}


@dataclass(frozen=True)
class Origin:
    """What a report rests on: its key (equal keys are one source) and how to say it."""

    key: str
    label: str  # "TASS", "a Spanish-language report", "Le Courrier", "a copy of Le Courrier"
    relayed: bool  # rests on another report (a wire, a copy, a translation), not on the outlet's own work
    copy: bool = False  # a near-copy of another stored article


class SourceTracer:
    """Finds the origin of articles and claims with one language's cues and agency names."""

    def __init__(self, words: ClaimWords) -> None:
        agencies = sorted(words.agencies, key=len, reverse=True)
        names = "|".join(re.escape(a) for a in agencies)
        cues = "|".join(re.escape(c) for c in sorted(words.citing_cues, key=len, reverse=True))
        self.agencies = {a.lower(): a for a in agencies}
        # "selon l'agence de presse russe TASS", "a rapporté Reuters", "d'après le Washington Post": a cue, then
        # up to six words, then an agency's name (case kept: "AP" is no "ap").
        self.cited = (
            re.compile(rf"(?i:\b(?:{cues}))(?:\s+[\w'’-]+){{0,6}}?\s+(?:l['’]|le |la |les )?(?P<name>{names})\b")
            if names and cues
            else None
        )
        self.dateline = re.compile(rf"\((?P<name>{names})\)") if names else None

    def cited_in(self, text: str) -> str | None:
        """The agency a passage cites as its source, if any."""
        if self.cited is None:
            return None
        found = self.cited.search(text)
        return self._name(found.group("name")) if found else None

    def _name(self, written: str) -> str:
        return self.agencies.get(written.lower(), written)

    def article_origin(self, article: Article, articles: Mapping[str, Article]) -> Origin:
        """Where an article's information comes from."""
        seen = {article.id}
        original = article
        while original.duplicate_of and original.duplicate_of in articles and original.duplicate_of not in seen:
            original = articles[original.duplicate_of]
            seen.add(original.id)
        if original is not article:
            own = self.article_origin(original, articles)
            return Origin(own.key, own.label, own.relayed, copy=True)
        lead = article.text[:LEAD_CHARS]
        wire = self.dateline.search(lead) if self.dateline is not None else None
        agency = self._name(wire.group("name")) if wire else self.cited_in(lead)
        if agency:
            return Origin(f"agency:{agency.lower()}", agency, True)
        foreign = sorted({f.language for f in article.foreign_fragments if f.end - f.start >= MIN_FOREIGN_CHARS})
        if foreign:
            languages = " or ".join(LANGUAGE_NAMES.get(code, code) for code in foreign)
            return Origin(f"foreign:{'+'.join(foreign)}:{article.id}", f"a report in {languages}", True)
        outlet = outlet_name(article)
        if outlet == UNKNOWN_OUTLET:
            return Origin(f"article:{article.id}", UNKNOWN_OUTLET, False)
        return Origin(f"outlet:{outlet.lower()}", outlet, False)

    def claim_origin(self, claim: Claim, article: Origin) -> Origin:
        """Where one claim comes from: the agency its own sentence cites, else its article's origin."""
        agency = self.cited_in(claim.text)
        if agency:
            return Origin(f"agency:{agency.lower()}", agency, True)
        return article


def chain(outlets: Sequence[str], origins: Sequence[Origin]) -> str:
    """How the reports of a fact add up: "3 outlets, all citing TASS: 1 independent source"."""
    distinct_outlets = sorted(set(outlets))
    sources: dict[str, Origin] = {}
    for origin in origins:
        sources.setdefault(origin.key, origin)
    count = len(sources)
    said = f"{len(distinct_outlets)} outlet{'s' if len(distinct_outlets) != 1 else ''}"
    if len(origins) > len(distinct_outlets):
        said = f"{len(origins)} reports from {said}"
    copies = sum(1 for o in origins if o.copy)
    if copies:
        said += f", {copies} a near-copy of another"
    relayed = sorted({o.label for o in sources.values() if o.relayed})
    if count == 1 and len(origins) > 1 and relayed:
        said += f", all citing {relayed[0]}"
    elif relayed:
        said += f", relaying {', '.join(relayed)}"
    return f"{said}: {count} independent source{'s' if count != 1 else ''}"
