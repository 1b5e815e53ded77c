"""Models: a recurrent stack (`rnnlab.RNN`, `LSTM`, `GRU`) with a linear readout and a loss.

`parse_cell` turns ``lstm:peephole`` into a layer class; `make_model` adds the readout;
`SequenceModel` has the forward and hand-derived backward pass of the whole model; `generate`
runs it one-to-many.
"""

from .generate import FEEDBACKS, generate
from .sequence import OUTPUT_KINDS, ModelCache, SequenceModel, make_model
from .spec import build_layer, cell_choices, parse_cell

__all__ = [
    "FEEDBACKS",
    "OUTPUT_KINDS",
    "ModelCache",
    "SequenceModel",
    "build_layer",
    "cell_choices",
    "generate",
    "make_model",
    "parse_cell",
]
