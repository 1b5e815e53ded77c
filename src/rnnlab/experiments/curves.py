"""The real-data part of a compare report: each cell against the baselines, and learning curves.

A data run's row keeps its learning curve in the ``curve`` column (JSON: the evaluation rows
of ``metrics.csv``, the baselines of ``result.json`` and the metric's name, unit and which way
is better), so the report needs nothing but the results file. Per dataset, each cell gets one
line (mean over its seeds, every seed's figure, and which baselines its mean beats), then one
line per baseline; the figure draws each dataset's own metric against wall time and against
updates, a text model's loss in bits per character, baselines as horizontal lines.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .summary import Rows

TABLE_HEADER = ["dataset", "metric", "cell", "hidden", "params", "seeds", "mean", "each seed",
                "updates", "wall s (max)", "beats"]  # fmt: skip
BITS = "nats/char"  # a text model's metric: also shown in bits per character


def is_data_row(row: dict[str, Any]) -> bool:
    return bool(row.get("curve"))


def curve_of(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(row["curve"])


def _metric_info(row: dict[str, Any]) -> dict[str, Any]:
    return curve_of(row).get("metric_info") or {"name": "loss", "unit": BITS, "better": "lower"}


def _figure(value: float, unit: str) -> str:
    text = f"{value:.3f}" if abs(value) < 100 else f"{value:,.1f}"
    return f"{text} ({value / math.log(2):.3f} bpc)" if unit == BITS else text


def _beats(mean: float, baselines: dict[str, float], lower: bool) -> str:
    """Which baselines the mean is better than, and which it is not (named, never dropped)."""
    won = [n for n, v in baselines.items() if (mean < v if lower else mean > v)]
    lost = [n for n in baselines if n not in won]
    return "; ".join([", ".join(won) or "none"] + ([f"not {', '.join(lost)}"] if lost else []))


def _cell_line(dataset: str, cell: str, runs: Rows, baselines: dict[str, float]) -> list[str]:
    info = _metric_info(runs[0])
    values = [r["metric"] for r in sorted(runs, key=lambda r: r["seed"])]
    mean = sum(values) / len(values)
    unit = info.get("unit", "")
    return [
        dataset, f"{info.get('name', 'metric')} ({unit})", cell,
        "/".join(sorted({str(r["hidden"]) for r in runs})), f"{runs[0]['params']:,}",
        str(len(runs)), _figure(mean, unit), ", ".join(f"{v:.3f}" for v in values),
        str(max(r["steps_run"] for r in runs)), f"{max(r['wall_time'] for r in runs):.0f}",
        _beats(mean, baselines, info.get("better", "lower") == "lower"),
    ]  # fmt: skip


def table_rows(rows: Rows) -> list[list[str]]:
    """Per dataset (in the order first run), one line per cell (in the sweep's order) over its
    seeds, then one line per baseline computed on the same split."""
    out: list[list[str]] = []
    for dataset in dict.fromkeys(r["task"] for r in rows):
        runs = [r for r in rows if r["task"] == dataset]
        baselines = curve_of(runs[0]).get("baselines", {})
        for cell in dict.fromkeys(r["cell"] for r in runs):
            out.append(_cell_line(dataset, cell, [r for r in runs if r["cell"] == cell], baselines))
        unit = _metric_info(runs[0]).get("unit", "")
        for name, value in baselines.items():
            out.append([dataset, "", f"{name} (baseline)", "", "", "", _figure(value, unit),
                        "", "", "", ""])  # fmt: skip
    return out


def _series(row: dict[str, Any]) -> tuple[list[float], list[float], list[float]]:
    """(minutes, updates, values) of a run's evaluations: the metric, or a text model's
    validation loss in bits per character."""
    points = curve_of(row)["history"]
    if _metric_info(row).get("unit") == BITS:
        values = [p["test_loss"] / math.log(2) for p in points]
    else:
        values = [p.get("test_metric", p["test_loss"]) for p in points]
    return [p["wall_time"] / 60 for p in points], [p["step"] for p in points], values


def _draw_dataset(axes: Any, runs: Rows, styles: dict[str, dict[str, Any]]) -> None:
    left, right = axes
    for r in runs:
        minutes, updates, values = _series(r)
        style = {k: v for k, v in styles[r["cell"]].items() if k in ("color", "marker")}
        label = f"{r['cell']} H={r['hidden']} ({r['params']:,} params)"
        left.plot(minutes, values, ms=3, label=label if r["seed"] == runs[0]["seed"] else None,
                  **style)  # fmt: skip
        right.plot(updates, values, ms=3, **style)
    info = _metric_info(runs[0])
    text = info.get("unit") == BITS
    for ax in (left, right):
        for i, (base, value) in enumerate(curve_of(runs[0]).get("baselines", {}).items()):
            shown = value / math.log(2) if text else value
            ax.axhline(shown, color=f"{0.2 + 0.15 * i:.2f}", ls=(0, (4, 1 + i)), lw=1,
                       label=f"{base} baseline ({shown:.3g})")  # fmt: skip
        unit = "bits/char" if text else info.get("unit", "")
        ax.set_ylabel(f"{runs[0]['task']}: {info.get('name', 'loss')} ({unit})", fontsize=8)
        ax.grid(alpha=0.3)
    if text:  # the unigram line sits far above the models: keep the models' range readable
        top = max(curve_of(runs[0]).get("baselines", {}).get("unigram", 5.0) / math.log(2), 2.5)
        left.set_ylim(1.5, top + 0.3)
        right.set_ylim(1.5, top + 0.3)
    left.set_xlabel("wall time (minutes)")
    right.set_xlabel("updates")
    left.legend(fontsize=7, ncol=2)


def curves_figure(rows: Rows) -> bytes:
    """Each dataset's metric against wall time (left) and updates (right), one row of panels
    per dataset; baselines as dashed horizontal lines."""
    from .figures import _line_styles, _png, _pyplot

    plt = _pyplot()
    datasets = list(dict.fromkeys(r["task"] for r in rows))
    fig, axes = plt.subplots(len(datasets), 2, figsize=(11, 3.6 * len(datasets)), squeeze=False)
    styles = _line_styles(list(dict.fromkeys(r["cell"] for r in rows)))
    for pair, name in zip(axes, datasets, strict=True):
        _draw_dataset(pair, [r for r in rows if r["task"] == name], styles)
    fig.tight_layout()
    return _png(fig)
