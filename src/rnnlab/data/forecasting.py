"""Forecasting datasets: sunspots, CO2 and a user's CSV, learnt many-to-one on sliding windows.

A window of W rows (every column, scaled with training statistics) is read by the recurrent
layer; the readout at its last step gives the next H values of the target column (H = 1:
one step; H > 1: a direct multi-step model). Training windows have inputs and targets in the
training rows; each test row t is forecast from the observed rows t-W .. t-1 (one step ahead
with the actual history, the protocol of Zhang 2003), which may reach back into training.
The headline metric is that one-step RMSE in the data's units; the baselines (persistence,
seasonal naive, AR(p)) are scored on the same test rows (`forecast_baselines`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..tasks.base import Batch
from .base import Dataset, Metric, Source
from .fixed import FixedSetProblem, Shape
from .forecast_baselines import forecast_baselines
from .forecast_frame import ForecastFrame
from .packages import package_file
from .series import check_horizon, mae, rmse
from .series_files import Series, read_co2, read_csv_series, read_sunspots

if TYPE_CHECKING:
    from ..training.config import TrainConfig

STATSMODELS = "statsmodels==0.15.0 (installed --no-deps)"
# The readout also reads the last input (a linear path: the level the series is at), so the
# recurrent part models the change; this extrapolates past the training range (sunspots 1957).
FORECAST_DEFAULTS: dict[str, Any] = {"hidden": 32, "steps": 300, "batch": 32, "lr": 0.003,
                                     "eval_every": 50, "input_to_output": True}  # fmt: skip


@dataclass(frozen=True)
class Split:
    """Rows before ``train_end`` are training; ``test`` are the rows forecast for the test;
    ``periods`` name sub-ranges of the test rows that get their own RMSE."""

    train_end: int
    test: np.ndarray
    periods: dict[str, np.ndarray]


@dataclass(frozen=True)
class ForecastDataset(Dataset):
    """A series, its split and its season. Subclasses give `series` and `split_rows`."""

    window: int = 12
    horizon: int = 1
    season: int | None = None
    difference: bool = False

    kind: ClassVar[str] = "forecast"
    metric: ClassVar[Metric] = Metric("rmse (one step)", "the target's units", True)
    baseline_names: ClassVar[tuple[str, ...]] = ("persistence", "seasonal_naive", "ar")
    defaults: ClassVar[dict[str, Any]] = FORECAST_DEFAULTS

    def __post_init__(self) -> None:
        check_horizon(self.horizon)
        if self.season is not None and (not isinstance(self.season, int) or self.season < 1):
            raise ValueError(f"season: expected a positive integer, got {self.season!r}")
        if isinstance(self.window, bool) or not isinstance(self.window, int) or self.window < 1:
            raise ValueError(f"window: expected a positive integer, got {self.window!r}")

    def series(self) -> Series:
        raise NotImplementedError

    def split_rows(self, series: Series) -> Split:
        raise NotImplementedError

    def checked_split(self, series: Series) -> Split:
        """The split, checked: W + H rows fit in the training part, every test row has W
        rows before it, and the horizon fits after the last test row."""
        split = self.split_rows(series)
        W, H = self.window + int(self.difference), self.horizon
        if split.train_end - W - H + 1 < 1:
            raise ValueError(
                f"window: {self.window} rows plus a horizon of {H} do not fit the "
                f"{split.train_end} training rows; give a smaller --window (or --horizon)"
            )
        test = split.test[split.test + H <= len(series.table)]
        if len(test) == 0:
            raise ValueError(f"horizon: {H} steps run past the end of the series")
        periods = {k: v[np.isin(v, test)] for k, v in split.periods.items()}
        return Split(split.train_end, test, periods)

    def sizes(self) -> dict[str, int]:
        split = self.checked_split(self.series())
        return {"train": split.train_end, "test": len(split.test)}

    def baseline_figures(self) -> dict[str, float]:
        series = self.series()
        split = self.checked_split(series)
        y = series.table[:, series.target]
        found = forecast_baselines(y, split.train_end, split.test, self.season, self.window)
        return {name: v["rmse"] for name, v in found.items()}

    def problem(self, config: TrainConfig) -> FixedSetProblem:
        return forecast_problem(self, config)


def frame_of(dataset: ForecastDataset, series: Series, split: Split) -> ForecastFrame:
    table, W, H = series.table, dataset.window, dataset.horizon
    return ForecastFrame.fit(table, series.target, W, H, dataset.difference, split.train_end)


def forecast_problem(dataset: ForecastDataset, config: TrainConfig) -> FixedSetProblem:
    series = dataset.series()
    split = dataset.checked_split(series)
    frame = frame_of(dataset, series, split)
    W, H, target = dataset.window, dataset.horizon, series.target
    x, y = frame.windows(np.arange(frame.first_trainable(), split.train_end - H + 1))
    x_test, y_test = frame.windows(split.test)
    train, test = (Batch(a, b, np.full(len(a), W)) for a, b in ((x, y), (x_test, y_test)))
    actual = series.table[:, target]

    def score(output: np.ndarray, batch: Batch) -> dict[str, float]:
        forecasts = frame.levels(output, split.test)
        one_step = forecasts[:, 0]
        metrics = {"metric": rmse(one_step, actual[split.test]),
                   "mae": mae(one_step, actual[split.test])}  # fmt: skip
        for name, rows in split.periods.items():
            keep = np.isin(split.test, rows)
            metrics[f"rmse_{name}"] = rmse(one_step[keep], actual[rows])
        if H > 1:
            metrics[f"rmse_h{H}"] = rmse(forecasts[:, -1], actual[split.test + H - 1])
        return metrics

    record = {
        "window": W, "horizon": H, "columns": list(series.columns), "target": target,
        "train": [series.times[0], series.times[split.train_end - 1]],
        "test": [series.times[split.test[0]], series.times[split.test[-1]]],
        "train_rows": split.train_end, "test_rows": len(split.test),
        "filled_values": int(series.filled.sum()), "difference": dataset.difference,
        "scaler": frame.scaler.to_dict(),
    }  # fmt: skip

    def result() -> dict[str, Any]:
        details = forecast_baselines(actual, split.train_end, split.test, dataset.season, W)
        for name, rows in split.periods.items():
            found = forecast_baselines(actual, split.train_end, rows, dataset.season, W)
            for base, value in found.items():
                details[base][f"rmse_{name}"] = value["rmse"]
        return {
            "data": config.data, "kind": dataset.kind, "split_info": record,
            "metric_info": dataset.metric.as_dict(),
            "baselines": {name: v["rmse"] for name, v in details.items()},
            "baseline_details": details,
        }  # fmt: skip

    shape = Shape(series.table.shape[1], H, "many_to_one", "mse", W)
    label = config.data or dataset.name
    return FixedSetProblem(label, shape, train, test, score, result, {"split.json": record})


def _rows_between(times: tuple[str, ...], first: str, last: str) -> np.ndarray:
    """Rows whose time label lies in [first, last] (labels compare as text: years, ISO dates)."""
    return np.array([i for i, t in enumerate(times) if first <= t <= last], dtype=np.int64)


@dataclass(frozen=True)
class Sunspots(ForecastDataset):
    window: int = 12
    season: int | None = 11

    name: ClassVar[str] = "sunspots"
    description: ClassVar[str] = "yearly mean sunspot number 1700-2008 (SILSO v1)"
    split: ClassVar[str] = (
        "train 1700-1920, one-step test 1921-1987 (and 1921-1955), Zhang (2003)"
    )
    source: ClassVar[Source] = Source("statsmodels", "0.15.0", "BSD-3; data public domain",
                                      "datasets/sunspots/sunspots.csv")  # fmt: skip
    metric: ClassVar[Metric] = Metric("rmse (one step)", "sunspot number", True)

    def __post_init__(self) -> None:
        super().__post_init__()
        package_file("statsmodels", "datasets/sunspots/sunspots.csv", self.name)

    def series(self) -> Series:
        return read_sunspots()

    def split_rows(self, series: Series) -> Split:
        test = _rows_between(series.times, "1921", "1987")
        short = _rows_between(series.times, "1921", "1955")
        return Split(int(test[0]), test, {"1921_1955": short})


@dataclass(frozen=True)
class CO2(ForecastDataset):
    window: int = 52
    season: int | None = 52
    difference: bool = True

    name: ClassVar[str] = "co2"
    description: ClassVar[str] = (
        "weekly CO2 at Mauna Loa 1958-2001 (59 empty weeks linearly interpolated)"
    )
    split: ClassVar[str] = "train to 1997-12, one-step test 1998-01 to 2001-12"
    source: ClassVar[Source] = Source("statsmodels", "0.15.0", "BSD-3; data public domain",
                                      "datasets/co2/co2.csv")  # fmt: skip
    metric: ClassVar[Metric] = Metric("rmse (one step)", "ppm", True)

    def __post_init__(self) -> None:
        super().__post_init__()
        package_file("statsmodels", "datasets/co2/co2.csv", self.name)

    def series(self) -> Series:
        return read_co2()

    def split_rows(self, series: Series) -> Split:
        test = _rows_between(series.times, "1998-01-01", "2001-12-31")
        return Split(int(test[0]), test, {})


@dataclass(frozen=True)
class CsvSeries(ForecastDataset):
    """A user's CSV: ``target`` forecast from itself and ``features``; the last
    ``test_fraction`` of the rows is the test period."""

    path: str = ""
    target: str = ""
    features: str = ""  # comma-separated column names
    time: str | None = None
    test_fraction: float = 0.2

    name: ClassVar[str] = "csv"
    description: ClassVar[str] = "your own CSV (--data FILE.csv --target COLUMN [--features A,B])"
    split: ClassVar[str] = "the last 20 % of the rows is the test period (--test-fraction)"
    source: ClassVar[Source] = Source("", "", "", "a CSV file of yours")

    def __post_init__(self) -> None:
        super().__post_init__()
        if not Path(self.path).is_file():
            raise ValueError(f"data: no such file {self.path!r}; expected a CSV file")
        if not 0 < self.test_fraction < 1:
            raise ValueError(
                f"test_fraction: expected a number in (0, 1), got {self.test_fraction!r}"
            )

    def series(self) -> Series:
        features = [f.strip() for f in self.features.split(",") if f.strip()]
        return read_csv_series(self.path, self.target, features, self.time)

    def split_rows(self, series: Series) -> Split:
        T = len(series.table)
        train_end = T - max(1, round(self.test_fraction * T))
        return Split(train_end, np.arange(train_end, T), {})
