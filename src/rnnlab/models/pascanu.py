"""Pascanu, Mikolov & Bengio (2013)'s regulariser Omega: keep the error signal's norm through time.

PMB13 (ICML 2013, "On the difficulty of training recurrent neural networks", eq. 9) add to the
loss a term that asks every step's Jacobian to preserve the norm of the error flowing back
through it, so the gradient neither vanishes nor explodes on its way into the past:

    Omega = sum_k ( ||dE/dh_(k+1) dh_(k+1)/dh_k|| / ||dE/dh_(k+1)|| - 1 )^2

Shapes: N batch, T steps, H hidden, G*H the cell's gate axis. Per layer direction and step t
(in the input's time order, so also for a reverse direction)::

    (1) d_t  = dL/dh_t                        # (N, H): the full BPTT error at step t's state
    (2) u_t  = dhp_t(d_t)                      # (N, G*H): the cell's step_backward with dh = d_t,
                                               #   every other state gradient 0 (dhp: the gradient
                                               #   of the recurrent projection h_prev @ W_hh.T)
    (3) v_t  = d_t dh_t/dh_(t-1) = r_t + u_t @ W_hh     # r_t: paths around W_hh (GRU: d_t * z)
    (4) rho  = ||v_t|| / ||d_t||               # per sequence
    (5) Omega = sum over counted (t, n) of (rho - 1)^2 / (number counted)
        counted: valid steps (before the length) with ||d_t||^2 >= bound (PMB13's code: 1e-20)

Backward, as PMB13 compute it (their RNN.py takes the gradient with d_t and the states as
constants, and adds it to W_hh's gradient only)::

    (5') w_t = 2 (rho - 1) v_t / (||v_t|| ||d_t||) / (number counted)   # dOmega/dv_t, (N, H)
    (3') dOmega/dW_hh = sum_t u_t.T @ w_t       # (G*H, H), from (3): v is linear in W_hh

That needs every path from h_(t-1) to h_t other than through W_hh not to depend on W_hh:
true for the RNN, every LSTM variant and the reset-after GRU (`supports`); the reset-before GRU
and cells such as the MGU multiply h_(t-1) before the product and are refused.

PMB13's code divides squared norms (||v||^2 / ||d||^2); we follow the paper's equation 9 (the
ratio of norms). Both are zero exactly when the norm is kept.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..layers import GRU, LSTM, RNN, RecurrentLayer

Array = np.ndarray
BOUND = 1e-20  # PMB13's RNN.py: steps whose ||dE/dh||^2 is below this are not counted


def supports(layer: RecurrentLayer) -> bool:
    """Whether h_(t-1) reaches h_t other than through W_hh without W_hh (see the docstring)."""
    if isinstance(layer, GRU):
        return bool(layer.reset_after)
    return isinstance(layer, RNN | LSTM)


def _step_terms(
    layer: RecurrentLayer, p: dict, steps: dict, d: Array, t: int, zeros: list[Array] | None = None
):
    """u_t (2) and v_t (3) for one step; ``zeros``: the other states' zero gradients, made once
    per direction by the caller (or here)."""
    step_cache = {name: value[t] for name, value in steps.items()}
    others = _other_states(layer, d[t]) if zeros is None else zeros
    _, u, prev = layer.cell.step_backward(p, step_cache, (d[t], *others))  # (2), (3): dh = d_t
    return u, prev[0]


def _other_states(layer: RecurrentLayer, d_t: Array) -> list[Array]:
    sizes = layer.cell.state_sizes()[1:]
    return [np.zeros((*d_t.shape[:-1], size), dtype=d_t.dtype) for size in sizes]


def omega(
    layer: RecurrentLayer,
    cache: Any,
    trace: dict[tuple[int, int], list[Array]],
    params: dict[str, Array] | None = None,
    bound: float = BOUND,
) -> tuple[float, dict[str, Array]]:
    """Omega (5) over every layer direction and its gradient (3') for each ``weight_hh``.

    ``cache`` is the forward cache and ``trace`` the state gradients that ``layer.backward(...,
    trace=trace)`` recorded for the loss. ``params`` replaces the layer's parameters (a dict by
    the layer's names), for finite differences.
    """
    if not supports(layer):
        raise ValueError(
            "regularizer: Pascanu's Omega needs h_(t-1) to reach h_t only through W_hh (RNN, "
            f"LSTM, reset-after GRU); got {layer!r}"
        )
    terms, grads = [], {}
    for (index, direction), states in sorted(trace.items()):
        p = layer.layer_params(index, direction)
        if params is not None:
            p = {k: params[layer.param_name(k, index, direction)] for k in p}
        steps, d = cache.steps[index][direction], states[0]  # (1) d: (T, N, H)
        valid = np.ones(d.shape[:2], bool) if cache.mask is None else cache.mask[..., 0] > 0
        zeros = _other_states(layer, d[0])  # read only by step_backward: one set serves all t
        per_step = [_step_terms(layer, p, steps, d, t, zeros) for t in range(d.shape[0])]
        u, v = (np.stack(part) for part in zip(*per_step, strict=True))  # (T, N, G*H), (T, N, H)
        terms.append((index, direction, d, u, v, valid))
    counted = sum(int(((t[2] ** 2).sum(-1) >= bound)[t[5]].sum()) for t in terms)
    total = 0.0
    for index, direction, d, u, v, valid in terms:
        d_norm, v_norm = np.linalg.norm(d, axis=-1), np.linalg.norm(v, axis=-1)
        use = valid & (d_norm**2 >= bound)
        rho = np.where(use, v_norm / np.where(use, d_norm, 1.0), 1.0)  # (4)
        total += float(((rho - 1.0) ** 2)[use].sum())  # (5)
        live = use & (v_norm > 0)  # where ||v|| = 0 the norm has no direction to move in
        scale = np.where(live, 2 * (rho - 1.0) / np.where(live, v_norm * d_norm, 1.0), 0.0)
        w = v * scale[..., None] / max(counted, 1)  # (5')
        name = layer.param_name("weight_hh", index, direction)
        grads[name] = np.einsum("tng,tnh->gh", u, w)  # (3')
    return total / max(counted, 1), grads
