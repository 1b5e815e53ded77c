"""``parse_cell``: the ``--cell`` text (``lstm:peephole``, ``rnn:relu``) as a layer class."""

from __future__ import annotations

from typing import Any

from ..cells import PRESETS
from ..layers import GRU, LSTM, RNN, RecurrentLayer

_RNN = {"": "tanh", "tanh": "tanh", "relu": "relu"}
_GRU = {"": True, "reset_after": True, "reset_before": False}


def cell_choices() -> str:
    """Every accepted ``cell`` text, for help and error messages."""
    lstm = ", ".join(f"lstm:{name}" for name in PRESETS)
    return f"rnn, rnn:tanh, rnn:relu, lstm, {lstm}, gru, gru:reset_after, gru:reset_before"


def parse_cell(text: str) -> tuple[type[RecurrentLayer], dict[str, Any]]:
    """The layer class and its keyword arguments for a cell name such as ``lstm:peephole``.

    ``rnn`` is the tanh RNN, ``lstm`` the vanilla (PyTorch) LSTM and ``gru`` PyTorch's
    reset-after GRU. Raises ValueError naming ``cell`` for anything else.
    """
    kind, colon, variant = str(text).strip().partition(":")
    if colon and not variant:  # "lstm:" is a typo, not the default variant
        raise ValueError(f"cell: expected a variant after {kind}:, got {text!r}")
    if kind == "rnn" and variant in _RNN:
        return RNN, {"nonlinearity": _RNN[variant]}
    if kind == "lstm" and (variant == "" or variant in PRESETS):
        return LSTM, {"variant": variant or "vanilla"}
    if kind == "gru" and variant in _GRU:
        return GRU, {"reset_after": _GRU[variant]}
    raise ValueError(f"cell: expected one of {cell_choices()}; got {text!r}")


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
