"""The fast `unroll` / `backprop` of the RNN and the GRU: same arguments and results as
`rnnlab.bptt`, compiled loops (`rnnlab.fast.kernels.rnn`, `rnnlab.fast.kernels.gru`); registered in
the dispatch dicts of `rnnlab.fast.lstm`.

Each function prepares contiguous arrays of one dtype, allocates the outputs, runs the kernel on
batch slices (`rnnlab.fast.threads.run_rows`) and returns what the reference returns: outputs,
final state, and the caches under the reference cell's keys as (T, N, H) arrays. For the RNN
``dxp`` and ``dhp`` are one array, as the reference cell returns them (``da, da``).
The array helpers shared with the LSTM's calls are in `rnnlab.fast.kernel_args`.
"""

from __future__ import annotations

import numpy as np

from .. import bptt
from ..cells import GRUCell, RNNCell
from ..cells.base import Array, Params, State, StepCache
from .kernel_args import contiguous as _c
from .kernel_args import hand_trace, output_grads
from .kernel_args import kernel_mask as _mask
from .kernels import gru, rnn
from .memory import empty
from .products import around_loop, tiles
from .products.blas import gemm_address
from .threads import run_rows

GRU_CACHE_KEYS = ("r", "z", "n", "u_n", "h_prev")  # the order of GRUCell.step's cache dict
_EMPTY_2D = (0, 0)
Mask = Array | None  # (T, N, 1) valid steps, None when every step is valid
Bias = Array | None  # bias_ih when xp comes without it (see `rnnlab.fast.lstm.unroll`)


def _trace_buffer(trace: list[Array] | None, shape: tuple[int, ...], dtype: np.dtype) -> Array:
    """Where the kernel writes the per-step gradient of h: (T, N, H), or empty if unwanted."""
    return np.empty((0, 0, 0), dtype) if trace is None else np.empty(shape, dtype)


def _with_bias(xp: Array, bias_ih: Array | None) -> Array:
    """``xp`` with the input bias added (in place: the caller handed ``xp`` over), if missing."""
    if bias_ih is not None:
        xp += bias_ih
    return xp


# -- RNN ----------------------------------------------------------------------------------------


def rnn_runs(cell: RNNCell) -> bool:
    """Whether the RNN's kernel runs the cell (tanh and relu; other activations: the reference)."""
    return cell.nonlinearity in ("tanh", "relu")


def _rnn_unroll(
    cell: RNNCell, p: Params, xp: Array, state: State, mask: Mask, reverse: bool, keep: bool,
    bias_ih: Bias, inp: Array | None = None,
) -> tuple[Array, State, StepCache]:  # fmt: skip
    """`rnnlab.fast.lstm.unroll` (``keep`` unused: the caches are what the backward reads)."""
    if not rnn_runs(cell):
        return bptt.unroll(cell, p, _with_bias(xp, bias_ih), state, mask, reverse)
    if inp is not None:  # `rnnlab.fast.lstm.encode`: the closure below makes the projection
        proj, xp = around_loop.projection(inp, p["weight_ih"], inp.dtype)
    else:
        proj = None
    T, N, H = xp.shape
    dt = xp.dtype
    m, has_mask = _mask(mask, dt)
    out = (*(np.empty((T, N, H), dt) for _ in range(3)), np.empty((N, H), dt))
    relu = cell.nonlinearity == "relu"
    w_t, blas = tiles.with_packed(_c(p["weight_hh"], dt).T), gemm_address(dt)
    b = p["bias_hh"] if bias_ih is None else p["bias_hh"] + bias_ih  # added in the loop
    xp = _c(xp, dt)
    args = (xp, w_t, blas, _c(b, dt), relu, _c(state[0], dt))

    def kernel(n0: int, n1: int) -> None:
        if proj is not None:
            around_loop.project(proj, xp, n0, n1)
        rnn.forward(*args, m, has_mask, reverse, dt.type(1), n0, n1, out)

    run_rows(kernel, N)
    hs, h, h_prev, h_T = out
    return hs, (h_T,), {"h": h, "h_prev": h_prev}


def _rnn_backprop(
    cell: RNNCell,
    p: Params,
    caches: StepCache,
    dhs: Array,
    dstate: State,
    mask: Array | None,
    reverse: bool,
    trace: list[Array] | None,
    prods: tuple | None = None,
) -> tuple[Array, Array, State]:
    if not rnn_runs(cell):
        return bptt.backprop(cell, p, caches, dhs, dstate, mask, reverse, trace)
    T, N, H = dhs.shape
    dt = dhs.dtype
    m, has_mask = _mask(mask, dt)
    buffer = _trace_buffer(trace, (T, N, H), dt)
    dA, dh0 = np.empty((T, N, H), dt), np.empty((N, H), dt)
    out = (dA, dh0, buffer, trace is not None)
    relu = cell.nonlinearity == "relu"
    w, blas = tiles.with_packed(_c(p["weight_hh"], dt)), gemm_address(dt)
    args = (_c(caches["h"], dt), w, blas, relu, *output_grads(dhs, dt), _c(dstate[0], dt))

    def kernel(n0: int, n1: int) -> None:
        rnn.backward(*args, m, has_mask, reverse, dt.type(1), n0, n1, out)
        if prods is not None:
            around_loop.products(prods, dA, dA, n0, n1)

    run_rows(kernel, N)
    hand_trace(trace, [buffer])
    return dA, dA, (dh0,)


# -- GRU ----------------------------------------------------------------------------------------


def _gru_weights(cell: GRUCell, w: Array, dt: np.dtype) -> tuple[Array, Array]:
    """W_hh (3H, H) whole with ``reset_after``, else its (r, z) rows and its n rows apart."""
    if cell.reset_after:
        return _c(w, dt), np.empty(_EMPTY_2D, dt)
    H = cell.hidden_size
    return _c(w[: 2 * H], dt), _c(w[2 * H :], dt)


def _gru_unroll(
    cell: GRUCell, p: Params, xp: Array, state: State, mask: Mask, reverse: bool, keep: bool,
    bias_ih: Bias, inp: Array | None = None,
) -> tuple[Array, State, StepCache]:  # fmt: skip
    """`rnnlab.fast.lstm.unroll` (``keep`` unused: the caches are what the backward reads)."""
    if inp is not None:  # `rnnlab.fast.lstm.encode`: the closure below makes the projection
        proj, xp = around_loop.projection(inp, p["weight_ih"], inp.dtype)
    else:
        proj, xp = None, _c(xp, xp.dtype)
    T, N, _ = xp.shape
    dt, H = xp.dtype, cell.hidden_size
    m, has_mask = _mask(mask, dt)
    out = (*(np.empty((T, N, H), dt) for _ in range(6)), np.empty((N, H), dt))
    w, wn = _gru_weights(cell, p["weight_hh"], dt)
    blas, b = gemm_address(dt), _c(p["bias_hh"], dt)
    bi = np.zeros(3 * H, dt) if bias_ih is None else _c(bias_ih, dt)  # added in the loop
    w_t, wn_t = tiles.with_packed(w.T), tiles.with_packed(wn.T)
    args = (xp, w_t, wn_t, blas, bi, b, cell.reset_after)
    h0 = _c(state[0], dt)

    def kernel(n0: int, n1: int) -> None:
        if proj is not None:
            around_loop.project(proj, xp, n0, n1)
        gru.forward(*args, h0, m, has_mask, reverse, dt.type(1), n0, n1, out)

    run_rows(kernel, N)
    hs, *cached, h_T = out
    return hs, (h_T,), dict(zip(GRU_CACHE_KEYS, cached, strict=True))


def _gru_backprop(
    cell: GRUCell,
    p: Params,
    caches: StepCache,
    dhs: Array,
    dstate: State,
    mask: Array | None,
    reverse: bool,
    trace: list[Array] | None,
    prods: tuple | None = None,
) -> tuple[Array, Array, State]:
    T, N, H = dhs.shape
    dt = dhs.dtype
    m, has_mask = _mask(mask, dt)
    buffer = _trace_buffer(trace, (T, N, H), dt)
    # Where the closure below makes every gradient (`around_loop.products`), dhp is du_n alone: its
    # (r, z) columns are dxp's, read there. Nothing outside sees it (`calls.decode`).
    split = prods is not None and prods.grads is not None
    dxp, dh0 = empty((T, N, 3 * H), dt), np.empty((N, H), dt)
    dhp = empty((T, N, H if split else 3 * H), dt)
    out = (dxp, dhp, dh0, buffer, trace is not None)
    cache = tuple(_c(caches[k], dt) for k in GRU_CACHE_KEYS)
    w, wn = (tiles.with_packed(part) for part in _gru_weights(cell, p["weight_hh"], dt))
    dhs_args = output_grads(dhs, dt)
    args = (cache, w, wn, gemm_address(dt), cell.reset_after, *dhs_args, _c(dstate[0], dt))

    def kernel(n0: int, n1: int) -> None:
        gru.backward(*args, m, has_mask, reverse, dt.type(1), n0, n1, out)
        if prods is not None:
            around_loop.products(prods, dxp, dhp, n0, n1)

    run_rows(kernel, N)
    hand_trace(trace, [buffer])
    return dxp, dhp, (dh0,)


UNROLL = {RNNCell: _rnn_unroll, GRUCell: _gru_unroll}
BACKPROP = {RNNCell: _rnn_backprop, GRUCell: _gru_backprop}
