"""`rnnlab compare`, `gradflow` and `why` through the CLI on tiny sizes."""

from __future__ import annotations

import sqlite3

import pytest

from rnnlab.cli import main
from rnnlab.commands.why import why_settings
from rnnlab.experiments import driver
from rnnlab.experiments.plan import count_params, plan_sweep
from rnnlab.training import TrainConfig, train_run

TINY = ["--tasks", "adding", "--lengths", "6", "--seeds", "1", "--hidden", "4", "--steps", "10",
        "--no-progress", "--workers", "1"]  # fmt: skip


def test_compare_without_matplotlib_says_how_to_get_the_report(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(driver, "plot_available", lambda: False)
    db = tmp_path / "r.sqlite"
    assert (
        main(["compare", *TINY, "--cells", "rnn", "--db", str(db), "--out", str(tmp_path / "o")])
        == 0
    )
    out = capsys.readouterr().out.strip().splitlines()
    assert out == ["report skipped: its figures need matplotlib: pip install 'rnnlab[plot]'"]
    assert not (tmp_path / "o").exists()
    row = sqlite3.connect(db).execute("SELECT cell, version, params FROM runs").fetchone()
    assert row[0] == "rnn" and row[1] and row[2] > 0


def test_settings_mismatch_is_an_error(tmp_path, capsys):
    db = str(tmp_path / "r.sqlite")
    args = ["compare", *TINY, "--cells", "rnn", "--db", db, "--out", str(tmp_path / "o")]
    assert main(args) == 0
    assert main([*args, "--hidden", "5"]) == 2
    err = capsys.readouterr().err
    assert "hidden=4 (file) vs 5 (now)" in err


def test_bad_cell_fails_before_any_run(tmp_path, capsys):
    db = tmp_path / "r.sqlite"
    assert main(["compare", *TINY, "--cells", "lstm:nope", "--db", str(db)]) == 2
    assert "cell" in capsys.readouterr().err and not db.exists()


def test_match_params_sizes_to_the_lstm():
    base = {"task": "adding", "length": 10, "init": None, "steps": 10, "seed": 0}
    lstm = count_params({**base, "cell": "lstm", "hidden": 16})
    from dataclasses import replace

    jobs = plan_sweep(replace(why_settings(1), tasks=("adding",)))  # matched by default
    widths = {j.cell: j.config["hidden"] for j in jobs}
    assert widths["lstm@chrono"] == 16
    rnn_params = count_params({**base, "cell": "rnn", "hidden": widths["rnn"]})
    near = [count_params({**base, "cell": "rnn", "hidden": widths["rnn"] + d}) for d in (-1, 1)]
    assert all(abs(rnn_params - lstm) <= abs(n - lstm) for n in near)
    assert widths["rnn"] > 2 * 16  # an RNN needs about twice the width for 4x the weights


def test_gradflow_command_at_init_and_on_a_trained_run(tmp_path, capsys):
    run_dir = tmp_path / "run"
    train_run(TrainConfig(task="adding", length=60, cell="lstm", hidden=4, steps=5), run_dir)
    argv = ["gradflow", "--task", "adding", "--length", "60", "--cells", "rnn,lstm@forget1",
            "--hidden", "4", "--run", str(run_dir), "--json", str(tmp_path / "g.json")]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "rnn                      init     dh" in out
    assert "lstm@forget1             init     dc" in out
    assert "trained" in out and "W_hf (forget gate)" in out
    assert (tmp_path / "g.json").stat().st_size > 0


def test_why_settings_cover_the_required_cells():
    cells = {c.text for c in why_settings().cells}
    assert {"rnn", "rnn:relu@identity", "lstm@forget1", "lstm@chrono", "gru"} <= cells
    with pytest.raises(ValueError):
        why_settings(0)
