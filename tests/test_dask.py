"""A small sweep through a real Dask cluster (scheduler and workers as separate processes on
loopback) gives the same rows as the local process pool."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from rnnlab.cli import main

pytest.importorskip("distributed")

SWEEP = [
    "compare",
    "--tasks", "adding,longlag",
    "--lengths", "5,8",
    "--cells", "rnn,lstm@chrono",
    "--seeds", "2",
    "--hidden", "4",
    "--steps", "20",
    "--no-progress",
]  # fmt: skip
# Columns that legitimately differ between executors: when and how fast a run went.
VOLATILE = ("wall_time", "finished_at")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rows(db) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    out = [dict(r) for r in conn.execute("SELECT * FROM runs ORDER BY task, length, cell, seed")]
    conn.close()
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in out]


@pytest.fixture
def cluster(tmp_path):
    """``tcp://127.0.0.1:PORT`` of a scheduler with two single-thread workers, torn down after."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    log = open(tmp_path / "dask.log", "w")  # closed in the teardown below
    common = dict(env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
             "--port", str(port), "--no-dashboard"],
            **common,
        ),
    ]  # fmt: skip
    try:
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers",
                 "2", "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1",
                 "--local-directory", str(tmp_path / "dask-worker")],
                **common,
            )
        )  # fmt: skip
        from distributed import Client

        deadline = time.monotonic() + 60
        with Client(address, timeout="30s") as client:
            while len(client.nthreads()) < 2:
                assert time.monotonic() < deadline, (tmp_path / "dask.log").read_text()
                time.sleep(0.2)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def test_dask_cluster_gives_the_local_pool_rows(cluster, tmp_path, capsys):
    assert main([*SWEEP, "--db", str(tmp_path / "dask.sqlite"), "--out", str(tmp_path / "r1"),
                 "--scheduler", cluster]) == 0  # fmt: skip
    assert "Dask cluster" in capsys.readouterr().err
    assert main([*SWEEP, "--db", str(tmp_path / "local.sqlite"), "--out", str(tmp_path / "r2"),
                 "--workers", "2"]) == 0  # fmt: skip
    dask_rows, local_rows = rows(tmp_path / "dask.sqlite"), rows(tmp_path / "local.sqlite")
    assert len(local_rows) == 2 * 2 * 2 * 2
    assert dask_rows == local_rows
