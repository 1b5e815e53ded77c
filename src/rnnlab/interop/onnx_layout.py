"""Weights between rnnlab's layout and ONNX's ``LSTM``, ``GRU`` and ``RNN`` operators.

No onnx import here: pure NumPy, shared by export (`rnnlab.interop.onnx`) and import
(`rnnlab.interop.onnx_import`).

Per direction, rnnlab (PyTorch) and ONNX hold (G gate blocks of H rows each):

=========  =========================================  =========================================
           rnnlab                                     ONNX (one slice of the ``num_dirs`` axis)
=========  =========================================  =========================================
input      ``weight_ih`` (G*H, D), gates i, f, g, o   ``W`` (G*H, D), gates i, o, f, c
recurrent  ``weight_hh`` (G*H, H)                     ``R`` (G*H, H)
biases     ``bias_ih``, ``bias_hh`` (G*H,) each       ``B`` (2*G*H,) = (Wb, Rb)
peepholes  ``weight_ch`` (p_i, p_f, p_o)              ``P`` (3*H,) = (p_i, p_o, p_f)
GRU        gates r, z, n                              gates z, r, h
=========  =========================================  =========================================

A CIFG cell (``input_forget=1`` in ONNX, f = 1 - i) has no forget-gate weights in rnnlab (gates
i, g, o; peepholes (p_i, p_o)); ONNX still holds an f block, which its operator ignores, so it
is written as zeros and dropped on the way back.
"""

from __future__ import annotations

import numpy as np

from ..cells.lstm_spec import LSTMSpec

Array = np.ndarray

# Positions of ONNX's gate blocks in rnnlab's order (and back): LSTM i,o,f,c <- i,f,g,o.
LSTM_TO_ONNX = ("i", "o", "f", "g")
GRU_TO_ONNX = ("z", "r", "n")
PEEPHOLES_ONNX = ("i", "o", "f")

# The LSTM cells ONNX's LSTM operator computes: forget gate (or CIFG), both tanh activations,
# output gate, optional peepholes; no full gate recurrence.
_OPERATOR_FIELDS = {
    "input_gate": True,
    "forget_gate": True,
    "output_gate": True,
    "input_activation": True,
    "output_activation": True,
    "gate_recurrence": False,
}


def lstm_operator_supports(spec: LSTMSpec) -> bool:
    """Whether ONNX's ``LSTM`` operator computes exactly the cell of ``spec``."""
    return all(getattr(spec, name) == value for name, value in _OPERATOR_FIELDS.items())


def _blocks(array: Array, names: tuple[str, ...]) -> dict[str, Array]:
    return dict(zip(names, np.split(array, len(names), axis=0), strict=True))


def _lstm_gates(spec: LSTMSpec) -> tuple[str, ...]:
    return spec.computed_gates  # i, f, g, o without the absent ones (CIFG: i, g, o)


def to_onnx_blocks(array: Array, ours: tuple[str, ...], order: tuple[str, ...]) -> Array:
    """``array``'s gate blocks (rows) reordered from ``ours`` to ``order``; absent ones zero."""
    blocks = _blocks(array, ours)
    zero = np.zeros_like(next(iter(blocks.values())))
    return np.concatenate([blocks.get(name, zero) for name in order], axis=0)


def from_onnx_blocks(array: Array, order: tuple[str, ...], ours: tuple[str, ...]) -> Array:
    """The inverse of `to_onnx_blocks`: ONNX's blocks in ``order`` back to ``ours``."""
    blocks = _blocks(array, order)
    return np.concatenate([blocks[name] for name in ours], axis=0)


def direction_to_onnx(params: dict[str, Array], kind: str, spec: LSTMSpec | None) -> dict:
    """One direction's ``W``, ``R``, ``B`` (and ``P``) from its rnnlab arrays (suffix-free keys:
    ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``, ``weight_ch``)."""
    ours, order = _gate_orders(kind, spec)
    out = {
        "W": to_onnx_blocks(params["weight_ih"], ours, order),
        "R": to_onnx_blocks(params["weight_hh"], ours, order),
        "B": np.concatenate(
            [to_onnx_blocks(params[k], ours, order) for k in ("bias_ih", "bias_hh")]
        ),
    }
    if spec is not None and spec.peepholes:
        sig = spec.sigmoid_gates  # (i, f, o) or CIFG's (i, o)
        out["P"] = to_onnx_blocks(params["weight_ch"], sig, PEEPHOLES_ONNX)
    return out


def direction_from_onnx(arrays: dict[str, Array], kind: str, spec: LSTMSpec | None) -> dict:
    """The inverse of `direction_to_onnx` (``B`` and ``P`` may be absent: zeros)."""
    ours, order = _gate_orders(kind, spec)
    rows = arrays["W"].shape[0]
    bias = arrays.get("B")
    if bias is None:
        bias = np.zeros(2 * rows, dtype=arrays["W"].dtype)
    out = {
        "weight_ih": from_onnx_blocks(arrays["W"], order, ours),
        "weight_hh": from_onnx_blocks(arrays["R"], order, ours),
        "bias_ih": from_onnx_blocks(bias[:rows], order, ours),
        "bias_hh": from_onnx_blocks(bias[rows:], order, ours),
    }
    if spec is not None and spec.peepholes:
        out["weight_ch"] = from_onnx_blocks(arrays["P"], PEEPHOLES_ONNX, spec.sigmoid_gates)
    return out


def _gate_orders(kind: str, spec: LSTMSpec | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if kind == "lstm":
        assert spec is not None
        return _lstm_gates(spec), LSTM_TO_ONNX
    if kind == "gru":
        return ("r", "z", "n"), GRU_TO_ONNX
    return ("h",), ("h",)
