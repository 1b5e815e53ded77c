"""The public layers `RNN`, `LSTM` and `GRU`: a cell kind and its options on `RecurrentLayer`.

A layer owns its parameters in ``params``, a dict named as PyTorch names them
(``weight_ih_l0``, ``weight_hh_l1_reverse``, ...), so exchanging weights with PyTorch is a copy.
``forward`` returns a cache that ``backward`` consumes; the cache also exposes every step's gate
activations and cell states for diagnostics. The shared machinery is in `rnnlab.layer_base`.
"""

from __future__ import annotations

import numpy as np

from .cells import GRUCell, LSTMCell, RNNCell, lstm_spec
from .cells.base import Cell
from .layer_base import LayerCache, PublicState, RecurrentLayer
from .validation import check_bool

__all__ = ["GRU", "LSTM", "RNN", "LayerCache", "PublicState", "RecurrentLayer"]


class RNN(RecurrentLayer):
    """Elman RNN layer (see `rnnlab.cells.RNNCell` for the equations)."""

    kind = "rnn"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        nonlinearity: str = "tanh",
        dtype: str | np.dtype = "float32",
        seed: int = 0,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity: expected 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, num_layers, bidirectional, dropout, dtype, seed)

    def _make_cell(self) -> Cell:
        return RNNCell(self.hidden_size, self.nonlinearity)

    def _extra_repr(self) -> str:
        return f", nonlinearity='{self.nonlinearity}'"


class LSTM(RecurrentLayer):
    """LSTM layer; ``variant`` names a preset of `rnnlab.cells.PRESETS` (see `LSTMCell`)."""

    kind = "lstm"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        variant: str = "vanilla",
        dtype: str | np.dtype = "float32",
        seed: int = 0,
    ) -> None:
        self.spec = lstm_spec(variant)
        self.variant = variant
        super().__init__(input_size, hidden_size, num_layers, bidirectional, dropout, dtype, seed)

    def _make_cell(self) -> Cell:
        return LSTMCell(self.hidden_size, self.spec)

    def _extra_repr(self) -> str:
        return f", variant='{self.variant}'"


class GRU(RecurrentLayer):
    """GRU layer; ``reset_after`` as in `rnnlab.cells.GRUCell`."""

    kind = "gru"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        reset_after: bool = True,
        dtype: str | np.dtype = "float32",
        seed: int = 0,
    ) -> None:
        self.reset_after = check_bool(reset_after, "reset_after")
        super().__init__(input_size, hidden_size, num_layers, bidirectional, dropout, dtype, seed)

    def _make_cell(self) -> Cell:
        return GRUCell(self.hidden_size, self.reset_after)

    def _extra_repr(self) -> str:
        return f", reset_after={self.reset_after}"
