"""The layer's products outside the time loop, ``x @ w`` over all T x N rows, by the packed kernel.

The input projection ``inp @ W_ih.T`` and the input gradient ``da @ W_ih`` are tall products
with a small weight: (T*N, K) @ (K, M) with K, M = D, G*H. `rnnlab.fast.packed.product` runs
them on the weight packed once, in blocks of `ROW_BLOCK` rows (a block of x stays in L2 while
every panel passes over it), threads taking disjoint row ranges as the time loops do. Measured
on the Zen 4 host, 1 thread, float32 (GF/s, NumPy's OpenBLAS / this): (3200 x 128) @ (128 x 32)
75 / 97, (3200 x 32) @ (32 x 32) 81 / 110, (1000 x 64) @ (64 x 256) 99 / 114,
(3200 x 2048) @ (2048 x 512) 96 / 110. Products whose M does not fill whole panels stay with
NumPy.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..cells.base import Array
from . import packed
from .memory import empty
from .threads import run_rows

ROW_BLOCK = 256


@njit(cache=True, error_model="numpy", nogil=True)
def _rows(x, ws, out, n0, n1):
    """out[n0:n1] = x[n0:n1] @ w, ``ws`` = `packed.with_packed` (w), in blocks of ROW_BLOCK."""
    for r in range(n0, n1, ROW_BLOCK):
        e = min(r + ROW_BLOCK, n1)
        packed.matmul(ws, 0, x[r:e], out[r:e])


def matmul(x: Array, w: Array) -> Array:
    """``x @ w`` for a 2-D ``x`` (R, K) and ``w`` (K, M) of one float dtype (``w`` may be a
    transposed view); the result comes from the fast path's pool (`rnnlab.fast.memory`)."""
    if x.dtype != w.dtype or not packed.packable(w.shape[1], w.dtype) or w.shape[0] == 0:
        return np.matmul(x, w, out=empty((x.shape[0], w.shape[1]), np.result_type(x, w)))
    out = empty((x.shape[0], w.shape[1]), x.dtype)
    x = np.ascontiguousarray(x)
    ws = packed.with_packed(np.ascontiguousarray(w))
    run_rows(lambda n0, n1: _rows(x, ws, out, n0, n1), x.shape[0])
    return out
