"""The cell registry: one list of cells, parsed the same way by every caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest

from rnnlab.cells import CELLS, GRUCell, LSTMCell, MGUCell, RNNCell, make_cell
from rnnlab.cells.registry import RegisteredCell, choices, parse, register
from rnnlab.experiments.spec import parse_cell as parse_sweep_entry
from rnnlab.layers import GRU, LSTM, RNN, RecurrentLayer, layer_for


def test_every_cell_is_listed_with_its_variants() -> None:
    assert CELLS == {"gru": GRUCell, "lstm": LSTMCell, "mgu": MGUCell, "rnn": RNNCell}
    text = choices()
    for name, cls in CELLS.items():
        assert name in text.split(", ")
        assert all(f"{name}:{v}" in text for v in cls.variants if v)
    assert "mgu:" not in text


@pytest.mark.parametrize(
    ("text", "cls", "variant"),
    [
        ("lstm", LSTMCell, "vanilla"),
        ("lstm:", LSTMCell, "vanilla"),
        (" lstm:cifg ", LSTMCell, "cifg"),
        ("rnn", RNNCell, "tanh"),
        ("gru:reset_before", GRUCell, "reset_before"),
        ("mgu", MGUCell, ""),
    ],
)
def test_parse_fills_in_the_default_variant(text, cls, variant) -> None:
    assert parse(text) == (cls, variant)


@pytest.mark.parametrize("text", ["", "lst", "lstm:nope", "mgu:x", "gru:tanh", "rnn:relu:x"])
def test_unknown_cells_are_one_line_naming_cell(text) -> None:
    with pytest.raises(ValueError, match=r"^cell: expected one of gru, "):
        parse(text)


def test_the_layer_for_a_cell_is_its_public_class_else_the_generic_one() -> None:
    assert layer_for("rnn:relu") == (RNN, {"nonlinearity": "relu"})
    assert layer_for("lstm") == (LSTM, {"variant": "vanilla"})
    assert layer_for("gru:reset_before") == (GRU, {"reset_after": False})
    assert layer_for("mgu") == (RecurrentLayer, {"cell": "mgu"})
    assert make_cell("gru:reset_before", 3) == GRUCell(3, reset_after=False)
    assert LSTM(2, 3, variant="cifg").kind == "lstm" and RNN(2, 3).kind == "rnn"


def test_the_sweep_parser_knows_the_same_cells() -> None:
    assert parse_sweep_entry("mgu@chrono").cell == "mgu"
    with pytest.raises(ValueError, match="--cells"):
        parse_sweep_entry("mgu:x")


def test_a_name_cannot_be_registered_twice() -> None:
    @dataclass(frozen=True)
    class Impostor(RegisteredCell):
        hidden_size: int
        name: ClassVar[str] = "mgu"

    with pytest.raises(ValueError, match="registered twice"):
        register(Impostor)
    assert CELLS["mgu"] is MGUCell
