"""Gradient-flow diagnostics: how much of the error signal reaches the early time steps.

For one batch of a task, measured on the top layer (forward direction):

* ``dh[k]``: the mean over sequences of ``||dL/dh_t||`` at ``t = T_n - 1 - k``, k steps back from
  each sequence's last step (where a many-to-one task puts its loss), and ``dc[k]`` likewise for
  the LSTM's cell state;
* ``jacobian[k]``: the mean of ``||u^T dh_T/dh_t||`` for random unit vectors ``u`` fed back
  from the last step: the norm of the product of step Jacobians, free of the readout;
* the spectral radius of the recurrent matrix, per gate block (``W_hf`` is the LSTM forget
  gate's block of ``W_hh``, rows ``H:2H`` in PyTorch's i, f, g, o order; the RNN's one block is
  ``W_hh``);
* gate saturation: the share of sigmoid-gate activations below 0.05 or above 0.95, where the
  gate's derivative is under 0.05 and the gate barely learns;
* the mean forget-gate activation (the GRU's analogue, the update gate z, for the GRU).

What each cell holds (its state names, its sigmoid gates, the gate that keeps the state) the
cell declares (`rnnlab.cells.registry`); nothing here names a cell kind.

Why: the RNN's error path multiplies by ``act' * W_hh`` every step and the LSTM's cell path by
``f``, so ``dh[k] / dh[0]`` behaves like ``rho^k`` or ``mean(f)^k``; these curves show that
directly (an LSTM with f near 0.73 loses a factor 0.73^100 ~ 2e-14 over 100 steps).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .cells.base import gate_slices
from .layers import RecurrentLayer

SATURATION_LOW, SATURATION_HIGH = 0.05, 0.95
GATE_NAMES = {
    "i": "input gate",
    "f": "forget gate",
    "g": "candidate",
    "o": "output gate",
    "r": "reset gate",
    "z": "update gate",
    "n": "candidate",
    "h": "recurrent",
}


def _per_distance(trace: np.ndarray, lengths: np.ndarray, depth: int) -> np.ndarray:
    """Mean over sequences of the norm at k steps before each sequence's last step, k < depth."""
    rows = np.arange(trace.shape[1])
    steps = lengths[None, :] - 1 - np.arange(depth)[:, None]  # (depth, N)
    picked = trace[steps, rows[None, :]]  # (depth, N, H)
    return np.linalg.norm(picked.astype(np.float64), axis=-1).mean(axis=1)


def state_gradient_curves(
    layer: RecurrentLayer,
    x: np.ndarray,
    lengths: np.ndarray,
    dy: np.ndarray,
    cache: Any | None = None,
) -> dict[str, list[float] | None]:
    """``dh`` (and ``dc``) per distance from the last step, given the output gradient ``dy``.

    ``dy`` (N, T, D*H) is dL/d(output) of ``layer``; with a cache from an earlier forward on the
    same ``x`` the forward pass is not repeated.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    if cache is None:
        _, _, cache = layer.forward(x, lengths=lengths)
    trace: dict[tuple[int, int], list[np.ndarray]] = {}
    layer.backward(dy, cache, trace=trace)
    top = trace[(layer.num_layers - 1, 0)]
    states = tuple(layer.cell.state_names)  # h first; a cell state c where the cell has one
    depth = int(lengths.min())
    return {
        "dh": _per_distance(top[0], lengths, depth).tolist(),
        "dc": _per_distance(top[states.index("c")], lengths, depth).tolist()
        if "c" in states
        else None,
    }


def jacobian_curve(
    layer: RecurrentLayer,
    x: np.ndarray,
    lengths: np.ndarray,
    rng: np.random.Generator,
    cache: Any | None = None,
) -> list[float]:
    """Mean ``||u^T dh_T/dh_t||`` per distance k = T - t, for one random unit ``u`` per sequence."""
    lengths = np.asarray(lengths, dtype=np.int64)
    if cache is None:
        _, _, cache = layer.forward(x, lengths=lengths)
    N, T, width = cache.output_shape
    H = layer.hidden_size
    u = rng.standard_normal((N, H))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    dy = np.zeros((N, T, width), dtype=layer.dtype)
    dy[np.arange(N), lengths - 1, :H] = u  # the forward direction's last valid output
    return state_gradient_curves(layer, x, lengths, dy, cache)["dh"]  # type: ignore[return-value]


def spectral_radii(layer: RecurrentLayer, layer_index: int | None = None) -> dict[str, float]:
    """Largest |eigenvalue| of each gate block of ``W_hh`` (one block for the RNN).

    Keys name the block and the gate, e.g. ``"W_hf (forget gate)"``.
    """
    index = layer.num_layers - 1 if layer_index is None else layer_index
    W = np.asarray(layer.layer_params(index, 0)["weight_hh"], dtype=np.float64)
    H = layer.hidden_size
    out = {}
    for name, rows in gate_slices(tuple(layer.cell.gate_names), H).items():
        block = W[rows, :H]
        out[f"W_h{name} ({GATE_NAMES.get(name, name)})"] = float(
            np.max(np.abs(np.linalg.eigvals(block)))
        )
    return out


def gate_statistics(layer: RecurrentLayer, cache: Any, lengths: np.ndarray) -> dict[str, Any]:
    """Saturation per sigmoid gate and overall, and the mean forget (GRU: update) gate.

    Only the valid steps of each sequence count; a gate the variant lacks (a constant 1) is
    left out rather than counted as saturated.
    """
    steps = cache.steps[layer.num_layers - 1][0]
    T = next(iter(steps.values())).shape[0]
    valid = (np.arange(T)[:, None] < np.asarray(lengths)[None, :])[:, :, None]  # (T, N, 1)
    per_gate: dict[str, float] = {}
    saturated = counted = 0
    for name in layer.cell.sigmoid_gates:  # type: ignore[attr-defined]  (`registry`)
        values = np.broadcast_to(steps[name], steps[name].shape)[
            np.broadcast_to(valid, steps[name].shape)
        ]
        hits = int(np.count_nonzero((values < SATURATION_LOW) | (values > SATURATION_HIGH)))
        per_gate[name] = hits / max(values.size, 1)
        saturated, counted = saturated + hits, counted + values.size
    keep = layer.cell.keep_gate  # type: ignore[attr-defined]  (`rnnlab.cells.registry`)
    mean_keep = None
    if keep is not None:
        values = steps[keep][np.broadcast_to(valid, steps[keep].shape)]
        mean_keep = float(values.mean())
    return {
        "saturation": per_gate,
        "saturation_all": saturated / counted if counted else None,
        "keep_gate": keep,
        "mean_keep": mean_keep,
    }


def diagnose_layer(
    layer: RecurrentLayer,
    x: np.ndarray,
    lengths: np.ndarray,
    dy: np.ndarray | None,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Every diagnostic of the module docstring for one layer and batch, as plain JSON data.

    ``dy`` is the loss gradient of the layer's output; None measures the Jacobian curve only
    and reports it as ``dh`` too (useful on a bare layer with no readout).
    """
    was_training = layer.training
    layer.eval()  # no dropout: the measurement is of the network, not of a random mask
    try:
        lengths = np.asarray(lengths, dtype=np.int64)
        _, _, cache = layer.forward(x, lengths=lengths)
        jac = jacobian_curve(layer, x, lengths, rng, cache)
        curves = (
            state_gradient_curves(layer, x, lengths, dy, cache)
            if dy is not None
            else {"dh": jac, "dc": None}
        )
        return {
            "kind": layer.kind,
            "hidden": layer.hidden_size,
            "distance": list(range(len(jac))),
            **curves,
            "jacobian": jac,
            "spectral_radius": spectral_radii(layer),
            **gate_statistics(layer, cache, lengths),
        }
    finally:
        layer.train(was_training)


def relative(diag: dict[str, Any], key: str = "dh") -> np.ndarray | None:
    """``diag[key]`` divided by ``||dL/dh||`` at distance 0, the step where the loss is.

    The cell-state curve is divided by the same number: at the loss step dL/dc is zero (the
    loss reads h only), so the ratio says how much of the error reaching h is held in c.
    """
    curve = diag.get(key)
    if curve is None:
        return None
    values = np.asarray(curve, dtype=np.float64)
    ref = float(np.asarray(diag["jacobian" if key == "jacobian" else "dh"])[0])
    return values / ref if ref > 0 else np.full_like(values, np.nan)


def ratio_at(diag: dict[str, Any], distance: int, key: str = "dh") -> float | None:
    """``key``'s norm ``distance`` steps back relative to ``||dL/dh||`` at the last step."""
    rel = relative(diag, key)
    if rel is None or distance >= len(rel):
        return None
    return float(rel[distance])
