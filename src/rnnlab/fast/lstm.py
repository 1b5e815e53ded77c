"""The LSTM's entry to its compiled time loop (`rnnlab.fast.kernels.lstm`): `unroll` and
`backprop` take and return what `rnnlab.bptt`'s do, for every `LSTMSpec` the kernels know.

Each prepares contiguous arrays of one dtype, allocates the outputs, runs the kernel on batch
slices (`rnnlab.fast.threads.run_rows`) and returns what the reference returns: outputs, final
state, and the caches under `LSTMCell`'s keys as (T, N, H) arrays. Two shortcuts, invisible to
callers that only read: the caches are slices of one (8, T, N, H) array (handed back to the
backward kernel without copying), and ``dxp`` and ``dhp`` are the same array, as the cell
returns them.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..cells import LSTMCell, LSTMSpec
from ..cells.base import Array, Params, State, StepCache
from .batch_first import output_grads
from .kernel_args import contiguous as _c
from .kernel_args import hand_trace, kernel_mask
from .kernels import lstm
from .kernels import lstm_flags as flags
from .memory import empty
from .products import around_loop, tiles
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


@lru_cache(maxsize=64)
def _flags(spec: LSTMSpec, hidden: int) -> Array:
    return flags.config(spec, hidden)


def unroll(
    cell: LSTMCell, p: Params, xp: Array | None, state: State, mask: Array | None, reverse: bool,
    keep: bool = True, bias_ih: Array | None = None, inp: Array | None = None,
) -> tuple[Array, State, StepCache]:  # fmt: skip
    """`rnnlab.bptt.unroll`, compiled. ``xp`` lacks ``bias_ih`` when it is given (added in the
    loop). With ``inp`` (T, N, D) instead of ``xp`` (None), each thread's rows make their input
    projection before their loop (`around_loop.project`). ``keep=False`` (no backward will
    follow): the caches are one step's scratch and ``{}`` is returned for them."""
    proj, xp = around_loop.kernel_input(xp, inp, p["weight_ih"])  # proj: made in the closure
    dt, H, spec = xp.dtype, cell.hidden_size, cell.spec
    T, N, _ = xp.shape
    SH = len(spec.sigmoid_gates) * H if spec.gate_recurrence else 0
    peep = _c(p["weight_ch"], dt) if spec.peepholes else np.zeros(0, dt)
    wg_t = _c(p["weight_gh"].T, dt) if SH else np.zeros((0, 0), dt)
    q0 = _c(state[2], dt) if SH else np.zeros((N, 0), dt)
    state0 = (_c(state[0], dt), _c(state[1], dt), q0)
    m, has_mask = kernel_mask(mask, dt)
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
    cfg, one = _flags(spec, H), dt.type(1)

    def kernel(n0: int, n1: int) -> None:
        if proj is not None:
            around_loop.project(proj, xp, n0, n1)
        lstm.forward(*args, cfg, state0, m, has_mask, reverse, one, n0, n1, out)

    run_rows(kernel, N)
    hs, cache, q_prev, h_T, c_T, q_T = out
    caches = _Stacked(zip(flags.CACHE_KEYS, cache, strict=True)) if keep else {}
    if keep:
        if SH:
            caches.update(q_prev=q_prev)
        caches.stacked = cache
    if SH:
        return hs, (h_T, c_T, q_T), caches
    return hs, (h_T, c_T), caches


def backprop(
    cell: LSTMCell, p: Params, caches: StepCache, dhs: Array, dstate: State, mask: Array | None,
    reverse: bool, trace: list[Array] | None, prods: around_loop.Products | None = None,
) -> tuple[Array, Array, State]:  # fmt: skip
    """`rnnlab.bptt.backprop`, compiled; ``dxp`` and ``dhp`` are one array, as `LSTMCell`'s. With
    ``prods``, each thread's rows make those products after their loop (`around_loop.products`)."""
    T, N, H = dhs.shape
    dt, spec = dhs.dtype, cell.spec
    SH = len(spec.sigmoid_gates) * H if spec.gate_recurrence else 0
    GH = len(spec.computed_gates) * H
    cache = _stacked(caches, flags.CACHE_KEYS, dt)
    peep = _c(p["weight_ch"], dt) if spec.peepholes else np.zeros(0, dt)
    wg = _c(p["weight_gh"], dt) if SH else np.zeros((0, 0), dt)
    dq = _c(dstate[2], dt) if SH else np.zeros((N, 0), dt)
    d_final = (_c(dstate[0], dt), _c(dstate[1], dt), dq)
    m, has_mask = kernel_mask(mask, dt)
    shapes = [(T, N, H), (T, N, H)] + ([(T, N, SH)] if SH else [])
    buffers = _trace_buffers(trace, shapes, dt)
    dA = empty((T, N, GH), dt)
    d0 = (np.empty((N, H), dt), np.empty((N, H), dt), np.empty((N, SH), dt))
    out = (dA, *d0, tuple(buffers), trace is not None)
    ws, blas = tiles.with_packed(_c(p["weight_hh"], dt)), gemm_address(dt)
    args = (cache, ws, blas, wg, peep, _flags(spec, H), *output_grads(dhs, dt), d_final)

    def kernel(n0: int, n1: int) -> None:
        lstm.backward(*args, m, has_mask, reverse, dt.type(1), n0, n1, out)
        if prods is not None:
            around_loop.products(prods, dA, dA, n0, n1)

    run_rows(kernel, N)
    hand_trace(trace, buffers[: len(shapes)])
    return dA, dA, d0 if SH else d0[:2]
