"""The products outside the LSTM's time loop, run inside its kernel calls: one compiled call for
the forward of a layer direction (input projection, then the loop) and one for its backward (the
loop, then the input gradient and the weight gradients).

They are the products `rnnlab.fast.layout` runs from Python, on the same packed tiles: the input
projection and the input gradient give the same bits; the weight gradients (sequence by sequence
for a batch-first input) and the bias (a plain loop) sum their T x N rows in an order of their
own, which agrees with the reference to rounding like the others.

What moves into the kernel is the calling. A training step made about 300 Python-level calls
and six compiled calls, and right after another library's step has filled the caches (the
benchmark's alternating rounds, or any program that does more than train one layer) each of
them is slow. A 1 x 1 x 32 LSTM training step, measured on the Zen 4 host: 466 us right after a
torch step and 160 us back to back with the six calls; 203-276 us and 72-136 us with these two.

``proj`` = (x, W_ih.T packed, x_n, x_t): ``x[n, t, :]`` at element ``x_n*n + x_t*t`` of ``x``
(the batch-first input read in place, or a time-major one); an empty packed weight means "no
projection here" (the caller made it).
``prods`` = (x, x_n, x_t, W_ih packed, dx, o_n, o_t, dW_ih, dW_hh, db, grads): ``dx[n, t, :]`` at
``o_n*n + o_t*t``; an empty packed W_ih means no input gradient here; ``grads`` whether to make
the three weight gradients (only a call that holds every row can: they sum over all rows).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numba import njit

from ..cells.base import Array, Params
from . import layout, packed, wide
from .layout import _per_sequence, gram_rows
from .memory import empty
from .wide import _gram

_JIT = {"cache": True, "error_model": "numpy", "nogil": True}


@njit(**_JIT)
def project(proj, xp, n0, n1):
    """xp[:, n0:n1] = x[n0:n1] @ W_ih.T for the (T, N, G*H) ``xp`` (the bias comes in the loop)."""
    x, wp, x_n, x_t = proj
    if wp.shape[0] > 0:
        T, N, M = xp.shape
        _per_sequence(x, wp, xp, n0, n1, T, x_n, x_t, np.int64(M), np.int64(N * M))


@njit(**_JIT)
def products(prods, dA, h_prev, n0, n1):
    """dx[n0:n1] = dA[:, n0:n1] @ W_ih; with ``grads``: dW_ih = sum dA.T @ x, dW_hh = sum dA.T @
    h_prev, db = sum dA over every (t, n) (the LSTM's bias_ih and bias_hh share it)."""
    x, x_n, x_t, wp, dx, o_n, o_t, dw_ih, dw_hh, db, grads = prods
    T, N, G = dA.shape
    if wp.shape[0] > 0:
        _per_sequence(dA, wp, dx, n0, n1, T, np.int64(G), np.int64(N * G), o_n, o_t)
    if not grads:
        return
    P = np.int64(128 // dA.itemsize)  # `rnnlab.fast.packed.panel_width`
    flat_a = dA.reshape(T * N, G)  # rows in (t, n) order, as a time-major input's
    if x_t == x.shape[2] * N:  # time-major: one pass down the rows, as h_prev's below
        _gram(flat_a, x.reshape(T * N, x.shape[2]), dw_ih, P)
    else:  # batch-first: sequence by sequence (a time-major walk would jump a row per step)
        gram_rows(dA, x, x_n, x_t, dw_ih, P)
    _gram(flat_a, h_prev.reshape(T * N, h_prev.shape[2]), dw_hh, P)
    db[:] = 0
    for t in range(T):
        for n in range(N):
            row = dA[t, n]
            for g in range(G):
                db[g] += row[g]


# -- the arguments, from Python -----------------------------------------------------------------


def strided(inp: Array, dtype: np.dtype) -> tuple[Array, int, int]:
    """(x, x_n, x_t) with ``inp[t, n, :]`` at element ``x_n*n + x_t*t`` of the C-contiguous
    ``x``: the batch-first array ``inp`` is a view of, read in place, else ``inp`` itself."""
    T, N, D = inp.shape
    base = inp.transpose(1, 0, 2)
    if base.flags.c_contiguous and base.dtype == dtype:
        return base, T * D, D
    return np.ascontiguousarray(inp, dtype=dtype), D, N * D


@lru_cache(maxsize=4)
def no_projection(dtype: np.dtype) -> tuple:
    # Writable dummies: numba types read-only arrays apart (a second compiled signature).
    return (np.empty((1, 1, 1), dtype), packed.none(dtype), 0, 0)


def projection(inp: Array, w_ih: Array, dtype: np.dtype) -> tuple[tuple, Array]:
    """(``proj`` for the forward kernel, the (T, N, G*H) array it fills); when the width does
    not fill whole panels, the projection made here (`rnnlab.fast.layout`) and no ``proj``."""
    T, N, _ = inp.shape
    if not packed.packable(w_ih.shape[0], dtype):
        return no_projection(dtype), np.ascontiguousarray(layout.project(inp, w_ih.T), dtype)
    x, x_n, x_t = strided(inp, dtype)
    wp = packed.pack(w_ih.T.astype(dtype, copy=False))
    return (x, wp, x_n, x_t), empty((T, N, w_ih.shape[0]), dtype)


@lru_cache(maxsize=4)
def no_products(dtype: np.dtype) -> tuple:
    one, two, three = np.empty(1, dtype), np.empty((1, 1), dtype), np.empty((1, 1, 1), dtype)
    return (three, 0, 0, packed.none(dtype), three, 0, 0, two, two, one, False)


def gradients(inp: Array, w_ih: Array, hidden: int, dtype: np.dtype) -> tuple[tuple, Params]:
    """(``prods`` for the backward kernel, what it fills: ``dx`` (N, T, D) batch-first and the
    weight gradients, each when it runs on the tiles, else absent: the caller makes those)."""
    T, N, D = inp.shape
    G = w_ih.shape[0]
    x, x_n, x_t = strided(inp, dtype)
    filled: Params = {}
    wp, dx = no_products(dtype)[3:5]
    if packed.packable(D, dtype):
        wp, dx = packed.pack(w_ih.astype(dtype, copy=False)), empty((N, T, D), dtype)
        filled["dx"] = dx
    grads = T * N > 0 and wide.gram_fits(G, D, dtype) and wide.gram_fits(G, hidden, dtype)
    dw_ih, dw_hh, db = no_products(dtype)[7:10]
    if grads:
        dw_ih, dw_hh, db = np.empty((G, D), dtype), np.empty((G, hidden), dtype), np.empty(G, dtype)
        filled.update(weight_ih=dw_ih, weight_hh=dw_hh, bias_hh=db)
    return (x, x_n, x_t, wp, dx, T * D, D, dw_ih, dw_hh, db, grads), filled
