"""The layer's steps that the fast path may take over: the time loop and the products outside it.

Each runs `rnnlab.fast` when the fast backend is in force (and supports the cell), else the
readable NumPy reference; both give the same numbers (to rounding).
"""

from __future__ import annotations

from . import backend
from .cells.base import Array, Cell, Params, State, StepCache


def unroll(
    cell: Cell, p: Params, xp: Array, state: State, mask: Array | None, reverse: bool, keep: bool
) -> tuple[Array, State, StepCache]:
    """`backend.unroll` of ``xp + bias_ih``; ``xp`` (ours to change) comes without the bias: the
    fast path adds it inside its loop, one pass over the (T, N, G*H) projection less (70 us of a
    3.4 ms LSTM step at hidden 32). ``keep=False`` lets it skip the caches."""
    if backend.current() == "fast":
        from . import fast

        if fast.supports(cell):
            return fast.unroll(cell, p, xp, state, mask, reverse, keep=keep, bias_ih=p["bias_ih"])
    xp += p["bias_ih"]
    return backend.unroll(cell, p, xp, state, mask, reverse=reverse)


def project(inp: Array, weight: Array) -> Array:
    """inp @ weight.T for a 2-D ``inp``: the fast path's `rnnlab.fast.wide.matmul` when it runs."""
    if backend.current() == "fast":
        from . import fast

        return fast.matmul(inp, weight.T)
    return inp @ weight.T


def weight_grads(cell: Cell, p: Params, steps: StepCache, dxp: Array, dhp: Array) -> Params:
    """``cell.weight_grads``, through the fast path's version when it runs (same numbers)."""
    if backend.current() == "fast":
        from . import fast

        if fast.supports(cell):
            return fast.weight_grads(cell, p, steps, dxp, dhp)
    return cell.weight_grads(p, steps, dxp, dhp)


def gram(a: Array, b: Array) -> Array:
    """a.T @ b for 2-D ``a`` and ``b`` (the weight gradients): `rnnlab.fast.wide.gram` when the
    fast path runs."""
    if backend.current() == "fast":
        from . import fast

        return fast.gram(a, b)
    return a.T @ b
