"""Compiled GRU time loop: equations (1)-(4) and (4')-(1') of `rnnlab.cells.GRUCell`.

One call runs all T steps for the batch rows ``n0:n1`` (threads take disjoint rows). Gate order
r, z, n on the 3H axis. With ``reset_after`` (PyTorch's form) the recurrent projection of all
three gates is one BLAS product per step; without it the n block reads ``r * h_prev``, known only
after r, so it is a second, (rows x H) @ (H x H), product (forward and backward alike). The
element-wise equations run in short loops with one output each, which vectorise (see
`rnnlab.fast.kernels.lstm`). ``reset_after`` is a run-time flag: both forms share one kernel.

Masks mirror `rnnlab.bptt`, as in `rnnlab.fast.kernels.rnn`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..products.tiles import matmul
from .activations import sigmoid, tanh
from .row_blocks import add as _add
from .row_blocks import copy as _copy
from .row_blocks import flat, join_output_grad

_JIT = {"cache": True, "error_model": "numpy", "nogil": True}


@njit(**_JIT)
def forward(
    xp, w_t, wn_t, blas, bi, b, reset_after, h0, mask, has_mask, reverse, one, n0, n1, out
):
    """Steps (1)-(4) over all T for rows n0:n1.

    ``bi`` is b_ih, added to ``xp`` here, first, as the reference adds it (zeros if ``xp`` has
    it): one pass over the (T, N, 3H) projection less. ``b`` is b_hh.
    ``w_t`` is W_hh.T (H, 3H) with ``reset_after``, else W_h(r,z).T (H, 2H) and ``wn_t`` W_hn.T
    (H, H), each with its packed form (`rnnlab.fast.products.tiles.matmul`); ``blas`` the BLAS
    products' library (`rnnlab.fast.products.blas.gemm`); ``h0`` (N, H);
    ``out`` = (hs, then the caches r, z, n, u_n, h_prev, all (T, N, H), and h_T (N, H)).
    """
    hs, c_r, c_z, c_n, c_un, c_hp, h_T = out
    T, nr, H = xp.shape[0], n1 - n0, h0.shape[1]
    h = h0[n0:n1].copy()
    u = np.empty((nr, (3 if reset_after else 2) * H), dtype=xp.dtype)  # (1): r, z(, n)
    rh, un = np.empty_like(h), np.empty_like(h)
    for s in range(T):
        t = T - 1 - s if reverse else s
        _copy(h, c_hp[t, n0:n1])
        matmul(w_t, blas, h, u)  # (1) recurrent projection of all rows: one product
        for k in range(nr):
            n = n0 + k
            x, a, r, z, hp = xp[t, n], u[k], c_r[t, n], c_z[t, n], c_hp[t, n]
            for j in range(H):
                r[j] = sigmoid((x[j] + bi[j]) + (a[j] + b[j]))  # (2) (b_hh is part of u)
            for j in range(H):
                z[j] = sigmoid((x[H + j] + bi[H + j]) + (a[H + j] + b[H + j]))  # (2)
            if reset_after:
                u_n = c_un[t, n]
                for j in range(H):
                    u_n[j] = a[2 * H + j] + b[2 * H + j]  # (1)
            else:
                for j in range(H):
                    rh[k, j] = r[j] * hp[j]  # (1) reset before: r * h_prev
        if not reset_after:
            matmul(wn_t, blas, rh, un)  # (1) reset before the product: (r * h_prev) @ W_hn.T
            for k in range(nr):
                u_n, v = c_un[t, n0 + k], un[k]
                for j in range(H):
                    u_n[j] = v[j] + b[2 * H + j]
        for k in range(nr):
            n = n0 + k
            x, r, u_n, nn = xp[t, n], c_r[t, n], c_un[t, n], c_n[t, n]
            if reset_after:
                for j in range(H):
                    nn[j] = tanh((x[2 * H + j] + bi[2 * H + j]) + r[j] * u_n[j])  # (3)
            else:
                for j in range(H):
                    nn[j] = tanh((x[2 * H + j] + bi[2 * H + j]) + u_n[j])  # (3) reset before
        zf, nf, hf = flat(c_z[t, n0:n1]), flat(c_n[t, n0:n1]), flat(h)
        for k in range(hf.shape[0]):
            hf[k] = (one - zf[k]) * nf[k] + zf[k] * hf[k]  # (4), all rows as one flat loop
        for k in range(nr):
            n = n0 + k
            m = mask[t, n, 0] if has_mask else one
            if m == 0:  # padded rows keep their state (np.where in the reference)
                _copy(c_hp[t, n], h[k])
            for j in range(H):
                hs[t, n, j] = h[k, j] * m
    _copy(h, h_T[n0:n1])


@njit(**_JIT)
def backward(
    cache, w, wn, blas, reset_after, dhs, dhs_nt, dh_T, mask, has_mask, reverse, one, n0, n1, out
):
    """Steps (4')-(1') over all T, in the opposite order of `forward`, for rows n0:n1 (the
    products after the loop: `rnnlab.fast.products.around_loop.products`).

    ``cache`` = the forward's (r, z, n, u_n, h_prev); ``w`` is W_hh (3H, H) with ``reset_after``,
    else W_h(r,z) (2H, H) and ``wn`` W_hn (H, H), each with its packed form; ``dh_T`` the
    final state's gradient;
    ``out`` = (dxp, dhp (T, N, 3H), dh_0 (N, H), trace (T, N, H), want_trace). A (T, N, H) dhp
    (``reset_after`` only) receives du_n alone: its (r, z) columns are dxp's, and the products
    after the loop read them there (a third of the output traffic less).
    """
    c_r, c_z, c_n, c_un, c_hp = cache
    dX, dP, dh_0, trace, want_trace = out
    T, nr, H = c_r.shape[0], n1 - n0, c_r.shape[2]
    dh = dh_T[n0:n1].copy()
    dh_t, dh_prev, dn_a = np.empty_like(dh), np.empty_like(dh), np.empty_like(dh)
    d_rh, drz, proj = np.empty_like(dh), np.empty((nr, 2 * H), dh.dtype), np.empty_like(dh)
    split = dP.shape[2] != 3 * H
    dp_step = np.empty((nr, 3 * H), dh.dtype)  # with ``split``: this step's dhp, all 3H
    for s in range(T):
        t = s if reverse else T - 1 - s
        join_output_grad(dh, dhs, dhs_nt, t, n0, dh_t)  # the output's gradient joins dh
        if want_trace:
            _copy(dh_t, trace[t, n0:n1])
        for k in range(nr):
            n = n0 + k
            g, z, nn, d = dh_t[k], c_z[t, n], c_n[t, n], dn_a[k]
            for j in range(H):
                d[j] = g[j] * (one - z[j]) * (one - nn[j] * nn[j])  # (4') dn, (3') da_n
        if not reset_after:
            matmul(wn, blas, dn_a, d_rh)  # (3') d(rh) = du_n @ W_hn, one product
        dp_t = dp_step if split else dP[t, n0:n1]
        for k in range(nr):
            n = n0 + k
            g, r, z, nn, hp = dh_t[k], c_r[t, n], c_z[t, n], c_n[t, n], c_hp[t, n]
            da_n, dx, dp, dp_ = dn_a[k], dX[t, n], dp_t[k], dh_prev[k]
            if reset_after:
                u_n = c_un[t, n]
                for j in range(H):
                    dx[j] = da_n[j] * u_n[j] * (r[j] * (one - r[j]))  # (3') dr, (2') da_r
                for j in range(H):
                    dp[2 * H + j] = da_n[j] * r[j]  # (3') du_n
            else:
                e = d_rh[k]
                for j in range(H):
                    dx[j] = e[j] * hp[j] * (r[j] * (one - r[j]))  # (3') dr, (2') da_r
                for j in range(H):
                    dp[2 * H + j] = da_n[j]  # (3') du_n = da_n
            for j in range(H):
                dx[H + j] = g[j] * (hp[j] - nn[j]) * (z[j] * (one - z[j]))  # (4') dz, (2')
            for j in range(H):
                dx[2 * H + j] = da_n[j]  # (1') dxp = (da_r, da_z, da_n)
            for j in range(2 * H):
                dp[j] = dx[j]  # (1') dhp = (da_r, da_z, du_n)
            if reset_after:
                for j in range(H):
                    dp_[j] = g[j] * z[j]  # (4') dh_prev = dh * z
            else:
                e = d_rh[k]
                for j in range(H):
                    dp_[j] = g[j] * z[j] + e[j] * r[j]  # (4'), (3') + d(rh) * r
                for j in range(2 * H):
                    drz[k, j] = dx[j]
        if reset_after:
            matmul(w, blas, dp_t, proj)  # (1') dhp @ W_hh, one product
            if split:
                for k in range(nr):
                    du_n, dst = dp_t[k], dP[t, n0 + k]
                    for j in range(H):
                        dst[j] = du_n[2 * H + j]
        else:
            matmul(w, blas, drz, proj)  # (1') (da_r, da_z) @ W_h(r,z)
        _add(dh_prev, proj, dh_prev)
        if has_mask:
            for k in range(nr):
                m = mask[t, n0 + k, 0]
                for j in range(3 * H):  # padded rows: the step receives no gradient
                    dX[t, n0 + k, j] *= m
                for j in range(dP.shape[2]):
                    dP[t, n0 + k, j] *= m
                if m != 0:  # valid rows take the new gradient, padded rows pass theirs on
                    _copy(dh_prev[k], dh[k])
        else:  # every row takes the new gradient: swap buffers instead of copying
            dh, dh_prev = dh_prev, dh
    _copy(dh, dh_0[n0:n1])
