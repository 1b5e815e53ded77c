"""The atlas's views of a sweep: a success heat map per task, the longest lag each cell solves
across tasks, and what each of Greff et al.'s gate ablations costs in lag.

Pure functions of the stored rows (the figure imports matplotlib through `figures`); the report
adds them to every sweep's report, so `compare` and `why` get them too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .published import marks_for
from .summary import Rows, cells_in_order, group, longest_solved, success_rate

ABLATION_BASE = "lstm:peephole@chrono"  # Greff et al.'s ablations are each one change to it
ABLATIONS = ("nig", "nfg", "nog", "niaf", "noaf", "np", "cifg", "fgr")


def _lag(value: int | None) -> str:
    return "-" if value is None else str(value)


def longest_lag_table(rows: Rows) -> tuple[list[str], list[list[str]]]:
    """Header and one row per cell: the longest lag solved in >= 80 % of seeds, per task."""
    grouped, cells = group(rows), cells_in_order(rows)
    tasks = list(grouped)
    body = [
        [c, *(_lag(longest_solved(grouped[t][c])) if c in grouped[t] else "" for t in tasks)]
        for c in cells
    ]
    return ["cell", *tasks], body


def ablation_table(rows: Rows) -> tuple[list[str], list[list[str]]] | None:
    """Per ablation at chrono init: its longest solved lag per task beside the peephole cell's;
    None when the sweep lacks the base cell or every ablation."""
    grouped, cells = group(rows), set(cells_in_order(rows))
    present = [a for a in ABLATIONS if f"lstm:{a}@chrono" in cells]
    if ABLATION_BASE not in cells or not present:
        return None
    tasks = [t for t in grouped if ABLATION_BASE in grouped[t]]
    body = []
    for ablation in present:
        cell = f"lstm:{ablation}@chrono"
        row = [ablation]
        for task in tasks:
            base = longest_solved(grouped[task][ABLATION_BASE])
            mine = longest_solved(grouped[task][cell]) if cell in grouped[task] else None
            row.append(f"{_lag(mine)} (base {_lag(base)})")
        body.append(row)
    return ["removed or changed", *tasks], body


def success_grid(rows: Rows, task: str) -> tuple[list[str], list[int], np.ndarray]:
    """Cells, lags and the (cells, lags) success rates of one task (NaN where not run)."""
    by_cell = group(rows)[task]
    cells = [c for c in cells_in_order(rows) if c in by_cell]
    lags = sorted({t for by_length in by_cell.values() for t in by_length})
    grid = np.full((len(cells), len(lags)), np.nan)
    for i, cell in enumerate(cells):
        for j, lag in enumerate(lags):
            if lag in by_cell[cell]:
                grid[i, j] = success_rate(by_cell[cell][lag])
    return cells, lags, grid


def heatmap_figure(rows: Rows, pyplot: Any, png: Any) -> bytes:
    """Per task, the share of seeds solved by cell (rows) and lag (columns); a black frame
    marks the lags where a paper reports success (HS97, PMB13: tasks.md)."""
    tasks = list(group(rows))
    n_cells = len(cells_in_order(rows))
    fig, axes = pyplot.subplots(
        1, len(tasks), figsize=(2.2 + 1.1 * len(tasks) * 2, 1.2 + 0.28 * n_cells), squeeze=False
    )
    for ax, task in zip(axes[0], tasks, strict=True):
        cells, lags, grid = success_grid(rows, task)
        image = ax.imshow(grid, vmin=0, vmax=1, cmap="RdYlGn", aspect="auto")
        ax.set_xticks(range(len(lags)), [str(lag) for lag in lags], fontsize=7)
        ax.set_yticks(range(len(cells)), cells if ax is axes[0][0] else [], fontsize=7)
        ax.set_title(task, fontsize=9)
        for mark in marks_for(task, lags):
            if mark.length in lags and mark.rate >= 0.8:
                j = lags.index(mark.length)
                ax.add_patch(pyplot.Rectangle((j - 0.5, -0.5), 1, len(cells), fill=False, lw=1.2))
    fig.colorbar(image, ax=axes[0].tolist(), shrink=0.6, label="share of seeds solved")
    fig.suptitle("Success by cell and lag (black frame: a published success at that lag)")
    return png(fig)
