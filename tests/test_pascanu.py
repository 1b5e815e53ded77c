"""Pascanu et al.'s Omega: its gradient against finite differences, its Jacobian products
against finite differences of the step, its value on norm-keeping and norm-losing nets, and the
training flags."""

from __future__ import annotations

import numpy as np
import pytest

import rnnlab
from rnnlab.gradcheck_pascanu import check_pascanu, pascanu_cases
from rnnlab.models.pascanu import _step_terms, omega
from rnnlab.training import TrainConfig


@pytest.mark.parametrize("case", pascanu_cases(), ids=lambda c: c.name)
def test_omega_gradient_equals_central_differences(case):
    errors = check_pascanu(case)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize(
    "layer",
    [rnnlab.RNN(2, 3, dtype="float64"), rnnlab.LSTM(2, 3, variant="peephole", dtype="float64"),
     rnnlab.GRU(2, 3, dtype="float64")],
    ids=["rnn", "lstm", "gru"],
)
def test_v_is_d_times_the_step_jacobian(rng, layer):
    """(3): v_t = d_t dh_t/dh_(t-1), the Jacobian of the cell's step by central differences
    (every other state held)."""
    for value in layer.params.values():
        value[...] = rng.uniform(-0.9, 0.9, value.shape)
    x = rng.uniform(-1, 1, (2, 4, 2))
    y, _, cache = layer.forward(x)
    trace: dict = {}
    layer.backward(rng.standard_normal(y.shape), cache, trace=trace)
    p, steps, d = layer.layer_params(0, 0), cache.steps[0][0], trace[(0, 0)][0]
    t = 2
    _, v = _step_terms(layer, p, steps, d, t)
    xp = x[:, t] @ p["weight_ih"].T + p["bias_ih"]
    state = [cache.steps[0][0][name][t] for name in ("h_prev", "c_prev") if name in steps]
    state = tuple(state) if len(state) > 1 else (state[0],)

    def h_next(h_prev: np.ndarray) -> np.ndarray:
        return layer.cell.step(p, xp, (h_prev, *state[1:]))[0][0]

    eps, jac = 1e-6, np.zeros((2, 3, 3))
    for j in range(3):
        plus, minus = state[0].copy(), state[0].copy()
        plus[:, j] += eps
        minus[:, j] -= eps
        jac[:, j, :] = (h_next(plus) - h_next(minus)) / (2 * eps)  # dh_t[:, k] / dh_prev[:, j]
    expected = np.einsum("nk,njk->nj", d[t], jac)
    np.testing.assert_allclose(v, expected, atol=1e-8)


def _omega_of(w_hh: np.ndarray, rng) -> float:
    layer = rnnlab.RNN(4, 8, dtype="float64")
    layer.params["weight_hh_l0"][...] = w_hh
    layer.params["weight_ih_l0"][...] = 1e-4 * rng.standard_normal((8, 4))  # h stays near 0
    for name in ("bias_ih_l0", "bias_hh_l0"):
        layer.params[name][...] = 0.0
    y, _, cache = layer.forward(rng.standard_normal((5, 12, 4)))
    trace: dict = {}
    layer.backward(rng.standard_normal(y.shape), cache, trace=trace)
    return omega(layer, cache, trace)[0]


def test_omega_is_zero_where_the_norm_is_kept_and_grows_where_it_is_lost(rng):
    q, _ = np.linalg.qr(rng.standard_normal((8, 8)))  # orthogonal: ||v|| = ||d|| near h = 0
    assert _omega_of(q, rng) < 1e-6
    assert _omega_of(0.5 * q, rng) == pytest.approx(0.25, abs=1e-4)  # rho = 0.5: (0.5 - 1)^2


def test_the_regulariser_moves_only_w_hh(rng):
    config = TrainConfig(task="adding", length=10, cell="rnn", hidden=4, regularizer="pascanu",
                         reg_weight=2.0)
    from rnnlab.training.problem import _add_omega
    from rnnlab.training.run import build_model

    model = build_model(config, rng)
    batch = config.make_task().sample(rng, 8)
    trace: dict = {}
    _, grads, aux = model.loss_and_grads(batch, trace=trace)
    plain = {k: v.copy() for k, v in grads.items()}
    _add_omega(config, model, grads, aux, trace)
    changed = sorted(k for k in grads if not np.array_equal(grads[k], plain[k]))
    assert changed == ["weight_hh_l0"]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"regularizer": "pascanu", "tbptt": 5}, "regularizer: .*full BPTT"),
        ({"regularizer": "pascanu", "cell": "gru:reset_before"}, "regularizer: .*multiplies"),
        ({"regularizer": "l2"}, "regularizer: expected one of pascanu"),
        ({"regularizer": "pascanu", "reg_weight": -1.0}, "reg_weight: expected a positive"),
    ],
)
def test_bad_regulariser_settings_are_named(options, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(task="adding", length=10, **{"cell": "rnn", **options})
