"""The records of cross-checking: claims, the facts they make up and where their outlets differ.

Kept apart from the readers so that the store and the web layer use them without loading spaCy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from recoupe.people.names import strip_accents

Stance = Literal["affirms", "denies"]
Status = Literal["confirmed", "single_source", "contested"]
DifferenceKind = Literal["figure", "date", "attribution", "stance"]
STATUSES: tuple[Status, ...] = ("confirmed", "single_source", "contested")
VECTOR_DTYPE = np.float32


@dataclass(frozen=True)
class CountedFigure:
    """A figure of a claim: its value, what it counts ("civils tués") and where it is written."""

    value: float
    counts: str
    text: str
    start: int
    end: int
    source: str | None = None  # who gives it: "l'ONU", from "selon l'ONU"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CountedFigure:
        return cls(
            float(data["value"]),
            str(data["counts"]),
            str(data["text"]),
            int(data["start"]),
            int(data["end"]),
            data.get("source"),
        )

    @property
    def noun(self) -> str:
        """The counted noun alone, folded: figures of one fact are compared on it."""
        return fold(self.counts.split()[0])


@dataclass(frozen=True)
class Claim:
    """One statement of one article: `text == article.text[start:end]`."""

    id: str
    article: str
    start: int
    end: int
    text: str
    lemmas: tuple[str, ...] = ()  # content lemmas, lower case, in order
    entities: tuple[str, ...] = ()  # the entity ids it names
    figures: tuple[CountedFigure, ...] = ()
    numbers: tuple[float, ...] = ()  # every value it writes, figures or bare numbers ("et non 140"), no years
    dates: tuple[str, ...] = ()  # ISO days, else the words as written, folded
    verb: str | None = None  # the lemma of its main verb
    stance: Stance | None = None  # its reporting verb confirms or denies
    speaker: str | None = None  # the entity id of the quote's speaker, for a claim inside a quote
    quote: str | None = None  # the quote it lies in
    vector: bytes = field(default=b"", repr=False)  # mean word vector of its content words, unit length

    def to_dict(self) -> dict[str, Any]:
        """Every field but the vector (bytes are no JSON)."""
        data = asdict(self)
        del data["vector"]
        data["lemmas"] = list(self.lemmas)
        data["entities"] = list(self.entities)
        data["dates"] = list(self.dates)
        data["figures"] = [f.to_dict() for f in self.figures]
        data["numbers"] = list(self.numbers)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], vector: bytes = b"") -> Claim:
        """The claim of `to_dict`, with its vector given apart."""
        return cls(
            id=str(data["id"]),
            article=str(data["article"]),
            start=int(data["start"]),
            end=int(data["end"]),
            text=str(data["text"]),
            lemmas=tuple(data.get("lemmas", ())),
            entities=tuple(data.get("entities", ())),
            figures=tuple(CountedFigure.from_dict(f) for f in data.get("figures", ())),
            numbers=tuple(float(n) for n in data.get("numbers", ())),
            dates=tuple(data.get("dates", ())),
            verb=data.get("verb"),
            stance=data.get("stance"),
            speaker=data.get("speaker"),
            quote=data.get("quote"),
            vector=vector,
        )

    def unit_vector(self) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Its vector as an array (empty for a claim without one)."""
        return np.frombuffer(self.vector, dtype=VECTOR_DTYPE)


def fold(text: str) -> str:
    """Lower case without accents: how claim words are compared."""
    return strip_accents(text).lower()


@dataclass(frozen=True)
class FactClaim:
    """One claim of a fact: the article, its outlet, the span and words, and the source it rests on."""

    claim: str
    article: str
    outlet: str
    start: int
    end: int
    text: str
    source: str  # the origin's label: "TASS", "Le Courrier", "unknown outlet"
    speaker: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FactClaim:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class Variant:
    """One value the claims of a fact give, and the outlets that give it."""

    value: str
    outlets: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "outlets": list(self.outlets)}


@dataclass(frozen=True)
class Difference:
    """Where the claims of one fact disagree: what was compared and the values each outlet gives."""

    kind: DifferenceKind
    about: str  # what was compared: "civils tués", "the day", "the speaker", "confirmed or denied"
    variants: tuple[Variant, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "about": self.about, "variants": [v.to_dict() for v in self.variants]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Difference:
        variants = tuple(Variant(str(v["value"]), tuple(v["outlets"])) for v in data["variants"])
        return cls(data["kind"], str(data["about"]), variants)

    @property
    def text(self) -> str:
        """One line: "civils tués: 12 300 (Le Courrier); 12 000 (La Vigie)"."""
        return f"{self.about}: " + "; ".join(f"{v.value} ({', '.join(v.outlets)})" for v in self.variants)


@dataclass(frozen=True)
class Fact:
    """Claims of different articles of one story that state the same thing."""

    id: str
    story: str
    event: str | None
    statement: str  # the words of its first claim
    status: Status
    independent_sources: int
    outlets: tuple[str, ...]
    chain: str  # "3 outlets, all citing TASS: 1 independent source"
    claims: tuple[FactClaim, ...]
    differences: tuple[Difference, ...] = ()

    @property
    def wordings(self) -> list[tuple[str, list[str]]]:
        """Each distinct wording of the fact with the outlets that use it (two translations of one quote)."""
        by_text: dict[str, list[str]] = {}
        for claim in self.claims:
            outlets = by_text.setdefault(claim.text, [])
            if claim.outlet not in outlets:
                outlets.append(claim.outlet)
        return list(by_text.items())

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "story": self.story,
            "event": self.event,
            "statement": self.statement,
            "status": self.status,
            "independent_sources": self.independent_sources,
            "outlets": list(self.outlets),
            "chain": self.chain,
            "claims": [c.to_dict() for c in self.claims],
            "differences": [d.to_dict() for d in self.differences],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fact:
        return cls(
            id=str(data["id"]),
            story=str(data["story"]),
            event=data.get("event"),
            statement=str(data["statement"]),
            status=data["status"],
            independent_sources=int(data["independent_sources"]),
            outlets=tuple(data["outlets"]),
            chain=str(data["chain"]),
            claims=tuple(FactClaim.from_dict(c) for c in data["claims"]),
            differences=tuple(Difference.from_dict(d) for d in data.get("differences", ())),
        )
