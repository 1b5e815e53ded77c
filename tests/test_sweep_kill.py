"""SIGKILL a sweep part-way, rerun it: every expected row exists exactly once, with the values
of an uninterrupted sweep; and no process of a killed or stopped sweep lives on."""

from __future__ import annotations

import os
import random
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


# -- issue 18, item 6: a killed sweep leaves no process behind --------------------------------


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (Linux: the parent field of /proc/PID/stat)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":  # a zombie has exited already
                parents[int(entry)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (not exited, not zombies)."""
    left = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                    left.add(pid)
        except OSError:
            pass
    return left


def wait_gone(pids: set[int], seconds: float = 20.0) -> set[int]:
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive(pids)


def start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "rnnlab", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_five_random_sigkills_of_the_sweep_leave_no_process_and_the_rows_whole(tmp_path):
    """SIGKILL of the sweep's own process only (not its group): its workers and the resource
    tracker must end by themselves; five kills at random moments and a final rerun give the rows
    of an uninterrupted sweep."""
    rng = random.Random(18)
    killed = tmp_path / "killed.sqlite"
    args = [*SWEEP, "--db", str(killed), "--out", str(tmp_path / "r1"), "--workers", "2"]
    for _ in range(5):
        proc = start(args)
        seen: set[int] = set()
        # a random moment once the pool is up (before it, there is nothing to outlive the sweep)
        deadline = time.monotonic() + 120
        while len(seen) < 3 and proc.poll() is None and time.monotonic() < deadline:
            seen |= descendants(proc.pid)  # 2 workers and the resource tracker
            time.sleep(0.02)
        deadline = time.monotonic() + rng.uniform(0.0, 2.0)
        while time.monotonic() < deadline and proc.poll() is None:
            seen |= descendants(proc.pid)
            time.sleep(0.02)
        if proc.poll() is not None:  # it finished first: nothing was killed this round
            proc.stderr.close()
            continue
        assert len(seen) >= 3, "the pool never started"
        proc.kill()
        proc.wait()
        proc.stderr.close()
        assert not wait_gone(seen), "processes of the killed sweep outlived it"
    assert main(args) == 0
    clean = tmp_path / "clean.sqlite"
    assert main([*SWEEP, "--db", str(clean), "--out", str(tmp_path / "r2"), "--workers", "1"]) == 0
    resumed = rows(killed)
    assert len(resumed) == TOTAL and resumed == rows(clean)


def test_sigterm_stops_the_sweep_like_ctrl_c(tmp_path):
    db = tmp_path / "t.sqlite"
    args = [*SWEEP, "--steps", "400", "--db", str(db), "--out", str(tmp_path / "r"),
            "--workers", "2"]  # fmt: skip
    proc = start(args)
    seen: set[int] = set()
    deadline = time.monotonic() + 120
    while count(db) < 1 and proc.poll() is None and time.monotonic() < deadline:
        seen |= descendants(proc.pid)
        time.sleep(0.05)
    seen |= descendants(proc.pid)
    assert proc.poll() is None, "the sweep ended before it could be stopped"
    stopped = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 143, err
    # (multiprocessing's resource tracker may add a warning about the killed workers' queues)
    lines = [x for x in err.splitlines() if x.startswith("rnnlab compare: terminated: ")]
    assert len(lines) == 1 and "runs are whole rows" in lines[0], err
    assert time.monotonic() - stopped < 20, "it waited for the runs in flight"
    assert not wait_gone(seen), "processes of the stopped sweep outlived it"
    assert 1 <= count(db) < TOTAL
