"""The report's opening: what the figures show, in plain words, tied to the equations.

Generated from the stored rows, so the numbers are the sweep's own: each cell's parameter count,
and its measured per-step decay of the error signal, ``(||dL/dh_(T-k)|| / ||dL/dh_T||)^(1/k)``
at k = GRADIENT_DISTANCE steps back (the geometric mean factor per step).
"""

from __future__ import annotations

from ..gradflow import ratio_at
from .summary import GRADIENT_DISTANCE, Rows, cells_in_order, diagnostics

EQUATIONS = [
    "Why the plain RNN forgets: its state is h(t) = tanh(W_hh h(t-1) + W_ih x(t) + b), so the "
    "error reaching h(t-1) is dh(t-1) = W_hh^T (dh(t) * (1 - h(t)^2)): one factor of the "
    "Jacobian per step, and k steps back their product. If that factor shrinks a vector by "
    "0.9, 100 steps shrink it by 0.9^100 = 2.7e-5 (vanishing); at 1.1 they grow it by "
    "1.1^100 = 1.4e4 (exploding). Either way, a lag of 100 steps gets almost no useful signal.",
    "Why the LSTM does not: its cell state adds, c(t) = f(t) * c(t-1) + i(t) * g(t), so the "
    "error flows back as dc(t-1) = dc(t) * f(t): no weight matrix and no squashing on that "
    "path. With forget gates near 1 (chrono init opens them to hold for about T_max steps) "
    "the signal crosses a long lag almost intact: HS97's constant error carousel.",
]


def per_step_decay(rows: Rows, phase: str = "init") -> dict[str, float]:
    """Each cell's geometric-mean factor per step of ||dL/dh||, GRADIENT_DISTANCE steps back."""
    out = {}
    for cell, record in diagnostics(rows).items():
        diag = record.get(phase)
        ratio = ratio_at(diag, GRADIENT_DISTANCE) if diag else None
        if ratio is not None and ratio > 0:
            out[cell] = ratio ** (1.0 / GRADIENT_DISTANCE)
    return out


def reading_lines(rows: Rows) -> list[str]:
    """The plain-words reading: parameter counts, the equations, the measured decay."""
    params = {r["cell"]: (int(r["params"]), int(r["hidden"])) for r in rows}
    counts = "; ".join(
        f"{cell} {params[cell][0]:,} (hidden {params[cell][1]})" for cell in cells_in_order(rows)
    )
    lines = [f"Parameters per model (recurrent layer and readout): {counts}.", *EQUATIONS]
    for phase, words in (("init", "at initialisation"), ("trained", "after training")):
        decay = per_step_decay(rows, phase)
        if decay:
            measured = "; ".join(f"{cell} x{factor:.3g}" for cell, factor in decay.items())
            lines.append(
                f"Measured {words}, the error signal's mean factor per step over the last "
                f"{GRADIENT_DISTANCE} steps (the gradient-flow figure's slope): {measured}."
            )
    return lines
