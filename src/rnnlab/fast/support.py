"""What the compiled kernels know, asked before anything compiled is imported (no numba here).

A kernel implements fixed equations: a cell field it does not read would be ignored, and the
cell would run wrong. So the fast path runs a cell only when the kernels know its class and
every field of it and of its spec; `refusal` names what they do not know, and `rnnlab.backend`
then runs the NumPy reference and says so once.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from functools import lru_cache

from ..cells import GRUCell, LSTMCell, RNNCell
from ..cells.base import Cell
from .kernels.lstm_flags import SPEC_FIELDS

# The fields of each cell class its kernel reads (`rnnlab.fast.kernels`); the LSTM's ``spec``
# has its own list, the flags of `rnnlab.fast.kernels.lstm_flags`.
CELL_FIELDS = {
    RNNCell: frozenset({"hidden_size", "nonlinearity"}),
    GRUCell: frozenset({"hidden_size", "reset_after"}),
    LSTMCell: frozenset({"hidden_size", "spec"}),
}
RNN_NONLINEARITIES = ("tanh", "relu")  # the ``relu`` flag of `rnnlab.fast.kernels.rnn`


def refusal(cell: Cell) -> str | None:
    """Why the kernels cannot run ``cell``, or None when they can: a class without a kernel, a
    field of the cell or of its spec that no kernel reads, a value no kernel implements."""
    known = CELL_FIELDS.get(type(cell))
    if known is None:
        return "no compiled kernel for it"
    unknown = _unknown_fields(type(cell), known)
    if not unknown and type(cell) is LSTMCell:
        unknown = _unknown_fields(type(cell.spec), SPEC_FIELDS)
    if unknown:
        return f"the kernels do not read {unknown}"
    if type(cell) is RNNCell and cell.nonlinearity not in RNN_NONLINEARITIES:
        return f"no kernel for the nonlinearity {cell.nonlinearity!r}"
    return None


def supports(cell: Cell) -> bool:
    """Whether the kernels run ``cell`` exactly as its reference equations say."""
    return refusal(cell) is None


@lru_cache(maxsize=64)
def _unknown_fields(cls: type, known: frozenset[str]) -> str:
    """``"Class field(s) a, b"`` for the fields of ``cls`` not in ``known``, or ``""``."""
    if not is_dataclass(cls):
        return f"{cls.__name__} (not a dataclass: its fields cannot be checked)"
    unknown = [f.name for f in fields(cls) if f.name not in known]
    return f"{cls.__name__} field(s) {', '.join(unknown)}" if unknown else ""
