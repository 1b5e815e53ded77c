"""Run a planned sweep on an executor and write each finished run to the store.

Only this process writes the file: workers return a finished run's row and the loop inserts it
in one transaction. So a worker on another machine needs no access to the file, and a killed
sweep loses at most the runs that were in flight. At most ``pool.slots`` runs are submitted at a
time, so "running" in the progress bar means running, not queued.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from typing import Any

from .executors import Pool
from .plan import Job
from .store import Store

Runner = Callable[[Job], dict[str, Any]]


@dataclass
class SweepOutcome:
    """What a sweep did: runs in the plan, already in the file, finished now, failed now."""

    total: int
    skipped: int
    finished: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    wall_time: float = 0.0


def run_job(job: Job) -> dict[str, Any]:
    """Train one run (in a worker) and return its row; with ``job.diagnose`` also measure the
    gradient flow of the model at initialisation and after training."""
    from .. import __version__
    from ..backend import set_num_threads
    from ..training import TrainConfig, train_run

    # One thread per run wherever it executes: the fast path picks its weight-gradient product
    # by thread count, so a run's last bits would otherwise depend on the worker's size.
    set_num_threads(1)
    config = TrainConfig(**job.config)
    start = time.perf_counter()
    gradflow = curve = None
    if config.data is not None:  # keep the learning curve: the report draws it
        with tempfile.TemporaryDirectory(prefix="rnnlab-run-") as tmp:
            result = train_run(config, out_dir=tmp)
            curve = learning_curve(tmp, result)
    elif job.diagnose:
        from .diagnose import diagnose_config, diagnose_trained

        with tempfile.TemporaryDirectory(prefix="rnnlab-run-") as tmp:
            result = train_run(config, out_dir=tmp)
            gradflow = {"init": diagnose_config(config), "trained": diagnose_trained(tmp)}
    else:
        result = train_run(config)
    wall = float(result.get("wall_time", time.perf_counter() - start))
    steps_to_solve = result.get("steps_to_solve")
    return {
        "task": job.task,
        "length": job.length,
        "cell": job.cell,
        "seed": job.seed,
        "solved": int(bool(result["solved"])),
        "steps_to_solve": None if steps_to_solve is None else int(steps_to_solve),
        "metric": None if result.get("metric") is None else float(result["metric"]),
        "params": int(result["params"]),
        "wall_time": wall,
        "version": __version__,
        "hidden": int(config.hidden),
        "init": str(result.get("init") or config.resolved_init),
        "steps": int(config.steps),
        "steps_run": int(result["steps_run"]),
        "config": json.dumps(job.config, sort_keys=True),
        "gradflow": None if gradflow is None else json.dumps(gradflow, sort_keys=True),
        "curve": None if curve is None else json.dumps(curve, sort_keys=True),
    }


def learning_curve(run_dir: str, result: dict[str, Any]) -> dict[str, Any]:
    """A data run's evaluation rows (metrics.csv), baselines and metric, for the report."""
    import csv
    from pathlib import Path

    with open(Path(run_dir) / "metrics.csv", encoding="utf-8") as f:
        history = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]
    keep = ("step", "wall_time", "test_loss", "test_metric")
    return {
        "history": [{k: row[k] for k in keep if k in row} for row in history],
        "baselines": result.get("baselines", {}),
        "metric_info": result.get("metric_info", {}),
        "stopped": result.get("stopped"),
    }


def run_sweep(
    jobs: list[Job],
    store: Store,
    pool: Pool,
    runner: Runner = run_job,
    progress: bool = True,
) -> SweepOutcome:
    """Run every job whose row is not in ``store`` yet; returns counts and any failures.

    A failed run writes no row (so a rerun retries it) and does not stop the others.
    """
    from tqdm import tqdm

    start = time.perf_counter()
    done = store.finished_keys()
    pending = iter([j for j in jobs if j.key not in done])
    outcome = SweepOutcome(total=len(jobs), skipped=sum(j.key in done for j in jobs))
    bar = tqdm(
        total=len(jobs),
        initial=outcome.skipped,
        unit="run",
        desc="runs",
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
    )
    in_flight: dict[Future[dict[str, Any]], Job] = {}

    def fill() -> None:
        while len(in_flight) < pool.slots:
            job = next(pending, None)
            if job is None:
                return
            in_flight[pool.executor.submit(runner, job)] = job

    try:
        fill()
        while in_flight:
            bar.set_postfix_str("running: " + "; ".join(j.label for j in in_flight.values()))
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in finished:
                job = in_flight.pop(future)
                try:
                    row = future.result()
                except Exception as exc:  # one broken run must not lose the others
                    outcome.failed.append((job.label, f"{type(exc).__name__}: {exc}"))
                    bar.write(f"run failed: {job.label}: {type(exc).__name__}: {exc}")
                else:
                    store.add_run(row)
                    outcome.finished += 1
                bar.update(1)
            fill()
    finally:
        for future in in_flight:
            future.cancel()
        bar.close()
    outcome.wall_time = time.perf_counter() - start
    return outcome
