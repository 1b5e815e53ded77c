"""`ForecastFrame`: what a forecasting model reads and predicts, and the way back to the data.

The model table is the data table (T, D), or with ``difference`` its first differences
``d[i] = v[i+1] - v[i]`` (T-1 rows: what ARIMA's d = 1 does, so a trending series such as CO2
need not be extrapolated past its training range), z-scored with statistics of the training
rows only. ``offset`` (0, or 1 with differences) maps a data row t to model row t - offset.

Forecasting data row t (and the H - 1 rows after it) reads model rows t - offset - W ..
t - offset - 1, all observed before t. Back to the data's units: the inverse scaling, then,
with differences, ``v[t-1] + cumsum(d_hat)`` (the last observed level plus the changes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .series import Scaler, direct_forecast, recursive_forecast, sliding_windows

Array = np.ndarray


@dataclass(frozen=True)
class ForecastFrame:
    table: Array  # (T, D) in the data's units
    target: int
    window: int
    horizon: int
    difference: bool
    scaler: Scaler  # of the model table's training rows

    @classmethod
    def fit(
        cls, table: Array, target: int, window: int, horizon: int, difference: bool,
        train_end: int,
    ) -> ForecastFrame:  # fmt: skip
        """The frame whose scaler sees the rows before ``train_end`` only."""
        raw = np.diff(table, axis=0) if difference else table
        scaler = Scaler.fit(raw[: train_end - int(difference)])
        return cls(table, target, window, horizon, difference, scaler)

    @property
    def offset(self) -> int:
        return int(self.difference)

    def model_table(self) -> Array:
        raw = np.diff(self.table, axis=0) if self.difference else self.table
        return self.scaler.transform(raw)

    def first_trainable(self) -> int:
        """The first data row with a full window before it."""
        return self.window + self.offset

    def windows(self, rows: Array) -> tuple[Array, Array]:
        """Inputs (N, W, D) and scaled targets (N, H) for forecasts starting at data ``rows``."""
        ends = np.asarray(rows, dtype=np.int64) - self.offset
        return sliding_windows(self.model_table(), self.target, self.window, self.horizon, ends)

    def levels(self, output: Array, rows: Array) -> Array:
        """Model outputs (N, h) for forecasts starting at data ``rows`` -> data units (N, h)."""
        values = self.scaler.inverse(np.asarray(output), self.target)
        if not self.difference:
            return values
        last = self.table[np.asarray(rows) - 1, self.target]
        return last[:, None] + np.cumsum(values, axis=1)

    def forecast(
        self, predict: Callable[[Array], Array], origin: int, steps: int, recursive: bool
    ) -> Array:
        """``steps`` values from data row ``origin`` on, reading only rows before it:
        recursively (one-step model, its forecasts fed back) or directly (one call)."""
        if origin < self.first_trainable() or origin > len(self.table):
            raise ValueError(
                f"origin: a forecast from row {origin} needs {self.first_trainable()} rows "
                f"before it, within the {len(self.table)} of the series"
            )
        model = self.model_table()
        history = model[origin - self.offset - self.window : origin - self.offset]
        if recursive:
            scaled = recursive_forecast(predict, history, steps)
        else:
            scaled = direct_forecast(predict, history, steps)
        return self.levels(scaled[None], np.array([origin]))[0]
