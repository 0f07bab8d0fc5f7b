"""The built-in example: ten short invented French articles about two invented stories.

Everything in it (places, people, outlets) is made up for recoupe's demo and tests. `EXPECTED` says what a
perfect analysis finds in it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ARTICLES = Path(__file__).parent / "articles"

EXPECTED: dict[str, Any] = {
    "stories": {
        "valmer": [
            "01-valmer-greve-courrier.txt",
            "02-valmer-greve-littoral.html",
            "03-valmer-negociations-courrier.txt",
            "04-valmer-negociations-vigie.html",
            "05-valmer-accord-courrier.txt",
            "09-depeches.jsonl:1",
            "09-depeches.jsonl:2",
        ],
        "lize": ["06-lize-crue-courrier.txt", "07-lize-crue-echo.txt", "08-lize-aide-echo.txt"],
    },
    "events": {
        "strike": {
            "story": "valmer",
            "date": "2025-03-04",
            "files": ["01-valmer-greve-courrier.txt", "02-valmer-greve-littoral.html", "09-depeches.jsonl:1"],
        },
        "talks": {
            "story": "valmer",
            "date": "2025-03-13",
            "files": ["03-valmer-negociations-courrier.txt", "04-valmer-negociations-vigie.html"],
        },
        "agreement": {
            "story": "valmer",
            "date": "2025-03-24",
            "files": ["05-valmer-accord-courrier.txt", "09-depeches.jsonl:2"],
        },
        "flood": {
            "story": "lize",
            "date": "2025-04-12",
            "files": ["06-lize-crue-courrier.txt", "07-lize-crue-echo.txt"],
        },
        "aid": {"story": "lize", "date": "2025-04-16", "files": ["08-lize-aide-echo.txt"]},
    },
    "copies": {"09-depeches.jsonl:1": "01-valmer-greve-courrier.txt"},
    "speakers": {
        "Nous ne reprendrons pas le travail": "Paul Garnier",
        "La direction veut remplacer des hommes": "Paul Garnier",
        "Personne ne sortira de cette pièce": "Claire Mounier",
        "Le dialogue a repris": "Claire Mounier",
        "L'eau est montée d'un mètre": "Hélène Garnier",
        "Aucun sinistré ne sera laissé seul": "Sophie Lambert",
    },
    "shared_surname": ["Paul Garnier", "Hélène Garnier"],
    "furniture": ["PARTAGEZ!", "Laisser un commentaire", "Sommaire", "Société Économie", "Monde Politique"],
    "foreign_fragments": {"07-lize-crue-echo.txt": ["according to the local operator"]},
    "differing_figures": {"foyers privés d'électricité": ["1 200", "1 500"]},
}


def paths() -> list[Path]:
    """The example's article files, sorted."""
    return sorted(p for p in ARTICLES.iterdir() if p.is_file() and not p.name.startswith("."))
