"""rnnlab compare --datasets: matched parameters, a time budget, rows and curves in SQLite,
the report's table beside the baselines."""

from __future__ import annotations

import json
import sqlite3

from rnnlab.cli import main


def test_compare_a_text_file_across_cells(tmp_path, capsys) -> None:
    text = tmp_path / "t.txt"
    text.write_text("O Romeo, Romeo! wherefore art thou Romeo?\n" * 150)
    db, out = tmp_path / "runs.sqlite", tmp_path / "report"
    flags = ["compare", "--datasets", str(text), "--cells", "rnn,lstm", "--match-params",
             "--minutes", "0.005", "--hidden", "8", "--batch", "4", "--db", str(db),
             "--out", str(out), "--workers", "1", "--no-progress"]  # fmt: skip
    assert main(flags) == 0
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT task, length, cell, params, hidden, curve FROM runs").fetchall()
    assert sorted(r[2] for r in rows) == ["lstm", "rnn"]
    by_cell = {r[2]: r for r in rows}
    assert by_cell["lstm"][4] == 8 and by_cell["rnn"][4] > 8  # the RNN widened to match
    assert abs(by_cell["rnn"][3] - by_cell["lstm"][3]) < 0.1 * by_cell["lstm"][3]
    curve = json.loads(by_cell["rnn"][5])
    assert curve["stopped"] == "minutes" and {"unigram", "kn7"} <= set(curve["baselines"])
    assert all("wall_time" in p and "test_loss" in p for p in curve["history"])
    readme = (out / "README.md").read_text()
    assert "kn7 (baseline)" in readme and "| rnn |" in readme.replace(str(text), "x")
    assert (out / "data_curves.png").stat().st_size > 1000
    html = (out / "index.html").read_text()
    assert "data:image/png;base64" in html and "http" not in html
    assert main(flags) == 0  # a rerun trains nothing: both rows are there
    assert "0 to train" in capsys.readouterr().err


def _data_row(task: str, cell: str, seed: int, metric: float, better: str) -> dict:
    curve = {
        "baselines": {"logistic": 0.95, "majority": 0.1},
        "metric_info": {"name": "accuracy", "unit": "fraction correct", "better": better},
        "history": [{"step": 10, "test_loss": 0.5, "test_metric": metric, "wall_time": 1.0}],
    }
    return {
        "task": task,
        "cell": cell,
        "seed": seed,
        "metric": metric,
        "hidden": 8,
        "params": 1234,
        "steps_run": 10,
        "wall_time": 2.0 + seed,
        "curve": json.dumps(curve),
    }


def test_the_data_table_gives_each_cell_its_mean_seeds_and_the_baselines_it_beats() -> None:
    from rnnlab.experiments.curves import TABLE_HEADER, table_rows

    rows = [_data_row("digits", "lstm", s, m, "higher") for s, m in ((0, 0.97), (1, 0.96))]
    rows += [_data_row("digits", "rnn", 0, 0.90, "higher")]
    table = [dict(zip(TABLE_HEADER, line, strict=True)) for line in table_rows(rows)]
    lstm, rnn, *baselines = table
    assert lstm["metric"] == "accuracy (fraction correct)" and lstm["seeds"] == "2"
    assert lstm["mean"] == "0.965" and lstm["each seed"] == "0.970, 0.960"
    assert lstm["beats"] == "logistic, majority" and lstm["wall s (max)"] == "3"
    assert rnn["beats"] == "majority; not logistic"  # a loss is named, never dropped
    assert [b["cell"] for b in baselines] == ["logistic (baseline)", "majority (baseline)"]
    lower = [_data_row("digits", "lstm", 0, 0.5, "lower")]  # e.g. an RMSE: lower is better
    assert table_rows(lower)[0][-1] == "logistic; not majority"  # 0.5 < 0.95, not < 0.1
