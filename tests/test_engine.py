"""Equivalences the time loop must satisfy, and what forward exposes."""

from __future__ import annotations

import numpy as np
import pytest

import rnnlab
from rnnlab.gradcheck import GradcheckCase, build_layer, random_state
from rnnlab.layer_state import detach_state

CONFIGS = [
    GradcheckCase("rnn", "tanh", 2, True),
    GradcheckCase("rnn", "relu"),
    GradcheckCase("lstm", "vanilla", 2, True),
    GradcheckCase("lstm", "fgr"),
    GradcheckCase("lstm", "cifg", 1, True),
    GradcheckCase("lstm", "hs97"),
    GradcheckCase("gru", "reset_after", 2),
    GradcheckCase("gru", "reset_before", 1, True),
]
IDS = [
    f"{c.cell}:{c.variant}:L{c.num_layers}:{'bi' if c.bidirectional else 'uni'}" for c in CONFIGS
]


def _parts(state):
    return state if isinstance(state, tuple) else (state,)


def _close(a, b, tol=1e-12):
    for x, y in zip(_parts(a), _parts(b), strict=True):
        np.testing.assert_allclose(x, y, rtol=tol, atol=tol)


@pytest.mark.parametrize("case", [c for c in CONFIGS if not c.bidirectional], ids=str)
def test_step_by_step_equals_whole_sequence(case, rng) -> None:
    layer = build_layer(case, 3, 4, seed=1)
    x = rng.standard_normal((2, 6, 3))
    state0 = random_state(layer, 2, rng)
    y, final, _ = layer.forward(x, state0)
    state, ys = state0, []
    for t in range(6):
        y_t, state, _ = layer.forward(x[:, t : t + 1], state)
        ys.append(y_t)
    _close(np.concatenate(ys, axis=1), y)
    _close(state, final)


@pytest.mark.parametrize("case", CONFIGS, ids=IDS)
def test_batch_of_n_equals_n_batches_of_one(case, rng) -> None:
    layer = build_layer(case, 3, 4, seed=2)
    x = rng.standard_normal((3, 5, 3))
    lengths = np.array([5, 2, 4])
    dy = rng.standard_normal((3, 5, layer.directions * 4))
    y, final, cache = layer.forward(x, lengths=lengths)
    dx, _, grads = layer.backward(dy, cache)
    summed = {k: np.zeros_like(v) for k, v in grads.items()}
    for n in range(3):
        y_n, final_n, cache_n = layer.forward(x[n : n + 1], lengths=lengths[n : n + 1])
        dx_n, _, grads_n = layer.backward(dy[n : n + 1], cache_n)
        _close(y_n, y[n : n + 1])
        _close(tuple(p[:, n : n + 1] for p in _parts(final)), final_n)
        _close(dx_n, dx[n : n + 1])
        for k in summed:
            summed[k] += grads_n[k]
    for k in grads:
        _close(summed[k], grads[k], tol=1e-11)


@pytest.mark.parametrize("case", CONFIGS, ids=IDS)
def test_lengths_equal_running_the_truncated_sequence(case, rng) -> None:
    # A sequence padded to T with lengths=L gives, on its valid steps, what the L steps alone give,
    # zeros after, the state of step L, and gradients untouched by the padding.
    layer = build_layer(case, 3, 4, seed=3)
    x = rng.standard_normal((1, 7, 3))
    dy = rng.standard_normal((1, 7, layer.directions * 4))
    y, final, cache = layer.forward(x, lengths=[4])
    dx, _, grads = layer.backward(dy, cache)
    y_short, final_short, cache_short = layer.forward(x[:, :4])
    dx_short, _, grads_short = layer.backward(dy[:, :4], cache_short)
    _close(y[:, :4], y_short)
    assert np.all(y[:, 4:] == 0.0)
    _close(final, final_short)
    _close(dx[:, :4], dx_short)
    assert np.all(dx[:, 4:] == 0.0)
    for k in grads:
        _close(grads[k], grads_short[k])


def test_truncated_bptt_with_a_window_of_t_equals_full(rng) -> None:
    case = GradcheckCase("lstm", "peephole", 2, False)
    layer = build_layer(case, 3, 4, seed=4)
    x, dy = rng.standard_normal((2, 6, 3)), rng.standard_normal((2, 6, 4))
    _, _, cache = layer.forward(x)
    _, _, full = layer.backward(dy, cache)
    for window in (6, 9):  # windows of T and beyond: one chunk
        totals = {k: np.zeros_like(v) for k, v in full.items()}
        state = None
        for start in range(0, 6, window):
            _, state, cache = layer.forward(x[:, start : start + window], state)
            _, _, g = layer.backward(dy[:, start : start + window], cache)
            state = detach_state(state)
            for k in totals:
                totals[k] += g[k]
        for k in full:
            np.testing.assert_array_equal(totals[k], full[k])


def test_truncated_bptt_with_a_short_window_differs_from_full(rng) -> None:
    # The truncation must actually cut the gradient path, or the option would be a no-op.
    layer = build_layer(GradcheckCase("rnn", "tanh"), 3, 4, seed=5)
    x, dy = rng.standard_normal((2, 6, 3)), rng.standard_normal((2, 6, 4))
    _, _, cache = layer.forward(x)
    _, _, full = layer.backward(dy, cache)
    _, state, c1 = layer.forward(x[:, :3])
    g1 = layer.backward(dy[:, :3], c1)[2]
    _, _, c2 = layer.forward(x[:, 3:], detach_state(state))
    g2 = layer.backward(dy[:, 3:], c2)[2]
    assert not np.allclose(g1["weight_hh_l0"] + g2["weight_hh_l0"], full["weight_hh_l0"])


def test_cache_exposes_gate_activations_and_cell_states(rng) -> None:
    layer = rnnlab.LSTM(3, 4, num_layers=2, bidirectional=True, dtype="float64")
    _, (h, c), cache = layer.forward(rng.standard_normal((2, 5, 3)))
    assert h.shape == c.shape == (4, 2, 4)
    steps = cache.steps[1][1]
    for name in ("i", "f", "g", "o", "c"):
        assert steps[name].shape == (5, 2, 4)
    assert np.all((steps["f"] > 0) & (steps["f"] < 1))
    # The reverse direction ends at t = 0: its final cell state is the cache's c at t = 0.
    np.testing.assert_array_equal(c[3], steps["c"][0])
    np.testing.assert_array_equal(c[2], cache.steps[1][0]["c"][-1])


def test_reverse_direction_starts_at_each_last_valid_step(rng) -> None:
    layer = rnnlab.GRU(2, 3, bidirectional=True, dtype="float64")
    x = rng.standard_normal((1, 6, 2))
    y, h, _ = layer.forward(x, lengths=[4])
    y_alone, h_alone, _ = layer.forward(x[:, :4])
    np.testing.assert_allclose(y[:, :4, 3:], y_alone[:, :, 3:], rtol=1e-13)
    np.testing.assert_allclose(h[1], h_alone[1], rtol=1e-13)


def test_float32_runs_in_float32(rng) -> None:
    layer = rnnlab.LSTM(3, 5, num_layers=2)
    y, (h, c), cache = layer.forward(rng.standard_normal((2, 4, 3)))
    dx, (dh, dc), grads = layer.backward(np.ones_like(y), cache)
    assert {a.dtype for a in (y, h, c, dx, dh, dc, *grads.values())} == {np.dtype("float32")}


def test_dropout_is_seeded_and_off_in_evaluation(rng) -> None:
    x = rng.standard_normal((2, 4, 3))
    a = rnnlab.LSTM(3, 4, num_layers=3, dropout=0.5, seed=9)
    b = rnnlab.LSTM(3, 4, num_layers=3, dropout=0.5, seed=9)
    ya, yb = a.forward(x)[0], b.forward(x)[0]
    np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(a.forward(x)[0], ya)  # fresh masks on the next call
    a.eval()
    np.testing.assert_array_equal(a.forward(x)[0], a.forward(x)[0])


def test_params_are_the_arrays_the_layer_computes_with(rng) -> None:
    layer = rnnlab.RNN(2, 3, dtype="float64")
    x = rng.standard_normal((1, 3, 2))
    before = layer.forward(x)[0]
    layer.params["bias_hh_l0"] += 1.0
    assert not np.allclose(layer.forward(x)[0], before)


@pytest.mark.parametrize("variant", list(rnnlab.PRESETS))
def test_presets_have_the_parameters_they_claim(variant) -> None:
    layer = rnnlab.LSTM(2, 3, variant=variant)
    spec = layer.spec
    gates = 1 + spec.input_gate + (spec.forget_gate and not spec.coupled) + spec.output_gate
    assert layer.params["weight_ih_l0"].shape == (gates * 3, 2)
    assert ("weight_ch_l0" in layer.params) == spec.peepholes
    assert ("weight_gh_l0" in layer.params) == spec.gate_recurrence


def test_hs97_2a_cell_is_an_input_gated_accumulator(rng) -> None:
    # HS97 exp 2a: c(t) = c(t-1) + i(t) * g(t) and h = c -- no forget gate, no output gate, no
    # squashing on the way out. Check it against that recurrence written out by hand.
    layer = rnnlab.LSTM(3, 2, variant="hs97_2a", dtype="float64")
    for p in layer.params.values():
        p[...] = rng.uniform(-0.5, 0.5, size=p.shape)
    x = rng.standard_normal((2, 5, 3))
    h0, c0 = rng.standard_normal((1, 2, 2)), rng.standard_normal((1, 2, 2))
    y, (h_n, c_n) = layer.forward(x, (h0, c0))[:2]
    w_ih, w_hh = layer.params["weight_ih_l0"], layer.params["weight_hh_l0"]
    bias = layer.params["bias_ih_l0"] + layer.params["bias_hh_l0"]
    assert w_ih.shape == (2 * 2, 3)  # only the i and g blocks
    h, c = h0[0], c0[0]
    for t in range(5):
        a = x[:, t] @ w_ih.T + h @ w_hh.T + bias
        i, g = 1.0 / (1.0 + np.exp(-a[:, :2])), np.tanh(a[:, 2:])
        c = c + i * g
        h = c
        np.testing.assert_allclose(y[:, t], h, rtol=1e-12)
    np.testing.assert_allclose(c_n[0], c, rtol=1e-12)
    np.testing.assert_allclose(h_n[0], c, rtol=1e-12)
