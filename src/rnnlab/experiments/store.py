"""The results file: one SQLite database, one row per finished run.

Why SQLite: a row is written in a single transaction only once its run is complete, so a
sweep killed at any moment leaves whole rows or none; ``UNIQUE (task, length, cell, seed)`` with
``INSERT OR IGNORE`` means two sweeps writing the same file never duplicate a row; and the file
is readable from any language. The sweep's training settings (hidden width, steps, learning
rate, ...) live in the ``meta`` table: a later sweep with different settings is refused rather
than silently mixed into the same table.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    task TEXT NOT NULL,
    length INTEGER NOT NULL,
    cell TEXT NOT NULL,
    seed INTEGER NOT NULL,
    solved INTEGER NOT NULL,
    steps_to_solve INTEGER,
    metric REAL,
    params INTEGER NOT NULL,
    wall_time REAL NOT NULL,
    version TEXT NOT NULL,
    hidden INTEGER NOT NULL,
    init TEXT,
    steps INTEGER NOT NULL,
    steps_run INTEGER,
    config TEXT NOT NULL,
    gradflow TEXT,
    curve TEXT,
    finished_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (task, length, cell, seed)
);
"""

# The columns a finished run supplies, in table order (finished_at is filled by SQLite).
COLUMNS = (
    "task",
    "length",
    "cell",
    "seed",
    "solved",
    "steps_to_solve",
    "metric",
    "params",
    "wall_time",
    "version",
    "hidden",
    "init",
    "steps",
    "steps_run",
    "config",
    "gradflow",
    "curve",
)
OPTIONAL = ("curve",)  # only a data run has a learning curve
Key = tuple[str, int, str, int]


class Store:
    """An open results file. Use as a context manager, or call `close`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # A generous timeout: two sweeps on one file wait for each other's short transactions.
        self.conn = sqlite3.connect(self.path, timeout=60.0)
        self.conn.row_factory = sqlite3.Row
        with self.conn:
            self.conn.executescript(SCHEMA)
            columns = {r[1] for r in self.conn.execute("PRAGMA table_info(runs)")}
            if "curve" not in columns:  # a file from before data runs: add their column
                self.conn.execute("ALTER TABLE runs ADD COLUMN curve TEXT")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    # -- settings ---------------------------------------------------------------------------

    def check_settings(self, settings: dict[str, Any]) -> None:
        """Record ``settings`` on first use; on later use raise ValueError if they differ.

        The comparison is field by field so the message says exactly what differs.
        """
        text = json.dumps(settings, sort_keys=True)
        with self.conn:
            self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('settings', ?)", (text,))
        stored = json.loads(self.get_meta("settings") or "{}")
        if stored == json.loads(text):
            return
        keys = sorted(set(stored) | set(settings))
        diffs = [
            f"{k}={stored.get(k)!r} (file) vs {settings.get(k)!r} (now)"
            for k in keys
            if stored.get(k) != settings.get(k)
        ]
        raise ValueError(
            f"{self.path} holds runs made with other settings: {'; '.join(diffs)}; "
            "use another --db, or the same settings"
        )

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    # -- runs -------------------------------------------------------------------------------

    def finished_keys(self) -> set[Key]:
        rows = self.conn.execute("SELECT task, length, cell, seed FROM runs")
        return {(r[0], int(r[1]), r[2], int(r[3])) for r in rows}

    def add_run(self, row: dict[str, Any]) -> bool:
        """Insert one finished run in one transaction; False if that run was already there."""
        missing = [c for c in COLUMNS if c not in row and c not in OPTIONAL]
        if missing:
            raise ValueError(f"run row lacks {', '.join(missing)}")
        values = [row.get(c) for c in COLUMNS]
        placeholders = ", ".join("?" for _ in COLUMNS)
        with self.conn:
            cursor = self.conn.execute(
                f"INSERT OR IGNORE INTO runs ({', '.join(COLUMNS)}) VALUES ({placeholders})",
                values,
            )
        return cursor.rowcount == 1

    def runs(self, keys: Iterable[Key] | None = None) -> list[dict[str, Any]]:
        """Every run (or those with the given keys) as dicts, in a stable order."""
        rows = [
            dict(r)
            for r in self.conn.execute("SELECT * FROM runs ORDER BY task, length, cell, seed")
        ]
        if keys is not None:
            wanted = set(keys)
            rows = [r for r in rows if (r["task"], r["length"], r["cell"], r["seed"]) in wanted]
        return rows
