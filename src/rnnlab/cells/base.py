"""The contract every recurrent cell fulfils, and the types it trades in.

A cell is stateless: it knows its sizes and its equations, nothing else. The one time loop
(`rnnlab.bptt`) drives it through four calls:

* ``param_shapes(input_size)``: the cell's parameters by local name (``weight_ih``, ``weight_hh``,
  ``bias_ih``, ``bias_hh`` and, for some LSTM variants, ``weight_ch`` / ``weight_gh``). Weights are
  laid out out x in with gate blocks stacked along the first axis, as PyTorch does.
* ``step(p, xp, state) -> (state, cache)``: one time step. ``xp`` is the input projection
  ``x_t @ W_ih.T + b_ih`` that the loop computed for *all* steps in one matrix product.
* ``step_backward(p, cache, dstate) -> (dxp, dhp, dstate_prev)``: the matching backward step.
  ``dxp`` (N, G*H) is the gradient of the input projection ``xp``; ``dhp`` (N, G*H) that of the
  recurrent projection, block by block the product ``W_hh``'s block reads plus ``b_hh``'s:
  ``h_prev @ W_hh.T + b_hh`` for most cells, but ``(r * h_prev) @ W_hn.T + b_hn`` for the n block
  of the reset-before GRU (and ``(f * h_prev) @ W_hn.T + b_hn`` for the MGU's). The two differ
  only where a gate multiplies the recurrent projection after it is formed (the reset-after
  GRU's ``r * u_n``); elsewhere both are the gradient of the pre-activations.
* ``weight_grads(p, caches, dxp, dhp) -> grads``: gradients of the recurrent-side parameters from
  the per-step quantities stacked over time (``dhp`` (T, N, G*H)), as single products outside
  the time loop: each block of ``dhp`` times what that block of ``W_hh`` read.

States are tuples of arrays whose first entry is the hidden output ``h``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Protocol

import numpy as np

Array = np.ndarray
Params = dict[str, Array]
State = tuple[Array, ...]
StepCache = dict[str, Array]


class Cell(Protocol):
    """What the time loop needs from a cell (see the module docstring)."""

    hidden_size: int
    state_names: tuple[str, ...]
    gate_names: tuple[str, ...]

    def param_shapes(self, input_size: int) -> dict[str, tuple[int, ...]]: ...

    def state_sizes(self) -> tuple[int, ...]: ...

    def step(self, p: Params, xp: Array, state: State) -> tuple[State, StepCache]: ...

    def step_backward(
        self, p: Params, cache: StepCache, dstate: State
    ) -> tuple[Array, Array, State]: ...

    def weight_grads(self, p: Params, caches: StepCache, dxp: Array, dhp: Array) -> Params: ...


def stacked_param_shapes(gates: int, hidden: int, input_size: int) -> dict[str, tuple[int, ...]]:
    """``weight_ih`` (G*H, D), ``weight_hh`` (G*H, H), ``bias_ih`` and ``bias_hh`` (G*H,)."""
    rows = gates * hidden
    return {
        "weight_ih": (rows, input_size),
        "weight_hh": (rows, hidden),
        "bias_ih": (rows,),
        "bias_hh": (rows,),
    }


def gate_slices(gate_names: tuple[str, ...], hidden_size: int) -> dict[str, slice]:
    """Map each gate name to its block of rows in the stacked (G*H, ...) weight layout."""
    return {
        name: slice(k * hidden_size, (k + 1) * hidden_size) for k, name in enumerate(gate_names)
    }


@lru_cache(maxsize=32)
def ones(n: int, dtype: np.dtype) -> Array:
    """A read-only vector of ``n`` ones, kept for reuse (the bias sums of `row_sum`)."""
    vector = np.ones(n, dtype)
    vector.flags.writeable = False
    return vector


def row_sum(a: Array, out: Array | None = None) -> Array:
    """The sum of ``a`` (..., G) over all its rows, as a matrix-vector product with `ones`: 24 us
    against 70 us for ``.sum(axis=0)`` at (3200, 128)."""
    flat = a.reshape(-1, a.shape[-1])
    return np.dot(ones(flat.shape[0], flat.dtype), flat, out=out)


def recurrent_grads(caches: StepCache, dhp: Array, h_prev_key: str = "h_prev") -> Params:
    """dW_hh and db_hh when W_hh multiplies the plain previous hidden state.

    ``dhp`` is (T, N, G*H) and ``caches[h_prev_key]`` is (T, N, H); both sums over time and batch
    are one matrix product.
    """
    h_prev = caches[h_prev_key]
    flat_dhp = dhp.reshape(-1, dhp.shape[-1])
    return {
        "weight_hh": flat_dhp.T @ h_prev.reshape(-1, h_prev.shape[-1]),
        "bias_hh": flat_dhp.sum(axis=0),
    }
