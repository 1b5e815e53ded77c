"""The atlas: its plan (tasks with options, the budget rule, the RNN's remedies, matched
parameters), shards that partition it, and shards merged by `rnnlab report` equal to one run."""

from __future__ import annotations

import argparse
import sqlite3

import pytest

from rnnlab.cli import main
from rnnlab.experiments.atlas import (
    ATLAS_LENGTHS,
    MEASURED_CELLS,
    MEASURED_HOURS_PER_SEED,
    atlas_cells,
    atlas_settings,
    parse_shard,
    shard,
    size_line,
    upper_bound_core_hours,
)
from rnnlab.experiments.merge import merged_rows
from rnnlab.experiments.plan import SweepSettings, plan_sweep, split_task
from rnnlab.experiments.spec import parse_cells

VOLATILE = ("wall_time", "finished_at")


def test_cells_hold_the_rnn_remedies_every_preset_and_no_init_that_does_nothing():
    cells = atlas_cells()
    assert cells[:4] == ["rnn", "rnn+omega", "rnn:relu@identity", "rnn@orthogonal"]
    assert "lstm:hs97_2a@chrono" in cells and "lstm:hs97@forget1" not in cells  # no forget gate
    assert {"lstm:fgr@forget1", "lstm:cifg@chrono", "gru"} <= set(cells)
    assert len(cells) == len(set(cells))


def test_tasks_with_options_and_the_budget_rule():
    settings = atlas_settings(seeds=1, tasks=["temporal_order:bits=3"])
    assert split_task("temporal_order:bits=3") == ("temporal_order", {"bits": 3})
    assert settings.steps_for(10) == 2000 and settings.steps_for(1000) == 20000
    (spec,) = parse_cells("rnn+omega")
    assert spec.cell == "rnn" and spec.regularizer == "pascanu"
    jobs = plan_sweep(SweepSettings(
        tasks=("temporal_order:bits=3",), lengths={"temporal_order:bits=3": (200,)},
        cells=(spec,), seeds=(0,), steps=100, steps_per_lag=2.5,
    ))  # fmt: skip
    (job,) = jobs
    assert job.task == "temporal_order:bits=3"
    assert job.config["task"] == "temporal_order" and job.config["task_options"] == {"bits": 3}
    assert job.config["regularizer"] == "pascanu" and job.config["steps"] == 500


def test_size_line_counts_the_runs_and_scales_the_measured_hours():
    settings = atlas_settings(seeds=2, tasks=["adding", "copy"])
    runs = (len(ATLAS_LENGTHS["adding"]) + len(ATLAS_LENGTHS["copy"])) * len(atlas_cells()) * 2
    assert size_line(settings).startswith(f"{runs:,} runs")
    hours = 2 * (MEASURED_HOURS_PER_SEED["adding"] + MEASURED_HOURS_PER_SEED["copy"])
    assert upper_bound_core_hours(settings) == pytest.approx(hours)
    assert f"at most {hours:,.0f} core-hours" in size_line(settings)


def test_the_measured_hours_cover_every_task_and_the_cells_they_were_measured_with():
    """A new cell or task changes the atlas's cost: re-measure with --plan --measure."""
    assert set(MEASURED_HOURS_PER_SEED) == set(ATLAS_LENGTHS)
    assert MEASURED_CELLS == len(atlas_cells())


def test_shards_partition_the_plan():
    jobs = list(range(23))
    parts = [shard(jobs, k, 4) for k in range(1, 5)]
    assert sorted(j for part in parts for j in part) == jobs
    assert parse_shard("2/5") == (2, 5)
    for bad in ("0/3", "4/3", "1", "a/b"):
        with pytest.raises(ValueError, match="--shard"):
            parse_shard(bad)


def _execute(db, out, select=None):
    from rnnlab.experiments.driver import execute

    settings = SweepSettings(
        tasks=("adding", "temporal_order"), lengths={"adding": (5, 8), "temporal_order": (10,)},
        cells=tuple(parse_cells("rnn,rnn+omega,lstm@chrono")), seeds=(0, 1), hidden=4,
        steps=10, steps_per_lag=2,
    )  # fmt: skip
    args = argparse.Namespace(db=str(db), out=str(out), scheduler=None, workers=2,
                              no_progress=True)
    execute(settings, args, "atlas-test", select=select)


def _rows(db):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM runs")]
    conn.close()
    return sorted(({k: v for k, v in r.items() if k not in VOLATILE} for r in rows),
                  key=lambda r: (r["task"], r["length"], r["cell"], r["seed"]))


@pytest.mark.slow
def test_two_shards_merged_equal_the_unsharded_sweep(tmp_path):
    _execute(tmp_path / "all.sqlite", tmp_path / "r0")
    for k in (1, 2):
        _execute(tmp_path / f"s{k}.sqlite", tmp_path / f"r{k}", lambda jobs, k=k: shard(jobs, k, 2))
    one, two = _rows(tmp_path / "s1.sqlite"), _rows(tmp_path / "s2.sqlite")
    assert one and two and len(one) + len(two) == 18
    merged, _ = merged_rows([str(tmp_path / "s1.sqlite"), str(tmp_path / "s2.sqlite")])
    strip = [{k: v for k, v in r.items() if k not in VOLATILE} for r in merged]
    assert sorted(strip, key=lambda r: (r["task"], r["length"], r["cell"], r["seed"])) == _rows(
        tmp_path / "all.sqlite"
    )
    report = tmp_path / "merged-report"
    assert main(["report", "--db", str(tmp_path / "s1.sqlite"), str(tmp_path / "s2.sqlite"),
                 "--out", str(report)]) == 0
    assert (report / "index.html").exists()


def test_merging_files_of_other_settings_is_refused(tmp_path):
    from rnnlab.experiments.store import COLUMNS, Store

    row = dict.fromkeys(COLUMNS, 0) | {"task": "adding", "cell": "rnn", "version": "x",
                                        "config": "{}", "init": None, "gradflow": None}  # fmt: skip
    for name, hidden in (("a", 4), ("b", 8)):
        with Store(tmp_path / f"{name}.sqlite") as store:
            store.check_settings({"hidden": hidden})
            store.add_run(row)  # settings are recorded with a sweep's first row
    with pytest.raises(ValueError, match="other settings"):
        merged_rows([str(tmp_path / "a.sqlite"), str(tmp_path / "b.sqlite")])


def _row(task, length, cell, seed, solved):
    return {"task": task, "length": length, "cell": cell, "seed": seed, "solved": solved,
            "steps_to_solve": 100 if solved else None}


def test_longest_lag_and_ablation_tables_read_the_rows():
    from rnnlab.experiments.atlas_report import ablation_table, longest_lag_table, success_grid

    rows = [
        _row("adding", t, cell, s, solved)
        for cell, good in (("lstm:peephole@chrono", (10, 50, 100)), ("lstm:nfg@chrono", (10,)),
                           ("rnn", ()))
        for t in (10, 50, 100)
        for s, solved in enumerate([t in good] * 4 + [False])  # 4 of 5 seeds: 80 %
    ]  # fmt: skip
    header, body = longest_lag_table(rows)
    assert header == ["cell", "adding"]
    assert body == [["lstm:peephole@chrono", "100"], ["lstm:nfg@chrono", "10"], ["rnn", "-"]]
    header, body = ablation_table(rows)
    assert body == [["nfg", "10 (base 100)"]]
    _, lags, grid = success_grid(rows, "adding")
    assert lags == [10, 50, 100] and grid[0].tolist() == [0.8, 0.8, 0.8] and grid[2].max() == 0


def test_gradient_flow_is_shown_at_each_cells_longest_solved_lag():
    import json

    from rnnlab.experiments.summary import diagnostics

    record = json.dumps({"init": {"dh": [1.0, 0.5]}, "trained": {"dh": [1.0, 0.4]}})
    rows = [
        {**_row("adding", t, "lstm@chrono", s, t <= 50), "gradflow": record if s == 0 else None}
        for t in (10, 50, 100)
        for s in range(5)
    ]
    assert diagnostics(rows)["lstm@chrono"]["init"]["length"] == 50
    unsolved = [{**r, "solved": False} for r in rows]
    assert diagnostics(unsolved)["lstm@chrono"]["init"]["length"] == 10  # none: the shortest
    assert atlas_settings(1, ["adding"]).diagnose_all


def test_the_atlas_cells_pass_the_sweep_check_the_rnn_and_its_omega_twin_both():
    from rnnlab.experiments.driver import validate

    validate(atlas_settings(seeds=1, tasks=["adding"]))  # rnn and rnn+omega: trained apart
    twice = replace_cells(atlas_settings(seeds=1, tasks=["adding"]), "rnn+omega,rnn@pytorch+omega")
    with pytest.raises(ValueError, match="same model"):
        validate(twice)


def replace_cells(settings: SweepSettings, cells: str) -> SweepSettings:
    from dataclasses import replace

    return replace(settings, cells=tuple(parse_cells(cells)))
