"""``rnnlab forecast``: multi-step forecasts of a trained forecasting run, with a figure."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ._args import add_command

NAME = "forecast"
ORDER = 12
HELP = "forecast H steps with a trained forecasting run; table and figure"
DESCRIPTION = """\
Forecasts --horizon values from an origin (default: the first test row; 'end': after the last row \
of the series, the future), reading only the rows before it. A run trained with --horizon >= H \
forecasts directly (one call); otherwise recursively (its one-step forecasts fed back; univariate \
series only).
Prints time, forecast and actual value; with --plot draws them with the series and the run's \
one-step test forecasts (also saved as RUN/forecast.png).
Example: rnnlab forecast --run runs/sunspots --horizon 11 --plot sun.png"""


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = add_command(sub, NAME, HELP, DESCRIPTION)
    p.add_argument("--run", type=Path, required=True, help="a finished forecasting run")
    p.add_argument("--horizon", type=int, required=True, help="values to forecast (>= 1)")
    p.add_argument("--origin", help="time label of the first forecast row, or 'end'")
    p.add_argument("--plot", type=Path, help="write the figure here (PNG)")
    return p


def _origin(times: tuple[str, ...], text: str | None, default: int) -> int:
    if text is None:
        return default
    if text == "end":
        return len(times)
    if text not in times:
        raise ValueError(f"origin: no row with time {text!r} (from {times[0]} to {times[-1]})")
    return times.index(text)


def run(args: argparse.Namespace) -> int:
    from ..data import make_dataset
    from ..data.forecast_plot import save_forecast_png
    from ..data.forecasting import ForecastDataset, frame_of
    from ..data.series import check_horizon
    from ..training.run import load_run

    steps = check_horizon(args.horizon)
    config, model = load_run(args.run)
    dataset = make_dataset(config.data or "", **config.data_options) if config.data else None
    if not isinstance(dataset, ForecastDataset):
        raise ValueError(f"run: {args.run} did not learn a forecasting dataset (rnnlab data)")
    series = dataset.series()
    split = dataset.checked_split(series)
    frame = frame_of(dataset, series, split)
    origin = _origin(series.times, args.origin, int(split.test[0]))
    W = dataset.window

    def predict(windows: np.ndarray) -> np.ndarray:
        return model.predict(windows, np.full(len(windows), W))

    recursive = dataset.horizon < steps
    path = frame.forecast(predict, origin, steps, recursive)
    actual = series.table[:, series.target]
    how = "recursive" if recursive else "direct"
    print(f"{config.data} {config.cell}: {steps} steps from row {origin} ({how})")
    print("time\tforecast\tactual")
    for k, value in enumerate(path):
        row = origin + k
        label = series.times[row] if row < len(series.times) else f"+{row - len(series.times) + 1}"
        real = f"{actual[row]:.6g}" if row < len(actual) else ""
        print(f"{label}\t{value:.6g}\t{real}")
    if args.plot is not None:
        one_step = frame.levels(predict(frame.windows(split.test)[0]), split.test)[:, 0]
        figure = dict(series=actual, times=series.times, origin=origin, path=path,
                      test_rows=split.test, one_step=one_step, title=f"{config.data} {how}")
        save_forecast_png(args.plot, **figure)  # type: ignore[arg-type]
        save_forecast_png(args.run / "forecast.png", **figure)  # type: ignore[arg-type]
        print(f"figure -> {args.plot} (and {args.run / 'forecast.png'})")
    return 0
