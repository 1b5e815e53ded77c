"""The scale test of the atlas (issue 20): a slice of at least 200 runs of the real atlas
(its cells, parameter matching, recipe and budget rule) through a Dask ``LocalCluster`` of
worker processes and through the local process pool gives the same rows bit for bit, every
thread pool pinned to one thread in both. Marked slow: about 216 runs, each way."""

from __future__ import annotations

import argparse
import sqlite3
from dataclasses import replace

import pytest

from rnnlab.experiments.atlas import atlas_settings
from rnnlab.experiments.plan import plan_sweep

SLICE_TASKS = ["adding", "temporal_order", "multiplication", "longlag"]
VOLATILE = ("wall_time", "finished_at")  # when a row was made, not what it holds
THREAD_POOLS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def _rows(db) -> list[dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        rows = [dict(r) for r in conn.execute("SELECT * FROM runs")]
    return sorted(
        ({k: v for k, v in r.items() if k not in VOLATILE} for r in rows),
        key=lambda r: (r["task"], r["length"], r["cell"], r["seed"]),
    )


def _execute(settings, db, out, scheduler: str | None) -> None:
    from rnnlab.experiments.driver import execute

    args = argparse.Namespace(db=str(db), out=str(out), scheduler=scheduler, workers=2,
                              no_progress=True)  # fmt: skip
    assert not execute(settings, args, "atlas-slice").failed


@pytest.mark.slow
def test_a_slice_of_the_atlas_on_a_local_cluster_equals_the_local_pool(tmp_path, monkeypatch):
    from dask.distributed import LocalCluster

    for name in THREAD_POOLS:  # inherited by the pool's and the cluster's worker processes
        monkeypatch.setenv(name, "1")
    settings = replace(
        atlas_settings(seeds=2, tasks=SLICE_TASKS), lengths={t: (10,) for t in SLICE_TASKS}
    )
    assert len(plan_sweep(settings)) >= 200
    _execute(settings, tmp_path / "pool.sqlite", tmp_path / "pool", None)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster:
        _execute(settings, tmp_path / "dask.sqlite", tmp_path / "dask", cluster.scheduler_address)
    pool, dask = _rows(tmp_path / "pool.sqlite"), _rows(tmp_path / "dask.sqlite")
    assert len(pool) == len(plan_sweep(settings)) and pool == dask
