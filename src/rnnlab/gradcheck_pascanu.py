"""Finite differences for Pascanu et al.'s regulariser Omega (`rnnlab.models.pascanu`).

Omega's gradient is taken, as PMB13 take it, with the BPTT error d_t and the forward
activations held constant: the check perturbs each ``weight_hh`` entry, recomputes Omega from
the same cache and error trace, and compares central differences with the hand-derived (3').
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .gradcheck import _central_difference, rel_error
from .layers import GRU, LSTM, RNN, RecurrentLayer
from .models.pascanu import omega


@dataclass(frozen=True)
class PascanuCase:
    cell: str  # "rnn", "rnn:relu", "lstm", "lstm:peephole", "lstm:fgr", "gru"
    bidirectional: bool
    lengths: bool

    @property
    def name(self) -> str:
        parts = [f"omega {self.cell}", "bi" if self.bidirectional else "uni"]
        return " ".join([*parts, "lengths" if self.lengths else "full"])


def pascanu_cases(cell: str | None = None) -> list[PascanuCase]:
    cells = ("rnn", "rnn:relu", "lstm", "lstm:peephole", "lstm:fgr", "gru")
    return [
        PascanuCase(c, bi, lengths)
        for c in cells
        if cell is None or c.split(":")[0] == cell
        for bi in (False, True)
        for lengths in (False, True)
    ]


def _layer(case: PascanuCase, seed: int) -> RecurrentLayer:
    kind, _, variant = case.cell.partition(":")
    common = {"num_layers": 2, "bidirectional": case.bidirectional, "dtype": "float64"}
    if kind == "rnn":
        layer: RecurrentLayer = RNN(2, 3, nonlinearity=variant or "tanh", **common)
    elif kind == "lstm":
        layer = LSTM(2, 3, variant=variant or "vanilla", **common)
    else:
        layer = GRU(2, 3, reset_after=True, **common)
    rng = np.random.default_rng([seed, 1])
    for value in layer.params.values():  # non-zero biases and weights, gates away from 0.5
        value[...] = rng.uniform(-0.9, 0.9, value.shape)
    return layer


def check_pascanu(case: PascanuCase, seed: int = 0, eps: float = 1e-6) -> dict[str, float]:
    """Relative error of dOmega/dW_hh, per layer direction, against central differences."""
    rng = np.random.default_rng(seed)
    layer = _layer(case, seed)
    x = rng.uniform(-1, 1, size=(3, 6, 2))
    lengths = np.array([6, 4, 2]) if case.lengths else None
    y, _, cache = layer.forward(x, lengths=lengths)
    trace: dict = {}
    layer.backward(rng.standard_normal(y.shape), cache, trace=trace)
    _, grads = omega(layer, cache, trace)
    params = {k: v.copy() for k, v in layer.params.items()}
    errors = {}
    for name, analytic in grads.items():
        target = params[name]
        numeric = np.array([
            _central_difference(target, i, lambda: omega(layer, cache, trace, params)[0], eps)
            for i in range(target.size)
        ]).reshape(target.shape)
        errors[name] = rel_error(analytic, numeric)
    return errors
