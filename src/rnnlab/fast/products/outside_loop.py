"""The layer's products outside the time loop on (T, N, ·) arrays that may be batch-first views.

The three products that touch the layer's input and its gradient read and write batch-first
views in place (`rnnlab.fast.batch_first`) through the packed tiles' strides, one sequence (n)
at a time, in blocks of sequences whose steps add up to about `tall.ROW_BLOCK` rows:

- `project`: ``inp @ w`` for the input projection, (T, N, K) -> (T, N, M) time-major;
- `backproject`: ``da @ w`` for the input gradient, written batch-first and returned as its
  time-major view;
- `gram`: ``da.T @ inp`` for W_ih's gradient, pairing the time-major rows of ``da`` with the
  batch-first rows of ``inp``.

Arrays that are neither C-contiguous nor such a view, and widths that do not fill whole
panels, take `rnnlab.fast.products.tall` or NumPy on a contiguous copy.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ...cells.base import Array
from ..batch_first import base_of
from ..memory import empty
from ..threads import run_rows
from . import tall, tiles

_JIT = {"cache": True, "error_model": "numpy", "nogil": True}
ONE, ZERO = np.int64(1), np.int64(0)


def _fast_product(x: Array, w: Array) -> bool:
    return x.dtype == w.dtype and w.shape[0] > 0 and tiles.packable(w.shape[1], w.dtype)


@njit(**_JIT)
def per_sequence(x, wp, out, n0, n1, T, x_n, x_t, o_n, o_t):
    """Sequences n0:n1 of ``x @ w`` with ``x[n, t, :]`` at ``x_n*n + x_t*t`` and ``out[n, t, :]``
    at ``o_n*n + o_t*t`` (element offsets): a sequence's steps are one panel's rows, in blocks
    of `rnnlab.fast.products.tall.ROW_BLOCK` steps (a block of rows stays in L2 for all panels)."""
    K, P = np.int64(wp.shape[1]), np.int64(wp.shape[2])
    block = max(1, tall.ROW_BLOCK // max(T, 1))
    for first in range(n0, n1, block):
        for t0 in range(0, T, tall.ROW_BLOCK):  # more than one block only when block == 1
            rows = min(tall.ROW_BLOCK, T - t0)
            for b in range(wp.shape[0]):  # a panel stays in L1 for a block of sequences
                for n in range(first, min(first + block, n1)):
                    x0, o0 = n * x_n + t0 * x_t, n * o_n + t0 * o_t + b * P
                    tiles.panel(wp, x, out, b * K * P, P, x0, x_t, ONE, o0, o_t, K, ZERO, rows)


def project(inp: Array, w: Array) -> Array:
    """``inp @ w`` for ``inp`` (T, N, K), C-contiguous or a batch-first view; (T, N, M) out."""
    T, N, K = inp.shape
    base = base_of(inp)
    if base is None or not _fast_product(inp, w):
        return tall.matmul(np.ascontiguousarray(inp).reshape(-1, K), w).reshape(T, N, -1)
    out = empty((T, N, w.shape[1]), inp.dtype)
    wp = tiles.pack(w)
    M = w.shape[1]  # base (N, T, K) batch-first in, out (T, N, M) time-major
    run_rows(lambda n0, n1: per_sequence(base, wp, out, n0, n1, T, T * K, K, M, N * M), N)
    return out


def backproject(a: Array, w: Array) -> Array:
    """``a @ w`` for ``a`` (T, N, G) C-contiguous: (T, N, D), the time-major view of a
    batch-first result when the packed tiles run (a C-contiguous array otherwise)."""
    T, N, G = a.shape
    if N == 1 or not a.flags.c_contiguous or not _fast_product(a, w):
        return tall.matmul(np.ascontiguousarray(a).reshape(-1, G), w).reshape(T, N, -1)
    out = empty((N, T, w.shape[1]), a.dtype)
    wp = tiles.pack(w)
    D = w.shape[1]  # a (T, N, G) time-major in, out (N, T, D) batch-first
    run_rows(lambda n0, n1: per_sequence(a, wp, out, n0, n1, T, G, N * G, T * D, D), N)
    return out.transpose(1, 0, 2)


@njit(**_JIT)
def gram_rows(a, x, x_n, x_t, out, P):
    """out = sum over n of a[:, n].T @ x[n]: ``a`` (T, N, G) read transposed in place, ``x``
    as panels with ``x[n, t, :]`` at element ``x_n*n + x_t*t``; T in blocks of
    `rnnlab.fast.products.tall.K_BLOCK`. For a batch-first ``x``: a time-major one is better read in
    (t, n) order by `rnnlab.fast.products.tall.gram_into` (here its rows would be a batch apart)."""
    T, N, G = a.shape
    D = np.int64(out.shape[1])
    for n in range(N):
        for k0 in range(0, T, tall.K_BLOCK):
            kn, beta = min(tall.K_BLOCK, T - k0), np.int64(n > 0 or k0 > 0)
            for c in range(0, D, P):
                w0, x0 = n * x_n + k0 * x_t + c, (k0 * N + n) * G
                tiles.panel(x, a, out, w0, x_t, x0, ONE, N * G, np.int64(c), D, kn, beta, G)


def gram(a: Array, b: Array) -> Array:
    """``a.T @ b`` over all (t, n) rows of ``a`` (T, N, G) and ``b`` (T, N, D): (G, D)."""
    G = a.shape[2]
    base = base_of(b)
    if base is None or not a.flags.c_contiguous or not tall.gram_runs(a.reshape(-1, G), b):
        flat = np.ascontiguousarray(b).reshape(-1, b.shape[2])
        return tall.gram(np.ascontiguousarray(a).reshape(-1, G), flat)
    out = empty((G, b.shape[2]), a.dtype)
    T, D = base.shape[1], base.shape[2]
    gram_rows(a, base, T * D, D, out, np.int64(tiles.panel_width(a.dtype)))
    return out
