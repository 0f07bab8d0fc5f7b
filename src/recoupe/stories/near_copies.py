"""Near-copies: MinHash over word shingles (datasketch), banded into an LSH index kept in the store.

The bands live in SQLite rather than in datasketch's in-memory MinHashLSH so the index survives between runs
and a new article is checked against the whole store with a few indexed look-ups.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
from datasketch import MinHash

from recoupe.config import Config
from recoupe.records import Article
from recoupe.store import Store

NUM_PERM = 128
BANDS = 32  # 32 bands of 4 rows: pairs above a Jaccard of about 0.42 collide in at least one band
ROWS = NUM_PERM // BANDS
SHINGLE = 5  # words per shingle
SEED = 1
COPY_JACCARD = 0.5  # estimated resemblance above which an article copies an earlier one
WORDS = re.compile(r"\w+")


class NearCopyIndex:
    """Finds the earlier article a new one copies, and indexes the new one."""

    def __init__(self, config: Config, store: Store) -> None:
        if not 0 < COPY_JACCARD <= 1:
            raise ValueError(f"COPY_JACCARD must be in (0, 1], got {COPY_JACCARD}")
        self.config = config
        self.store = store
        # The permutations depend only on the seed: drawn once, shared by every signature.
        template = MinHash(num_perm=NUM_PERM, seed=SEED)
        self._permutations, self._scheme = template.permutations, template.scheme

    def signature(self, text: str) -> MinHash:
        """The MinHash of the text's word shingles (lower case)."""
        words = WORDS.findall(text.lower())
        shingles = {" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
        minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=self._permutations, scheme=self._scheme)
        minhash.update_batch([s.encode("utf-8") for s in shingles])
        return minhash

    def find_and_add(self, article: Article) -> str | None:
        """The id of the earlier article this one near-copies, or None; the article is indexed either way."""
        minhash = self.signature(article.text)
        keys = band_keys(minhash.hashvalues)
        best: tuple[float, str] | None = None
        for other, blob in self.store.lsh_candidates(keys).items():
            if other == article.id:
                continue
            values = np.frombuffer(blob, dtype=np.uint64)
            similarity = float(np.count_nonzero(values == minhash.hashvalues)) / NUM_PERM
            if similarity >= COPY_JACCARD and (best is None or similarity > best[0]):
                best = (similarity, other)
        self.store.add_lsh_bands(article.id, keys, minhash.hashvalues.astype(np.uint64).tobytes())
        if best is None:
            return None
        original = self.store.article(best[1])
        return original.duplicate_of or original.id if original is not None else best[1]


def band_keys(hashvalues: np.ndarray) -> list[str]:
    """One key per band: the band number and a digest of its rows."""
    keys = []
    for band in range(BANDS):
        rows = hashvalues[band * ROWS : (band + 1) * ROWS].astype(np.uint64).tobytes()
        keys.append(f"{band}:{hashlib.blake2b(rows, digest_size=8).hexdigest()}")
    return keys
