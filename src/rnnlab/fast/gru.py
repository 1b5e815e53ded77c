"""The GRU's entry to its compiled time loop (`rnnlab.fast.kernels.gru`): `unroll` and
`backprop` take and return what `rnnlab.bptt`'s do, for both placements of the reset gate.

Each prepares contiguous arrays of one dtype, allocates the outputs, runs the kernel on batch
slices (`rnnlab.fast.threads.run_rows`) and returns what the reference returns: outputs, final
state, and the caches under `GRUCell`'s keys as (T, N, H) arrays.
"""

from __future__ import annotations

import numpy as np

from ..cells import GRUCell
from ..cells.base import Array, Params, State, StepCache
from .batch_first import output_grads
from .kernel_args import contiguous as _c
from .kernel_args import hand_trace, kernel_mask, trace_buffer
from .kernels import gru
from .memory import empty
from .products import around_loop, tiles
from .products.blas import gemm_address
from .threads import run_rows

CACHE_KEYS = ("r", "z", "n", "u_n", "h_prev")  # the order of GRUCell.step's cache dict
_EMPTY_2D = (0, 0)


def _gru_weights(cell: GRUCell, w: Array, dt: np.dtype) -> tuple[Array, Array]:
    """W_hh (3H, H) whole with ``reset_after``, else its (r, z) rows and its n rows apart."""
    if cell.reset_after:
        return _c(w, dt), np.empty(_EMPTY_2D, dt)
    H = cell.hidden_size
    return _c(w[: 2 * H], dt), _c(w[2 * H :], dt)


def unroll(
    cell: GRUCell, p: Params, xp: Array | None, state: State, mask: Array | None, reverse: bool,
    keep: bool, bias_ih: Array | None, inp: Array | None = None,
) -> tuple[Array, State, StepCache]:  # fmt: skip
    """`rnnlab.bptt.unroll`, compiled; ``xp``, ``bias_ih`` and ``inp`` as in
    `rnnlab.fast.lstm.unroll` (``keep`` unused: the caches are what the backward reads)."""
    proj, xp = around_loop.kernel_input(xp, inp, p["weight_ih"])  # proj: made in the closure
    T, N, _ = xp.shape
    dt, H = xp.dtype, cell.hidden_size
    m, has_mask = kernel_mask(mask, dt)
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
    return hs, (h_T,), dict(zip(CACHE_KEYS, cached, strict=True))


def backprop(
    cell: GRUCell,
    p: Params,
    caches: StepCache,
    dhs: Array,
    dstate: State,
    mask: Array | None,
    reverse: bool,
    trace: list[Array] | None,
    prods: around_loop.Products | None = None,
) -> tuple[Array, Array, State]:
    """`rnnlab.bptt.backprop`, compiled; ``prods`` as `rnnlab.fast.lstm.backprop`'s."""
    T, N, H = dhs.shape
    dt = dhs.dtype
    m, has_mask = kernel_mask(mask, dt)
    buffer = trace_buffer(trace, (T, N, H), dt)
    # Where the closure below makes every gradient (`around_loop.products`), dhp is du_n alone:
    # its (r, z) columns are dxp's, read there. Nothing outside sees it (`direction.backward`).
    split = prods is not None and prods.grads is not None
    dxp, dh0 = empty((T, N, 3 * H), dt), np.empty((N, H), dt)
    dhp = empty((T, N, H if split else 3 * H), dt)
    out = (dxp, dhp, dh0, buffer, trace is not None)
    cache = tuple(_c(caches[k], dt) for k in CACHE_KEYS)
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
