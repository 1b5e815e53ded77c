"""The Elman RNN's entry to its compiled time loop (`rnnlab.fast.kernels.rnn`): `unroll` and
`backprop` take and return what `rnnlab.bptt`'s do, for the tanh and the relu cell.

Each prepares contiguous arrays of one dtype, allocates the outputs, runs the kernel on batch
slices (`rnnlab.fast.threads.run_rows`) and returns what the reference returns: outputs, final
state, and the caches under `RNNCell`'s keys as (T, N, H) arrays; ``dxp`` and ``dhp`` are one
array, as the cell returns them (``da, da``).
"""

from __future__ import annotations

import numpy as np

from ..cells import RNNCell
from ..cells.base import Array, Params, State, StepCache
from .batch_first import output_grads
from .kernel_args import contiguous as _c
from .kernel_args import hand_trace, kernel_mask, trace_buffer
from .kernels import rnn
from .products import around_loop, tiles
from .products.blas import gemm_address
from .threads import run_rows


def unroll(
    cell: RNNCell, p: Params, xp: Array | None, state: State, mask: Array | None, reverse: bool,
    keep: bool, bias_ih: Array | None, inp: Array | None = None,
) -> tuple[Array, State, StepCache]:  # fmt: skip
    """`rnnlab.bptt.unroll`, compiled; ``xp``, ``bias_ih`` and ``inp`` as in
    `rnnlab.fast.lstm.unroll` (``keep`` unused: the caches are what the backward reads)."""
    proj, xp = around_loop.kernel_input(xp, inp, p["weight_ih"])  # proj: made in the closure
    T, N, H = xp.shape
    dt = xp.dtype
    m, has_mask = kernel_mask(mask, dt)
    out = (*(np.empty((T, N, H), dt) for _ in range(3)), np.empty((N, H), dt))
    relu = cell.nonlinearity == "relu"
    w_t, blas = tiles.with_packed(_c(p["weight_hh"], dt).T), gemm_address(dt)
    b = p["bias_hh"] if bias_ih is None else p["bias_hh"] + bias_ih  # added in the loop
    args = (xp, w_t, blas, _c(b, dt), relu, _c(state[0], dt))

    def kernel(n0: int, n1: int) -> None:
        if proj is not None:
            around_loop.project(proj, xp, n0, n1)
        rnn.forward(*args, m, has_mask, reverse, dt.type(1), n0, n1, out)

    run_rows(kernel, N)
    hs, h, h_prev, h_T = out
    return hs, (h_T,), {"h": h, "h_prev": h_prev}


def backprop(
    cell: RNNCell,
    p: Params,
    caches: StepCache,
    dhs: Array,
    dstate: State,
    mask: Array | None,
    reverse: bool,
    trace: list[Array] | None,
    prods: around_loop.Products | None = None,
) -> tuple[Array, Array, State]:
    """`rnnlab.bptt.backprop`, compiled; ``dxp`` and ``dhp`` are one array, as `RNNCell`'s;
    ``prods`` as `rnnlab.fast.lstm.backprop`'s."""
    T, N, H = dhs.shape
    dt = dhs.dtype
    m, has_mask = kernel_mask(mask, dt)
    buffer = trace_buffer(trace, (T, N, H), dt)
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
