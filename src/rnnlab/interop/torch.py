"""Conversion between rnnlab layers and ``torch.nn.RNN`` / ``LSTM`` / ``GRU``.

rnnlab names its parameters exactly as PyTorch does (``weight_ih_l0``, ``bias_hh_l1_reverse``,
...), with the same gate order (LSTM i, f, g, o; GRU r, z, n) and the same out x in layout, so a
conversion is a checked copy of every array. torch is imported only inside these functions:
``import rnnlab`` must stay free of it.

Carried over both ways besides the weights: ``batch_first`` (the layer's attribute of that name:
a ``batch_first=False`` module gives a layer that takes and returns time-major (T, N, ...)
arrays, and converts back to one) and the training mode (it decides whether dropout acts). Not
carried over: devices (`from_torch` reads from any device, `to_torch` builds a CPU module).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..cells.lstm_spec import LSTMSpec
from ..layers import GRU, LSTM, RNN, RecurrentLayer

# The only LSTM cell torch has: forget gate, no peepholes ("vanilla", or Greff's "np").
_TORCH_LSTM_SPEC = LSTMSpec()


def _numpy_dtype(module: Any) -> np.dtype:
    """The one float dtype shared by all of ``module``'s parameters, or a ValueError."""
    import torch

    allowed = {torch.float32: np.dtype("float32"), torch.float64: np.dtype("float64")}
    dtypes = {p.dtype for p in module.parameters()}
    if len(dtypes) != 1:
        found = sorted(map(str, dtypes))
        raise ValueError(f"module: expected parameters of one dtype, got {found}")
    (dtype,) = dtypes
    if dtype not in allowed:
        raise ValueError(f"dtype: expected module parameters in float32 or float64, got {dtype}")
    return allowed[dtype]


def _check_module(module: Any) -> None:
    """Reject what rnnlab cannot represent, naming the offending argument."""
    import torch

    if not isinstance(module, torch.nn.RNN | torch.nn.LSTM | torch.nn.GRU):
        raise ValueError(
            "module: expected a torch.nn.RNN, torch.nn.LSTM or torch.nn.GRU, "
            f"got {type(module).__module__}.{type(module).__qualname__}"
        )
    if not module.bias:
        raise ValueError("bias: rnnlab layers always have biases; got a module with bias=False")
    if getattr(module, "proj_size", 0) > 0:
        raise ValueError(
            f"proj_size: LSTM projections are not supported, got proj_size={module.proj_size}"
        )


def from_torch(module: Any) -> RecurrentLayer:
    """Build the rnnlab layer equivalent to a ``torch.nn.RNN``, ``LSTM`` or ``GRU``.

    Sizes, ``num_layers``, ``bidirectional``, ``dropout``, the nonlinearity of an RNN, the dtype
    (float32 or float64, from the module's parameters) and the training mode are taken from the
    module; every weight is copied, so the two do not share memory afterwards. The layer's
    ``batch_first`` is the module's: with False it takes (T, N, D) inputs, as the module does.
    """
    import torch

    _check_module(module)
    dtype = _numpy_dtype(module)
    common = {
        "input_size": module.input_size,
        "hidden_size": module.hidden_size,
        "num_layers": module.num_layers,
        "bidirectional": module.bidirectional,
        "dropout": float(module.dropout),
        "dtype": dtype,
    }
    layer: RecurrentLayer
    if isinstance(module, torch.nn.LSTM):
        layer = LSTM(**common, variant="vanilla")
    elif isinstance(module, torch.nn.GRU):
        layer = GRU(**common, reset_after=True)  # torch's GRU is the reset-after form
    else:
        layer = RNN(**common, nonlinearity=module.nonlinearity)
    ours, theirs = set(layer.params), {name for name, _ in module.named_parameters()}
    if ours != theirs:  # a torch version with other parameter names would land here
        raise ValueError(
            f"module: parameter names differ from rnnlab's: missing {sorted(ours - theirs)}, "
            f"unexpected {sorted(theirs - ours)}"
        )
    with torch.no_grad():
        for name, target in layer.params.items():
            source = getattr(module, name).detach().cpu().numpy()
            if source.shape != target.shape:
                raise ValueError(
                    f"module: {name} has shape {tuple(source.shape)}, expected {target.shape}"
                )
            # Write into the layer's own arrays (it computes with these very objects); the
            # assignment copies, so later changes to the torch module do not leak in.
            target[...] = source
    layer.batch_first = bool(module.batch_first)
    layer.train(module.training)
    return layer


def to_torch(layer: RecurrentLayer) -> Any:
    """A ``torch.nn`` module (CPU, with the layer's ``batch_first``) with the same weights as
    ``layer``.

    Only what torch can express converts: any `RNN`, a `GRU` with ``reset_after=True`` and an
    `LSTM` whose variant is torch's cell (``"vanilla"`` or its twin ``"np"``). Otherwise a
    ValueError says which part torch lacks.
    """
    import torch

    dtype = {"float32": torch.float32, "float64": torch.float64}[str(layer.dtype)]
    common = {
        "input_size": layer.input_size,
        "hidden_size": layer.hidden_size,
        "num_layers": layer.num_layers,
        "bias": True,
        "batch_first": layer.batch_first,
        "dropout": layer.dropout,
        "bidirectional": layer.bidirectional,
        "dtype": dtype,
    }
    # torch warns about dropout with one layer (it would act nowhere); the value is kept only
    # so that the round trip reproduces the layer, so that warning is noise here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*dropout.*", category=UserWarning)
        if isinstance(layer, LSTM):
            if layer.spec != _TORCH_LSTM_SPEC:
                raise ValueError(
                    f"variant: torch.nn.LSTM has only the forget-gate cell without peepholes "
                    f"('vanilla' or 'np'); it cannot express variant {layer.variant!r} "
                    f"({_describe(layer.spec)})"
                )
            module = torch.nn.LSTM(**common)
        elif isinstance(layer, GRU):
            if not layer.reset_after:
                raise ValueError(
                    "reset_after: torch.nn.GRU applies the reset gate after the recurrent "
                    "matmul only; it cannot express reset_after=False"
                )
            module = torch.nn.GRU(**common)
        elif isinstance(layer, RNN):
            module = torch.nn.RNN(**common, nonlinearity=layer.nonlinearity)
        else:
            raise ValueError(
                f"layer: expected an rnnlab RNN, LSTM or GRU, got {type(layer).__qualname__}"
            )
    with torch.no_grad():
        for name, value in layer.params.items():
            target = getattr(module, name)
            # torch.tensor copies; copy_ keeps the module's Parameter objects (and its flat
            # weight bookkeeping) intact.
            target.copy_(torch.tensor(value, dtype=dtype))
    module.train(layer.training)
    return module


def _describe(spec: LSTMSpec) -> str:
    """The ways ``spec`` differs from torch's LSTM cell, in words."""
    diffs = [
        f"{name}={getattr(spec, name)}"
        for name in spec.__dataclass_fields__
        if getattr(spec, name) != getattr(_TORCH_LSTM_SPEC, name)
    ]
    return "differs in " + ", ".join(diffs)


__all__ = ["from_torch", "to_torch"]
