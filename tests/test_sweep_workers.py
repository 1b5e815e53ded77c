"""Sweep workers: one thread in every pool (numba's too), whatever the worker's size, and they
end with the sweep (issue 18, item 6; issue 19's thread defect)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

from rnnlab import backend
from rnnlab.experiments import executors
from rnnlab.experiments.executors import open_pool
from rnnlab.experiments.plan import Job
from rnnlab.experiments.sweep import run_job


def test_local_workers_pin_numba_and_blas_threads_to_one():
    with open_pool(workers=1) as pool:
        seen = {v: pool.executor.submit(os.getenv, v).result() for v in executors._THREAD_VARS}
    assert "NUMBA_NUM_THREADS" in seen and set(seen.values()) == {"1"}


def test_a_run_uses_one_thread_whatever_the_workers_size(monkeypatch):
    """The fast path picks the weight-gradient product by thread count: a run must see one
    thread in a worker of any size, so its row is the same bit for bit."""
    from rnnlab.fast import threads

    seen = []

    def fake_train_run(config, out_dir=None):
        seen.append(threads.num_threads())
        return {"solved": False, "steps_to_solve": None, "metric": 1.0, "params": 1,
                "wall_time": 0.0, "init": "chrono", "steps_run": 1}  # fmt: skip

    monkeypatch.setattr("rnnlab.training.train_run", fake_train_run)
    before = threads.num_threads()
    try:
        backend.set_num_threads(2)  # a two-thread Dask worker, say
        run_job(Job("adding", 4, "lstm", 0, {"task": "adding", "length": 4, "hidden": 2}))
    finally:
        backend.set_num_threads(before)
    assert seen == [1]


def test_workers_exit_when_the_sweep_process_is_killed(tmp_path):
    script = textwrap.dedent(
        """
        import sys, time
        from rnnlab.experiments.executors import open_pool
        with open_pool(workers=2) as pool:
            pids = [pool.executor.submit(time.sleep, 0.01) for _ in range(2)]
            [f.result() for f in pids]
            print(" ".join(str(p) for p in pool.executor._processes), flush=True)
            time.sleep(600)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers = [int(p) for p in proc.stdout.readline().split()]
    assert len(workers) == 2
    proc.kill()  # SIGKILL of the sweep's process alone, not its process group
    proc.wait()
    proc.stdout.close()
    deadline = time.monotonic() + 20
    while any(_running(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(p) for p in workers), "pool workers outlived the sweep"


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
