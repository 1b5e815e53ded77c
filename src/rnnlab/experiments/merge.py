"""Merge the results files of a sweep split over machines (``--shard K/N``) into one set of rows.

Each file must hold rows of the same sweep settings (the ``settings`` stamp in its ``meta``);
a key (task, length, cell, seed) found in several files must hold the same numbers in each,
which a deterministic run guarantees.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .store import Store

Row = dict[str, Any]
_VOLATILE = ("wall_time", "finished_at", "host")  # may differ between machines for equal runs


def _key(row: Row) -> tuple:
    return (row["task"], row["length"], row["cell"], row["seed"])


def _comparable(row: Row) -> Row:
    return {k: v for k, v in row.items() if k not in _VOLATILE}


def merged_rows(paths: list[str]) -> tuple[list[Row], dict[str, Any]]:
    """Every row of every file once, and the files' shared settings; ValueError naming the file
    whose settings or rows disagree with the first's."""
    rows: dict[tuple, Row] = {}
    settings: dict[str, Any] | None = None
    first = paths[0]
    for path in paths:
        if not Path(path).exists():
            raise ValueError(f"--db: {path} does not exist")
        with Store(path, readonly=True) as store:
            found = json.loads(store.get_meta("settings") or "{}")
            file_rows = store.runs()
        if settings is None:
            settings = found
        elif found != settings:
            raise ValueError(f"--db: {path} holds a sweep with other settings than {first}")
        for row in file_rows:
            key = _key(row)
            if key in rows and _comparable(rows[key]) != _comparable(row):
                raise ValueError(f"--db: {path} and an earlier file disagree on the run {key}")
            rows.setdefault(key, row)
    return list(rows.values()), settings or {}
