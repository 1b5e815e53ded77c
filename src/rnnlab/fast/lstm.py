"""The fast `unroll` / `backprop`: same arguments and results as `rnnlab.bptt`, compiled loops.

Each function here prepares contiguous arrays of one dtype, allocates the outputs, runs the
cell's kernel (on batch slices across threads when that pays, see `rnnlab.fast.threads`) and
returns exactly what the reference returns: outputs, final state, and the caches under the
reference's keys as (T, N, ...) arrays.

`encode` and `decode` are one layer direction's forward (input projection + `unroll`) and
backward (`backprop` + the input's and the parameters' gradients): for every cell whose weight
gradients are the plain ones, the products run in the kernel's closure
(`rnnlab.fast.products.around_loop`), for the others as separate steps.

Two shortcuts, both invisible to callers that only read: the LSTM's caches are slices of one
(8, T, N, H) array (handed back to the backward kernel without copying), and for the LSTM and
the RNN ``dxp`` and ``dhp`` are the same array, as the reference's cells return them.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..cells import GRUCell, LSTMCell, RNNCell
from ..cells.base import Array, Cell, Params, State, StepCache, row_sum
from . import gru as gru_rnn
from .kernel_args import contiguous as _c
from .kernel_args import hand_trace, output_grads, recurrent_grads
from .kernel_args import kernel_mask as _mask
from .kernels import lstm
from .kernels import lstm_flags as lstm_cfg
from .memory import empty
from .products import around_loop, outside_loop, tiles
from .products.blas import gemm_address
from .threads import run_rows


class _Stacked(dict):
    """The LSTM's cache dict, remembering the (K, T, N, H) array its first K entries are slices
    of, in order; setting an entry forgets it (the slices may no longer be those)."""

    stacked: Array | None = None

    def __setitem__(self, key: str, value: Array) -> None:
        self.stacked = None
        super().__setitem__(key, value)

    def update(self, *args, **kwargs) -> None:
        self.stacked = None
        super().update(*args, **kwargs)


def _stacked(caches: StepCache, keys: tuple[str, ...], dtype: np.dtype) -> Array:
    """The (K, T, N, H) array whose slices ``caches[keys[k]]`` are; stacked anew if they are not
    (say, a caller replaced an entry)."""
    base = getattr(caches, "stacked", None)
    if base is not None and base.dtype == dtype:
        owner = base if base.base is None else base.base  # a pooled block (`memory.empty`)
        if all(caches[k].base is owner for k in keys):  # NumPy points views at the owner
            return base
    return np.stack([_c(caches[k], dtype) for k in keys])


def _bias(p: Params, bias_ih: Array | None, dtype: np.dtype) -> Array:
    """The bias the kernel adds to every step's pre-activation: bias_hh, plus bias_ih when the
    caller's input projection comes without it (see `unroll`)."""
    b = p["bias_hh"] if bias_ih is None else p["bias_hh"] + bias_ih
    return _c(b, dtype)


def _trace_buffers(trace: list[Array] | None, shapes: list[tuple[int, ...]], dtype: np.dtype):
    """Arrays for the kernel to write the per-step state gradients into (empty if unwanted)."""
    if trace is None:
        return [np.empty((0, 0, 0), dtype=dtype) for _ in range(3)]
    buffers = [np.zeros(shape, dtype=dtype) for shape in shapes]
    return buffers + [np.empty((0, 0, 0), dtype=dtype)] * (3 - len(buffers))


# -- LSTM ---------------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _lstm_cfg(spec, hidden: int) -> Array:
    return lstm_cfg.config(spec, hidden)


def _lstm_unroll(cell, p, xp, state, mask, reverse, keep=True, bias_ih=None, inp=None):
    """`unroll`; with ``inp`` (T, N, D) instead of ``xp`` (None), the input projection is made
    in the kernel's closure, each thread's rows before their loop
    (`rnnlab.fast.products.around_loop`)."""
    dt, H, spec = (xp if inp is None else inp).dtype, cell.hidden_size, cell.spec
    if inp is None:
        proj, xp = None, _c(xp, dt)
    else:
        proj, xp = around_loop.projection(inp, p["weight_ih"], dt)
    T, N, _ = xp.shape
    SH = len(spec.sigmoid_gates) * H if spec.gate_recurrence else 0
    peep = _c(p["weight_ch"], dt) if spec.peepholes else np.zeros(0, dt)
    wg_t = _c(p["weight_gh"].T, dt) if SH else np.zeros((0, 0), dt)
    q0 = _c(state[2], dt) if SH else np.zeros((N, 0), dt)
    state0 = (_c(state[0], dt), _c(state[1], dt), q0)
    m, has_mask = _mask(mask, dt)
    out = (
        np.empty((T, N, H), dt),
        empty((8, T if keep else 1, N, H), dt),  # keep=False: one step's scratch
        np.empty((T if keep else 1, N, SH), dt),
        np.empty((N, H), dt),
        np.empty((N, H), dt),
        np.empty((N, SH), dt),
    )
    ws, blas = tiles.with_packed(_c(p["weight_hh"], dt).T), gemm_address(dt)
    args = (xp, ws, blas, _bias(p, bias_ih, dt), peep, wg_t)
    cfg, one = _lstm_cfg(spec, H), dt.type(1)

    def kernel(n0: int, n1: int) -> None:
        if proj is not None:
            around_loop.project(proj, xp, n0, n1)
        lstm.forward(*args, cfg, state0, m, has_mask, reverse, one, n0, n1, out)

    run_rows(kernel, N)
    hs, cache, q_prev, h_T, c_T, q_T = out
    caches = _Stacked(zip(lstm_cfg.CACHE_KEYS, cache, strict=True)) if keep else {}
    if keep:
        if SH:
            caches.update(q_prev=q_prev)
        caches.stacked = cache
    if SH:
        return hs, (h_T, c_T, q_T), caches
    return hs, (h_T, c_T), caches


def _lstm_backprop(cell, p, caches, dhs, dstate, mask, reverse, trace, prods=None):
    T, N, H = dhs.shape
    dt, spec = dhs.dtype, cell.spec
    SH = len(spec.sigmoid_gates) * H if spec.gate_recurrence else 0
    GH = len(spec.computed_gates) * H
    cache = _stacked(caches, lstm_cfg.CACHE_KEYS, dt)
    peep = _c(p["weight_ch"], dt) if spec.peepholes else np.zeros(0, dt)
    wg = _c(p["weight_gh"], dt) if SH else np.zeros((0, 0), dt)
    dq = _c(dstate[2], dt) if SH else np.zeros((N, 0), dt)
    d_final = (_c(dstate[0], dt), _c(dstate[1], dt), dq)
    m, has_mask = _mask(mask, dt)
    shapes = [(T, N, H), (T, N, H)] + ([(T, N, SH)] if SH else [])
    buffers = _trace_buffers(trace, shapes, dt)
    dA = empty((T, N, GH), dt)
    d0 = (np.empty((N, H), dt), np.empty((N, H), dt), np.empty((N, SH), dt))
    out = (dA, *d0, tuple(buffers), trace is not None)
    ws, blas = tiles.with_packed(_c(p["weight_hh"], dt)), gemm_address(dt)
    args = (cache, ws, blas, wg, peep, _lstm_cfg(spec, H), *output_grads(dhs, dt), d_final)

    def kernel(n0: int, n1: int) -> None:
        lstm.backward(*args, m, has_mask, reverse, dt.type(1), n0, n1, out)
        if prods is not None:
            around_loop.products(prods, dA, dA, n0, n1)

    run_rows(kernel, N)
    hand_trace(trace, buffers[: len(shapes)])
    return dA, dA, d0 if SH else d0[:2]


# -- dispatch -----------------------------------------------------------------------------------

_UNROLL = {LSTMCell: _lstm_unroll, **gru_rnn.UNROLL}
_BACKPROP = {LSTMCell: _lstm_backprop, **gru_rnn.BACKPROP}


def supports(cell: Cell) -> bool:
    return type(cell) in _UNROLL


def _plain_grads(cell: Cell) -> bool:
    """Whether the cell's only recurrent weights are W_hh and b_hh, read with the plain previous
    state: its weight gradients are `rnnlab.cells.base.recurrent_grads`."""
    spec = getattr(cell, "spec", None)
    return (
        type(cell) is RNNCell
        or (type(cell) is GRUCell and cell.reset_after)
        or (type(cell) is LSTMCell and not (spec.peepholes or spec.gate_recurrence))
    )


def weight_grads(cell: Cell, p: Params, caches: StepCache, dxp: Array, dhp: Array) -> Params:
    """``cell.weight_grads``; for the cells whose only recurrent weights are W_hh and b_hh, read
    with the plain previous state (the RNN, the GRU with the reset after the product, the LSTM
    without peepholes and gate recurrence), `rnnlab.fast.kernel_args.recurrent_grads`: the same
    numbers with a faster bias sum (and for the GRU one product where its cell makes two)."""
    if _plain_grads(cell):
        return recurrent_grads(caches, dhp)
    return cell.weight_grads(p, caches, dxp, dhp)


def unroll(
    cell: Cell,
    p: Params,
    xp: Array,
    state: State,
    mask: Array | None = None,
    reverse: bool = False,
    keep: bool = True,
    bias_ih: Array | None = None,
) -> tuple[Array, State, StepCache]:
    """As `rnnlab.bptt.unroll`, compiled. ``keep=False`` (no backward will follow) lets a cell
    skip keeping its caches, returning ``{}`` for them; the LSTM does so, the others ignore it.
    With ``bias_ih``, ``xp`` lacks the input bias (and may be changed): the kernels add it inside
    the loop (the LSTM and the RNN with bias_hh), saving a pass over ``xp``."""
    return _UNROLL[type(cell)](cell, p, xp, state, mask, bool(reverse), keep, bias_ih)


def backprop(
    cell: Cell,
    p: Params,
    caches: StepCache,
    dhs: Array,
    dstate: State,
    mask: Array | None = None,
    reverse: bool = False,
    trace: list[Array] | None = None,
) -> tuple[Array, Array, State]:
    """As `rnnlab.bptt.backprop`, compiled."""
    return _BACKPROP[type(cell)](cell, p, caches, dhs, dstate, mask, bool(reverse), trace)


def _fused(cell: Cell) -> bool:
    """Whether `encode` and `decode` run the products in the kernel's closure: every cell the
    kernels run whose weight gradients are the plain ones."""
    return _plain_grads(cell) and (type(cell) is not RNNCell or gru_rnn.rnn_runs(cell))


def encode(
    cell: Cell, p: Params, inp: Array, state: State, mask: Array | None, reverse: bool, keep: bool
) -> tuple[Array, State, StepCache]:
    """The input projection of ``inp`` (T, N, D) and `unroll` over it, in the kernel's closure
    where `_fused` holds (`rnnlab.fast.products.around_loop`). ``inp`` may be a batch-first array's
    view."""
    reverse, bias_ih = bool(reverse), p["bias_ih"]
    if not _fused(cell):
        xp = outside_loop.project(inp, p["weight_ih"].T)
        return unroll(cell, p, xp, state, mask, reverse, keep, bias_ih=bias_ih)
    return _UNROLL[type(cell)](cell, p, None, state, mask, reverse, keep, bias_ih, inp)


def decode(
    cell: Cell, p: Params, caches: StepCache, dhs: Array, dstate: State, mask: Array | None,
    reverse: bool, inp: Array,
) -> tuple[Params, Array, State] | None:  # fmt: skip
    """`backprop`, the parameters' gradients and the input's, (T, N, D) (a batch-first array's
    view), in the kernel's closure where `_fused` holds; None for the other cells (the caller
    takes the separate steps)."""
    if not _fused(cell):
        return None
    shared = type(cell) is not GRUCell  # the LSTM's and the RNN's dxp is their dhp
    prods = around_loop.gradients(inp, p["weight_ih"], caches["h_prev"], dhs.dtype, shared)
    run = _BACKPROP[type(cell)]
    dxp, dhp, d0 = run(cell, p, caches, dhs, dstate, mask, bool(reverse), None, prods)
    grads = prods.grads
    if grads is None:
        grads = {"weight_ih": outside_loop.gram(dxp, inp), **recurrent_grads(caches, dhp)}
        grads["bias_ih"] = grads["bias_hh"].copy() if shared else row_sum(dxp)
    if prods.dx is not None:
        return grads, prods.dx.transpose(1, 0, 2), d0
    return grads, outside_loop.backproject(dxp, p["weight_ih"]), d0


__all__ = ["backprop", "decode", "encode", "supports", "unroll", "weight_grads"]
