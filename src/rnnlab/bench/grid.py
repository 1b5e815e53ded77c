"""The benchmark grid of issue 5 and its targets (paired ratios torch time / rnnlab time)."""

from __future__ import annotations

from .cases import Point

CELLS = ("lstm", "gru", "rnn")
HIDDEN = (32, 64, 128, 256, 512)
# (batch, time, hidden): the batch-32 sweep, one long sequence, one large batch.
SHAPES = (*((32, 100, h) for h in HIDDEN), (1, 1000, 64), (128, 200, 128))
QUICK_SHAPES = ((32, 100, 32), (32, 100, 128), (1, 200, 64))
PEAK_TARGET = 0.70  # fraction of the in-run sgemm probe, training at hidden >= 256, 1 thread
TWO_THREAD_TARGET = 0.8


def points(
    shapes: tuple[tuple[int, int, int], ...] = SHAPES,
    cells: tuple[str, ...] = CELLS,
    infer: bool = True,
) -> list[Point]:
    """Training rows of every cell, then inference rows of the LSTM (if asked for)."""
    rows = [Point(c, "train", *shape) for c in cells for shape in shapes]
    if infer and "lstm" in cells:
        rows += [Point("lstm", "infer", *shape) for shape in shapes]
    return rows


def target(point: Point, threads: int) -> float | None:
    """The issue's minimum ratio for ``point``, or None where it sets none."""
    if threads > 1:
        return TWO_THREAD_TARGET
    if point.mode != "train" or (point.batch, point.time, point.hidden) not in SHAPES:
        return None  # inference rows and off-grid shapes are informative only
    if point.cell == "lstm":
        if point.batch == 1:
            return 1.8
        if point.batch == 128:
            return 1.3
        return 1.5 if point.hidden == 32 else 1.0
    if point.batch == 1:
        return 25.0
    if point.batch == 128:
        return 1.15
    return {32: 5.0, 64: 3.0, 128: 1.7}.get(point.hidden, 1.15)


def peak_target(point: Point, threads: int) -> float | None:
    """0.70 of the probe for 1-thread training at hidden >= 256, else None."""
    if threads == 1 and point.mode == "train" and point.hidden >= 256:
        return PEAK_TARGET
    return None
