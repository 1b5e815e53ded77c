"""Gradient-flow diagnostics give the numbers the theory predicts on tiny layers."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab import GRU, LSTM, RNN
from rnnlab.gradflow import diagnose_layer, jacobian_curve, ratio_at, state_gradient_curves


@pytest.fixture
def batch(rng):
    x = rng.standard_normal((6, 40, 3))
    lengths = np.array([40, 40, 36, 38, 40, 35])
    return x, lengths


def test_small_recurrent_matrix_makes_the_gradient_vanish(batch, rng):
    x, lengths = batch
    layer = RNN(3, 5, dtype="float64")
    layer.params["weight_hh_l0"] = 0.1 * np.eye(5)
    diag = diagnose_layer(layer, x, lengths, None, rng)
    assert diag["spectral_radius"] == {"W_hh (recurrent)": pytest.approx(0.1)}
    assert diag["dc"] is None and diag["mean_keep"] is None
    # every step multiplies by W_hh (0.1) times tanh' (<= 1): at most 0.1 per step
    assert ratio_at(diag, 10) < 1e-10
    curve = np.asarray(diag["jacobian"])
    assert np.all(np.diff(curve[:20]) < 0)
    assert len(curve) == lengths.min()


def test_forget_gate_near_one_keeps_the_gradient(batch, rng):
    x, lengths = batch
    layer = LSTM(3, 5, dtype="float64")
    layer.params["bias_hh_l0"][5:10] = 8.0  # forget gate block: f = sig(~8) ~ 0.9997
    diag = diagnose_layer(layer, x, lengths, None, rng)
    assert diag["keep_gate"] == "f" and diag["mean_keep"] > 0.99
    assert diag["saturation"]["f"] == 1.0  # every forget activation is above 0.95
    assert set(diag["spectral_radius"]) == {
        "W_hi (input gate)",
        "W_hf (forget gate)",
        "W_hg (candidate)",
        "W_ho (output gate)",
    }
    # past the first step the cell path carries the signal back with little loss
    curve = np.asarray(diag["jacobian"])
    assert curve[30] / curve[5] > 0.2 and curve[30] > 1e-3

    low = LSTM(3, 5, dtype="float64")
    low.params["bias_hh_l0"][5:10] = -3.0  # f ~ 0.05: the carousel leaks
    leak = diagnose_layer(low, x, lengths, None, rng)
    assert ratio_at(leak, 30, "jacobian") < 1e-6 * ratio_at(diag, 30, "jacobian")


def test_loss_gradient_trace_matches_the_layer_backward(batch, rng):
    x, lengths = batch
    layer = LSTM(3, 4, dtype="float64")
    N, T = x.shape[:2]
    dy = np.zeros((N, T, 4))
    dy[np.arange(N), lengths - 1] = rng.standard_normal((N, 4))
    curves = state_gradient_curves(layer, x, lengths, dy)
    # at distance 0 the state gradient is exactly the injected output gradient
    expected = np.linalg.norm(dy[np.arange(N), lengths - 1], axis=1).mean()
    assert curves["dh"][0] == pytest.approx(expected)
    assert curves["dc"] is not None and len(curves["dc"]) == lengths.min()
    # the same unit direction through jacobian_curve has norm 1 at distance 0
    assert jacobian_curve(layer, x, lengths, rng)[0] == pytest.approx(1.0)


def test_gru_reports_update_gate_and_blocks(batch, rng):
    x, lengths = batch
    diag = diagnose_layer(GRU(3, 4), x, lengths, None, rng)
    assert diag["keep_gate"] == "z" and 0.0 < diag["mean_keep"] < 1.0
    assert set(diag["saturation"]) == {"r", "z"}
    assert len(diag["spectral_radius"]) == 3
