"""The public layers `RNN`, `LSTM` and `GRU`: a cell kind and its options on `RecurrentLayer`.

`layer_for` maps ``--cell`` text to one of them (``lstm:peephole`` -> `LSTM` with
``variant="peephole"``), or to `RecurrentLayer` itself for a cell without a layer of its own.

A layer owns its parameters in ``params``, a dict named as PyTorch names them
(``weight_ih_l0``, ``weight_hh_l1_reverse``, ...), so exchanging weights with PyTorch is a copy.
``forward`` returns a cache that ``backward`` consumes; the cache also exposes every step's gate
activations and cell states for diagnostics. The shared machinery is in `rnnlab.layer_base`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .cells import GRUCell, LSTMCell, RNNCell, lstm_spec
from .cells.base import Cell
from .cells.registry import RegisteredCell, cell_text, parse
from .layer_base import LayerCache, PublicState, RecurrentLayer
from .validation import check_bool

__all__ = ["GRU", "LSTM", "RNN", "LayerCache", "PublicState", "RecurrentLayer", "layer_for"]


class RNN(RecurrentLayer):
    """Elman RNN layer (see `rnnlab.cells.RNNCell` for the equations)."""

    cell_class: ClassVar[type[RegisteredCell]] = RNNCell

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
        super().__init__(
            input_size, hidden_size, num_layers, bidirectional, dropout, dtype, seed,
            cell=f"rnn:{nonlinearity}",
        )  # fmt: skip

    @staticmethod
    def variant_options(variant: str) -> dict[str, Any]:
        return {"nonlinearity": variant}

    def _extra_repr(self) -> str:
        return f", nonlinearity='{self.nonlinearity}'"


class LSTM(RecurrentLayer):
    """LSTM layer; ``variant`` names a preset of `rnnlab.cells.PRESETS` (see `LSTMCell`)."""

    cell_class: ClassVar[type[RegisteredCell]] = LSTMCell

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
        self.spec = lstm_spec(variant)  # a preset's name, or an LSTMSpec of one's own
        self.variant = variant
        super().__init__(
            input_size, hidden_size, num_layers, bidirectional, dropout, dtype, seed,
            cell=f"lstm:{variant}" if isinstance(variant, str) else "lstm",
        )  # fmt: skip

    def _make_cell(self) -> Cell:
        return LSTMCell(self.hidden_size, self.spec)

    @staticmethod
    def variant_options(variant: str) -> dict[str, Any]:
        return {"variant": variant}

    def _extra_repr(self) -> str:
        return f", variant='{self.variant}'"


class GRU(RecurrentLayer):
    """GRU layer; ``reset_after`` as in `rnnlab.cells.GRUCell`."""

    cell_class: ClassVar[type[RegisteredCell]] = GRUCell

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
        super().__init__(
            input_size, hidden_size, num_layers, bidirectional, dropout, dtype, seed,
            cell="gru:reset_after" if self.reset_after else "gru:reset_before",
        )  # fmt: skip

    @staticmethod
    def variant_options(variant: str) -> dict[str, Any]:
        return {"reset_after": variant == "reset_after"}

    def _extra_repr(self) -> str:
        return f", reset_after={self.reset_after}"


PUBLIC_LAYERS: tuple[type[RNN | LSTM | GRU], ...] = (RNN, LSTM, GRU)


def layer_for(text: str) -> tuple[type[RecurrentLayer], dict[str, Any]]:
    """The layer class and its keyword arguments for ``cell[:variant]`` text: the public layer
    of the cell's kind if there is one, else `RecurrentLayer` with ``cell``. ValueError naming
    ``cell`` for an unknown name."""
    cls, variant = parse(text)
    for layer in PUBLIC_LAYERS:
        if layer.cell_class is cls:
            return layer, layer.variant_options(variant)
    return RecurrentLayer, {"cell": cell_text(cls, variant)}
