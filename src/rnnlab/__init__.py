"""rnnlab: why an LSTM learns what a plain RNN cannot, in code that reads like the equations."""

from .cells import PRESETS, LSTMSpec
from .layers import GRU, LSTM, RNN, LayerCache, RecurrentLayer

__version__ = "0.1.0"


def from_torch(module):
    """Build the equivalent rnnlab layer from a ``torch.nn.RNN``, ``LSTM`` or ``GRU``."""
    from .interop.torch import from_torch as _from_torch

    return _from_torch(module)


def from_onnx(source):
    """Build the rnnlab layer holding the weights of an ONNX model's LSTM, GRU or RNN nodes."""
    from .interop.onnx_import import from_onnx as _from_onnx

    return _from_onnx(source)


__all__ = [
    "GRU",
    "LSTM",
    "PRESETS",
    "RNN",
    "LSTMSpec",
    "LayerCache",
    "RecurrentLayer",
    "__version__",
    "from_onnx",
    "from_torch",
]
