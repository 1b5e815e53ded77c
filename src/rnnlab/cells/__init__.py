"""Recurrent cells: pure forward and backward steps over a cache of gate outputs."""

from .base import Cell, gate_slices
from .gru import GRUCell
from .lstm import LSTMCell
from .lstm_spec import PRESETS, LSTMSpec, lstm_spec
from .rnn import RNNCell

__all__ = [
    "PRESETS",
    "Cell",
    "GRUCell",
    "LSTMCell",
    "LSTMSpec",
    "RNNCell",
    "gate_slices",
    "lstm_spec",
]
