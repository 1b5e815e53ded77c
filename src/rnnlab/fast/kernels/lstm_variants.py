"""The LSTM variants' per-row step: equations (1)-(6) and (8')-(3') with every flag of `LSTMSpec`.

The plain cell has branch-free vectorised loops in `rnnlab.fast.kernels.lstm`; here each unit runs
the equations with the variant's tests in line (the flags are loop-invariant, so the branches are
predictable). Index names and cfg entries are those of `rnnlab.fast.kernels.lstm`.
"""

from __future__ import annotations

from numba import njit

from .activations import sigmoid, tanh
from .lstm_flags import (
    ACT_C,
    C_PREV,
    COUPLED,
    FGR,
    HAS_F,
    HAS_I,
    HAS_O,
    IN_ACT,
    OFF_F,
    OFF_G,
    OFF_I,
    OFF_O,
    OUT_ACT,
    PEEP,
    SIG_F,
    SIG_I,
    SIG_O,
    C,
    F,
    G,
    I,
    O,
)


@njit(inline="always")
def _variant_row(xp, a, qa, b, peep, cfg, h, c, row, one):
    """(1)-(7) with the variant's flags for one row; gates, cell, act(cell) go to ``row`` (8, H)."""
    H = h.shape[0]
    zero = one - one
    for j in range(H):
        c_prev = c[j]
        a_i = a_f = zero
        if cfg[HAS_I]:
            k = cfg[OFF_I] + j
            a_i = xp[k] + a[k] + b[k]  # (1)
            if cfg[FGR]:
                a_i += qa[cfg[SIG_I] + j]  # (2)
            if cfg[PEEP]:
                a_i += peep[cfg[SIG_I] + j] * c_prev  # (3)
        if cfg[HAS_F]:
            k = cfg[OFF_F] + j
            a_f = xp[k] + a[k] + b[k]  # (1)
            if cfg[FGR]:
                a_f += qa[cfg[SIG_F] + j]  # (2)
            if cfg[PEEP]:
                a_f += peep[cfg[SIG_F] + j] * c_prev  # (3)
        k = cfg[OFF_G] + j
        a_g = xp[k] + a[k] + b[k]  # (1)
        i = sigmoid(a_i) if cfg[HAS_I] else one  # (4)
        f = one - i if cfg[COUPLED] else (sigmoid(a_f) if cfg[HAS_F] else one)  # (4)
        g = tanh(a_g) if cfg[IN_ACT] else a_g  # (4)
        c_new = f * c_prev + i * g  # (5)
        o = one
        if cfg[HAS_O]:
            k = cfg[OFF_O] + j
            a_o = xp[k] + a[k] + b[k]  # (1)
            if cfg[FGR]:
                a_o += qa[cfg[SIG_O] + j]  # (2)
            if cfg[PEEP]:
                a_o += peep[cfg[SIG_O] + j] * c_new  # (6) the output gate reads the new cell
            o = sigmoid(a_o)  # (6)
        row[I, j] = i
        row[F, j] = f
        row[G, j] = g
        row[O, j] = o
        row[C, j] = c_new
        row[ACT_C, j] = tanh(c_new) if cfg[OUT_ACT] else c_new  # (7)


@njit(inline="always")
def _variant_row_back(row, peep, cfg, dh, dc, dq, da, dc_prev, one):
    """(8')-(3') with the variant's flags for one row."""
    zero = one - one
    for j in range(dh.shape[0]):
        i, f, g, o = row[I, j], row[F, j], row[G, j], row[O, j]
        d_i = dq[cfg[SIG_I] + j] if cfg[FGR] and cfg[SIG_I] >= 0 else zero  # (8')
        d_f = dq[cfg[SIG_F] + j] if cfg[FGR] and cfg[SIG_F] >= 0 else zero  # (8')
        d_o = dq[cfg[SIG_O] + j] if cfg[FGR] and cfg[SIG_O] >= 0 else zero  # (8')
        dc_j = dc[j]
        if cfg[OUT_ACT]:  # (7')
            d_o += dh[j] * row[ACT_C, j]  # (7')
            dc_j += dh[j] * o * (one - row[ACT_C, j] * row[ACT_C, j])  # (7')
        else:
            d_o += dh[j] * row[C, j]  # (7') [NOAF]
            dc_j += dh[j] * o  # (7') [NOAF]
        if cfg[HAS_O]:
            da_o = d_o * (o * (one - o))  # (6')
            if cfg[PEEP]:
                dc_j += da_o * peep[cfg[SIG_O] + j]  # (6')
            da[cfg[OFF_O] + j] = da_o
        d_i += dc_j * g  # (5')
        d_f += dc_j * row[C_PREV, j]  # (5')
        dc_p = dc_j * f  # (5') the carousel
        if cfg[COUPLED]:
            d_i -= d_f  # (4') f = 1 - i
        da_i = da_f = zero
        if cfg[HAS_I]:
            da_i = d_i * (i * (one - i))  # (4')
            da[cfg[OFF_I] + j] = da_i
        if cfg[HAS_F]:
            da_f = d_f * (f * (one - f))  # (4')
            da[cfg[OFF_F] + j] = da_f
        dg = dc_j * i  # (5')
        da[cfg[OFF_G] + j] = dg * (one - g * g) if cfg[IN_ACT] else dg  # (4')
        if cfg[PEEP]:  # (3')
            if cfg[HAS_I]:
                dc_p += da_i * peep[cfg[SIG_I] + j]  # (3')
            if cfg[HAS_F]:
                dc_p += da_f * peep[cfg[SIG_F] + j]  # (3')
        dc_prev[j] = dc_p
