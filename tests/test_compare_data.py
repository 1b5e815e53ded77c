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
