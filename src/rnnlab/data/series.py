"""Series plumbing shared by forecasting: scaling, sliding windows, multi-step forecasts.

Shapes: T time steps, D input columns (the target among them), W window, H horizon,
N windows. A window ``x[n]`` holds rows ``s .. s+W-1`` of the (scaled) table and its target
``y[n]`` the target column at rows ``s+W .. s+W+H-1``: the model reads W rows and forecasts the
next H values of one column.

Scaling is fitted on the training rows only (`Scaler.fit`), so nothing of the test period
leaks into the inputs; the same `Scaler` then maps test rows and inverts forecasts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray
# maps windows (N, W, D) in model units to forecasts (N, H) of the target in model units
Predictor = Callable[[Array], Array]


@dataclass(frozen=True)
class Scaler:
    """Per-column z-score ``(v - mean) / std`` with statistics of the training rows only."""

    mean: Array  # (D,)
    std: Array  # (D,)

    @classmethod
    def fit(cls, train: Array) -> Scaler:
        train = np.asarray(train, dtype=np.float64)
        if train.ndim != 2 or len(train) < 2:
            raise ValueError(f"train: expected (T >= 2, D) rows, got shape {train.shape}")
        std = train.std(axis=0)
        return cls(train.mean(axis=0), np.where(std > 0, std, 1.0))  # constant column: shift only

    def transform(self, values: Array) -> Array:
        return (np.asarray(values, dtype=np.float64) - self.mean) / self.std

    def inverse(self, values: Array, column: int) -> Array:
        """Model units of one column back to the data's units."""
        return np.asarray(values) * self.std[column] + self.mean[column]

    def to_dict(self) -> dict[str, list[float]]:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_dict(cls, data: dict[str, list[float]]) -> Scaler:
        return cls(np.asarray(data["mean"], dtype=np.float64), np.asarray(data["std"]))


def check_horizon(horizon: object) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueError(f"horizon: expected a positive integer, got {horizon!r}")
    return int(horizon)


def sliding_windows(
    table: Array, target: int, window: int, horizon: int = 1, ends: Array | None = None
) -> tuple[Array, Array]:
    """Every window of ``table`` (T, D) and the next ``horizon`` values of column ``target``.

    ``ends`` selects the windows by the row of their first forecast (``s + W``); by default
    every row from W to T - H. Returns x (N, W, D) and y (N, H).
    """
    table = np.asarray(table, dtype=np.float64)
    horizon = check_horizon(horizon)
    if table.ndim != 2:
        raise ValueError(f"table: expected (T, D), got shape {table.shape}")
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < 1:
        raise ValueError(f"window: expected a positive integer, got {window!r}")
    if ends is None:
        ends = np.arange(window, len(table) - horizon + 1)
    ends = np.asarray(ends, dtype=np.int64)
    if len(ends) == 0 or ends.min() < window or ends.max() + horizon > len(table):
        raise ValueError(
            f"window: {window} rows before and {horizon} after each forecast do not fit "
            f"in {len(table)} rows"
        )
    rows = ends[:, None] + np.arange(-window, 0)[None, :]  # (N, W)
    future = ends[:, None] + np.arange(horizon)[None, :]  # (N, H)
    return table[rows], table[future, target]


def recursive_forecast(predict: Predictor, history: Array, steps: int) -> Array:
    """``steps`` values after ``history`` (W, 1) from a one-step predictor, each forecast fed
    back as the newest input. Univariate only: the other columns would need forecasts too."""
    history = np.asarray(history, dtype=np.float64)
    if history.ndim != 2 or history.shape[1] != 1:
        raise ValueError(
            "recursive forecasts need a univariate series (one column); use direct forecasts "
            "with --features"
        )
    steps = check_horizon(steps)
    window = history.copy()
    out = np.empty(steps)
    for k in range(steps):
        out[k] = np.asarray(predict(window[None]))[0, 0]
        window = np.concatenate([window[1:], [[out[k]]]])
    return out


def direct_forecast(predict: Predictor, history: Array, steps: int) -> Array:
    """``steps`` values after ``history`` (W, D) from one call of a model trained to output
    all of them at once (its horizon must be at least ``steps``)."""
    steps = check_horizon(steps)
    out = np.asarray(predict(np.asarray(history, dtype=np.float64)[None]))[0]
    if len(out) < steps:
        raise ValueError(f"horizon: the model forecasts {len(out)} steps, asked for {steps}")
    return out[:steps]


def rmse(forecast: Array, actual: Array) -> float:
    return float(np.sqrt(np.mean((np.asarray(forecast) - np.asarray(actual)) ** 2)))


def mae(forecast: Array, actual: Array) -> float:
    return float(np.mean(np.abs(np.asarray(forecast) - np.asarray(actual))))
