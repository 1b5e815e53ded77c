"""Name -> dataset class, and `make_dataset`, the one door the CLI and the training run use."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from .base import Dataset
from .classification import Digits, JapaneseVowels, SequenceFile
from .cmudict import CMUdict
from .forecasting import CO2, CsvSeries, Sunspots
from .music import Chorales
from .sentiment import RottenTomatoes
from .shakespeare import Shakespeare
from .tagged import Brown, TaggedFile
from .tagged_files import FORMATS, guess_format
from .text import TextFile

DATASETS: dict[str, type[Dataset]] = {
    cls.name: cls
    for cls in (
        Shakespeare,
        RottenTomatoes,
        Brown,
        Sunspots,
        CO2,
        JapaneseVowels,
        Digits,
        Chorales,
        CMUdict,
    )
}
# --format of a file given by path: plain text (a language model) or a tagged file.
FILE_FORMATS = ("text", *FORMATS)
# Options that make a .csv path labelled sequences (a long-format table) instead of a series.
_SEQUENCE_CSV_OPTIONS = ("id", "label")


def _options(cls: type[Dataset]) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]


def dataset_class(name_or_path: str, options: dict[str, Any] | None = None) -> type[Dataset]:
    """The class of a registered name; a path (anything not registered) is the user's own
    file: ``.npz`` labelled sequences; ``.csv`` a series to forecast (or labelled sequences
    in long format with the ``id``/``label`` options); a tagged file for the ``format``
    option conllu / wordtag (a ``.conllu`` file is one by default); else a UTF-8 text."""
    options = options or {}
    fmt = options.get("format")
    if name_or_path in DATASETS:
        return DATASETS[name_or_path]
    if fmt is not None and fmt not in FILE_FORMATS:
        raise ValueError(f"format: expected one of {', '.join(FILE_FORMATS)}, got {fmt!r}")
    suffix = Path(name_or_path).suffix.lower()
    if suffix == ".npz":
        return SequenceFile
    if suffix == ".csv":
        long_format = any(options.get(k) for k in _SEQUENCE_CSV_OPTIONS)
        return SequenceFile if long_format else CsvSeries
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
    cls = dataset_class(name_or_path, options)
    if cls is TextFile:
        options.pop("format", None)  # "text" only chose the class
    allowed = [k for k in _options(cls) if k != "path"]
    for key in options:
        if key not in allowed:
            raise ValueError(
                f"data option {key!r} is not known to {cls.name!r}; expected one of {allowed}"
            )
    if "path" in _options(cls):
        return cls(path=name_or_path, **options)  # type: ignore[call-arg]
    return cls(**options)


def list_datasets() -> list[dict[str, Any]]:
    """One row per registered dataset (for `rnnlab data`); sizes are not computed here."""
    return [cls.describe() for cls in DATASETS.values()]
