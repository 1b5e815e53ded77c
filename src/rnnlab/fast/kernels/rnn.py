"""Compiled Elman RNN time loop: equations (1)-(2) and (2')-(1') of `rnnlab.cells.RNNCell`.

One call runs all T steps for the batch rows ``n0:n1`` (threads take disjoint rows). Per step:
one BLAS product for the recurrent projection of all rows, then the activation in a loop with a
single output (so that it vectorises, see `rnnlab.fast.kernels.lstm`). ``relu`` picks the
nonlinearity at run time, outside the inner loops, so both share one compiled kernel per precision.

Masks mirror `rnnlab.bptt`: padded rows are computed like the others (their caches hold that
step), then keep their old state and output zero; backward, their step gets no gradient and the
state gradient from the step after passes through unchanged (without the output's gradient).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..products.tiles import matmul
from .activations import tanh
from .row_blocks import copy as _copy
from .row_blocks import join_output_grad

_JIT = {"cache": True, "error_model": "numpy", "nogil": True}


@njit(**_JIT)
def forward(xp, w_t, blas, b, relu, h0, mask, has_mask, reverse, one, n0, n1, out):
    """Steps (1)-(2) over all T for rows n0:n1.

    ``xp`` (T, N, H) is the input projection, ``w_t`` (W_hh.T (H, H), packed or not: see
    `rnnlab.fast.products.tiles.matmul`), ``h0`` (N, H);
    ``out`` = (hs, cache h, cache h_prev, all (T, N, H), and h_T (N, H)).
    """
    hs, c_h, c_hp, h_T = out
    T, nr, H = xp.shape[0], n1 - n0, xp.shape[2]
    zero = one - one
    h = h0[n0:n1].copy()
    a = np.empty((nr, H), dtype=xp.dtype)
    for s in range(T):
        t = T - 1 - s if reverse else s
        _copy(h, c_hp[t, n0:n1])
        matmul(w_t, blas, h, a)  # (1) recurrent projection of all rows: one product
        for r in range(nr):
            x, u, y = xp[t, n0 + r], a[r], c_h[t, n0 + r]
            if relu:
                for j in range(H):
                    v = x[j] + u[j] + b[j]  # (1)
                    y[j] = max(v, zero)  # (2) relu
            else:
                for j in range(H):
                    y[j] = tanh(x[j] + u[j] + b[j])  # (1), (2) tanh
        _copy(c_h[t, n0:n1], h)
        for r in range(nr):
            n = n0 + r
            m = mask[t, n, 0] if has_mask else one
            if m == 0:  # padded rows keep their state (np.where in the reference)
                _copy(c_hp[t, n], h[r])
            for j in range(H):
                hs[t, n, j] = h[r, j] * m
    _copy(h, h_T[n0:n1])


@njit(**_JIT)
def backward(c_h, w, blas, relu, dhs, dhs_nt, dh_T, mask, has_mask, reverse, one, n0, n1, out):
    """Steps (2')-(1') over all T, in the opposite order of `forward`, for rows n0:n1 (the
    products after the loop: `rnnlab.fast.products.around_loop.products`).

    ``c_h`` is the cached h (T, N, H), ``w`` (W_hh (H, H), packed or not), ``dh_T`` the final
    state's gradient;
    ``out`` = (da (T, N, H), dh_0 (N, H), trace (T, N, H), want_trace).
    """
    dA, dh_0, trace, want_trace = out
    T, nr, H = c_h.shape[0], n1 - n0, c_h.shape[2]
    zero = one - one
    dh = dh_T[n0:n1].copy()
    dh_t, dh_prev = np.empty_like(dh), np.empty_like(dh)
    for s in range(T):
        t = s if reverse else T - 1 - s
        join_output_grad(dh, dhs, dhs_nt, t, n0, dh_t)  # the output's gradient joins dh
        if want_trace:
            _copy(dh_t, trace[t, n0:n1])
        for r in range(nr):
            y, g, d = c_h[t, n0 + r], dh_t[r], dA[t, n0 + r]
            if relu:
                for j in range(H):
                    d[j] = g[j] * (one if y[j] > zero else zero)  # (2') relu' = [h > 0]
            else:
                for j in range(H):
                    d[j] = g[j] * (one - y[j] * y[j])  # (2') tanh' = 1 - h**2
        matmul(w, blas, dA[t, n0:n1], dh_prev)  # (1') dh_prev = da @ W_hh, one product
        if has_mask:
            for r in range(nr):
                m = mask[t, n0 + r, 0]
                for j in range(H):  # padded rows: the step receives no gradient
                    dA[t, n0 + r, j] *= m
                if m != 0:  # valid rows take the new gradient, padded rows pass theirs on
                    _copy(dh_prev[r], dh[r])
        else:  # every row takes the new gradient: swap buffers instead of copying
            dh, dh_prev = dh_prev, dh
    _copy(dh, dh_0[n0:n1])
