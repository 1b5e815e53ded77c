"""The products outside the time loop, made in the same closure as the kernel's loop
(`rnnlab.fast.threads.run_rows`): the input projection of the rows a thread takes before its
forward loop, their input gradient and (with one thread) the weight gradients after the backward
loop, each a direct call of the compiled tiles (`rnnlab.fast.layout`, `rnnlab.fast.wide`). With
the layer's `rnnlab.fast.calls.encode` and `decode`, a direction's forward and its backward are
each one Python call into the fast path.

The numbers are those of the separate products: the same tiles in the same order for the
projection and the input gradient; the weight gradients of a batch-first input sum sequence by
sequence, which agrees with the reference to rounding like the others.

Why: a training step made about 300 Python-level calls (the layer's product wrappers, their
layout checks and allocations), and right after another library's step has filled the caches
(the benchmark's alternating rounds, or any program that does more than train one layer) each of
them is slow: a 1 x 1 x 32 LSTM training step took 466 us right after a torch step against 160
us back to back (Zen 4 host). Now 255 calls a step for the LSTM (296 before), 250 for the GRU
(299). The products are not compiled into the kernels themselves: linked into a compiled caller
they are optimised again with it (a compiled `products` took 3.1 s to compile against 1.2 s for
the three functions it calls), and the first-call compile time went past 20 s.

``proj`` = (x, W_ih.T packed, x_n, x_t): ``x[n, t, :]`` at element ``x_n*n + x_t*t`` of ``x``
(the batch-first input read in place, or a time-major one).
``prods`` = (x, x_n, x_t, W_ih packed, dx, o_n, o_t, h_prev, dW_ih, dW_hh, db_ih, db_hh, grads,
shared): ``dx[n, t, :]`` at ``o_n*n + o_t*t``; an empty packed W_ih means no input gradient
here; ``grads`` whether to make the four parameter gradients (only a call that holds every row
can: they sum over all rows); ``shared`` as in `products`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..cells.base import Array, Params
from . import layout, packed, wide
from .glue import ones
from .layout import _per_sequence, gram_rows
from .memory import empty
from .wide import _gram


def project(proj: tuple, xp: Array, n0: int, n1: int) -> None:
    """xp[:, n0:n1] = x[n0:n1] @ W_ih.T for the (T, N, G*H) ``xp`` (the bias comes in the loop):
    the step-independent part of the cells' equation (1)."""
    x, wp, x_n, x_t = proj
    T, N, M = xp.shape
    _per_sequence(x, wp, xp, n0, n1, T, x_n, x_t, M, N * M)


def products(prods: tuple, dX: Array, dP: Array, n0: int, n1: int) -> None:
    """dx[n0:n1] = dX[:, n0:n1] @ W_ih; with ``grads``, over every (t, n): dW_ih = sum dX.T @ x,
    db_ih = sum dX, dW_hh = sum dP.T @ h_prev, db_hh = sum dP. ``dX`` and ``dP`` are the
    gradients of the input and the recurrent pre-activations: one array for the LSTM and the
    RNN (then ``shared``: one bias sum serves both), two for the GRU."""
    x, x_n, x_t, wp, dx, o_n, o_t, h_prev, dw_ih, dw_hh, db_ih, db_hh, grads, shared = prods
    T, N, G = dX.shape
    if wp.shape[0] > 0:
        _per_sequence(dX, wp, dx, n0, n1, T, G, N * G, o_n, o_t)
    if not grads:
        return
    P = packed.panel_width(dX.dtype)
    flat_x, flat_p = dX.reshape(T * N, G), dP.reshape(T * N, -1)  # rows in (t, n) order
    # (1') outside the loop: dW_ih = dxp.T @ x, dW_hh = dhp.T @ h_prev, db = sums of dxp, dhp
    if x_t == x.shape[2] * N:  # time-major x: one pass down the rows, as h_prev's below
        _gram(flat_x, x.reshape(T * N, -1), dw_ih, P)
    else:  # batch-first: sequence by sequence (a time-major walk would jump a row per step)
        gram_rows(dX, x, x_n, x_t, dw_ih, P)
    _gram(flat_p, h_prev.reshape(T * N, -1), dw_hh, P)
    rows = ones(T * N, dX.dtype)  # the sums as matrix-vector products (24 us against 70 us
    np.dot(rows, flat_p, out=db_hh)  # for .sum(axis=0) at (3200, 128))
    if shared:
        db_ih[:] = db_hh
    else:
        np.dot(rows, flat_x, out=db_ih)


# -- the arguments, from Python -----------------------------------------------------------------


def strided(inp: Array, dtype: np.dtype) -> tuple[Array, int, int]:
    """(x, x_n, x_t) with ``inp[t, n, :]`` at element ``x_n*n + x_t*t`` of the C-contiguous
    ``x``: the batch-first array ``inp`` is a view of, read in place, else ``inp`` itself."""
    T, N, D = inp.shape
    base = inp.transpose(1, 0, 2)
    if base.flags.c_contiguous and base.dtype == dtype:
        return base, T * D, D
    return np.ascontiguousarray(inp, dtype=dtype), D, N * D


def projection(inp: Array, w_ih: Array, dtype: np.dtype) -> tuple[tuple | None, Array]:
    """(``proj`` for `project`, the (T, N, G*H) array it fills); when the width does not fill
    whole panels, None and the projection made here (`rnnlab.fast.layout`)."""
    T, N, _ = inp.shape
    if not packed.packable(w_ih.shape[0], dtype):
        return None, np.ascontiguousarray(layout.project(inp, w_ih.T), dtype)
    x, x_n, x_t = strided(inp, dtype)
    wp = packed.pack(w_ih.T.astype(dtype, copy=False))
    return (x, wp, x_n, x_t), empty((T, N, w_ih.shape[0]), dtype)


@lru_cache(maxsize=4)
def _absent(dtype: np.dtype) -> tuple:
    """Stand-ins in ``prods`` for what is not asked for, as in a full ``prods``; writable: numba
    types read-only arrays apart (a second compiled signature)."""
    one, two, three = np.empty(1, dtype), np.empty((1, 1), dtype), np.empty((1, 1, 1), dtype)
    return (three, 0, 0, packed.none(dtype), three, 0, 0, three, two, two, one, one, False, True)


def gradients(
    inp: Array, w_ih: Array, h_prev: Array, dtype: np.dtype, shared: bool
) -> tuple[tuple, Params]:
    """(``prods`` for `products`, what it fills: ``dx`` (N, T, D) batch-first and the
    parameters' gradients, each when it runs on the tiles, else absent: the caller makes those).
    ``h_prev`` (T, N, H) is the cached previous state, ``shared`` whether dX is dP."""
    T, N, D = inp.shape
    G, H = w_ih.shape[0], h_prev.shape[2]
    x, x_n, x_t = strided(inp, dtype)
    filled: Params = {}
    wp, dx = _absent(dtype)[3:5]
    if packed.packable(D, dtype):
        wp, dx = packed.pack(w_ih.astype(dtype, copy=False)), empty((N, T, D), dtype)
        filled["dx"] = dx
    grads = T * N > 0 and wide.gram_fits(G, D, dtype) and wide.gram_fits(G, H, dtype)
    h, dw_ih, dw_hh, db_ih, db_hh = _absent(dtype)[7:12]
    if grads:
        h = np.ascontiguousarray(h_prev, dtype)
        dw_ih, dw_hh = np.empty((G, D), dtype), np.empty((G, H), dtype)
        db_ih, db_hh = np.empty(G, dtype), np.empty(G, dtype)
        filled.update(weight_ih=dw_ih, weight_hh=dw_hh, bias_ih=db_ih, bias_hh=db_hh)
    prods = (x, x_n, x_t, wp, dx, T * D, D, h, dw_ih, dw_hh, db_ih, db_hh, grads, shared)
    return prods, filled
