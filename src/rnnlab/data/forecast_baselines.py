"""The forecasts an RNN must beat, computed on the same split: persistence, seasonal naive,
and a least-squares autoregression AR(p) whose order is chosen on the training part.

All three are one-step-ahead with the actual history, like the RNN's test: the forecast of
row t reads the observed rows before t (which may lie in the test period), never its own
earlier forecasts. ``y`` is the target column in the data's units; ``ends`` the test rows.

AR(p), with rows t = p .. T_train - 1 of the training part::

    (1) y_t = c + a_1 y_{t-1} + ... + a_p y_{t-p} + e_t
    (2) [c, a_1 .. a_p] = argmin sum_t e_t^2            (numpy.linalg.lstsq)
    (3) p = argmin_{1 <= p <= p_max} AIC(p),  AIC = n log(RSS / n) + 2 (p + 1)

every candidate fitted on the same n = T_train - p_max rows, so the RSS are comparable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .series import mae, rmse

Array = np.ndarray


def lag_matrix(y: Array, p: int, rows: Array) -> Array:
    """(len(rows), p + 1): a column of ones, then y[t-1] .. y[t-p] for each row t."""
    rows = np.asarray(rows, dtype=np.int64)
    lags = np.stack([y[rows - k] for k in range(1, p + 1)], axis=1)
    return np.concatenate([np.ones((len(rows), 1)), lags], axis=1)


@dataclass(frozen=True)
class ARModel:
    """A fitted AR(p): ``coef`` = [c, a_1, .., a_p] of (1)."""

    coef: Array

    @property
    def order(self) -> int:
        return len(self.coef) - 1

    def predict(self, y: Array, rows: Array) -> Array:
        """One-step forecasts of ``y`` at ``rows`` from the observed values before each."""
        return lag_matrix(np.asarray(y, dtype=np.float64), self.order, rows) @ self.coef  # (1)


def fit_ar(y: Array, p: int, rows: Array | None = None) -> ARModel:
    """Least-squares AR(p) on ``rows`` (default: every row t >= p of ``y``)."""
    y = np.asarray(y, dtype=np.float64)
    rows = np.arange(p, len(y)) if rows is None else np.asarray(rows)
    if len(rows) <= p + 1:
        raise ValueError(f"ar: {len(rows)} training rows cannot fit an AR({p})")
    coef, *_ = np.linalg.lstsq(lag_matrix(y, p, rows), y[rows], rcond=None)  # (2)
    return ARModel(coef)


def choose_ar(train: Array, max_order: int) -> ARModel:
    """AR(p) of the AIC-best order (3), refitted on every training row t >= p."""
    train = np.asarray(train, dtype=np.float64)
    max_order = max(1, min(max_order, len(train) // 4))
    rows = np.arange(max_order, len(train))
    n = len(rows)
    best, best_aic = 1, np.inf
    for p in range(1, max_order + 1):
        model = fit_ar(train, p, rows)
        rss = float(np.sum((model.predict(train, rows) - train[rows]) ** 2))
        aic = n * np.log(max(rss, 1e-300) / n) + 2 * (p + 1)  # (3)
        if aic < best_aic:
            best, best_aic = p, aic
    return fit_ar(train, best)


def forecast_baselines(
    y: Array, train_end: int, ends: Array, season: int | None, max_order: int
) -> dict[str, dict[str, float]]:
    """RMSE and MAE of each baseline on the test rows ``ends``, by name (``persistence``,
    ``seasonal_naive`` with its ``season``, ``ar`` with its ``order``).

    ``train_end`` is the first row after the training part; the AR order and coefficients
    see rows before it only.
    """
    y = np.asarray(y, dtype=np.float64)
    ends = np.asarray(ends, dtype=np.int64)
    actual = y[ends]
    forecasts = {"persistence": y[ends - 1]}
    settings: dict[str, dict[str, float]] = {"persistence": {}}
    if season is not None and season >= 1 and ends.min() >= season:
        forecasts["seasonal_naive"] = y[ends - season]
        settings["seasonal_naive"] = {"season": season}
    ar = choose_ar(y[:train_end], max_order)
    forecasts["ar"] = ar.predict(y, ends)
    settings["ar"] = {"order": ar.order}
    return {
        name: {"rmse": rmse(f, actual), "mae": mae(f, actual), **settings[name]}
        for name, f in forecasts.items()
    }
