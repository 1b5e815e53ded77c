"""``parse_cell``: the ``--cell`` text (``lstm:peephole``, ``rnn:relu``) as a layer class."""

from __future__ import annotations

from typing import Any

from ..cells.registry import choices
from ..layers import RecurrentLayer, layer_for


def cell_choices() -> str:
    """Every accepted ``cell`` text, for help and error messages."""
    return choices()


def parse_cell(text: str) -> tuple[type[RecurrentLayer], dict[str, Any]]:
    """The layer class and its keyword arguments for a cell name such as ``lstm:peephole``.

    ``rnn`` is the tanh RNN, ``lstm`` the vanilla (PyTorch) LSTM, ``gru`` PyTorch's reset-after
    GRU; any other registered cell (``mgu``) is a `RecurrentLayer` of it (see
    `rnnlab.layers.layer_for`).
    Raises ValueError naming ``cell`` for anything else.
    """
    kind, colon, variant = str(text).strip().partition(":")
    if colon and not variant:  # "lstm:" is a typo, not the default variant
        raise ValueError(f"cell: expected a variant after {kind}:, got {text!r}")
    return layer_for(text)


def build_layer(
    cell: str,
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    dropout: float = 0.0,
    dtype: str = "float64",
) -> RecurrentLayer:
    """The recurrent layer named by ``cell`` (PyTorch's default init; see `rnnlab.init`)."""
    cls, kwargs = parse_cell(cell)
    return cls(
        input_size,
        hidden_size,
        num_layers=num_layers,
        bidirectional=bidirectional,
        dropout=dropout,
        dtype=dtype,
        **kwargs,
    )
