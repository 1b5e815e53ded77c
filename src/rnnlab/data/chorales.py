"""The Bach chorales of music21's corpus (Riemenschneider's 371, in 350 files) as piano rolls.

Parsing them all takes over a minute, so the rolls are cached after the first read, in
``$RNNLAB_CACHE`` (default ``~/.cache/rnnlab``) under a name holding music21's version; delete
the file to re-read. The split is by chorale, a fixed seeded 60/20/20 permutation of the
names (seed 0), so no chorale has frames in two parts.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .piano_roll import notes_of_stream, roll_from_notes

Array = np.ndarray
SPLIT_SEED = 0
FRACTIONS = (0.6, 0.2)  # train, validation; the rest is test


def _music21():
    try:
        import music21
    except ImportError:
        raise ValueError("data: chorales needs music21: pip install 'rnnlab[data]'") from None
    return music21


def chorale_names() -> list[str]:
    """The corpus names of the chorales in Riemenschneider order, without parsing: 350
    distinct files for the 371 numbers (21 numbers share a file with another; each file is
    kept once, so no chorale sits in two parts of the split)."""
    corpus = _music21().corpus
    it = corpus.chorales.Iterator(numberingSystem="riemenschneider", returnType="filename")
    return list(dict.fromkeys(str(name) for name in it))


def split_names(names: list[str], seed: int = SPLIT_SEED) -> dict[str, list[str]]:
    """{"train", "valid", "test"}: a seeded permutation of ``names`` cut 60/20/20."""
    order = np.random.default_rng(seed).permutation(len(names))
    n_train = round(FRACTIONS[0] * len(names))
    n_valid = round(FRACTIONS[1] * len(names))
    cuts = {"train": order[:n_train], "valid": order[n_train : n_train + n_valid],
            "test": order[n_train + n_valid :]}  # fmt: skip
    return {part: [names[i] for i in sorted(idx)] for part, idx in cuts.items()}


def parse_chorale(name: str) -> Array:
    """The (T, 88) quarter-note roll of one chorale of the corpus."""
    score = _music21().corpus.parse(name)
    return roll_from_notes(notes_of_stream(score))


def _cache_path() -> Path:
    root = Path(os.environ.get("RNNLAB_CACHE") or Path.home() / ".cache" / "rnnlab")
    return root / f"chorales-music21-{_music21().__version__}-quarter.npz"


def read_chorales(names: list[str] | None = None) -> dict[str, Array]:
    """Rolls by name: of ``names`` (parsed now), or of all 350 (from the cache, made once)."""
    if names is not None:
        return {name: parse_chorale(name) for name in names}
    path = _cache_path()
    if path.exists():
        with np.load(path, allow_pickle=False) as data:
            rolls = data["rolls"].astype(np.float64)
            lengths, stored = data["lengths"], data["names"]
        parts = np.split(rolls, np.cumsum(lengths)[:-1])
        return dict(zip(stored.tolist(), parts, strict=True))
    all_names = chorale_names()
    out = {name: parse_chorale(name) for name in all_names}
    _write_cache(path, out)
    return out


def _write_cache(path: Path, rolls: dict[str, Array]) -> None:
    """Packed bits would be smaller; uint8 keeps it readable. Atomic: a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}.npz")
    np.savez_compressed(
        tmp,
        rolls=np.concatenate(list(rolls.values())).astype(np.uint8),
        lengths=np.array([len(r) for r in rolls.values()]),
        names=np.array(list(rolls)),
    )
    os.replace(tmp, path)
