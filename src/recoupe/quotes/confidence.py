"""How sure the quote finder is of a speaker, by the way it found them: every confidence value in one record.

The values were set by hand when each way of finding a speaker was written, ordered by how often it goes wrong
(a name right after a cue is surer than a pronoun resolved two sentences back). They live here, named, so that
`recoupe eval` and the quote benchmarks can check them against gold data and a fitting script can replace them.
A penalty is taken off the confidence of the way it qualifies.
"""

from __future__ import annotations

from dataclasses import dataclass


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
