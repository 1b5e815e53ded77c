"""CSV columns by name, with one-line errors naming the argument, the file and the row."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

Array = np.ndarray


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [r for r in csv.reader(f) if any(cell.strip() for cell in r)]
    except OSError as exc:
        raise ValueError(f"data: cannot read {path} ({exc.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"data: {path} is not a readable CSV file ({exc})") from None
    if len(rows) < 2:
        raise ValueError(f"data: {path} needs a header row and at least one data row")
    return [h.strip() for h in rows[0]], rows[1:]


def column_index(path: Path, header: list[str], name: str, arg: str) -> int:
    if name not in header:
        raise ValueError(f"{arg}: no column {name!r} in {path} (columns: {', '.join(header)})")
    return header.index(name)


def numbers(path: Path, rows: list[list[str]], index: int, name: str, arg: str) -> Array:
    """The column as floats; empty cells and 'nan' are NaN, anything else must parse."""
    out = np.empty(len(rows))
    for r, row in enumerate(rows):
        cell = row[index].strip() if index < len(row) else ""
        try:
            out[r] = float(cell) if cell else np.nan
        except ValueError:
            raise ValueError(
                f"{arg}: column {name!r} of {path} is not numeric (data row {r + 1}: {cell!r})"
            ) from None
    return out


def check_finite(path: Path, table: Array, columns: list[str]) -> None:
    bad = ~np.isfinite(table)
    if bad.any():
        col = int(np.nonzero(bad.any(axis=0))[0][0])
        rows = np.nonzero(bad[:, col])[0] + 1
        where = ", ".join(map(str, rows[:5])) + (" ..." if len(rows) > 5 else "")
        raise ValueError(
            f"data: column {columns[col]!r} of {path} has {len(rows)} missing or NaN "
            f"value(s) at data row(s) {where}; fill or drop them first"
        )


def text_column(
    path: Path, header: list[str], rows: list[list[str]], name: str, arg: str
) -> list[str]:
    index = column_index(path, header, name, arg)
    return [row[index].strip() if index < len(row) else "" for row in rows]


def numeric_columns(
    path: Path, header: list[str], rows: list[list[str]], names: list[str], arg: str
) -> Array:
    """(rows, len(names)) float64 of the named columns; every value must be a finite number."""
    table = np.stack(
        [numbers(path, rows, column_index(path, header, n, arg), n, arg) for n in names], axis=1
    )
    check_finite(path, table, names)
    return table
