"""The real-data part of a compare report: learning curves and the table beside the baselines.

A data run's row keeps its learning curve in the ``curve`` column (JSON: the evaluation rows
of ``metrics.csv``, the baselines of ``result.json`` and the metric's name and unit), so the
report draws validation bits per character against wall time and against updates, with each
baseline as a horizontal line, from the results file alone.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .summary import Rows

TABLE_HEADER = ["dataset", "cell", "hidden", "params", "updates", "minutes", "nats/char", "bpc"]


def is_data_row(row: dict[str, Any]) -> bool:
    return bool(row.get("curve"))


def curve_of(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(row["curve"])


def table_rows(rows: Rows) -> list[list[str]]:
    """One line per run, then one per baseline of each dataset (the same split)."""
    out: list[list[str]] = []
    seen: dict[str, dict[str, float]] = {}
    for r in sorted(rows, key=lambda r: (r["task"], r["metric"] or math.inf)):
        curve = curve_of(r)
        seen.setdefault(r["task"], curve.get("baselines", {}))
        out.append([
            r["task"], r["cell"], str(r["hidden"]), f"{r['params']:,}", str(r["steps_run"]),
            f"{r['wall_time'] / 60:.1f}", f"{r['metric']:.3f}", f"{r['metric'] / math.log(2):.3f}",
        ])  # fmt: skip
    for task, baselines in seen.items():
        for name, value in baselines.items():
            out.append([task, f"{name} (baseline)", "", "", "", "", f"{value:.3f}",
                        f"{value / math.log(2):.3f}"])  # fmt: skip
    return out


def curves_figure(rows: Rows) -> bytes:
    """Validation bits/char against wall time (left) and updates (right), one row of panels
    per dataset; baselines as dashed horizontal lines."""
    from .figures import _line_styles, _png, _pyplot

    plt = _pyplot()
    datasets = sorted({r["task"] for r in rows})
    fig, axes = plt.subplots(len(datasets), 2, figsize=(11, 3.6 * len(datasets)), squeeze=False)
    styles = _line_styles(sorted({r["cell"] for r in rows}))
    for (left, right), name in zip(axes, datasets, strict=True):
        runs = [r for r in rows if r["task"] == name]
        for r in runs:
            points = curve_of(r)["history"]
            bpc = [p["test_loss"] / math.log(2) for p in points]
            style = {k: v for k, v in styles[r["cell"]].items() if k in ("color", "marker")}
            label = f"{r['cell']} H={r['hidden']} ({r['params']:,} params)"
            left.plot([p["wall_time"] / 60 for p in points], bpc, ms=3, label=label, **style)
            right.plot([p["step"] for p in points], bpc, ms=3, label=label, **style)
        baselines = curve_of(runs[0]).get("baselines", {})
        for ax in (left, right):
            for i, (base, value) in enumerate(baselines.items()):
                bpc = value / math.log(2)
                ax.axhline(bpc, color=f"{0.2 + 0.15 * i:.2f}", ls=(0, (4, 1 + i)), lw=1,
                           label=f"{base} baseline ({bpc:.2f})")  # fmt: skip
            ax.set_ylabel(f"{name}: validation bits/char")
            ax.grid(alpha=0.3)
        top = max(baselines.get("unigram", 5.0) / math.log(2) + 0.3, 2.5)
        left.set_ylim(1.5, top)
        right.set_ylim(1.5, top)
        left.set_xlabel("wall time (minutes)")
        right.set_xlabel("updates")
        left.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return _png(fig)
