"""The results file: one SQLite database, one row per finished run.

Why SQLite: a row is written in a single transaction only once its run is complete, so a
sweep killed at any moment leaves whole rows or none; ``UNIQUE (task, length, cell, seed)`` with
``INSERT OR IGNORE`` means two sweeps writing the same file never duplicate a row; and the file
is readable from any language. The sweep's training settings (hidden width, steps, learning
rate, ...) live in the ``meta`` table: a later sweep with different settings is refused rather
than silently mixed into the same table.

A file is ours or refused: before anything is trained or written, the tables must be exactly
``meta`` and ``runs`` with the columns below and ``meta.schema`` (if stamped) `SCHEMA_VERSION`;
a new or empty file gets the tables and the stamp. The settings are recorded with the first row,
inside the same ``BEGIN IMMEDIATE`` transaction that checks them again (SQLite's write lock), so
a sweep that trained nothing leaves none behind and two sweeps that start together on a new file
cannot both record theirs. ``readonly=True`` (``rnnlab report``) opens with ``mode=ro``.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..files import make_dir

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
SCHEMA_VERSION = "1"
TABLES = {"meta": ["key", "value"], "runs": [*COLUMNS, "finished_at"]}


class Store:
    """An open results file. Use as a context manager, or call `close`.

    Raises ValueError naming ``--db`` if the file is not SQLite or not an rnnlab results file.
    """

    def __init__(self, path: str | Path, readonly: bool = False) -> None:
        self.path = Path(path)
        self._settings: str | None = None  # to record with the first row (`check_settings`)
        if not readonly:
            make_dir(self.path.parent, "--db")
        try:
            self.conn = self._connect(readonly)
        except sqlite3.Error as exc:
            raise ValueError(f"--db: cannot open {self.path} ({exc})") from None
        self.conn.row_factory = sqlite3.Row
        try:
            self._check_schema(readonly)
        except sqlite3.DatabaseError as exc:  # not SQLite at all: "file is not a database"
            self.conn.close()
            raise ValueError(f"--db: {self.path} is not an SQLite file ({exc})") from None
        except ValueError:
            self.conn.close()
            raise

    def _connect(self, readonly: bool) -> sqlite3.Connection:
        # Autocommit mode: every write is an explicit `_write` transaction.
        if readonly:
            uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
            return sqlite3.connect(uri, uri=True, isolation_level=None)
        # A generous timeout: two sweeps on one file wait for each other's transactions.
        return sqlite3.connect(self.path, timeout=60.0, isolation_level=None)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction holding SQLite's write lock from its start."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _tables(self) -> dict[str, list[str]]:
        names = [
            r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return {
            n: [c[1] for c in self.conn.execute(f"PRAGMA table_info({quote_name(n)})")]
            for n in names
            if not n.startswith("sqlite_")
        }

    def _check_schema(self, readonly: bool) -> None:
        if not self._tables() and not readonly:
            with self._write() as conn:  # a new file; inside the lock, look again
                if not self._tables():
                    for statement in filter(str.strip, SCHEMA.split(";")):
                        conn.execute(statement)  # not executescript: it would COMMIT
                    conn.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        tables = self._tables()
        if tables != TABLES:
            found = ", ".join(f"{n}({', '.join(c)})" for n, c in tables.items()) or "no tables"
            raise ValueError(
                f"--db: {self.path} is not an rnnlab results file (it holds {found}; expected "
                "the tables meta and runs that rnnlab compare writes); use another file"
            )
        stamp = self.get_meta("schema")
        if stamp not in (None, SCHEMA_VERSION):
            raise ValueError(
                f"--db: {self.path} has results schema {stamp}; this rnnlab reads "
                f"{SCHEMA_VERSION}; use another file or a matching rnnlab version"
            )

    # -- settings ---------------------------------------------------------------------------

    def check_settings(self, settings: dict[str, Any]) -> None:
        """Raise ValueError if the file holds runs made with other ``settings``; else keep them to
        record with the first row (`add_run`).

        The comparison is field by field so the message says exactly what differs.
        """
        self._settings = json.dumps(settings, sort_keys=True)
        self._compare_settings(self.get_meta("settings"))

    def _compare_settings(self, stored_text: str | None) -> None:
        if stored_text is None or self._settings is None:
            return
        stored, settings = json.loads(stored_text), json.loads(self._settings)
        if stored == settings:
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
        with self._write() as conn:
            if self._settings is not None:  # checked again under the lock: see the docstring
                self._compare_settings(self.get_meta("settings"))
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('settings', ?)", (self._settings,))
            cursor = conn.execute(
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


def quote_name(name: str) -> str:
    """An SQL identifier in double quotes (a foreign file's table names are not ours to trust)."""
    return '"' + name.replace('"', '""') + '"'
