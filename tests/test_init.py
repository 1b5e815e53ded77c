"""Each initialisation scheme produces what its docstring claims, and refuses what it cannot do."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab.cells import gate_slices
from rnnlab.init import INITS, apply_init, check_init, default_init
from rnnlab.models import build_layer

H = 6


def _init(cell: str, name: str, seed: int = 0, t_max: int | None = 100, **kw):
    layer = build_layer(cell, 3, H, **kw)
    apply_init(layer, name, np.random.default_rng(seed), t_max=t_max)
    return layer


def _bias(layer, gate: str, index: int = 0, direction: int = 0) -> np.ndarray:
    """The effective bias b_ih + b_hh of one gate (what the cell adds to its pre-activation)."""
    p = layer.layer_params(index, direction)
    s = gate_slices(layer.cell.gate_names, H)[gate]
    return p["bias_ih"][s] + p["bias_hh"][s]


def test_pytorch_is_uniform_within_the_bound() -> None:
    layer = _init("lstm", "pytorch")
    values = np.concatenate([v.ravel() for v in layer.params.values()])
    assert np.abs(values).max() <= 1 / np.sqrt(H)
    assert values.std() > 0.25 / np.sqrt(H)  # spread out, not a constant


def test_same_generator_state_gives_the_same_parameters() -> None:
    a, b, c = _init("gru", "chrono", 3), _init("gru", "chrono", 3), _init("gru", "chrono", 4)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    assert not np.array_equal(a.params["bias_ih_l0"], c.params["bias_ih_l0"])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_orthogonal_recurrent_blocks(cell) -> None:
    layer = _init(cell, "orthogonal", num_layers=2)
    for index in range(2):
        W = layer.layer_params(index, 0)["weight_hh"]
        for s in gate_slices(layer.cell.gate_names, H).values():
            np.testing.assert_allclose(W[s] @ W[s].T, np.eye(H), atol=1e-12)


def test_identity_is_the_irnn() -> None:
    layer = _init("rnn:relu", "identity")
    p = layer.layer_params(0, 0)
    np.testing.assert_array_equal(p["weight_hh"], np.eye(H))
    assert not p["bias_ih"].any() and not p["bias_hh"].any()
    assert np.abs(p["weight_ih"]).max() > 0  # input weights stay PyTorch's


def test_forget1_puts_the_whole_bias_in_bias_ih() -> None:
    layer = _init("lstm", "forget1")
    p, s = layer.layer_params(0, 0), gate_slices(layer.cell.gate_names, H)
    np.testing.assert_array_equal(p["bias_ih"][s["f"]], 1.0)
    np.testing.assert_array_equal(p["bias_hh"][s["f"]], 0.0)
    np.testing.assert_array_equal(_bias(layer, "f"), 1.0)
    assert np.abs(_bias(layer, "i")).max() <= 2 / np.sqrt(H)  # other gates untouched


def test_forget1_on_a_coupled_cell_gives_the_same_forget_gate() -> None:
    layer = _init("lstm:cifg", "forget1")
    np.testing.assert_array_equal(_bias(layer, "i"), -1.0)  # f = 1 - sig(-1) = sig(1)


def test_hs97_closes_input_and_output_gates() -> None:
    layer = _init("lstm:hs97", "hs97")
    np.testing.assert_array_equal(_bias(layer, "i"), [-2, -4, -6, -2, -4, -6])
    np.testing.assert_array_equal(_bias(layer, "o"), [-1, -2, -3, -1, -2, -3])


@pytest.mark.parametrize("t_max", [100, 1000])
def test_chrono_lstm(t_max) -> None:
    layer = _init("lstm", "chrono", t_max=t_max, num_layers=2, bidirectional=True)
    for index in range(2):
        for direction in range(2):
            bf = _bias(layer, "f", index, direction)
            assert np.all(bf >= 0) and np.all(bf <= np.log(t_max - 1))
            np.testing.assert_array_equal(_bias(layer, "i", index, direction), -bf)
            assert len(np.unique(bf)) == H  # one draw per unit


def test_chrono_gru_keeps_the_old_state() -> None:
    layer = _init("gru", "chrono", t_max=50)
    bz = _bias(layer, "z")
    assert np.all(bz >= 0) and np.all(bz <= np.log(49))
    # h = (1 - z) * n + z * h_prev: with z = sig(bz) >= 1/2 the state is kept, on average
    # for about 1 / (1 - z) steps, which spans [2, T_max - 1]
    assert np.all(1.0 / (1.0 - 1.0 / (1.0 + np.exp(-bz))) <= 49 + 1e-9)


def test_chrono_without_a_forget_gate_sets_the_input_gate_only() -> None:
    layer = _init("lstm:hs97", "chrono")
    assert np.all(_bias(layer, "i") <= 0)


def test_defaults() -> None:
    assert (default_init("rnn"), default_init("lstm"), default_init("gru")) == (
        "pytorch",
        "chrono",
        "chrono",
    )


@pytest.mark.parametrize(
    ("cell", "name", "t_max"),
    [
        ("lstm", "nope", 100),
        ("lstm", "identity", 100),
        ("gru", "forget1", 100),
        ("rnn", "chrono", 100),
        ("rnn", "hs97", 100),
        ("lstm:hs97", "forget1", 100),
        ("lstm", "chrono", None),
        ("lstm", "chrono", 1),
    ],
)
def test_inapplicable_init_is_a_value_error_naming_init(cell, name, t_max) -> None:
    layer = build_layer(cell, 3, H)
    before = {k: v.copy() for k, v in layer.params.items()}
    with pytest.raises(ValueError, match=r"^init: "):
        apply_init(layer, name, np.random.default_rng(0), t_max=t_max)
    assert all(np.array_equal(before[k], layer.params[k]) for k in before)  # left intact


def test_every_listed_init_applies_to_some_cell() -> None:
    for name in INITS:
        cell = "rnn" if name == "identity" else "lstm"
        check_init(build_layer(cell, 3, H), name, 100)
