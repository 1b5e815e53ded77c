"""Keras 3 and TF1 weight converters: exact round trips, and Keras's own equations by hand."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab.convert import from_keras, from_tensorflow_v1, to_keras, to_tensorflow_v1

D, H, N, T = 3, 4, 2, 5


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _keras(rng, cell, reset_after=True):
    g = {"lstm": 4, "gru": 3, "rnn": 1}[cell]
    bias_shape = (2, g * H) if cell == "gru" and reset_after else (g * H,)
    return (rng.standard_normal((D, g * H)), rng.standard_normal((H, g * H)),
            rng.standard_normal(bias_shape))


@pytest.mark.parametrize(("cell", "reset_after"), [("lstm", True), ("gru", True), ("gru", False),
                                                   ("rnn", True)])
def test_keras_round_trip_is_exact(rng, cell, reset_after):
    arrays = _keras(rng, cell, reset_after)
    back = to_keras(from_keras(*arrays, cell=cell, reset_after=reset_after))
    for a, b in zip(arrays, back, strict=True):
        np.testing.assert_array_equal(a, b)


def test_tf1_round_trip_is_exact(rng):
    kernel, bias = rng.standard_normal((D + H, 4 * H)), rng.standard_normal(4 * H)
    back = to_tensorflow_v1(from_tensorflow_v1(kernel, bias, forget_bias=1.0), forget_bias=1.0)
    np.testing.assert_array_equal(back[0], kernel)
    np.testing.assert_array_equal(back[1], bias)


def test_keras_lstm_equations_by_hand(rng):
    """Keras 3's LSTMCell: z = x @ kernel + h @ recurrent_kernel + bias, split i, f, c, o;
    c = f * c + i * tanh(c_hat); h = o * tanh(c) (sigmoid gates)."""
    kernel, recurrent, bias = _keras(rng, "lstm")
    x = rng.standard_normal((N, T, D))
    h, c, outs = np.zeros((N, H)), np.zeros((N, H)), []
    for t in range(T):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, g, o = np.split(z, 4, axis=1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        outs.append(h)
    y, (_, c_n), _ = from_keras(kernel, recurrent, bias, cell="lstm").forward(x)
    np.testing.assert_allclose(y, np.stack(outs, axis=1), atol=1e-12)
    np.testing.assert_allclose(c_n[0], c, atol=1e-12)


@pytest.mark.parametrize("reset_after", [True, False])
def test_keras_gru_equations_by_hand(rng, reset_after):
    """Keras 3's GRUCell, gates z, r, h: reset_after: hh = tanh(x_h + r * (h @ U_h + b_rh));
    else hh = tanh(x_h + (r * h) @ U_h); then h = z * h_prev + (1 - z) * hh."""
    kernel, recurrent, bias = _keras(rng, "gru", reset_after)
    b_in, b_rec = (bias[0], bias[1]) if reset_after else (bias, np.zeros_like(bias))
    x = rng.standard_normal((N, T, D))
    h, outs = np.zeros((N, H)), []
    for t in range(T):
        xz, xr, xh = np.split(x[:, t] @ kernel + b_in, 3, axis=1)
        uz, ur, uh = np.split(recurrent, 3, axis=1)
        bz, br, bh = np.split(b_rec, 3)
        z = sigmoid(xz + h @ uz + bz)
        r = sigmoid(xr + h @ ur + br)
        hh = np.tanh(xh + r * (h @ uh + bh)) if reset_after else np.tanh(xh + (r * h) @ uh)
        h = z * h + (1 - z) * hh
        outs.append(h)
    layer = from_keras(kernel, recurrent, bias, cell="gru", reset_after=reset_after)
    y, _, _ = layer.forward(x)
    np.testing.assert_allclose(y, np.stack(outs, axis=1), atol=1e-12)


def test_tf1_lstm_equations_by_hand(rng):
    kernel, bias = rng.standard_normal((D + H, 4 * H)), rng.standard_normal(4 * H)
    x = rng.standard_normal((N, T, D))
    h, c, outs = np.zeros((N, H)), np.zeros((N, H)), []
    for t in range(T):
        i, j, f, o = np.split(np.concatenate([x[:, t], h], axis=1) @ kernel + bias, 4, axis=1)
        c = sigmoid(f + 1.0) * c + sigmoid(i) * np.tanh(j)
        h = sigmoid(o) * np.tanh(c)
        outs.append(h)
    y, _, _ = from_tensorflow_v1(kernel, bias, forget_bias=1.0).forward(x)
    np.testing.assert_allclose(y, np.stack(outs, axis=1), atol=1e-12)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda r: from_keras(r.standard_normal((3, 10)), r.standard_normal((2, 10)),
                              r.standard_normal(10)), "kernel: expected 4"),
        (lambda r: from_keras(r.standard_normal((3, 8)), r.standard_normal((3, 8)),
                              r.standard_normal(8)), "recurrent_kernel: expected shape"),
        (lambda r: from_keras(r.standard_normal((3, 6)), r.standard_normal((2, 6)),
                              r.standard_normal(6), cell="gru"), "bias: expected shape"),
        (lambda r: from_keras(r.standard_normal((3, 8)), r.standard_normal((2, 8)),
                              r.standard_normal(8), cell="lstmx"), "cell: expected"),
        (lambda r: from_tensorflow_v1(r.standard_normal((3, 8)), r.standard_normal(7)),
         "bias: expected shape"),
        (lambda r: from_keras(np.ones((3, 8), dtype=int), np.ones((2, 8)), np.ones(8)),
         "kernel: expected a float array"),
    ],
)
def test_wrong_arrays_are_named(rng, call, match):
    with pytest.raises(ValueError, match=match):
        call(rng)
