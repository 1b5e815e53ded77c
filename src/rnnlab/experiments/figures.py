"""The report's figures, drawn with matplotlib (imported here only, on the Agg backend).

Every figure comes back as PNG bytes: `report` writes them beside README.md and embeds the same
bytes in index.html as data URIs, so the two reports show identical pictures.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np

from ..gradflow import relative
from .published import marks_for
from .summary import (
    FAILED_SHARE,
    GRADIENT_DISTANCE,
    SOLVED_SHARE,
    Rows,
    cells_in_order,
    group,
    median_steps,
    success_rate,
)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window or need a display
    import matplotlib.pyplot as plt

    return plt


def _colours(cells: list[str]) -> dict[str, Any]:
    cmap = _pyplot().get_cmap("tab10")
    return {cell: cmap(i % 10) for i, cell in enumerate(cells)}


_MARKERS = ("o", "s", "^", "D", "v", "P", "h", "<", ">", "*")


def _line_styles(cells: list[str]) -> dict[str, dict[str, Any]]:
    """Colour, marker and width per cell; earlier cells are drawn wider, so cells whose lines
    coincide (say, two that solve every lag) stay visible one behind the other."""
    colours, n = _colours(cells), max(len(cells), 1)
    return {
        cell: {
            "color": colours[cell],
            "marker": _MARKERS[i % len(_MARKERS)],
            "lw": 1.2 + 2.4 * (n - 1 - i) / n,
            "ms": 4 + 4 * (n - 1 - i) / n,
        }
        for i, cell in enumerate(cells)
    }


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    _pyplot().close(fig)
    return buffer.getvalue()


def _task_axes(n: int, height: float = 3.3) -> tuple[Any, list[Any]]:
    plt = _pyplot()
    fig, axes = plt.subplots(1, n, figsize=(5.6 * n, height), squeeze=False)  # room for legends
    return fig, list(axes[0])


def _lag_axis(ax: Any, lags: list[int], task: str) -> None:
    ax.set_xscale("log")
    ax.set_xticks(lags)
    ax.set_xticklabels([str(t) for t in lags])
    ax.minorticks_off()
    ax.set_xlabel(f"{task}: length T (lag)")
    ax.grid(alpha=0.3)


Line = list[tuple[int, float]]  # (lag, value) points of one cell's line in a task's panel


def _cell_lines(
    rows: Rows, points: Callable[[dict[int, Rows]], Line]
) -> tuple[Any, list[tuple[Any, str, list[int]]]]:
    """A figure with a panel per task and in it a line per cell through ``points`` of the cell's
    runs by lag (none where it has no points); returns it and each panel's axes, task and lags,
    for the caller to finish."""
    grouped, cells = group(rows), cells_in_order(rows)
    styles = _line_styles(cells)
    fig, axes = _task_axes(len(grouped))
    panels = []
    for ax, (task, by_cell) in zip(axes, grouped.items(), strict=True):
        for cell in cells:
            line = points(by_cell[cell]) if cell in by_cell else []
            if line:
                xs, ys = zip(*line, strict=True)
                ax.plot(xs, ys, label=cell, **styles[cell])
        panels.append((ax, task, sorted({t for by_length in by_cell.values() for t in by_length})))
    return fig, panels


def _success_rates(runs: dict[int, Rows]) -> Line:
    return [(t, success_rate(runs[t])) for t in sorted(runs)]


def _solved_steps(runs: dict[int, Rows]) -> Line:
    points = [(t, median_steps(runs[t])) for t in sorted(runs)]
    return [(t, m) for t, m in points if m is not None]


def success_figure(rows: Rows) -> bytes:
    """(1) Per task, the share of seeds solved against the lag, one line per cell, with the
    published results (tasks.md) as black markers."""
    fig, panels = _cell_lines(rows, _success_rates)
    for ax, task, lags in panels:
        seen: set[str] = set()
        for mark in marks_for(task, lags):
            label = None if mark.source in seen else mark.source
            seen.add(mark.source)
            style = "*" if mark.family == "lstm" else "X"
            ax.plot(mark.length, mark.rate, style, color="black", ms=10, mfc="none", label=label)
        ax.axhspan(SOLVED_SHARE, 1.05, color="green", alpha=0.06)
        ax.axhspan(-0.05, FAILED_SHARE, color="red", alpha=0.05)
        ax.set_ylim(-0.05, 1.05)
        ax.set_ylabel("share of seeds solved")
        ax.set_title(task)
        _lag_axis(ax, lags, task)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # off the data
    fig.suptitle("Success rate over seeds against the lag (black: published results)", y=1.02)
    return _png(fig)


def steps_figure(rows: Rows) -> bytes:
    """(2) Median training steps to solve against the lag (solved runs only)."""
    fig, panels = _cell_lines(rows, _solved_steps)
    for ax, task, lags in panels:
        ax.set_yscale("log")
        ax.set_ylabel("median steps to solve")
        ax.set_title(task)
        _lag_axis(ax, lags, task)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # off the data
    fig.suptitle(
        "Median training steps to solve (solved seeds only; a missing point: none)", y=1.02
    )
    return _png(fig)


def gradflow_figure(diags: dict[str, dict[str, dict[str, Any]]]) -> bytes:
    """(3) log ||dL/dh_t|| / ||dL/dh_T|| against the distance T - t, per cell, at
    initialisation and after training; dotted: the LSTM cell state's ||dL/dc_t||."""
    plt = _pyplot()
    cells = list(diags)
    colours = _colours(cells)
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
    floor = 1e-30  # the lowest decade drawn; zeros (dL/dc at the loss step) are left out
    points = {(d["task"], d["length"]) for c in cells for d in diags[c].values() if d}
    same_point = len(points) <= 1  # else (the atlas) each cell at its own longest lag
    for ax, phase, title in (
        (axes[0], "init", "at initialisation"),
        (axes[1], "trained", "after training"),
    ):
        for cell in cells:
            diag = diags[cell].get(phase)
            if not diag:
                continue
            for key, style in (("dh", "-"), ("dc", ":")):
                rel = relative(diag, key)
                if rel is None:
                    continue
                name = cell if same_point else f"{cell}, T={diag['length']}"
                label = name if key == "dh" else f"{name} (cell state c)"
                shown = np.where(rel > 0, np.maximum(rel, floor), np.nan)  # log axis: no zeros
                ax.plot(shown, style, color=colours[cell], label=label, lw=1.5)
        ax.axvline(GRADIENT_DISTANCE, color="grey", lw=0.8, ls="--")
        ax.set_yscale("log")
        ax.set_ylim(bottom=floor)
        ax.set_xlabel("steps back from the loss (T - t)")
        ax.set_title(title)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("||dL/dh_t|| / ||dL/dh_T||")
    axes[1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # off the data
    any_diag = next((d for c in cells for d in diags[c].values() if d), None)
    where = f" ({any_diag['task']}, T={any_diag['length']})" if any_diag else ""
    fig.suptitle(f"Gradient flow back through time{where}", y=1.02)
    return _png(fig)


def heatmap_figure(rows: Rows) -> bytes:
    """(4) Per task, success by cell and lag (`rnnlab.experiments.atlas_report`)."""
    from .atlas_report import heatmap_figure as draw

    return draw(rows, _pyplot(), _png)
