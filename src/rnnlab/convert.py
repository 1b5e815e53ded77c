"""Weights from Keras 3 and TensorFlow 1 layouts into rnnlab layers, and back.

Neither Keras nor TensorFlow is imported: give the arrays (``layer.get_weights()`` in Keras,
the checkpoint's variables in TF1). Each ``from_*`` returns a one-layer, one-direction rnnlab
layer; each ``to_*`` reads one layer direction of any rnnlab layer (``layer_index``,
``direction``).

==========================  ================================  ===============================
                            Keras 3 (LSTM, GRU, SimpleRNN)    TF1 ``LSTMCell`` / ``BasicLSTMCell``
==========================  ================================  ===============================
weights                     ``kernel`` (D, G*H) in x out,     ``kernel`` (D+H, 4H): rows x then h
                            ``recurrent_kernel`` (H, G*H)
gate order (columns)        LSTM i, f, c, o; GRU z, r, h      i, j, f, o (j = the candidate)
biases                      one (G*H,); GRU ``reset_after``:  one (4H,) plus ``forget_bias``
                            (2, 3H) = (input, recurrent)      added to f at run time (1.0)
==========================  ================================  ===============================

rnnlab (PyTorch) keeps out x in weights in gate order LSTM i, f, g, o and GRU r, z, n, and two
biases; a single bias goes into ``bias_ih`` with ``bias_hh`` zero, and TF1's ``forget_bias`` into
``bias_hh``'s f block, so that ``from_X(to_X(...))`` and ``to_X(from_X(...))`` are exact
copies. Keras's GRU with ``reset_after=True`` is PyTorch's GRU; with ``reset_after=False`` it is
rnnlab's reset-before GRU with ``bias_hh`` zero.
"""

from __future__ import annotations

import numpy as np

from .layer_base import RecurrentLayer as _Base
from .layers import GRU, LSTM, RNN, RecurrentLayer

Array = np.ndarray
_KERAS_GATES = {"lstm": ("i", "f", "g", "o"), "gru": ("z", "r", "n"), "rnn": ("h",)}
_OUR_GATES = {"lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n"), "rnn": ("h",)}
_TF1_GATES = ("i", "g", "f", "o")  # TF1's i, j, f, o with j the candidate g


def _reorder(array: Array, source: tuple[str, ...], target: tuple[str, ...]) -> Array:
    """Gate blocks along axis 0 from ``source`` order to ``target`` order."""
    blocks = dict(zip(source, np.split(array, len(source), axis=0), strict=True))
    return np.concatenate([blocks[name] for name in target], axis=0)


def _matrix(name: str, value: object, shape: tuple[int | None, ...]) -> Array:
    array = np.asarray(value)
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"{name}: expected a float array, got dtype {array.dtype}")
    fits = array.ndim == len(shape) and all(
        s is None or s == a for s, a in zip(shape, array.shape, strict=True)
    )
    if not fits:
        want = "(" + ", ".join("?" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name}: expected shape {want}, got {array.shape}")
    return array


def _kind(cell: str) -> str:
    if cell not in _KERAS_GATES:
        raise ValueError(f"cell: expected 'lstm', 'gru' or 'rnn', got {cell!r}")
    return cell


def _new_layer(kind: str, d: int, h: int, dtype: np.dtype, **options: object) -> RecurrentLayer:
    cls = {"lstm": LSTM, "gru": GRU, "rnn": RNN}[kind]
    return cls(d, h, dtype=str(dtype), **options)  # type: ignore[arg-type]


def _set(layer: RecurrentLayer, values: dict[str, Array]) -> RecurrentLayer:
    for name, value in values.items():
        layer.params[layer.param_name(name, 0, 0)][...] = value
    return layer


def from_keras(
    kernel: Array,
    recurrent_kernel: Array,
    bias: Array,
    cell: str = "lstm",
    *,
    reset_after: bool = True,
    activation: str = "tanh",
) -> RecurrentLayer:
    """An rnnlab layer from a Keras 3 ``LSTM``, ``GRU`` or ``SimpleRNN``'s three arrays.

    ``reset_after`` is the Keras GRU's flag (its default, True, gives a (2, 3H) bias);
    ``activation`` the SimpleRNN's (``"tanh"`` or ``"relu"``).
    """
    kind = _kind(cell)
    gates = len(_KERAS_GATES[kind])
    kernel = _matrix("kernel", kernel, (None, None))
    d, width = kernel.shape
    if width % gates:
        raise ValueError(f"kernel: expected {gates} * H columns for a {kind}, got {width}")
    h = width // gates
    recurrent = _matrix("recurrent_kernel", recurrent_kernel, (h, width))
    two_biases = kind == "gru" and reset_after
    bias = _matrix("bias", bias, (2, width) if two_biases else (width,))
    b_ih, b_hh = (bias[0], bias[1]) if two_biases else (bias, np.zeros_like(bias))
    src, ours = _KERAS_GATES[kind], _OUR_GATES[kind]
    options: dict[str, object] = {}
    if kind == "gru":
        options["reset_after"] = bool(reset_after)
    if kind == "rnn":
        options["nonlinearity"] = activation
    layer = _new_layer(kind, d, h, kernel.dtype, **options)
    return _set(layer, {
        "weight_ih": _reorder(kernel.T, src, ours),
        "weight_hh": _reorder(recurrent.T, src, ours),
        "bias_ih": _reorder(b_ih, src, ours),
        "bias_hh": _reorder(b_hh, src, ours),
    })


def _direction(layer: _Base, layer_index: int, direction: int) -> dict[str, Array]:
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    found = {n: layer.params.get(layer.param_name(n, layer_index, direction)) for n in names}
    if any(v is None for v in found.values()):
        raise ValueError(f"layer_index/direction: layer has no ({layer_index}, {direction})")
    if any(layer.param_name("weight_ch", layer_index, direction) == k for k in layer.params):
        raise ValueError("layer: peepholes have no place in Keras or TF1 weights")
    return found  # type: ignore[return-value]


def _layer_kind(layer: _Base) -> str:
    if isinstance(layer, LSTM):
        if layer.spec.computed_gates != ("i", "f", "g", "o") or layer.spec.gate_recurrence:
            raise ValueError(f"variant: {layer.variant!r} has no Keras or TF1 counterpart")
        if not (layer.spec.input_activation and layer.spec.output_activation):
            raise ValueError(f"variant: {layer.variant!r} has no Keras or TF1 counterpart")
        return "lstm"
    return "gru" if isinstance(layer, GRU) else "rnn"


def to_keras(layer: RecurrentLayer, layer_index: int = 0, direction: int = 0) -> tuple:
    """``(kernel, recurrent_kernel, bias)`` in Keras 3's layout for one layer direction."""
    kind = _layer_kind(layer)
    p = _direction(layer, layer_index, direction)
    ours, dst = _OUR_GATES[kind], _KERAS_GATES[kind]
    kernel = _reorder(p["weight_ih"], ours, dst).T.copy()
    recurrent = _reorder(p["weight_hh"], ours, dst).T.copy()
    if kind == "gru" and layer.reset_after:
        bias = np.stack([_reorder(p[k], ours, dst) for k in ("bias_ih", "bias_hh")])
    else:
        bias = _reorder(p["bias_ih"] + p["bias_hh"], ours, dst)
    return kernel, recurrent, bias


def from_tensorflow_v1(kernel: Array, bias: Array, forget_bias: float = 1.0) -> RecurrentLayer:
    """An rnnlab LSTM from a TF1 ``LSTMCell`` / ``BasicLSTMCell``'s kernel and bias.

    TF1 computes ``i, j, f, o = split([x, h] @ kernel + bias)`` and
    ``c = sigmoid(f + forget_bias) * c_prev + sigmoid(i) * tanh(j)``; ``forget_bias`` is
    stored in ``bias_hh``'s f block.
    """
    kernel = _matrix("kernel", kernel, (None, None))
    if kernel.shape[1] % 4:
        raise ValueError(f"kernel: expected 4 * H columns, got {kernel.shape[1]}")
    h = kernel.shape[1] // 4
    d = kernel.shape[0] - h
    if d < 1:
        raise ValueError(f"kernel: expected D + H rows with H = {h}, got {kernel.shape[0]}")
    bias = _matrix("bias", bias, (4 * h,))
    b_hh = np.zeros_like(bias)
    b_hh[h : 2 * h] = forget_bias  # our f block (i, f, g, o)
    layer = _new_layer("lstm", d, h, kernel.dtype)
    return _set(layer, {
        "weight_ih": _reorder(kernel[:d].T, _TF1_GATES, _OUR_GATES["lstm"]),
        "weight_hh": _reorder(kernel[d:].T, _TF1_GATES, _OUR_GATES["lstm"]),
        "bias_ih": _reorder(bias, _TF1_GATES, _OUR_GATES["lstm"]),
        "bias_hh": b_hh,
    })


def to_tensorflow_v1(
    layer: RecurrentLayer, forget_bias: float = 1.0, layer_index: int = 0, direction: int = 0
) -> tuple[Array, Array]:
    """``(kernel, bias)`` of a TF1 ``LSTMCell`` that adds ``forget_bias`` at run time."""
    if _layer_kind(layer) != "lstm":
        raise ValueError("layer: TF1's LSTMCell holds an LSTM; got a GRU or RNN")
    p = _direction(layer, layer_index, direction)
    h = layer.hidden_size
    b_hh = p["bias_hh"].copy()
    b_hh[h : 2 * h] -= forget_bias  # exact when it holds forget_bias (from_tensorflow_v1)
    ours = _OUR_GATES["lstm"]
    kernel = np.concatenate([p["weight_ih"].T, p["weight_hh"].T], axis=0)
    kernel = _reorder(kernel.T, ours, _TF1_GATES).T.copy()
    return kernel, _reorder(p["bias_ih"] + b_hh, ours, _TF1_GATES)
