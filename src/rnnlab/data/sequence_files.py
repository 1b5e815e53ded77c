"""Reading labelled sequences: aeon's JapaneseVowels .ts files, scikit-learn's 8x8 digits
(read row by row: 8 steps of 8 pixels), a user's .npz and a user's long-format CSV. Each gives
a `LabelledSequences`; nothing here imports aeon or scikit-learn.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .csv_columns import numeric_columns, read_rows, text_column
from .packages import package_file

Array = np.ndarray


@dataclass(frozen=True)
class LabelledSequences:
    """``sequences``: N float arrays (T_i, D); ``labels`` (N,) int64 in [0, C); ``classes``
    the C original labels as text, in the order of their index."""

    sequences: tuple[Array, ...]
    labels: Array
    classes: tuple[str, ...]

    @property
    def lengths(self) -> Array:
        return np.array([len(s) for s in self.sequences], dtype=np.int64)

    def take(self, index: Array) -> LabelledSequences:
        return LabelledSequences(
            tuple(self.sequences[i] for i in index), self.labels[index], self.classes
        )


def encode_labels(raw: Array | list, arg: str = "y") -> tuple[Array, tuple[str, ...]]:
    """Integer or string labels -> (indices into the sorted distinct labels, those labels)."""
    values = np.asarray(raw)
    if values.ndim != 1:
        raise ValueError(f"{arg}: expected one label per sequence, got shape {values.shape}")
    if values.dtype.kind not in "iuUS":
        raise ValueError(
            f"{arg}: labels must be integers or strings, got {values.dtype} "
            f"(e.g. {values[:3].tolist()})"
        )
    classes, labels = np.unique(values, return_inverse=True)
    return labels.astype(np.int64), tuple(str(c) for c in classes.tolist())


def read_ts(path: Path) -> tuple[list[Array], list[str]]:
    """An aeon/sktime .ts file: after ``@data``, one case a line, channels split by ':',
    values by ',', the class label last. Returns the (T_i, D) arrays and the labels."""
    series, labels = [], []
    with open(path, encoding="utf-8") as f:
        in_data = False
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if not in_data:
                in_data = line.lower() == "@data"
                continue
            *channels, label = line.split(":")
            series.append(np.array([c.split(",") for c in channels], dtype=np.float64).T)
            labels.append(label.strip())
    return series, labels


def read_japanese_vowels() -> tuple[LabelledSequences, LabelledSequences]:
    """The UCI split of JapaneseVowels (aeon 1.6.0): 270 train, 370 test, 12 channels,
    lengths 7-29, 9 speakers."""
    parts = []
    for split in ("TRAIN", "TEST"):
        relative = f"datasets/data/JapaneseVowels/JapaneseVowels_{split}.ts"
        path = package_file("aeon", relative, "japanese_vowels")
        parts.append(read_ts(path))
    labels, classes = encode_labels(parts[0][1] + parts[1][1])
    n_train = len(parts[0][0])
    train = LabelledSequences(tuple(parts[0][0]), labels[:n_train], classes)
    test = LabelledSequences(tuple(parts[1][0]), labels[n_train:], classes)
    return train, test


def read_digits() -> LabelledSequences:
    """scikit-learn's 1797 8x8 digits, each read top row first: 8 steps of 8 pixels (0-16)."""
    path = package_file("sklearn", "datasets/data/digits.csv.gz", "digits")
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",")
    images = table[:, :64].reshape(-1, 8, 8)
    labels, classes = encode_labels(table[:, 64].astype(np.int64))
    return LabelledSequences(tuple(images), labels, classes)


def read_npz(path: str | Path) -> LabelledSequences:
    """A user's .npz: ``x`` (N, T, D) padded, with optional ``lengths`` (N,); or ``x``
    (sum of lengths, D), the sequences one after another, with ``lengths``. ``y`` (N,)."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except ValueError as exc:  # object arrays need pickle, which could run code: refused
        raise ValueError(
            f"data: {path} holds object arrays ({exc}); save variable-length sequences as "
            "x=np.concatenate(list), lengths=[len(a) for a in list]"
        ) from None
    except (OSError, EOFError) as exc:
        raise ValueError(f"data: cannot read {path} as .npz ({exc})") from None
    missing = [k for k in ("x", "y") if k not in arrays]
    if missing:
        raise ValueError(f"data: {path} has no {' or '.join(missing)} (holds {sorted(arrays)})")
    x, y = arrays["x"], arrays["y"]
    lengths = arrays.get("lengths")
    labels, classes = encode_labels(y)
    return LabelledSequences(_split_x(x, lengths, len(labels)), labels, classes)


def _split_x(x: Array, lengths: Array | None, n: int) -> tuple[Array, ...]:
    if x.dtype.kind not in "iuf":
        raise ValueError(f"x: expected numbers, got {x.dtype}")
    x = x.astype(np.float64)
    if x.ndim == 2 and lengths is not None:
        lengths = np.asarray(lengths, dtype=np.int64)
        if len(lengths) != n or lengths.sum() != len(x) or (lengths < 1).any():
            raise ValueError(
                f"lengths: {len(lengths)} lengths summing to {lengths.sum()} do not split "
                f"x ({len(x)} rows) into the {n} sequences of y"
            )
        return tuple(np.split(x, np.cumsum(lengths)[:-1]))
    if x.ndim != 3:
        raise ValueError(f"x: expected (N, T, D), or (rows, D) with lengths; got {x.shape}")
    if len(x) != n:
        raise ValueError(f"y: x holds {len(x)} sequences but y has {n} labels")
    if lengths is None:
        lengths = np.full(n, x.shape[1])
    lengths = np.asarray(lengths, dtype=np.int64)
    if lengths.shape != (n,) or (lengths < 1).any() or (lengths > x.shape[1]).any():
        raise ValueError(f"lengths: expected {n} lengths in 1..{x.shape[1]}")
    if not np.isfinite(x).all():
        raise ValueError("x: holds NaN or infinite values")
    return tuple(x[i, : lengths[i]] for i in range(n))


def read_long_csv(
    path: str | Path, id_col: str, label_col: str, time_col: str | None = None,
    features: list[str] | None = None,
) -> LabelledSequences:  # fmt: skip
    """A long-format CSV: one row per (sequence, step); ``id_col`` groups the rows into
    sequences (in order of first appearance), ``time_col`` orders them (else file order),
    ``label_col`` is each sequence's label; ``features`` (default: every other column) the
    inputs."""
    path = Path(path)
    header, rows = read_rows(path)
    ids = text_column(path, header, rows, id_col, "id")
    label_cells = text_column(path, header, rows, label_col, "label")
    used = {id_col, label_col, time_col}
    names = features or [h for h in header if h not in used]
    values = numeric_columns(path, header, rows, names, "features")
    times = None if time_col is None else numeric_columns(path, header, rows, [time_col], "time")
    order = {k: i for i, k in enumerate(dict.fromkeys(ids))}
    group = np.array([order[k] for k in ids])
    steps = np.arange(len(ids)) if times is None else times[:, 0]
    rows = np.lexsort((steps, group))
    sequences, raw = [], []
    for g in range(len(order)):
        members = rows[group[rows] == g]
        labels = {label_cells[i] for i in members}
        if len(labels) > 1:
            raise ValueError(f"label: sequence {ids[members[0]]!r} has labels {sorted(labels)}")
        sequences.append(values[members])
        raw.append(label_cells[members[0]])
    as_int = all(s.lstrip("-").isdigit() for s in raw)
    labels_, classes = encode_labels(np.array([int(s) for s in raw] if as_int else raw))
    return LabelledSequences(tuple(sequences), labels_, classes)
