"""One figure of a forecast: the series, the one-step test forecasts, a multi-step path."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def save_forecast_png(
    out: Path, *, series: np.ndarray, times: tuple[str, ...], origin: int, path: np.ndarray,
    test_rows: np.ndarray, one_step: np.ndarray, title: str,
) -> Path:  # fmt: skip
    """Series (black), one-step forecasts of the test rows (blue), the multi-step path from
    ``origin`` (red, beyond the data if the origin is the end). x: row number, labelled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    start = max(0, int(test_rows[0]) - 3 * len(test_rows))
    rows = np.arange(start, len(series))
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot(rows, series[start:], color="black", linewidth=1, label="actual")
    ax.plot(test_rows, one_step, color="tab:blue", linewidth=1, label="one-step forecast")
    ahead = origin + np.arange(len(path))
    ax.plot(ahead, path, color="tab:red", linewidth=1.5, label=f"{len(path)}-step forecast")
    ax.axvline(test_rows[0] - 0.5, color="grey", linestyle=":", linewidth=1)
    ticks = np.linspace(start, len(series) - 1, 6).astype(int)
    ax.set_xticks(ticks, [times[i] for i in ticks])
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return Path(out)
