"""Numbers the report states: success rates, median steps, the longest lag each cell solves,
and the headline comparisons `rnnlab why` is judged by. Pure functions of the stored rows."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from typing import Any

from ..gradflow import ratio_at

SOLVED_SHARE = 0.8  # "solved" for a (cell, lag): at least 80 % of seeds
FAILED_SHARE = 0.2  # "fails" for a (cell, lag): at most 20 % of seeds
GRADIENT_DISTANCE = 50

Rows = list[dict[str, Any]]


def cells_in_order(rows: Rows) -> list[str]:
    """Cells in the order they first appear in ``rows`` (`in_cells_order` puts them in the
    sweep's --cells order)."""
    return list(dict.fromkeys(r["cell"] for r in rows))


def in_cells_order(rows: Rows, cells: list[str] | None) -> Rows:
    """``rows`` with each task's cells in the order of ``cells`` (the sweep's --cells), where the
    store returns them by name; cells not listed follow, by name. Tasks, lengths and seeds keep
    their order."""
    tasks = {task: i for i, task in enumerate(dict.fromkeys(r["task"] for r in rows))}
    rank = {cell: i for i, cell in enumerate(cells or [])}
    return sorted(
        rows, key=lambda r: (tasks[r["task"]], rank.get(r["cell"], len(rank)), r["cell"])
    )


def group(rows: Rows) -> dict[str, dict[str, dict[int, Rows]]]:
    """rows -> {task: {cell: {length: [rows]}}}."""
    out: dict[str, dict[str, dict[int, Rows]]] = defaultdict(lambda: defaultdict(dict))
    for r in rows:
        out[r["task"]][r["cell"]].setdefault(int(r["length"]), []).append(r)
    return out


def success_rate(runs: Rows) -> float:
    return sum(int(r["solved"]) for r in runs) / len(runs)


def median_steps(runs: Rows) -> float | None:
    steps = [r["steps_to_solve"] for r in runs if r["solved"] and r["steps_to_solve"] is not None]
    return float(statistics.median(steps)) if steps else None


def longest_solved(by_length: dict[int, Rows], share: float = SOLVED_SHARE) -> int | None:
    """The longest lag solved in at least ``share`` of its seeds (None: no such lag)."""
    ok = [length for length, runs in by_length.items() if success_rate(runs) >= share]
    return max(ok) if ok else None


def separating_lags(rows: Rows, lstm: str, rnn: str) -> dict[str, list[int]]:
    """Per task, the lags where ``lstm`` solves >= 80 % of seeds and ``rnn`` <= 20 %."""
    out = {}
    for task, cells in group(rows).items():
        if lstm not in cells or rnn not in cells:
            continue
        lags = sorted(set(cells[lstm]) & set(cells[rnn]))
        out[task] = [
            t
            for t in lags
            if success_rate(cells[lstm][t]) >= SOLVED_SHARE
            and success_rate(cells[rnn][t]) <= FAILED_SHARE
        ]
    return out


def diagnostics(rows: Rows) -> dict[str, dict[str, dict[str, Any]]]:
    """{cell: {"init": diag, "trained": diag}} from the rows that recorded gradient flow.

    Where a cell recorded it at several lags (the atlas), the one kept is at the longest lag it
    solved in >= 80 % of seeds on the first task that has one (else its shortest lag there)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    recorded = [r for r in rows if r.get("gradflow")]
    grouped, tasks = group(rows), list(dict.fromkeys(r["task"] for r in rows))
    for r in sorted(recorded, key=lambda r: _preference(grouped, tasks, r)):
        if r.get("gradflow"):
            record = json.loads(r["gradflow"])
            for phase in ("init", "trained"):
                if record.get(phase):
                    record[phase].update(task=r["task"], length=r["length"], seed=r["seed"])
            out.setdefault(r["cell"], record)
    return out


def _preference(grouped: dict, tasks: list[str], row: dict[str, Any]) -> tuple:
    """Sort key: the first task, then the cell's longest solved lag, then the shortest lag."""
    best = longest_solved(grouped[row["task"]][row["cell"]])
    at_best = best is not None and int(row["length"]) == best
    return (tasks.index(row["task"]), not at_best, int(row["length"]))


def gradient_ratio(
    diags: dict[str, dict[str, dict[str, Any]]],
    lstm: str,
    rnn: str,
    phase: str = "init",
    distance: int = GRADIENT_DISTANCE,
) -> float | None:
    """How many times larger the LSTM's relative ||dL/dh|| is than the RNN's, k steps back."""
    try:
        a = ratio_at(diags[lstm][phase], distance)
        b = ratio_at(diags[rnn][phase], distance)
    except KeyError:
        return None
    if a is None or b is None:
        return None
    return float("inf") if b == 0 else a / b


def summary_lines(rows: Rows, lstm: str = "lstm@chrono", rnn: str = "rnn") -> list[str]:
    """The generated summary: per task the longest lag each cell solved, then the headline."""
    lines = []
    for task, cells in group(rows).items():
        parts = []
        for cell in cells_in_order([r for r in rows if r["task"] == task]):
            by_length = cells[cell]
            best = longest_solved(by_length)
            seeds = max(len(v) for v in by_length.values())
            tried = ", ".join(str(t) for t in sorted(by_length))
            parts.append(
                f"{cell}: {'none of ' + tried if best is None else best}"
                f" ({seeds} seed{'s' * (seeds != 1)})"
            )
        lines.append(f"{task}: longest lag solved in >= 80 % of seeds: " + "; ".join(parts) + ".")
    lags = separating_lags(rows, lstm, rnn)
    if lags:
        found = {task: ts for task, ts in lags.items() if ts}
        lines.append(
            f"Lags that {lstm} solves in >= 80 % of seeds and {rnn} in <= 20 %: "
            + (
                "; ".join(f"{task} {', '.join(map(str, ts))}" for task, ts in found.items())
                if found
                else "none"
            )
            + f" ({len(found)} task{'s' * (len(found) != 1)})."
        )
    diags = diagnostics(rows)
    for phase, words in (("init", "at initialisation"), ("trained", "after training")):
        ratio = gradient_ratio(diags, lstm, rnn, phase)
        if ratio is not None:
            a, b = (ratio_at(diags[c][phase], GRADIENT_DISTANCE) for c in (lstm, rnn))
            where = f"{diags[rnn][phase]['task']}, T={diags[rnn][phase]['length']}"
            lines.append(
                f"Gradient flow {words} ({where}): {GRADIENT_DISTANCE} steps back from the loss, "
                f"||dL/dh|| relative to the last step is {a:.2g} for {lstm} and {b:.2g} for "
                f"{rnn}, a ratio of {ratio:.3g}."
            )
    return lines
