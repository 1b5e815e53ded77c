"""The layer's steps that the fast path may take over: the time loop and the products outside it.

Each runs `rnnlab.fast` when the fast backend is in force (and supports the cell), else the
readable NumPy reference; both give the same numbers (to rounding). `encode` and `decode` are
one layer direction's forward and backward: one call into the fast path each (`rnnlab.fast.calls`),
or the steps below.
"""

from __future__ import annotations

from functools import cache
from types import ModuleType

from . import backend
from .cells.base import Array, Cell, Params, State, StepCache, row_sum


@cache
def _fast_module() -> ModuleType:
    from . import fast  # imported on first use: numba's import is slow

    return fast


def _fast() -> ModuleType | None:
    """`rnnlab.fast` when the fast backend is in force, else None."""
    return _fast_module() if backend.current() == "fast" else None


def encode(
    cell: Cell, p: Params, inp: Array, state: State, mask: Array | None, reverse: bool, keep: bool
) -> tuple[Array, State, StepCache]:
    """One direction's forward over ``inp`` (T, N, D): the input projection, then `unroll`."""
    fast = _fast()
    if fast is not None and fast.supports(cell):
        return fast.encode(cell, p, inp, state, mask, reverse, keep)
    return unroll(cell, p, project(inp, p["weight_ih"]), state, mask, reverse, keep)


def decode(
    cell: Cell, p: Params, steps: StepCache, dhs: Array, dstate: State, mask: Array | None,
    reverse: bool, inp: Array, record: list[Array] | None,
) -> tuple[Params, Array, State]:  # fmt: skip
    """One direction's backward: (the parameters' gradients under the cell's local names, the
    gradient of ``inp`` (T, N, D), that of the initial state); ``record`` as `backend.backprop`'s
    ``trace``."""
    fast = _fast()
    if fast is not None and record is None and fast.supports(cell):
        done = fast.decode(cell, p, steps, dhs, dstate, mask, reverse, inp)
        if done is not None:
            return done
    dxp, dhp, dinitial = backend.backprop(cell, p, steps, dhs, dstate, mask, reverse, record)
    hh = weight_grads(cell, p, steps, dxp, dhp)
    # LSTM and RNN: dxp is dhp, so bias_ih's gradient is bias_hh's; one sum, not two.
    bias_ih = hh["bias_hh"].copy() if dxp is dhp else row_sum(dxp)
    grads = {"weight_ih": gram(dxp, inp), "bias_ih": bias_ih, **hh}
    return grads, backproject(dxp, p["weight_ih"]), dinitial


def unroll(
    cell: Cell, p: Params, xp: Array, state: State, mask: Array | None, reverse: bool, keep: bool
) -> tuple[Array, State, StepCache]:
    """`backend.unroll` of ``xp + bias_ih``; ``xp`` (ours to change) comes without the bias: the
    fast path adds it inside its loop, one pass over the (T, N, G*H) projection less (70 us of a
    3.4 ms LSTM step at hidden 32). ``keep=False`` lets it skip the caches."""
    fast = _fast()
    if fast is not None and fast.supports(cell):
        return fast.unroll(cell, p, xp, state, mask, reverse, keep=keep, bias_ih=p["bias_ih"])
    xp += p["bias_ih"]
    return backend.unroll(cell, p, xp, state, mask, reverse=reverse)


def project(inp: Array, weight: Array) -> Array:
    """The input projection ``inp @ weight.T`` of ``inp`` (T, N, D): (T, N, G*H).

    All steps in one 2-D product, since NumPy runs a 3-D @ as T separate small products (1.8x
    slower at hidden 512, measured). ``inp`` may be the time-major view of a batch-first array;
    the fast path reads it in place (`rnnlab.fast.products.outside_loop`)."""
    fast = _fast()
    if fast is not None:
        return fast.outside_loop.project(inp, weight.T)
    T, N, D = inp.shape
    return (inp.reshape(-1, D) @ weight.T).reshape(T, N, -1)


def backproject(dxp: Array, weight: Array) -> Array:
    """The input gradient ``dxp @ weight`` of ``dxp`` (T, N, G*H): (T, N, D), on the fast path
    the time-major view of a batch-first array."""
    fast = _fast()
    if fast is not None:
        return fast.outside_loop.backproject(dxp, weight)
    T, N, G = dxp.shape
    return (dxp.reshape(-1, G) @ weight).reshape(T, N, -1)


def weight_grads(cell: Cell, p: Params, steps: StepCache, dxp: Array, dhp: Array) -> Params:
    """``cell.weight_grads``, through the fast path's version when it runs (same numbers)."""
    fast = _fast()
    if fast is not None and fast.supports(cell):
        return fast.weight_grads(cell, p, steps, dxp, dhp)
    return cell.weight_grads(p, steps, dxp, dhp)


def gram(a: Array, b: Array) -> Array:
    """``a.T @ b`` over all (t, n) rows of ``a`` (T, N, G) and ``b`` (T, N, D), a weight
    gradient: (G, D). ``b`` may be the time-major view of a batch-first array."""
    fast = _fast()
    if fast is not None:
        return fast.outside_loop.gram(a, b)
    return a.reshape(-1, a.shape[2]).T @ b.reshape(-1, b.shape[2])
