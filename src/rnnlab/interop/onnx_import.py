"""Read the weights of ONNX ``LSTM``, ``GRU`` or ``RNN`` nodes back into an rnnlab layer.

`from_onnx(path_or_model)` finds the graph's recurrent nodes in order; k nodes of one operator,
each feeding the next (as `rnnlab.interop.onnx` exports them), become one layer of
``num_layers=k``. Weights must be initializers (or ``Constant`` nodes). The layer computes what
the nodes compute; it is batch-first whatever the nodes' ``layout``: give it (N, T, D), and
pass ``sequence_lens`` as ``lengths`` and ``initial_h`` / ``initial_c`` as its state.

Refused with one line naming what is wrong: a graph with no recurrent node, operators mixed,
``direction="reverse"`` alone (an rnnlab layer runs forward or both ways), activations other
than the defaults (LSTM Sigmoid, Tanh, Tanh; GRU Sigmoid, Tanh; RNN Tanh or Relu), ``clip``,
and weights computed in the graph rather than stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..layers import GRU, LSTM, RNN, RecurrentLayer
from .onnx_layout import direction_from_onnx

_OPS = ("LSTM", "GRU", "RNN")
_DEFAULT_ACTIVATIONS = {"LSTM": ("Sigmoid", "Tanh", "Tanh"), "GRU": ("Sigmoid", "Tanh")}


def _load(source: Any) -> Any:
    try:
        import onnx
    except ImportError:
        raise ValueError('onnx: not installed; pip install -e ".[onnx]"') from None
    if isinstance(source, str | Path):
        try:
            return onnx.load(str(source))
        except Exception as exc:  # onnx raises several types for an unreadable file
            raise ValueError(f"path: cannot read an ONNX model from {source}: {exc}") from None
    if not isinstance(source, onnx.ModelProto):
        raise ValueError(f"model: expected a path or onnx.ModelProto, got {type(source).__name__}")
    return source


def _stored_arrays(graph: Any) -> dict[str, np.ndarray]:
    from onnx import numpy_helper

    arrays = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
            arrays[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    return arrays


def _attributes(node: Any) -> dict[str, Any]:
    from onnx import helper

    values = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    return {k: v.decode() if isinstance(v, bytes) else v for k, v in values.items()}


def _activations(node: Any, attrs: dict[str, Any], dirs: int) -> str:
    """The RNN's nonlinearity ("tanh"/"relu"), or "" after checking the defaults of LSTM/GRU."""
    names = [a.decode() if isinstance(a, bytes) else a for a in attrs.get("activations", [])]
    if node.op_type == "RNN":
        names = names or ["Tanh"] * dirs
        if len(set(names)) != 1 or names[0] not in ("Tanh", "Relu"):
            raise ValueError(
                f"activations: RNN node {node.name!r} uses {names}; expected Tanh or Relu"
            )
        return names[0].lower()
    default = list(_DEFAULT_ACTIVATIONS[node.op_type]) * dirs
    if names and names != default:
        raise ValueError(
            f"activations: {node.op_type} node {node.name!r} uses {names}; rnnlab implements "
            f"only {default[: len(default) // dirs]}"
        )
    return ""


def _node_weights(node: Any, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    keys = ("X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P")
    found = {}
    for key, name in zip(keys, node.input, strict=False):
        if key in ("W", "R", "B", "P") and name:
            if name not in arrays:
                raise ValueError(
                    f"{key}: input {name!r} of node {node.name!r} is not stored in the graph"
                )
            found[key] = arrays[name]
    return found


def _check_node(node: Any, attrs: dict[str, Any]) -> int:
    """Directions of a node we can read (1 or 2)."""
    direction = attrs.get("direction", "forward")
    if direction not in ("forward", "bidirectional"):
        raise ValueError(
            f"direction: node {node.name!r} runs {direction!r}; rnnlab layers run forward or "
            "bidirectional"
        )
    if "clip" in attrs:
        raise ValueError(f"clip: node {node.name!r} clips its gates; rnnlab does not")
    return 2 if direction == "bidirectional" else 1


def _layer_for(op: str, node: Any, attrs: dict, weights: dict, dims: tuple, count: int):
    dirs, hidden, input_size = dims
    common = {
        "input_size": input_size,
        "hidden_size": hidden,
        "num_layers": count,
        "bidirectional": dirs == 2,
        "dtype": str(weights["W"].dtype),
    }
    if op == "LSTM":
        variant = "cifg" if attrs.get("input_forget", 0) else "vanilla"
        if variant == "vanilla" and "P" in weights:
            variant = "peephole"
        return LSTM(**common, variant=variant)
    if op == "GRU":
        return GRU(**common, reset_after=bool(attrs.get("linear_before_reset", 0)))
    return RNN(**common, nonlinearity=_activations(node, attrs, dirs))


def from_onnx(source: str | Path | Any) -> RecurrentLayer:
    """An rnnlab layer holding the weights of the recurrent nodes of an ONNX model."""
    graph = _load(source).graph
    nodes = [n for n in graph.node if n.op_type in _OPS]
    if not nodes:
        raise ValueError("model: the graph has no LSTM, GRU or RNN node")
    if len({n.op_type for n in nodes}) != 1:
        ops = [n.op_type for n in nodes]
        raise ValueError(f"model: recurrent nodes of several operators {ops}")
    arrays = _stored_arrays(graph)
    attrs = [_attributes(n) for n in nodes]
    weights = [_node_weights(n, arrays) for n in nodes]
    dirs = _check_node(nodes[0], attrs[0])
    for node, a in zip(nodes, attrs, strict=True):
        if _check_node(node, a) != dirs:
            raise ValueError("model: recurrent nodes with different directions")
        _activations(node, a, dirs)
        if a.get("input_forget", 0) != attrs[0].get("input_forget", 0):
            raise ValueError("model: recurrent nodes with different input_forget")
    op, hidden = nodes[0].op_type, int(attrs[0]["hidden_size"])
    dims = (dirs, hidden, int(weights[0]["W"].shape[-1]))
    layer = _layer_for(op, nodes[0], attrs[0], weights[0], dims, len(nodes))
    spec = layer.spec if isinstance(layer, LSTM) else None
    for index, w in enumerate(weights):
        if "P" not in w and spec is not None and spec.peepholes:
            w["P"] = np.zeros((dirs, 3 * hidden), dtype=w["W"].dtype)
        for direction in range(dirs):
            local = direction_from_onnx({k: v[direction] for k, v in w.items()}, op.lower(), spec)
            for name, value in local.items():
                target = layer.params[layer.param_name(name, index, direction)]
                if target.shape != value.shape:
                    raise ValueError(
                        f"{name}: node {nodes[index].name!r} holds shape {value.shape}, "
                        f"expected {target.shape}"
                    )
                target[...] = value
    layer.eval()
    return layer
