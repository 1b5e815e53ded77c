"""The HTML report is one self-contained file with every figure and table, and README.md has
its PNGs beside it."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import numpy as np
import pytest

from rnnlab import LSTM, RNN
from rnnlab.experiments.report import FIGURES, write_report
from rnnlab.gradflow import diagnose_layer

pytest.importorskip("matplotlib")


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def synthetic_rows() -> list[dict]:
    rng = np.random.default_rng(0)
    x, lengths = rng.standard_normal((4, 60, 2)), np.full(4, 60)
    rnn, lstm = RNN(2, 4), LSTM(2, 4)
    lstm.params["bias_hh_l0"][4:8] = 5.0  # forget gates near 1
    diags = {
        "rnn": diagnose_layer(rnn, x, lengths, None, rng),
        "lstm@chrono": diagnose_layer(lstm, x, lengths, None, rng),
    }
    rows = []
    for task in ("adding", "temporal_order"):
        for length in (10, 50, 100):
            for cell in diags:
                for seed in range(3):
                    solved = cell != "rnn" or length == 10
                    record = {"init": diags[cell], "trained": diags[cell]}
                    rows.append(
                        {
                            "task": task,
                            "length": length,
                            "cell": cell,
                            "seed": seed,
                            "solved": int(solved),
                            "steps_to_solve": 50 * length if solved else None,
                            "metric": 0.01,
                            "params": 100,
                            "hidden": 4,
                            "wall_time": 1.5,
                            "version": "test",
                            "gradflow": json.dumps(record)
                            if (task, length, seed) == ("adding", 50, 0)
                            else None,
                        }
                    )
    return rows


def test_report_is_self_contained_and_complete(tmp_path):
    rows = synthetic_rows()
    index = write_report(rows, tmp_path)
    text = index.read_text()
    parser = Collector()
    parser.feed(text)
    tags = parser.tags

    images = [a for t, a in tags if t == "img"]
    assert len(images) == len(FIGURES)
    assert all(a["src"].startswith("data:image/png;base64,") for a in images)
    ids = {a.get("id") for _, a in tags}
    assert {"summary", "success_rate", "steps_to_solve", "gradflow", "diagnostics", "runs"} <= ids
    assert sum(t == "table" for t, _ in tags) == 3  # longest lags, diagnostics, runs
    assert sum(t == "tr" for t, _ in tags) >= len(rows) + 1  # every run has a row

    # nothing is loaded from anywhere: no external src/href, no script or stylesheet links
    for tag, attrs in tags:
        assert tag not in ("script", "link", "iframe", "object", "embed")
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not value.startswith(("http:", "https:", "//")), (tag, value)
    assert "@import" not in text and "url(" not in text

    readme = (tmp_path / "README.md").read_text()
    for name, _ in FIGURES:
        assert f"]({name})" in readme and (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    assert "longest lag solved in >= 80 % of seeds" in readme
    assert "Lags that lstm@chrono solves in >= 80 % of seeds and rnn in <= 20 %" in readme


def test_report_lists_cells_in_the_cells_order_not_by_name(tmp_path):
    # The store returns rows sorted by cell name; the report follows the sweep's --cells order.
    rows = sorted(synthetic_rows(), key=lambda r: (r["task"], r["length"], r["cell"], r["seed"]))
    assert rows[0]["cell"] == "lstm@chrono"  # by name, lstm@chrono comes first
    write_report(rows, tmp_path, settings={"cells": ["rnn", "lstm@chrono"]})
    readme = (tmp_path / "README.md").read_text()
    summary = next(line for line in readme.splitlines() if line.startswith("- adding:"))
    assert summary.index("rnn:") < summary.index("lstm@chrono:")
    diagnostics = [line.split("|")[1].strip() for line in readme.splitlines() if "| init |" in line]
    assert diagnostics == ["rnn", "lstm@chrono"]
    runs = [line.split("|")[3].strip() for line in readme.splitlines() if "| adding | 10 |" in line]
    assert runs[:3] == ["rnn"] * 3 and runs[3:] == ["lstm@chrono"] * 3


def test_the_report_opens_with_the_reading_and_why_is_parameter_matched():
    from rnnlab.commands.why import why_settings
    from rnnlab.experiments.reading import EQUATIONS, reading_lines

    assert why_settings().match_params and not why_settings(match_params=False).match_params
    rows = [
        {"task": "adding", "length": 10, "cell": c, "seed": 0, "solved": 1, "params": p,
         "hidden": h, "gradflow": None}
        for c, p, h in (("rnn", 1300, 34), ("lstm@chrono", 1297, 16))
    ]  # fmt: skip
    lines = reading_lines(rows)
    assert lines[0] == (
        "Parameters per model (recurrent layer and readout): rnn 1,300 (hidden 34); "
        "lstm@chrono 1,297 (hidden 16)."
    )
    assert lines[1:] == EQUATIONS  # no diagnostics recorded: no measured decay line
    assert "0.9^100 = 2.7e-5" in EQUATIONS[0] and f"{0.9**100:.1e}" == "2.7e-05"
