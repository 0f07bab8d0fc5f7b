"""How sure the quote finder is of a speaker, by the way it found them: every confidence value in one record.

The values were set by hand when each way of finding a speaker was written, ordered by how often it goes wrong
(a name right after a cue is surer than a pronoun resolved two sentences back). They live here, named; a
Calibration fitted on the development set (bench/fit_quote_confidence.py) then maps each value to how often a
speaker given with it is right, so that a stored confidence of 0.9 means right about 9 times in 10.
A penalty is taken off the confidence of the way it qualifies.
"""

from __future__ import annotations

import bisect
import tomllib
from dataclasses import dataclass
from pathlib import Path

from recoupe.rules import RulesError


@dataclass(frozen=True)
class QuoteConfidence:
    """The confidence given to a speaker for each way of finding them, and the penalties taken off it."""

    # A cue after the closing mark: ", a déclaré X", "», a-t-il ajouté".
    cue_name: float = 0.95  # a name
    cue_role: float = 0.85  # a role noun bound to a name ("a dit le porte-parole")
    cue_pronoun: float = 0.8  # an inverted pronoun resolved
    body_after_cue: float = 0.85  # an organisation named right after the cue
    # A source cue after the closing mark: "», selon X".
    source_after_name: float = 0.9
    source_after_body_or_role: float = 0.8
    # An inverted subject in the lead: "comme le rappelle X, « ... »".
    inverted_subject: float = 0.85
    inverted_body: float = 0.8
    inverted_role_penalty: float = 0.05
    # An opening cue: "Pour X, « ... »", "Selon lui, « ... »".
    opening_person: float = 0.85
    opening_body: float = 0.8
    opening_pronoun: float = 0.7
    opening_role_penalty: float = 0.05
    # The clause before a colon: "X a déclaré : « ... »".
    colon_clause: float = 0.9
    colon_body_subject: float = 0.8
    colon_body_ending: float = 0.75  # "Pour l'April : « ... »"
    # The clause before the quote, with a reporting verb: "X a dénoncé « ... »".
    lead_clause: float = 0.85
    lead_body_subject: float = 0.75
    # Taken off a clause's confidence for how its subject was found.
    clause_role_penalty: float = 0.1  # a role noun
    pronoun_penalty: float = 0.15  # a pronoun resolved
    relative_penalty: float = 0.1  # "X, qui a déclaré"
    subject_before_penalty: float = 0.1  # the first person named before the finite verb
    # No cue of its own: the speaker of a quote around it.
    same_sentence: float = 0.7  # the quote before, in the same sentence
    continued_paragraph: float = 0.75  # a paragraph that goes on with the previous paragraph's quote
    next_sentence: float = 0.7  # « ... », a dit X. « ... »
    after_reported_speech: float = 0.6  # a fragment in the sentence after reported speech
    sentence_subject: float = 0.6  # no cue: the subject of the quote's sentence ("X a décidé de « ... »")
    previous_subject: float = 0.6  # a quote opening its sentence: the subject of the sentence before
    # Indirect speech.
    indirect_clause: float = 0.8  # "X a déclaré que ..."
    indirect_body: float = 0.7  # "Le syndicat estime que ..."
    indirect_source_cue: float = 0.85  # "selon X, ..."


CALIBRATION_FILE = "quote_confidence.toml"


@dataclass(frozen=True)
class Calibration:
    """The map from a way's confidence to how often a speaker found that way is right, fitted on the development
    set (bench/fit_quote_confidence.py writes it to rules/<lang>/quote_confidence.toml): points of a
    non-decreasing curve, read by linear interpolation between them and held flat past its ends."""

    raw: tuple[float, ...] = ()
    fitted: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if len(self.raw) != len(self.fitted):
            raise ValueError(f"calibration: {len(self.raw)} raw points but {len(self.fitted)} fitted values")
        if any(b <= a for a, b in zip(self.raw, self.raw[1:], strict=False)):
            raise ValueError("calibration: raw points must increase")
        if any(not 0.0 <= v <= 1.0 for v in (*self.raw, *self.fitted)):
            raise ValueError("calibration: every point must lie in [0, 1]")

    @classmethod
    def read(cls, folder: Path | None) -> Calibration:
        """The calibration of a language's rule folder; the identity when the folder has none."""
        path = folder / CALIBRATION_FILE if folder is not None else None
        if path is None or not path.is_file():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            points = data["points"]
            return cls(tuple(float(p[0]) for p in points), tuple(float(p[1]) for p in points))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise RulesError(path, f"cannot be read ({err})") from err
        except (KeyError, TypeError, IndexError, ValueError) as err:
            raise RulesError(path, f"holds no valid [[points]] list ({err})", "points") from err

    def __call__(self, confidence: float | None) -> float | None:
        """The fitted confidence of a raw one (None stays None: no speaker, no confidence)."""
        if confidence is None or not self.raw:
            return confidence
        at = bisect.bisect_left(self.raw, confidence)
        if at == 0:
            return self.fitted[0]
        if at == len(self.raw):
            return self.fitted[-1]
        low, high = self.raw[at - 1], self.raw[at]
        share = (confidence - low) / (high - low)
        return round(self.fitted[at - 1] + share * (self.fitted[at] - self.fitted[at - 1]), 3)
