"""Compiled LSTM time loop: equations (1)-(8) of `rnnlab.cells.LSTMCell`, every variant.

One call runs all T steps for the batch rows ``n0:n1`` (threads take disjoint rows: rows never
interact). Per step: one product for the recurrent projection of all rows (on W_hh packed once
per call, `rnnlab.fast.products.tiles`), then the gate equations, writing the caches as they go. The
variant is the runtime vector ``cfg`` (`rnnlab.fast.kernels.lstm_flags`), so the eleven presets
share one compiled kernel per precision; the plain cell runs branch-free loops (below), the others
the per-unit code of `lstm_variants`.

Why many short loops rather than one: a loop that writes eight arrays needs more run-time alias
checks than LLVM allows and stays scalar, about 10x slower; loops with one output vectorise.
Element-wise steps whose operands are all (rows, H) blocks run as one flat loop over all rows.
Padded rows (``mask`` 0) are computed like the others, as the reference does, and then get
their old state back.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..products.tiles import matmul
from .activations import sigmoid, tanh
from .lstm_flags import (
    ACT_C,
    C_PREV,
    FGR,
    H_PREV,
    OFF_F,
    OFF_I,
    OFF_O,
    PLAIN,
    SIG_F,
    SIG_I,
    SIG_O,
    C,
    F,
    G,
    I,
    O,
)
from .lstm_variants import _variant_row, _variant_row_back
from .row_blocks import copy as _copy
from .row_blocks import flat, join_output_grad

_JIT = {"cache": True, "error_model": "numpy", "nogil": True}


@njit(**_JIT)
def forward(xp, ws, blas, b, peep, wg_t, cfg, state0, mask, has_mask, reverse, one, n0, n1, out):
    """Steps (1)-(8) over all T for rows n0:n1.

    ``ws`` = (W_hh.T (H, G*H), packed or not: see `rnnlab.fast.products.tiles.matmul`), ``blas`` the
    BLAS library's address; ``wg_t`` is W_gh.T; ``state0`` = (h0, c0, q0) as (N, size);
    ``out`` = (hs (T, N, H), caches (8, T, N, H), q_prev (T, N, S*H), h_T, c_T, q_T); caches and
    q_prev may have a time axis of 1 (inference: scratch, overwritten every step).
    """
    hs, cache, q_prev, h_T, c_T, q_T = out
    T, nr = xp.shape[0], n1 - n0
    h, c, q = state0[0][n0:n1].copy(), state0[1][n0:n1].copy(), state0[2][n0:n1].copy()
    a = np.empty((nr, xp.shape[2]), dtype=xp.dtype)
    qa = np.empty_like(q)
    for s in range(T):
        t = T - 1 - s if reverse else s
        # Without a backward to come the caller passes one step's scratch (T axis of 1): the
        # same writes, kept in L1/L2 instead of streaming T steps of caches to memory.
        tc = t if cache.shape[1] == T else 0
        tq = t if q_prev.shape[0] == T else 0
        _copy(h, cache[H_PREV, tc, n0:n1])
        _copy(c, cache[C_PREV, tc, n0:n1])
        matmul(ws, blas, h, a)  # (1) recurrent projection of all rows: one product
        if cfg[FGR]:
            _copy(q, q_prev[tq, n0:n1])
            np.dot(q, wg_t, qa)  # (2) the previous step's sigmoid gates
        if cfg[PLAIN]:
            _plain_gates(xp[t, n0:n1], a, b, cache, tc, n0, n1)
        else:
            for r in range(nr):
                _variant_row(xp[t, n0 + r], a[r], qa[r], b, peep, cfg, h[r], c[r],
                             cache[:, tc, n0 + r], one)  # fmt: skip
        _new_state(cache, tc, n0, n1, cfg, h, c, q)
        for r in range(nr):
            n = n0 + r
            m = mask[t, n, 0] if has_mask else one
            if m == 0:  # padded rows keep their state (np.where in the reference)
                _copy(cache[H_PREV, tc, n], h[r])
                _copy(cache[C_PREV, tc, n], c[r])
                if cfg[FGR]:
                    _copy(q_prev[tq, n], q[r])
            for j in range(h.shape[1]):
                hs[t, n, j] = h[r, j] * m
    _copy(h, h_T[n0:n1])
    _copy(c, c_T[n0:n1])
    _copy(q, q_T[n0:n1])


@njit(inline="always")
def _plain_gates(xp, a, b, cache, t, n0, n1):
    """(1), (4)-(7) of the plain cell: i, f, g, o = act(xp + h_prev @ W_hh.T + b_hh), c."""
    H = cache.shape[3]
    for r in range(n1 - n0):
        x, u, n = xp[r], a[r], n0 + r
        i, f, g, o = cache[I, t, n], cache[F, t, n], cache[G, t, n], cache[O, t, n]
        for j in range(H):
            i[j] = sigmoid(x[j] + u[j] + b[j])  # (1), (4)
        for j in range(H):
            f[j] = sigmoid(x[H + j] + u[H + j] + b[H + j])  # (1), (4)
        for j in range(H):
            g[j] = tanh(x[2 * H + j] + u[2 * H + j] + b[2 * H + j])  # (1), (4)
        for j in range(H):
            o[j] = sigmoid(x[3 * H + j] + u[3 * H + j] + b[3 * H + j])  # (1), (6)
        c_prev, c_new, act_c = cache[C_PREV, t, n], cache[C, t, n], cache[ACT_C, t, n]
        for j in range(H):
            c_new[j] = f[j] * c_prev[j] + i[j] * g[j]  # (5)
        for j in range(H):
            act_c[j] = tanh(c_new[j])  # (7)


@njit(inline="always")
def _new_state(cache, t, n0, n1, cfg, h, c, q):
    """(7) h = o * act(c), the new cell, and (8) q = (i, f, o), for all rows (flat loops)."""
    o, act_c = flat(cache[O, t, n0:n1]), flat(cache[ACT_C, t, n0:n1])
    c_new = flat(cache[C, t, n0:n1])
    hf, cf = flat(h), flat(c)
    for k in range(hf.shape[0]):
        hf[k] = o[k] * act_c[k]  # (7)
    for k in range(cf.shape[0]):
        cf[k] = c_new[k]  # (5) the new cell is the state
    if cfg[FGR]:  # (8) the sigmoid gates the next step reads
        H = h.shape[1]
        for gate, slot in ((SIG_I, I), (SIG_F, F), (SIG_O, O)):
            if cfg[gate] >= 0:
                for r in range(h.shape[0]):
                    src = cache[slot, t, n0 + r]
                    for j in range(H):  # a loop, not a slice assignment: lowering numba's
                        q[r, cfg[gate] + j] = src[j]  # general setitem took 2.7 s to compile


@njit(**_JIT)
def backward(cache, ws, blas, wg, peep, cfg, dhs, dhs_nt, dstate, mask, has_mask, reverse, one,
             n0, n1, out):  # fmt: skip
    """Steps (8')-(1') over all T, in the opposite order of `forward`, for rows n0:n1 (the
    products after the loop: `rnnlab.fast.products.around_loop.products`).

    ``ws`` = (W_hh (G*H, H), packed or not), ``blas`` as in `forward`; ``wg`` is W_gh;
    ``dstate`` = gradients of the final (h, c, q);
    ``out`` = (dA (T, N, G*H), d(h, c, q) of the initial state, trace (3 arrays), want_trace).
    """
    dA, dh_0, dc_0, dq_0, trace, want_trace = out
    T, nr, H = cache.shape[1], n1 - n0, cache.shape[3]
    dh, dc, dq = dstate[0][n0:n1].copy(), dstate[1][n0:n1].copy(), dstate[2][n0:n1].copy()
    dh_t, dc_full, dc_new = np.empty_like(dh), np.empty_like(dc), np.empty_like(dc)
    dh_prev, dq_prev, da_s = np.empty_like(dh), np.empty_like(dq), np.empty_like(dq)
    for s in range(T):
        t = s if reverse else T - 1 - s
        join_output_grad(dh, dhs, dhs_nt, t, n0, dh_t)  # the output's gradient joins dh
        if want_trace:
            _copy(dh_t, trace[0][t, n0:n1])
            _copy(dc, trace[1][t, n0:n1])
            _copy(dq, trace[2][t, n0:n1])
        if cfg[PLAIN]:
            _plain_back(cache, t, n0, dh_t, dc, dA[t, n0:n1], dc_full, dc_new, one)
        else:
            for r in range(nr):
                _variant_row_back(cache[:, t, n0 + r], peep, cfg, dh_t[r], dc[r], dq[r],
                                  dA[t, n0 + r], dc_new[r], one)  # fmt: skip
        matmul(ws, blas, dA[t, n0:n1], dh_prev)  # (1') dh_prev = da @ W_hh, one product
        if cfg[FGR]:
            for gate, off in ((SIG_I, OFF_I), (SIG_F, OFF_F), (SIG_O, OFF_O)):
                if cfg[gate] >= 0:
                    for r in range(nr):  # loops, not a slice assignment (see _new_state)
                        for j in range(H):
                            da_s[r, cfg[gate] + j] = dA[t, n0 + r, cfg[off] + j]
            np.dot(da_s, wg, dq_prev)  # (2') dq_prev = da_s @ W_gh
        if has_mask:
            for r in range(nr):
                m = mask[t, n0 + r, 0]
                for k in range(dA.shape[2]):  # padded rows: the step receives no gradient
                    dA[t, n0 + r, k] *= m
                if m != 0:  # valid rows take the new gradients, padded rows pass theirs on
                    _copy(dh_prev[r], dh[r])
                    _copy(dc_new[r], dc[r])
                    _copy(dq_prev[r], dq[r])
        else:  # every row takes the new gradients: swap buffers instead of copying
            dh, dh_prev = dh_prev, dh
            dc, dc_new = dc_new, dc
            dq, dq_prev = dq_prev, dq
    _copy(dh, dh_0[n0:n1])
    _copy(dc, dc_0[n0:n1])
    _copy(dq, dq_0[n0:n1])


@njit(inline="always")
def _plain_back(cache, t, n0, dh, dc, da, dc_full, dc_prev, one):
    """(7')-(4') of the plain cell for all rows; ``da`` rows = (da_i, da_f, da_g, da_o)."""
    n1 = n0 + dh.shape[0]
    o, act_c = flat(cache[O, t, n0:n1]), flat(cache[ACT_C, t, n0:n1])
    dhf, dcf, full = flat(dh), flat(dc), flat(dc_full)
    for k in range(full.shape[0]):
        full[k] = dcf[k] + dhf[k] * o[k] * (one - act_c[k] * act_c[k])  # (7') dc in full
    H = dh.shape[1]
    for r in range(dh.shape[0]):
        n = n0 + r
        i, f, g, o = cache[I, t, n], cache[F, t, n], cache[G, t, n], cache[O, t, n]
        act_c, c_prev = cache[ACT_C, t, n], cache[C_PREV, t, n]
        d, dc_r, dh_r = da[r], dc_full[r], dh[r]
        for j in range(H):
            d[3 * H + j] = dh_r[j] * act_c[j] * (o[j] * (one - o[j]))  # (7'), (6')
        for j in range(H):
            d[j] = dc_r[j] * g[j] * (i[j] * (one - i[j]))  # (5'), (4')
        for j in range(H):
            d[H + j] = dc_r[j] * c_prev[j] * (f[j] * (one - f[j]))  # (5'), (4')
        for j in range(H):
            d[2 * H + j] = dc_r[j] * i[j] * (one - g[j] * g[j])  # (5'), (4')
    f, prev = flat(cache[F, t, n0:n1]), flat(dc_prev)
    for k in range(prev.shape[0]):
        prev[k] = full[k] * f[k]  # (5') the constant error carousel: dc_prev = dc * f
