"""Name -> dataset class, and `make_dataset`, the one door the CLI and the training run use."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from .base import Dataset
from .sentiment import RottenTomatoes
from .shakespeare import Shakespeare
from .tagged import Brown, TaggedFile
from .tagged_files import FORMATS, guess_format
from .text import TextFile

DATASETS: dict[str, type[Dataset]] = {cls.name: cls for cls in (Shakespeare, RottenTomatoes, Brown)}
# --format of a file given by path: plain text (a language model) or a tagged file.
FILE_FORMATS = ("text", *FORMATS)


def _options(cls: type[Dataset]) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]


def dataset_class(name_or_path: str, fmt: str | None = None) -> type[Dataset]:
    """The class of a registered name; a path (anything not registered) is a user text file,
    or a tagged file for ``fmt`` conllu / wordtag (a ``.conllu`` file is one by default)."""
    if name_or_path in DATASETS:
        return DATASETS[name_or_path]
    if fmt is not None and fmt not in FILE_FORMATS:
        raise ValueError(f"format: expected one of {', '.join(FILE_FORMATS)}, got {fmt!r}")
    looks_like_path = any(c in name_or_path for c in "/\\.") or Path(name_or_path).exists()
    if not looks_like_path:
        raise ValueError(
            f"data: expected one of {', '.join(DATASETS)} or a path to a UTF-8 text file, "
            f"got {name_or_path!r}"
        )
    if fmt in FORMATS or (fmt is None and guess_format(name_or_path) == "conllu"):
        return TaggedFile
    return TextFile


def make_dataset(name_or_path: str, **options: Any) -> Dataset:
    """A dataset by name (`DATASETS`) or a user's text file by path, with its options.

    Cheap: nothing is read until the data are needed, but a missing package or file is an
    error here. Raises ValueError naming the bad argument and what was expected.
    """
    if not isinstance(name_or_path, str) or not name_or_path:
        raise ValueError(f"data: expected a dataset name or a path, got {name_or_path!r}")
    cls = dataset_class(name_or_path, options.get("format"))
    if cls is TextFile:
        options.pop("format", None)  # "text" only chose the class
    allowed = [k for k in _options(cls) if k != "path"]
    for key in options:
        if key not in allowed:
            raise ValueError(
                f"data option {key!r} is not known to {cls.name!r}; expected one of {allowed}"
            )
    if cls in (TextFile, TaggedFile):
        return cls(path=name_or_path, **options)
    return cls(**options)


def list_datasets() -> list[dict[str, Any]]:
    """One row per registered dataset (for `rnnlab data`); sizes are not computed here."""
    return [cls.describe() for cls in DATASETS.values()]
