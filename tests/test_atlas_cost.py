"""`rnnlab atlas --plan --measure`: each (task, lag, cell) timed once, the bound per run
``S * update + ceil(S / E) * test_pass``, and the table's sums."""

from __future__ import annotations

import pytest

from rnnlab.cli import main
from rnnlab.experiments import cost
from rnnlab.experiments.cost import ConfigCost, cost_table, hours_by_task, measure_plan
from rnnlab.experiments.plan import SweepSettings, plan_sweep
from rnnlab.experiments.spec import parse_cells


def _jobs(seeds=(0, 1)):
    return plan_sweep(SweepSettings(
        tasks=("adding",), lengths={"adding": (6, 12)}, cells=tuple(parse_cells("rnn,lstm")),
        seeds=seeds, hidden=4, steps=50, steps_per_lag=10,
    ))  # fmt: skip


def test_each_configuration_is_timed_once_and_counts_its_seeds():
    measured = measure_plan(_jobs(seeds=(0, 1, 2)), updates=2)
    assert sorted((c.length, c.cell, n) for c, n in measured) == [
        (6, "lstm", 3), (6, "rnn", 3), (12, "lstm", 3), (12, "rnn", 3)
    ]  # fmt: skip
    for c, _ in measured:
        assert c.update > 0 and c.test_pass > 0
        assert c.steps == max(50, 10 * c.length) and c.eval_every == 100


def test_a_longer_lag_costs_more_per_update():
    jobs = plan_sweep(SweepSettings(
        tasks=("adding",), lengths={"adding": (10, 400)}, cells=tuple(parse_cells("lstm")),
        seeds=(0,), hidden=8, steps=50,
    ))  # fmt: skip
    by_length = {c.length: c for c, _ in measure_plan(jobs, updates=3)}
    assert by_length[400].update > 3 * by_length[10].update
    assert by_length[400].test_pass > 3 * by_length[10].test_pass


def test_the_bound_and_the_table_add_up():
    a = ConfigCost("adding", 10, "rnn", update=0.01, test_pass=0.5, steps=2000, eval_every=100)
    b = ConfigCost("copy", 10, "rnn", update=0.02, test_pass=1.0, steps=250, eval_every=100)
    assert a.run_bound == pytest.approx(2000 * 0.01 + 20 * 0.5)
    assert b.run_bound == pytest.approx(250 * 0.02 + 3 * 1.0)  # ceil(250 / 100) test passes
    measured = [(a, 5), (b, 2)]
    assert hours_by_task(measured) == {
        "adding": (5, pytest.approx(5 * 30 / 3600), pytest.approx(30 / 3600)),
        "copy": (2, pytest.approx(2 * 8 / 3600), pytest.approx(8 / 3600)),
    }  # fmt: skip
    lines = cost_table(measured, cores=2)
    assert lines[1].split()[:2] == ["adding", "5"] and lines[3].split()[:2] == ["all", "7"]


def test_cli_prints_the_measured_table_and_refuses_measure_without_plan(monkeypatch, capsys):
    seen = []

    def fake(job, updates=3):
        seen.append((job.task, job.length, job.cell, job.seed))
        return ConfigCost(job.task, job.length, job.cell, 0.1, 1.0, job.config["steps"], 100)

    monkeypatch.setattr(cost, "measure_job", fake)
    assert main(["atlas", "--plan", "--measure", "--tasks", "signal_in_noise", "--seeds", "2",
                 "--no-progress"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert len(seen) == len(set(seen)) == 2 * 27 and {s[3] for s in seen} == {0}
    # 27 cells x 2 seeds at T = 100 (2,000 updates, 20 tests) and T = 1,000 (20,000, 200)
    hours = 27 * 2 * (2000 * 0.1 + 20 + 20000 * 0.1 + 200) / 3600
    (line,) = [x for x in out.splitlines() if x.startswith("all")]
    assert line.split()[1:] == ["108", f"{hours:,.1f}"]
    assert main(["atlas", "--measure"]) == 2
    assert "--measure: expected with --plan" in capsys.readouterr().err
