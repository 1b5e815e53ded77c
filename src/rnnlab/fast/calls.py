"""The fast `unroll` / `backprop`: same arguments and results as `rnnlab.bptt`, compiled loops.

Each function here prepares contiguous arrays of one dtype, allocates the outputs, runs the
cell's kernel (on batch slices across threads when that pays, see `rnnlab.fast.threads`) and
returns exactly what the reference returns: outputs, final state, and the caches under the
reference's keys as (T, N, ...) arrays.

Two shortcuts, both invisible to callers that only read: the LSTM's caches are slices of one
(8, T, N, H) array (handed back to the backward kernel without copying), and for the LSTM and
the RNN ``dxp`` and ``dhp`` are the same array, as the reference's cells return them.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..cells import GRUCell, LSTMCell, RNNCell
from ..cells.base import Array, Cell, Params, State, StepCache
from . import calls_gru_rnn as gru_rnn
from . import cfg as lstm_cfg
from . import lstm
from .blas import gemm_address
from .glue import contiguous as _c
from .glue import hand_trace
from .glue import kernel_mask as _mask
from .threads import run_rows


def _stacked(caches: StepCache, keys: tuple[str, ...], dtype: np.dtype) -> Array:
    """The (K, T, N, H) array whose slices ``caches[keys[k]]`` are; stacked anew if they are not
    (say, a caller replaced an entry)."""
    base = caches[keys[0]].base
    if (
        isinstance(base, np.ndarray)
        and base.dtype == dtype
        and base.flags.c_contiguous
        and base.shape == (len(keys), *caches[keys[0]].shape)
        and all(
            caches[k].__array_interface__["data"][0] == base[j].__array_interface__["data"][0]
            and caches[k].strides == base[j].strides
            for j, k in enumerate(keys)
        )
    ):
        return base
    return np.stack([_c(caches[k], dtype) for k in keys])


def _trace_buffers(trace: list[Array] | None, shapes: list[tuple[int, ...]], dtype: np.dtype):
    """Arrays for the kernel to write the per-step state gradients into (empty if unwanted)."""
    if trace is None:
        return [np.empty((0, 0, 0), dtype=dtype) for _ in range(3)]
    buffers = [np.zeros(shape, dtype=dtype) for shape in shapes]
    return buffers + [np.empty((0, 0, 0), dtype=dtype)] * (3 - len(buffers))


# -- LSTM ---------------------------------------------------------------------------------------

# From this hidden size up the kernels run the recurrent product transposed (`lstm._recurrent`):
# measured per-step rates at 32 rows, 1 thread (GF/s, plain -> transposed): forward H=128 87 -> 92,
# 256 60 -> 92, 512 65 -> 91; backward 128 83 -> 80, 256 86 -> 92, 512 79 -> 89.
TRANS_FORWARD = 256
TRANS_BACKWARD = 256


@lru_cache(maxsize=64)
def _lstm_cfg(spec, hidden: int) -> Array:
    return lstm_cfg.config(spec, hidden)


def _lstm_unroll(cell, p, xp, state, mask, reverse, keep=True):
    T, N, _ = xp.shape
    dt, H, spec = xp.dtype, cell.hidden_size, cell.spec
    SH = len(spec.sigmoid_gates) * H if spec.gate_recurrence else 0
    peep = _c(p["weight_ch"], dt) if spec.peepholes else np.zeros(0, dt)
    wg_t = _c(p["weight_gh"].T, dt) if SH else np.zeros((0, 0), dt)
    q0 = _c(state[2], dt) if SH else np.zeros((N, 0), dt)
    state0 = (_c(state[0], dt), _c(state[1], dt), q0)
    m, has_mask = _mask(mask, dt)
    out = (
        np.empty((T, N, H), dt),
        np.empty((8, T if keep else 1, N, H), dt),  # keep=False: one step's scratch
        np.empty((T if keep else 1, N, SH), dt),
        np.empty((N, H), dt),
        np.empty((N, H), dt),
        np.empty((N, SH), dt),
    )
    w = _c(p["weight_hh"], dt)
    ws = (_c(w.T, dt), w)
    trans, blas = H >= TRANS_FORWARD, gemm_address(dt)
    args = (_c(xp, dt), ws, trans, blas, _c(p["bias_hh"], dt), peep, wg_t)
    cfg, one = _lstm_cfg(spec, H), dt.type(1)

    def kernel(n0: int, n1: int) -> None:
        lstm.forward(*args, cfg, state0, m, has_mask, reverse, one, n0, n1, out)

    run_rows(kernel, N)
    hs, cache, q_prev, h_T, c_T, q_T = out
    caches = {k: cache[j] for j, k in enumerate(lstm_cfg.CACHE_KEYS)} if keep else {}
    if SH:
        if keep:
            caches["q_prev"] = q_prev
        return hs, (h_T, c_T, q_T), caches
    return hs, (h_T, c_T), caches


def _lstm_backprop(cell, p, caches, dhs, dstate, mask, reverse, trace):
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
    dA = np.empty((T, N, GH), dt)
    d0 = (np.empty((N, H), dt), np.empty((N, H), dt), np.empty((N, SH), dt))
    out = (dA, *d0, tuple(buffers), trace is not None)
    w = _c(p["weight_hh"], dt)
    ws = (w, _c(w.T, dt))
    trans, blas = H >= TRANS_BACKWARD, gemm_address(dt)
    args = (cache, ws, trans, blas, wg, peep, _lstm_cfg(spec, H), _c(dhs, dt), d_final)

    def kernel(n0: int, n1: int) -> None:
        lstm.backward(*args, m, has_mask, reverse, dt.type(1), n0, n1, out)

    run_rows(kernel, N)
    hand_trace(trace, buffers[: len(shapes)])
    return dA, dA, d0 if SH else d0[:2]


# -- dispatch -----------------------------------------------------------------------------------

_UNROLL = {LSTMCell: _lstm_unroll, **gru_rnn.UNROLL}
_BACKPROP = {LSTMCell: _lstm_backprop, **gru_rnn.BACKPROP}


def supports(cell: Cell) -> bool:
    return type(cell) in _UNROLL


def unroll(
    cell: Cell,
    p: Params,
    xp: Array,
    state: State,
    mask: Array | None = None,
    reverse: bool = False,
    keep: bool = True,
) -> tuple[Array, State, StepCache]:
    """As `rnnlab.bptt.unroll`, compiled. ``keep=False`` (no backward will follow) lets a cell
    skip keeping its caches, returning ``{}`` for them; the LSTM does so, the others ignore it."""
    if not keep and type(cell) is LSTMCell:
        return _lstm_unroll(cell, p, xp, state, mask, bool(reverse), keep=False)
    return _UNROLL[type(cell)](cell, p, xp, state, mask, bool(reverse))


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


__all__ = ["GRUCell", "RNNCell", "backprop", "supports", "unroll"]
