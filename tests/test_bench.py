"""`rnnlab bench` machinery on a tiny grid: the JSON and table structure, never timings."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

import rnnlab.bench as bench  # noqa: E402
from rnnlab import backend  # noqa: E402
from rnnlab.bench import cases, grid  # noqa: E402
from rnnlab.bench.report import COLUMNS, format_compile  # noqa: E402
from rnnlab.cli import main  # noqa: E402

TINY = ((2, 5, 4),)
ROW_KEYS = {
    "cell", "mode", "batch", "time", "hidden", "backend", "rounds", "ratio", "ratio_q1",
    "ratio_q3", "torch_ms", "rnnlab_ms", "torch_seq_s", "rnnlab_seq_s", "gflop", "torch_gflops",
    "rnnlab_gflops", "probe_gflops", "torch_peak_frac", "rnnlab_peak_frac", "target",
    "meets_target", "peak_target", "meets_peak_target", "max_rel_diff",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _restore_threads():
    # The benchmark sets torch's and rnnlab's thread counts; later tests keep their own.
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)
    backend.set_num_threads(before)


def test_run_benchmark_rows_and_table() -> None:
    lines: list[str] = []
    out = bench.run_benchmark(
        threads=1, rounds=2, shapes=TINY, compile_time=False, min_seconds=0.0, warmup=1,
        print_fn=lines.append,
    )  # fmt: skip
    json.loads(json.dumps(out))  # every number is plain JSON
    assert out["compile"] is None
    assert out["meta"]["threads"] == 1 and out["meta"]["rounds"] == 2
    # The host is named beyond its marketing name: ratios against oneDNN depend on the ISA.
    assert {"cpu_family", "cpu_model", "cpu_arch", "vector_isa"} <= out["meta"].keys()
    assert out["meta"]["cpu_arch"]
    rows = out["rows"]
    assert [(r["cell"], r["mode"]) for r in rows] == [
        ("lstm", "train"), ("gru", "train"), ("rnn", "train"), ("lstm", "infer"),
    ]  # fmt: skip
    for r in rows:
        assert set(r) == ROW_KEYS
        assert r["rounds"] == 2
        assert (r["batch"], r["time"], r["hidden"]) == TINY[0]
        assert r["backend"] in ("fast", "reference")
        assert r["ratio_q1"] <= r["ratio"] <= r["ratio_q3"]
        assert r["target"] is None and r["meets_target"] is None  # off the issue's grid
        assert max(r["max_rel_diff"].values()) <= cases.TOLERANCE
    assert set(rows[0]["max_rel_diff"]) == {
        "y", "dx", "dweight_ih_l0", "dweight_hh_l0", "dbias_ih_l0", "dbias_hh_l0",
    }  # fmt: skip
    assert set(rows[3]["max_rel_diff"]) == {"y"}
    head = next(i for i, line in enumerate(lines) if line.split()[:2] == ["cell", "mode"])
    assert all(name in lines[head] for name, _ in COLUMNS)
    table = lines[head + 1 : head + 1 + len(rows)]
    for line, r in zip(table, rows, strict=True):
        fields = line.split()
        assert fields[:5] == [r["cell"], r["mode"], "2", "5", "4"]
        assert fields[6] == f"{r['ratio']:.2f}"
    assert "targeted rows" in lines[-1]


def test_cli_writes_json(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(bench, "QUICK_SHAPES", TINY)
    path = tmp_path / "bench.json"
    argv = ["bench", "--quick", "--no-compile", "--no-infer", "--cells", "rnn", "--rounds", "2"]
    assert main([*argv, "--json", str(path)]) == 0
    out = json.loads(path.read_text())
    assert out["meta"]["quick"] is True
    assert [(r["cell"], r["mode"]) for r in out["rows"]] == [("rnn", "train")]
    assert out["rows"][0]["rounds"] >= 2
    assert "rnn  train" in capsys.readouterr().out


def test_cli_rejects_unknown_cell(capsys) -> None:
    assert main(["bench", "--cells", "lstm,transformer", "--no-compile"]) == 2
    assert "cells" in capsys.readouterr().err


def test_cli_shapes_selects_points(tmp_path, capsys) -> None:
    path = tmp_path / "bench.json"
    argv = ["bench", "--no-compile", "--no-infer", "--cells", "gru", "--rounds", "1"]
    assert main([*argv, "--shapes", "2x5x4, 1x3x4", "--json", str(path)]) == 0
    rows = json.loads(path.read_text())["rows"]
    assert [(r["batch"], r["time"], r["hidden"]) for r in rows] == [(2, 5, 4), (1, 3, 4)]


@pytest.mark.parametrize("text", ["32x100", "0x10x4", "axbxc", ","])
def test_cli_rejects_bad_shapes(text, capsys) -> None:
    assert main(["bench", "--shapes", text, "--no-compile"]) == 2
    assert "shapes" in capsys.readouterr().err


def test_disagreement_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(cases, "TOLERANCE", -1.0)
    with pytest.raises(ValueError, match="disagree"):
        cases.build(cases.Point("lstm", "train", 2, 3, 4))


def test_targets_and_flops() -> None:
    P = cases.Point
    assert grid.target(P("lstm", "train", 32, 100, 32), 1) == 1.5
    assert grid.target(P("lstm", "train", 1, 1000, 64), 1) == 1.8
    assert grid.target(P("lstm", "train", 128, 200, 128), 1) == 1.3
    assert grid.target(P("lstm", "train", 32, 100, 256), 1) == 1.0
    assert grid.target(P("gru", "train", 32, 100, 64), 1) == 3.0
    assert grid.target(P("rnn", "train", 1, 1000, 64), 1) == 25.0
    assert grid.target(P("rnn", "train", 128, 200, 128), 1) == 1.15
    assert grid.target(P("lstm", "infer", 32, 100, 32), 1) is None
    assert grid.target(P("gru", "train", 32, 100, 512), 2) == 0.8
    assert grid.peak_target(P("gru", "train", 32, 100, 256), 1) == 0.7
    assert grid.peak_target(P("gru", "train", 32, 100, 128), 1) is None
    # forward 2*T*N*(D+H)*G*H, backward twice that
    assert P("lstm", "train", 32, 100, 64).flops == 3 * 2 * 100 * 32 * 128 * 4 * 64
    assert P("rnn", "infer", 1, 10, 8).flops == 2 * 10 * 1 * 16 * 1 * 8
    assert len(grid.points()) == 3 * 7 + 7


def test_format_compile() -> None:
    cell = {"first_s": 3.0, "second_s": 0.5, "fast": True}
    run = {"import_s": 0.4, "cells": {"lstm": cell}, "cache_hits": 0, "cache_misses": 2}
    cached = {**run, "cache_hits": 2, "cache_misses": 0}
    info = {"first": run, "second": cached, "compile_s": 2.5, "cached_load_s": 0.1}
    first, second = format_compile(info)
    assert "2.5 s" in first and "lstm 2.50 s" in first and "2 kernels compiled" in first
    assert "2 kernels loaded from the cache, 0 compiled" in second
    assert format_compile(None) == ["compile time: not measured (--no-compile)"]
