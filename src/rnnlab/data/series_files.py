"""Reading series: statsmodels' sunspots and CO2 files (by path, no statsmodels import) and a
user's CSV. Each gives a `Series`: a float table in file order, its column names, the time
labels, and which values were filled in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .csv_columns import numbers, numeric_columns, read_rows, text_column
from .packages import package_file

Array = np.ndarray


@dataclass(frozen=True)
class Series:
    """``table`` (T, D) float64; ``columns`` its D names; ``target`` the forecast column's
    index; ``times`` T labels (years, dates or row numbers); ``filled`` (T,) True where a
    missing value was interpolated."""

    table: Array
    columns: tuple[str, ...]
    target: int
    times: tuple[str, ...]
    filled: Array = field(default_factory=lambda: np.zeros(0, dtype=bool))


def read_csv_series(
    path: str | Path, target: str | None, features: list[str] | None = None,
    time: str | None = None,
) -> Series:  # fmt: skip
    """A user's CSV: ``target`` (the forecast column), optional ``features`` (more input
    columns) and ``time`` (labels only; rows are used in file order)."""
    path = Path(path)
    if not target:
        raise ValueError("target: a CSV needs --target COLUMN (the column to forecast)")
    header, rows = read_rows(path)
    table = numeric_columns(path, header, rows, [target], "target")
    extra = [f for f in features or [] if f != target]
    if extra:
        table = np.concatenate([table, numeric_columns(path, header, rows, extra, "features")], 1)
    if time is not None:
        times = tuple(text_column(path, header, rows, time, "time"))
    else:
        times = tuple(str(r + 1) for r in range(len(rows)))
    return Series(table, (target, *extra), 0, times, np.zeros(len(rows), dtype=bool))


def read_sunspots() -> Series:
    """Yearly mean sunspot numbers 1700-2008 (SILSO version 1), statsmodels' sunspots.csv."""
    path = package_file("statsmodels", "datasets/sunspots/sunspots.csv", "sunspots")
    header, rows = read_rows(path)
    years = [str(int(float(r[0]))) for r in rows]
    values = numbers(path, rows, header.index("SUNACTIVITY"), "SUNACTIVITY", "data")
    return Series(values[:, None], ("SUNACTIVITY",), 0, tuple(years), np.zeros(len(rows), bool))


def read_co2() -> Series:
    """Weekly CO2 at Mauna Loa, 1958-03-29 .. 2001-12-29 (ppm), statsmodels' co2.csv.

    59 weeks are empty in the file (all before 1998); each is filled by linear interpolation
    between its nearest observed weeks (``filled`` marks them).
    """
    path = package_file("statsmodels", "datasets/co2/co2.csv", "co2")
    header, rows = read_rows(path)
    dates = tuple(f"{r[0][:4]}-{r[0][4:6]}-{r[0][6:8]}" for r in rows)
    values = numbers(path, rows, header.index("co2"), "co2", "data")
    missing = np.isnan(values)
    index = np.arange(len(values))
    values[missing] = np.interp(index[missing], index[~missing], values[~missing])
    return Series(values[:, None], ("co2",), 0, dates, missing)
