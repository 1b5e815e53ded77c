"""The products outside the time loop, made in the same closure as the kernel's loop
(`rnnlab.fast.threads.run_rows`): the input projection of the rows a thread takes before its
forward loop, their input gradient and (with one thread) the weight gradients after the backward
loop, each a direct call of the compiled tiles (`rnnlab.fast.products.outside_loop`,
`rnnlab.fast.products.tall`). With them, a layer direction's forward and its backward
(`rnnlab.fast.direction`) are each one Python call into the fast path.

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

`Projection` and `Products` say what to make, with ``x[n, t, :]`` at element ``x_n*n + x_t*t``
of ``x`` (the batch-first input read in place, or a time-major one).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ...cells.base import Array, Params, row_sum
from ..batch_first import strided
from ..memory import empty
from . import outside_loop, tall, tiles
from .outside_loop import gram_rows, per_sequence
from .tall import gram_into


class Projection(NamedTuple):
    """The input projection ``x @ W_ih.T`` a forward call makes first."""

    x: Array
    x_n: int
    x_t: int
    w_packed: Array  # W_ih.T as `rnnlab.fast.products.tiles.pack` panels


class Products(NamedTuple):
    """What a backward call makes after its loop: ``dx`` when ``w_packed`` is given, the
    parameters' gradients into ``grads`` (weight_ih, bias_ih, weight_hh, bias_hh) when given;
    ``shared``: dX is dP (the LSTM, the RNN), one bias sum serves both biases."""

    x: Array
    x_n: int
    x_t: int
    w_packed: Array | None  # W_ih as panels
    dx: Array | None  # (N, T, D) batch-first
    h_prev: Array  # (T, N, H), the cached previous state
    grads: Params | None
    shared: bool


def project(proj: Projection, xp: Array, n0: int, n1: int) -> None:
    """xp[:, n0:n1] = x[n0:n1] @ W_ih.T for the (T, N, G*H) ``xp`` (the bias comes in the loop):
    the step-independent part of the cells' equation (1)."""
    T, N, M = xp.shape
    per_sequence(proj.x, proj.w_packed, xp, n0, n1, T, proj.x_n, proj.x_t, M, N * M)


def products(prods: Products, dX: Array, dP: Array, n0: int, n1: int) -> None:
    """dx[n0:n1] = dX[:, n0:n1] @ W_ih; with ``grads``, over every (t, n): dW_ih = sum dX.T @ x,
    db_ih = sum dX, dW_hh = sum dP.T @ h_prev, db_hh = sum dP. ``dX`` and ``dP`` are the
    gradients of the input and the recurrent pre-activations (one array, ``shared``, for the
    LSTM and the RNN; two for the GRU, whose ``dP`` may hold only its last columns, du_n, the
    others being dX's). Only a call that holds every row may make ``grads``."""
    T, N, G = dX.shape
    if prods.w_packed is not None:
        D = prods.dx.shape[2]
        per_sequence(dX, prods.w_packed, prods.dx, n0, n1, T, G, N * G, T * D, D)
    grads = prods.grads
    if grads is None:
        return
    x, P = prods.x, tiles.panel_width(dX.dtype)
    flat_x, flat_p = dX.reshape(T * N, G), dP.reshape(T * N, -1)  # rows in (t, n) order
    # (1') outside the loop: dW_ih = dxp.T @ x, dW_hh = dhp.T @ h_prev, db = sums of dxp, dhp
    if prods.x_t == x.shape[2] * N:  # time-major x: one pass down the rows, as h_prev's below
        gram_into(flat_x, x.reshape(T * N, -1), grads["weight_ih"], P)
    else:  # batch-first: sequence by sequence (a time-major walk would jump a row per step)
        gram_rows(dX, x, prods.x_n, prods.x_t, grads["weight_ih"], P)
    h_prev, w_hh, b_hh = prods.h_prev.reshape(T * N, -1), grads["weight_hh"], grads["bias_hh"]
    if prods.shared:
        gram_into(flat_p, h_prev, w_hh, P)
        row_sum(flat_p, out=b_hh)
        grads["bias_ih"][:] = b_hh
        return
    row_sum(flat_x, out=grads["bias_ih"])
    S = G - dP.shape[2]  # dP's columns that are dX's: the GRU's (r, z) when dP is du_n alone
    gram_into(flat_x, h_prev, w_hh[:S], P)
    gram_into(flat_p, h_prev, w_hh[S:], P)
    b_hh[:S] = grads["bias_ih"][:S]
    row_sum(flat_p, out=b_hh[S:])


# -- the arguments, from Python -----------------------------------------------------------------


def kernel_input(
    xp: Array | None, inp: Array | None, w_ih: Array
) -> tuple[Projection | None, Array]:
    """(what `project` makes, the (T, N, G*H) array the kernel reads): ``xp`` C-contiguous when
    given, else `projection` of ``inp`` (T, N, D)."""
    if inp is None:
        return None, np.ascontiguousarray(xp)
    return projection(inp, w_ih, inp.dtype)


def projection(inp: Array, w_ih: Array, dtype: np.dtype) -> tuple[Projection | None, Array]:
    """(what `project` makes, the (T, N, G*H) array it fills); when the width does not fill
    whole panels, None and the projection made here (`rnnlab.fast.products.outside_loop`)."""
    T, N, _ = inp.shape
    if not tiles.packable(w_ih.shape[0], dtype):
        return None, np.ascontiguousarray(outside_loop.project(inp, w_ih.T), dtype)
    x, x_n, x_t = strided(inp, dtype)
    w_packed = tiles.pack(w_ih.T.astype(dtype, copy=False))
    return Projection(x, x_n, x_t, w_packed), empty((T, N, w_ih.shape[0]), dtype)


def gradients(inp: Array, w_ih: Array, h_prev: Array, dtype: np.dtype, shared: bool) -> Products:
    """What `products` can make on the tiles for the input ``inp`` (T, N, D): ``dx`` when D
    fills whole panels, the parameters' gradients when they fit
    (`rnnlab.fast.products.tall.gram_fits`: one thread); the caller makes what is left None."""
    T, N, D = inp.shape
    G, H = w_ih.shape[0], h_prev.shape[2]
    w_packed = dx = grads = None
    x, x_n, x_t = inp, 0, 0  # only the weight gradients read x
    if tiles.packable(D, dtype):
        w_packed, dx = tiles.pack(w_ih.astype(dtype, copy=False)), empty((N, T, D), dtype)
    if T * N > 0 and tall.gram_fits(G, D, dtype) and tall.gram_fits(G, H, dtype):
        grads = {
            "weight_ih": np.empty((G, D), dtype),
            "bias_ih": np.empty(G, dtype),
            "weight_hh": np.empty((G, H), dtype),
            "bias_hh": np.empty(G, dtype),
        }
        x, x_n, x_t = strided(inp, dtype)
        h_prev = np.ascontiguousarray(h_prev, dtype)
    return Products(x, x_n, x_t, w_packed, dx, h_prev, grads, shared)
