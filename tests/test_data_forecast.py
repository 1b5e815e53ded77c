"""Forecasting data: the shipped series and their splits, scaling with training statistics,
sliding windows, the AR(p) baseline, recursive and direct multi-step forecasts, a user's CSV
end to end, and bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.data import make_dataset
from rnnlab.data.forecast_baselines import choose_ar, fit_ar, forecast_baselines, lag_matrix
from rnnlab.data.series import (
    Scaler,
    direct_forecast,
    recursive_forecast,
    sliding_windows,
)
from rnnlab.data.series_files import read_co2, read_sunspots


def _config(data: str) -> SimpleNamespace:
    return SimpleNamespace(data=data)


def test_sunspots_file_and_zhang_split() -> None:
    series = read_sunspots()
    assert series.table.shape == (309, 1)
    assert (series.times[0], series.times[-1]) == ("1700", "2008")
    assert series.table[0, 0] == 5.0 and series.table[-1, 0] == 2.9
    dataset = make_dataset("sunspots")
    split = dataset.checked_split(series)
    assert split.train_end == 221 and series.times[split.train_end - 1] == "1920"
    assert [series.times[i] for i in split.test[[0, -1]]] == ["1921", "1987"]
    assert len(split.test) == 67 and len(split.periods["1921_1955"]) == 35
    assert split.test.min() >= split.train_end  # no test row is a training row
    assert dataset.sizes() == {"train": 221, "test": 67}


def test_co2_file_fills_the_empty_weeks_before_the_test() -> None:
    series = read_co2()
    assert series.table.shape == (2284, 1)
    assert (series.times[0], series.times[-1]) == ("1958-03-29", "2001-12-29")
    assert int(series.filled.sum()) == 59 and np.isfinite(series.table).all()
    split = make_dataset("co2").checked_split(series)
    assert series.times[split.test[0]] == "1998-01-03" and len(split.test) == 209
    assert series.times[split.train_end - 1] < "1998-01-01"
    assert not series.filled[split.test].any()  # every test value was observed
    filled = np.nonzero(series.filled)[0]
    i = filled[0]  # an interpolated week lies between its observed neighbours
    assert min(series.table[i - 1, 0], series.table[i + 1, 0]) <= series.table[i, 0]


def test_scaler_uses_the_training_rows_only(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    y = np.sin(np.arange(100) / 3) + rng.normal(0, 0.1, 100)

    def problem(values: np.ndarray):
        path = tmp_path / "s.csv"
        path.write_text("y\n" + "\n".join(map(str, values)) + "\n")
        return make_dataset(str(path), target="y", window=5).problem(_config(str(path)))

    before = problem(y)
    changed = y.copy()
    changed[80:] = 1000.0  # the test part (the last 20 %)
    after = problem(changed)
    assert before.files["split.json"]["scaler"] == after.files["split.json"]["scaler"]
    assert np.array_equal(before.train.x, after.train.x)
    scaler = Scaler.fit(y[:80, None])
    assert before.files["split.json"]["scaler"] == scaler.to_dict()


def test_sliding_windows_read_w_rows_before_each_forecast() -> None:
    table = np.arange(20.0).reshape(10, 2)
    x, y = sliding_windows(table, target=1, window=3, horizon=2)
    assert x.shape == (6, 3, 2) and y.shape == (6, 2)
    assert np.array_equal(x[0], table[0:3]) and np.array_equal(y[0], table[3:5, 1])
    with pytest.raises(ValueError, match="window: 12 rows"):
        sliding_windows(table, 0, 12)


def test_ar_baseline_is_numpy_lstsq() -> None:
    rng = np.random.default_rng(1)
    y = np.zeros(300)
    for t in range(2, 300):
        y[t] = 1.0 + 0.6 * y[t - 1] - 0.3 * y[t - 2] + rng.normal()
    rows = np.arange(4, 300)
    design = np.column_stack([np.ones(len(rows))] + [y[rows - k] for k in range(1, 5)])
    expected, *_ = np.linalg.lstsq(design, y[rows], rcond=None)
    assert np.allclose(fit_ar(y, 4).coef, expected, rtol=0, atol=1e-12)
    assert np.array_equal(lag_matrix(y, 4, rows), design)
    assert choose_ar(y, 8).order == 2  # AIC finds the order that generated the series
    found = forecast_baselines(y, 200, np.arange(200, 300), season=None, max_order=8)
    assert found["persistence"]["rmse"] == pytest.approx(
        np.sqrt(np.mean((y[199:299] - y[200:300]) ** 2))
    )
    assert found["ar"]["rmse"] < found["persistence"]["rmse"]


def _exact_linear_series(n: int) -> np.ndarray:
    """y_t = 0.5 + 1.6 y_{t-1} - 0.8 y_{t-2}: a damped oscillation an AR(2) fits exactly."""
    y = np.zeros(n)
    y[:2] = (1.0, 2.0)
    for t in range(2, n):
        y[t] = 0.5 + 1.6 * y[t - 1] - 0.8 * y[t - 2]
    return y


def test_recursive_and_direct_forecasts_on_an_exactly_linear_series() -> None:
    y = _exact_linear_series(80)
    train, future = y[:60], y[60:72]
    x, targets = sliding_windows(train[:, None], 0, window=2, horizon=12)
    design = np.column_stack([np.ones(len(x)), x[:, :, 0]])  # (N, 1 + W)
    direct, *_ = np.linalg.lstsq(design, targets, rcond=None)  # one linear map per step ahead

    def one_step(windows: np.ndarray) -> np.ndarray:
        return (np.column_stack([np.ones(len(windows)), windows[:, :, 0]]) @ direct)[:, :1]

    def all_steps(windows: np.ndarray) -> np.ndarray:
        return np.column_stack([np.ones(len(windows)), windows[:, :, 0]]) @ direct

    history = train[-2:, None]
    assert np.allclose(recursive_forecast(one_step, history, 12), future, atol=1e-8)
    assert np.allclose(direct_forecast(all_steps, history, 12), future, atol=1e-8)
    assert np.allclose(direct_forecast(all_steps, history, 5), future[:5], atol=1e-8)
    with pytest.raises(ValueError, match="horizon: the model forecasts 12 steps, asked for 13"):
        direct_forecast(all_steps, history, 13)
    with pytest.raises(ValueError, match="univariate"):
        recursive_forecast(one_step, np.zeros((2, 2)), 3)


def _write_csv(path: Path, n: int = 120) -> Path:
    t = np.arange(n)
    rng = np.random.default_rng(0)
    y = 10 + np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.1, n)
    x = np.cos(2 * np.pi * t / 12)
    rows = zip(t, y, x, strict=True)
    lines = ["date,y,x"] + [f"2000-{i:04d},{a:.5f},{b:.5f}" for i, a, b in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_user_csv_trains_end_to_end(tmp_path: Path, capsys) -> None:
    path = _write_csv(tmp_path / "series.csv")
    out = tmp_path / "run"
    argv = ["train", "--data", str(path), "--target", "y", "--time", "date",
            "--window", "12", "--steps", "30", "--eval-every", "10", "--quiet", "--out", str(out)]
    assert main(argv) == 0
    result = json.loads((out / "result.json").read_text())
    assert result["kind"] == "forecast" and result["split_info"]["test_rows"] == 24
    assert result["split_info"]["columns"] == ["y"]
    assert result["split_info"]["test"] == ["2000-0096", "2000-0119"]
    assert set(result["baselines"]) == {"persistence", "ar"}
    assert np.isfinite(result["metric"]) and result["params"] > 0
    assert (out / "split.json").exists() and (out / "params.npz").exists()
    capsys.readouterr()
    png = tmp_path / "f.png"
    assert main(["forecast", "--run", str(out), "--horizon", "6", "--plot", str(png)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "(direct)" not in lines[0] and "(recursive)" in lines[0]  # trained one step ahead
    rows = [line.split("\t") for line in lines[2:8]]
    assert [r[0] for r in rows] == [f"2000-{i:04d}" for i in range(96, 102)]
    assert all(np.isfinite(float(r[1])) for r in rows)
    assert png.stat().st_size > 1000 and (out / "forecast.png").exists()


def test_direct_multi_step_with_features(tmp_path: Path, capsys) -> None:
    path = _write_csv(tmp_path / "series.csv")
    out = tmp_path / "run"
    assert main(["train", "--data", str(path), "--target", "y", "--features", "x", "--window",
                 "12", "--horizon", "4", "--steps", "20", "--quiet", "--out", str(out)]) == 0
    result = json.loads((out / "result.json").read_text())
    assert result["split_info"]["columns"] == ["y", "x"] and "rmse_h4" in result["test"]
    assert result["split_info"]["test_rows"] == 21  # the last 3 test rows lack 4 steps ahead
    assert main(["forecast", "--run", str(out), "--horizon", "4"]) == 0
    assert "(direct)" in capsys.readouterr().out
    assert main(["forecast", "--run", str(out), "--horizon", "5"]) == 2  # recursive: 2 columns
    assert "univariate" in capsys.readouterr().err


BAD_CSV = [
    ("y\n1\n2\n3\n", ["--target", "z"], "target: no column 'z'"),
    ("y\n1\n2\nabc\n", ["--target", "y"], "target: column 'y' of .* is not numeric \\(data row 3"),
    ("y\n1\n\n2\nnan\n5\n" + "1\n" * 20, ["--target", "y"], "missing or NaN value.*row.* 3"),
    ("y\n" + "1\n" * 10, ["--target", "y", "--window", "12"], "window: 12 rows plus a horizon"),
    ("y\n" + "1\n" * 40, ["--target", "y", "--horizon", "0"], "horizon: expected a positive"),
]


@pytest.mark.parametrize(("content", "flags", "message"), BAD_CSV)
def test_bad_csv_is_one_line_and_writes_nothing(tmp_path, capsys, content, flags, message) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    argv = ["train", "--data", str(path), *flags, "--steps", "5", "--quiet", "--out", str(out)]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("rnnlab train: error: ")
    assert re.search(message, err), err
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
