"""SIGKILL a sweep part-way, rerun it: every expected row exists exactly once, with the values
of an uninterrupted sweep."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from rnnlab.cli import main

SWEEP = [
    "compare",
    "--tasks", "adding",
    "--lengths", "5,8,12",
    "--cells", "rnn,lstm,gru",
    "--seeds", "2",
    "--hidden", "4",
    "--steps", "20",
    "--no-progress",
]  # fmt: skip
TOTAL = 3 * 3 * 2
VOLATILE = ("wall_time", "finished_at")


def count(db) -> int:
    if not os.path.exists(db):
        return 0
    conn = sqlite3.connect(db, timeout=30)
    try:
        return int(conn.execute("SELECT count(*) FROM runs").fetchone()[0])
    except sqlite3.OperationalError:  # the table is not created yet
        return 0
    finally:
        conn.close()


def rows(db) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    out = [dict(r) for r in conn.execute("SELECT * FROM runs ORDER BY task, length, cell, seed")]
    conn.close()
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in out]


def test_killed_sweep_resumes_to_the_uninterrupted_rows(tmp_path, capsys):
    killed = tmp_path / "killed.sqlite"
    args = [*SWEEP, "--db", str(killed), "--out", str(tmp_path / "r1"), "--workers", "1"]
    # its own session, so the SIGKILL reaches the pool's worker process too
    proc = subprocess.Popen(
        [sys.executable, "-m", "rnnlab", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while count(killed) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    done_before = count(killed)
    assert 0 < done_before < TOTAL, "the sweep must be killed part-way"

    assert main(args) == 0
    assert f"{done_before} already in" in capsys.readouterr().err
    clean = tmp_path / "clean.sqlite"
    assert main([*SWEEP, "--db", str(clean), "--out", str(tmp_path / "r2"), "--workers", "2"]) == 0

    resumed = rows(killed)
    keys = [(r["task"], r["length"], r["cell"], r["seed"]) for r in resumed]
    assert len(keys) == len(set(keys)) == TOTAL
    assert resumed == rows(clean)
