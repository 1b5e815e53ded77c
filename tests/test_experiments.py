"""Sweep machinery without training: cell specs, planning, the SQLite store, the sweep loop."""

from __future__ import annotations

import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from rnnlab.experiments.executors import Pool, open_pool
from rnnlab.experiments.plan import Job, SweepSettings, matched_hidden, plan_sweep
from rnnlab.experiments.spec import parse_cell, parse_cells, parse_ints
from rnnlab.experiments.store import COLUMNS, Store
from rnnlab.experiments.summary import longest_solved, separating_lags, summary_lines
from rnnlab.experiments.sweep import run_sweep


def fake_runner(job: Job) -> dict:
    """A deterministic stand-in for training: 'solves' short lags, LSTMs always."""
    solved = job.cell.startswith("lstm") or job.length <= 10
    return {
        "task": job.task,
        "length": job.length,
        "cell": job.cell,
        "seed": job.seed,
        "solved": int(solved),
        "steps_to_solve": 10 * job.length if solved else None,
        "metric": 0.5 / job.length,
        "params": 4 * job.config["hidden"],
        "wall_time": 0.01,
        "version": "test",
        "hidden": job.config["hidden"],
        "init": job.config["init"],
        "steps": job.config["steps"],
        "steps_run": 1,
        "config": json.dumps(job.config, sort_keys=True),
        "gradflow": None,
    }


def failing_runner(job: Job) -> dict:
    if job.seed == 1:
        raise RuntimeError("boom")
    return fake_runner(job)


def settings(**changes) -> SweepSettings:
    base = dict(
        tasks=("adding", "longlag"),
        lengths={"adding": (10, 50), "longlag": (10, 50)},
        cells=tuple(parse_cells("rnn,lstm:cifg@forget1")),
        seeds=(0, 1, 2),
        hidden=4,
        steps=20,
    )
    return SweepSettings(**{**base, **changes})


def thread_pool() -> Pool:
    return Pool(ThreadPoolExecutor(2), 2, "threads")


def test_parse_cell_forms():
    spec = parse_cell("lstm:cifg@forget1")
    assert (spec.kind, spec.variant, spec.init, spec.cell) == (
        "lstm",
        "cifg",
        "forget1",
        "lstm:cifg",
    )
    irnn = parse_cell("rnn:relu@identity")
    assert irnn.cell == "rnn:relu" and irnn.init == "identity" and "IRNN" in irnn.label
    assert parse_cell("gru").cell == "gru" and parse_cell("gru").init is None
    assert parse_cell("lstm@chrono").variant is None
    for bad in ("mlp", "lstm:", "lstm@", "lstm:a:b", ""):
        with pytest.raises(ValueError, match="--cells"):
            parse_cell(bad)
    with pytest.raises(ValueError, match="twice"):
        parse_cells("rnn,rnn")
    assert parse_ints("10,25", "--lengths") == [10, 25]
    with pytest.raises(ValueError):
        parse_ints("10,x", "--lengths")


def test_plan_covers_every_combination_once():
    jobs = plan_sweep(settings(gradflow=("adding", 50)))
    keys = [j.key for j in jobs]
    assert len(keys) == len(set(keys)) == 2 * 2 * 2 * 3
    assert jobs[0].length == 50  # long runs first
    diag = [j for j in jobs if j.diagnose]
    assert {(j.task, j.length, j.seed) for j in diag} == {("adding", 50, 0)}
    job = next(j for j in jobs if j.cell == "lstm:cifg@forget1")
    assert job.config["cell"] == "lstm:cifg" and job.config["init"] == "forget1"
    assert job.config["seed"] == job.seed and job.config["hidden"] == 4


def test_match_params_picks_the_closest_width():
    # a stand-in count: an RNN has H*(H+3) weights, an LSTM 4x that
    def counter(config):
        h = config["hidden"]
        return (4 if config["cell"].startswith("lstm") else 1) * h * (h + 3)

    assert (
        matched_hidden(
            {"cell": "rnn", "hidden": 8}, counter({"cell": "lstm", "hidden": 8}), counter
        )
        == 17
    )
    jobs = plan_sweep(settings(match_params=True), counter)
    widths = {j.cell: j.config["hidden"] for j in jobs}
    assert widths["lstm:cifg@forget1"] == 4 and widths["rnn"] == 9


def test_store_writes_once_and_refuses_other_settings(tmp_path):
    db = tmp_path / "r.sqlite"
    job = plan_sweep(settings())[0]
    with Store(db) as store:
        store.check_settings({"hidden": 4, "steps": 20})
        assert store.add_run(fake_runner(job)) is True
        assert store.add_run(fake_runner(job)) is False  # INSERT OR IGNORE
        with pytest.raises(ValueError, match="lacks"):
            store.add_run({"task": "adding"})
    with Store(db) as store:
        store.check_settings({"hidden": 4, "steps": 20})
        with pytest.raises(ValueError, match="hidden=4 \\(file\\) vs 8 \\(now\\)"):
            store.check_settings({"hidden": 8, "steps": 20})
        assert len(store.runs()) == 1
    names = [r[1] for r in sqlite3.connect(db).execute("PRAGMA table_info(runs)")]
    assert set(COLUMNS) <= set(names)


def test_sweep_resumes_and_never_duplicates(tmp_path):
    jobs = plan_sweep(settings())
    with Store(tmp_path / "r.sqlite") as store:
        first = run_sweep(jobs[:5], store, thread_pool(), fake_runner, progress=False)
        assert first.finished == 5
        again = run_sweep(jobs, store, thread_pool(), fake_runner, progress=False)
        assert (again.skipped, again.finished) == (5, len(jobs) - 5)
        # a second identical sweep on the same file adds nothing
        twice = run_sweep(jobs, store, thread_pool(), fake_runner, progress=False)
        assert twice.finished == 0 and len(store.runs()) == len(jobs)


def test_failed_runs_leave_no_row_and_are_retried(tmp_path):
    jobs = plan_sweep(settings())
    with Store(tmp_path / "r.sqlite") as store:
        outcome = run_sweep(jobs, store, thread_pool(), failing_runner, progress=False)
        assert len(outcome.failed) == len(jobs) // 3 and "boom" in outcome.failed[0][1]
        assert all(r["seed"] != 1 for r in store.runs())
        retry = run_sweep(jobs, store, thread_pool(), fake_runner, progress=False)
        assert retry.finished == len(jobs) // 3


def test_local_process_pool_runs_jobs(tmp_path):
    jobs = plan_sweep(settings())[:4]
    with Store(tmp_path / "r.sqlite") as store, open_pool(workers=2) as pool:
        assert pool.slots == 2
        run_sweep(jobs, store, pool, fake_runner, progress=False)
        assert len(store.runs()) == 4
    with pytest.raises(ValueError, match="--workers"), open_pool(workers=0):
        pass


def test_summary_states_longest_lag_and_separation():
    rows = [fake_runner(j) for j in plan_sweep(settings())]
    by_length = {
        t: [r for r in rows if r["task"] == "adding" and r["cell"] == "rnn" and r["length"] == t]
        for t in (10, 50)
    }
    assert longest_solved(by_length) == 10
    assert separating_lags(rows, "lstm:cifg@forget1", "rnn") == {"adding": [50], "longlag": [50]}
    text = "\n".join(summary_lines(rows, lstm="lstm:cifg@forget1"))
    assert "adding: longest lag solved in >= 80 % of seeds: rnn: 10 (3 seeds)" in text
    assert "adding 50; longlag 50 (2 tasks)" in text
