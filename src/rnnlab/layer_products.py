"""One layer direction's forward and backward: the fast path's when `rnnlab.backend` says so,
else the readable reference below.

The reference is the input projection, one time loop (`rnnlab.bptt`) and the products of the
gradients outside it, in NumPy; `rnnlab.fast.direction` makes the same numbers (to rounding)
in one compiled call each way.
"""

from __future__ import annotations

from . import backend, bptt
from .cells.base import Array, Cell, Params, State, StepCache, row_sum


def forward_direction(
    cell: Cell, p: Params, inp: Array, state: State, mask: Array | None, reverse: bool, keep: bool
) -> tuple[Array, State, StepCache]:
    """One direction's forward over ``inp`` (T, N, D): (outputs (T, N, H), final state, caches).
    ``keep=False``: no backward will follow (the fast path may then skip the caches)."""
    fast = backend.fast_path(cell)
    if fast is not None:
        return fast.forward(cell, p, inp, state, mask, reverse, keep)
    xp = project(inp, p["weight_ih"])
    xp += p["bias_ih"]
    return bptt.unroll(cell, p, xp, state, mask, reverse)


def backward_direction(
    cell: Cell, p: Params, steps: StepCache, dhs: Array, dstate: State, mask: Array | None,
    reverse: bool, inp: Array, trace: list[Array] | None,
) -> tuple[Params, Array, State]:  # fmt: skip
    """One direction's backward: (the parameters' gradients under the cell's local names, the
    gradient of ``inp`` (T, N, D), that of the initial state); ``trace`` as
    `rnnlab.bptt.backprop`'s."""
    fast = backend.fast_path(cell)
    if fast is not None:
        return fast.backward(cell, p, steps, dhs, dstate, mask, reverse, inp, trace)
    dxp, dhp, dinitial = bptt.backprop(cell, p, steps, dhs, dstate, mask, reverse, trace)
    grads = {"weight_ih": gram(dxp, inp), "bias_ih": row_sum(dxp)}
    grads.update(cell.weight_grads(p, steps, dxp, dhp))
    return grads, backproject(dxp, p["weight_ih"]), dinitial


def project(inp: Array, weight: Array) -> Array:
    """The input projection ``inp @ weight.T`` of ``inp`` (T, N, D): (T, N, G*H).

    All steps in one 2-D product, since NumPy runs a 3-D @ as T separate small products (1.8x
    slower at hidden 512, measured)."""
    T, N, D = inp.shape
    return (inp.reshape(-1, D) @ weight.T).reshape(T, N, -1)


def backproject(dxp: Array, weight: Array) -> Array:
    """The input gradient ``dxp @ weight`` of ``dxp`` (T, N, G*H): (T, N, D)."""
    T, N, G = dxp.shape
    return (dxp.reshape(-1, G) @ weight).reshape(T, N, -1)


def gram(a: Array, b: Array) -> Array:
    """``a.T @ b`` over all (t, n) rows of ``a`` (T, N, G) and ``b`` (T, N, D), a weight
    gradient: (G, D)."""
    return a.reshape(-1, a.shape[2]).T @ b.reshape(-1, b.shape[2])
