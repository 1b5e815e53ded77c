"""The layer's products outside the time loop on C-contiguous (T*N, ·) rows, by the packed kernel.

`rnnlab.fast.products.outside_loop` calls these for time-major arrays, and runs the batch-first
views itself.

The input projection ``inp @ W_ih.T`` and the input gradient ``da @ W_ih`` are tall products
with a small weight: (T*N, K) @ (K, M) with K, M = D, G*H. `rnnlab.fast.products.tiles.product` runs
them on the weight packed once, in blocks of `ROW_BLOCK` rows (a block of x stays in L2 while
every panel passes over it), threads taking disjoint row ranges as the time loops do. Measured
on the Zen 4 host, 1 thread, float32 (GF/s, NumPy's OpenBLAS / this): (3200 x 128) @ (128 x 32)
75 / 97, (3200 x 32) @ (32 x 32) 81 / 110, (1000 x 64) @ (64 x 256) 99 / 114,
(3200 x 2048) @ (2048 x 512) 96 / 110. Products whose M does not fill whole panels stay with
NumPy.

The weight gradients ``da.T @ inp`` (`gram`) run through the same tiles, reading ``da``
transposed in place and ``inp`` as panels without packing (one thread; GF/s as above):
(3200 x 32).T @ (3200 x 32) 62-76 / 96-108, (3200 x 128).T @ (3200 x 32) 73-85 / 102-113,
(1000 x 256).T @ (1000 x 64) 86-97 / 100-111. Where a (K_BLOCK x G) block of ``da`` no longer
fits in L2 (G = 2048: 99 / 76) NumPy keeps them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ...cells.base import Array
from ..memory import empty
from ..threads import num_threads, run_rows
from . import tiles

ROW_BLOCK = 256
K_BLOCK = 128  # rows of a and b per pass in `gram`: a (K_BLOCK, P) panel of b stays in L1
GRAM_BLOCK_BYTES = 256 * 1024  # wider a (K_BLOCK x G) blocks leave L2: BLAS is faster there


@njit(cache=True, error_model="numpy", nogil=True)
def _rows(x, ws, out, n0, n1):
    """out[n0:n1] = x[n0:n1] @ w, ``ws`` = `tiles.with_packed` (w), in blocks of ROW_BLOCK."""
    for r in range(n0, n1, ROW_BLOCK):
        e = min(r + ROW_BLOCK, n1)
        tiles.matmul(ws, 0, x[r:e], out[r:e])


def matmul(x: Array, w: Array) -> Array:
    """``x @ w`` for a 2-D ``x`` (R, K) and ``w`` (K, M) of one float dtype (``w`` may be a
    transposed view); the result comes from the fast path's pool (`rnnlab.fast.memory`)."""
    if x.dtype != w.dtype or not tiles.packable(w.shape[1], w.dtype) or w.shape[0] == 0:
        return np.matmul(x, w, out=empty((x.shape[0], w.shape[1]), np.result_type(x, w)))
    out = empty((x.shape[0], w.shape[1]), x.dtype)
    x = np.ascontiguousarray(x)
    ws = tiles.with_packed(w)
    run_rows(lambda n0, n1: _rows(x, ws, out, n0, n1), x.shape[0])
    return out


@njit(cache=True, error_model="numpy", nogil=True)
def gram_into(a, b, out, P):
    """out = a[:, :R].T @ b, R = len(out) (all of ``a``'s columns, or its first R): the tile
    reads ``a`` transposed (x[g, k] = a[k, g]) and ``b`` in place as panels (row stride D), K in
    blocks of K_BLOCK added into ``out``."""
    K, G, D, R = a.shape[0], np.int64(a.shape[1]), np.int64(b.shape[1]), out.shape[0]
    for k0 in range(0, K, K_BLOCK):
        kn, beta = min(K_BLOCK, K - k0), np.int64(k0 > 0)
        for c in range(0, D, P):
            w0, x0 = k0 * D + c, k0 * G
            tiles.panel(b, a, out, w0, D, x0, np.int64(1), G, np.int64(c), D, kn, beta, R)


def gram_fits(G: int, D: int, dtype: np.dtype) -> bool:
    """Whether a (G, D) weight gradient of ``dtype`` runs on the packed tiles (else BLAS)."""
    # With two threads OpenBLAS (splitting K) ran these shapes faster than our G-split: 72 / 45
    # GF/s at (3200 x 32).T @ (3200 x 32), 180 / 119 at (1000 x 256).T @ (1000 x 64).
    fits = G * dtype.itemsize * K_BLOCK <= GRAM_BLOCK_BYTES and num_threads() == 1
    return fits and tiles.packable(D, dtype)


def gram_runs(a: Array, b: Array) -> bool:
    """Whether `gram` runs ``a.T @ b`` on the packed tiles (else NumPy)."""
    return a.dtype == b.dtype and len(a) > 0 and gram_fits(a.shape[1], b.shape[-1], a.dtype)


def gram(a: Array, b: Array) -> Array:
    """``a.T @ b`` for 2-D ``a`` (K, G) and ``b`` (K, D) of one dtype: the weight gradients,
    da.T @ inputs over all T x N rows, without the transposing copy BLAS makes of ``a``."""
    if not gram_runs(a, b):
        return np.matmul(a.T, b, out=empty((a.shape[1], b.shape[1]), np.result_type(a, b)))
    out = empty((a.shape[1], b.shape[1]), a.dtype)
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    gram_into(a, b, out, tiles.panel_width(a.dtype))
    return out
