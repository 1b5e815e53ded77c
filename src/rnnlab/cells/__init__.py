"""Recurrent cells: pure forward and backward steps over a cache of gate outputs.

Each cell module registers its class (`rnnlab.cells.registry`) when imported here; a new cell is
one new module and one import line below.
"""

from .base import Cell, gate_slices
from .gru import GRUCell
from .lstm import LSTMCell
from .lstm_spec import PRESETS, LSTMSpec, lstm_spec
from .mgu import MGUCell as MGUCell  # registers the minimal gated unit
from .registry import CELLS, RegisteredCell, make_cell
from .rnn import RNNCell

__all__ = [
    "CELLS",
    "PRESETS",
    "Cell",
    "GRUCell",
    "LSTMCell",
    "LSTMSpec",
    "RNNCell",
    "RegisteredCell",
    "gate_slices",
    "lstm_spec",
    "make_cell",
]
