"""The SQLite results file is ours or refused, before anything is trained or written (issue 18,
item 5), and its settings are recorded once, by the first row, under SQLite's write lock
(item 3's part for sweeps)."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from rnnlab.cli import main
from rnnlab.experiments.plan import SweepSettings, plan_sweep
from rnnlab.experiments.spec import parse_cells
from rnnlab.experiments.store import Store

SWEEP = ["compare", "--tasks", "adding", "--lengths", "4", "--cells", "rnn", "--seeds", "1",
         "--hidden", "2", "--steps", "2", "--workers", "1", "--no-progress"]  # fmt: skip


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    return err[0]


def foreign_db(path, ddl: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(ddl)
        conn.execute("CREATE TABLE notes (text TEXT)")
    conn.close()


def test_report_opens_read_only_and_adds_nothing_to_an_unrelated_database(tmp_path, capsys):
    db = tmp_path / "mine.sqlite"
    foreign_db(db, "CREATE TABLE people (name TEXT)")
    before = digest(db)
    assert main(["report", "--db", str(db), "--out", str(tmp_path / "o")]) == 2
    assert "not an rnnlab results file" in one_error_line(capsys)
    assert digest(db) == before and not (tmp_path / "o").exists()


def test_compare_on_a_runs_table_with_other_columns_refuses_before_training(tmp_path, capsys):
    db = tmp_path / "other.sqlite"
    foreign_db(db, "CREATE TABLE runs (id INTEGER PRIMARY KEY, note TEXT)")
    before = digest(db)
    assert main([*SWEEP, "--db", str(db), "--out", str(tmp_path / "o")]) == 2
    line = one_error_line(capsys)
    assert "not an rnnlab results file" in line and "runs(id, note)" in line
    assert digest(db) == before


@pytest.mark.parametrize("command", ["report", "compare"])
def test_a_file_that_is_not_sqlite_is_one_line(command, tmp_path, capsys):
    db = tmp_path / "notes.txt"
    db.write_text("these are my notes, not a database\n" * 100)
    argv = SWEEP if command == "compare" else ["report"]
    assert main([*argv, "--db", str(db), "--out", str(tmp_path / "o")]) == 2
    assert "is not an SQLite file" in one_error_line(capsys)
    assert db.read_text().startswith("these are my notes")


def test_a_new_file_is_stamped_and_a_file_of_another_schema_refused(tmp_path):
    from rnnlab.experiments.store import SCHEMA_VERSION

    db = tmp_path / "r.sqlite"
    with Store(db) as store:
        assert store.get_meta("schema") == SCHEMA_VERSION
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    conn.close()
    with pytest.raises(ValueError, match="schema 99"):
        Store(db)


def test_a_compare_that_trained_nothing_leaves_no_settings(tmp_path, monkeypatch, capsys):
    db = tmp_path / "r.sqlite"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("rnnlab.experiments.driver.run_sweep", interrupted)
    assert main([*SWEEP, "--db", str(db), "--out", str(tmp_path / "o")]) == 130
    assert "0/1 runs are whole rows" in capsys.readouterr().err
    with Store(db) as store:
        assert store.get_meta("settings") is None
    monkeypatch.undo()
    # so another sweep with other settings may use the file
    assert main([*SWEEP, "--hidden", "3", "--db", str(db), "--out", str(tmp_path / "o")]) == 0


def key(job) -> dict:
    return dict(zip(("task", "length", "cell", "seed"), job.key, strict=True))


def test_two_sweeps_starting_together_cannot_mix_settings(tmp_path):
    """Both check an empty file; the first row records its settings, the second is refused."""
    db = tmp_path / "r.sqlite"
    settings = SweepSettings(
        tasks=("adding",),
        lengths={"adding": (4,)},
        cells=tuple(parse_cells("rnn")),
        seeds=(0, 1),
        hidden=2,
        steps=2,
    )
    job_a, job_b = plan_sweep(settings)
    row = {c: 0 for c in ("solved", "params", "hidden", "steps")}
    row.update(wall_time=0.0, version="x", config="{}", steps_to_solve=None, metric=None,
               init=None, steps_run=None, gradflow=None)  # fmt: skip
    with Store(db) as first, Store(db) as second:
        first.check_settings({"hidden": 2})
        second.check_settings({"hidden": 3})
        assert first.add_run({**row, **key(job_a), "hidden": 2})
        with pytest.raises(ValueError, match="hidden=2 \\(file\\) vs 3 \\(now\\)"):
            second.add_run({**row, **key(job_b), "hidden": 3})
        assert [r["hidden"] for r in first.runs()] == [2]
