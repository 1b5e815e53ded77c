"""Name -> dataset class, and `make_dataset`, the one door the CLI and the training run use."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from .base import Dataset
from .sentiment import RottenTomatoes
from .shakespeare import Shakespeare
from .text import TextFile

DATASETS: dict[str, type[Dataset]] = {cls.name: cls for cls in (Shakespeare, RottenTomatoes)}


def _options(cls: type[Dataset]) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]


def dataset_class(name_or_path: str) -> type[Dataset]:
    """The class of a registered name; a path (anything not registered) is a user text file."""
    if name_or_path in DATASETS:
        return DATASETS[name_or_path]
    looks_like_path = any(c in name_or_path for c in "/\\.") or Path(name_or_path).exists()
    if not looks_like_path:
        raise ValueError(
            f"data: expected one of {', '.join(DATASETS)} or a path to a UTF-8 text file, "
            f"got {name_or_path!r}"
        )
    return TextFile


def make_dataset(name_or_path: str, **options: Any) -> Dataset:
    """A dataset by name (`DATASETS`) or a user's text file by path, with its options.

    Cheap: nothing is read until the data are needed, but a missing package or file is an
    error here. Raises ValueError naming the bad argument and what was expected.
    """
    if not isinstance(name_or_path, str) or not name_or_path:
        raise ValueError(f"data: expected a dataset name or a path, got {name_or_path!r}")
    cls = dataset_class(name_or_path)
    allowed = [k for k in _options(cls) if k != "path"]
    for key in options:
        if key not in allowed:
            raise ValueError(
                f"data option {key!r} is not known to {cls.name!r}; expected one of {allowed}"
            )
    if cls is TextFile:
        return TextFile(path=name_or_path, **options)
    return cls(**options)


def list_datasets() -> list[dict[str, Any]]:
    """One row per registered dataset (for `rnnlab data`); sizes are not computed here."""
    return [cls().describe() for cls in DATASETS.values()]
