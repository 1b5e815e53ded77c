"""Export rnnlab layers and models to ONNX, built with the ``onnx`` package's helper API.

``pip install -e ".[onnx]"``; onnx is imported only inside these functions. The graph takes the
same batch-first (N, T, D) array as rnnlab and returns the same outputs:

* inputs: ``x`` (N, T, D); with ``lengths=True`` also ``lengths`` (N,) int64; with
  ``initial_state=True`` also ``h0`` (and for an LSTM ``c0``), (layers * directions, N, H) as
  PyTorch and rnnlab lay them out;
* outputs: ``y`` (N, T, directions * H), ``h_n`` (and ``c_n``) like ``h0``; for a model, ``out``
  (the readout: (N, O) many-to-one, (N, T, O) many-to-many) instead of ``y``.

Each layer is one ONNX ``LSTM``, ``GRU`` or ``RNN`` node (opset 14), chained: a node's
``Y`` (T, dirs, N, H) becomes the next node's (T, N, dirs * H) input; dropout is dropped (the
exported graph is the layer in eval mode). The weights are mapped by `onnx_layout` (gate order,
peepholes, CIFG as ``input_forget=1``, the GRU's ``linear_before_reset`` from ``reset_after``,
the RNN's ``Tanh`` / ``Relu``). LSTM variants the operator cannot compute (`hs97`, `hs97_2a`,
`nig`, `nog`, `niaf`, `noaf`, `fgr`, and any spec with such a flag) are refused with a
ValueError naming the variant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..layers import GRU, LSTM, RNN, RecurrentLayer
from .onnx_layout import direction_to_onnx, lstm_operator_supports

OPSET = 14


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise ValueError('onnx: not installed; pip install -e ".[onnx]"') from None
    return onnx


def _kind(layer: RecurrentLayer) -> str:
    if isinstance(layer, LSTM):
        if not lstm_operator_supports(layer.spec):
            raise ValueError(
                f"variant: ONNX's LSTM operator cannot compute variant {layer.variant!r} "
                "(it has every gate, both tanh activations and no gate recurrence); "
                "exportable: vanilla, np, peephole, cifg"
            )
        return "lstm"
    if isinstance(layer, GRU):
        return "gru"
    if isinstance(layer, RNN):
        return "rnn"
    raise ValueError(f"layer: expected an rnnlab RNN, LSTM or GRU, got {type(layer).__name__}")


class _Graph:
    """Nodes, initializers and fresh names for one graph."""

    def __init__(self, onnx: Any, dtype: np.dtype) -> None:
        self.onnx, self.dtype = onnx, dtype
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0

    def name(self, stem: str) -> str:
        self._count += 1
        return f"{stem}_{self._count}"

    def const(self, stem: str, value: np.ndarray) -> str:
        name = self.name(stem)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], outputs: int | list[str] = 1, **attrs: Any):
        if isinstance(outputs, int):
            outputs = [self.name(op.lower()) for _ in range(outputs)]
        names = outputs
        self.nodes.append(self.onnx.helper.make_node(op, inputs, names, **attrs))
        return names[0] if len(names) == 1 else names


def _stacked(layer: RecurrentLayer, kind: str, index: int) -> dict[str, np.ndarray]:
    """``W``, ``R``, ``B`` (``P``) of layer ``index``, its directions stacked on axis 0."""
    spec = layer.spec if kind == "lstm" else None
    per_direction = []
    for direction in range(2 if layer.bidirectional else 1):
        local = {
            name: layer.params[layer.param_name(name, index, direction)]
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_ch")
            if layer.param_name(name, index, direction) in layer.params
        }
        per_direction.append(direction_to_onnx(local, kind, spec))
    return {key: np.stack([d[key] for d in per_direction]) for key in per_direction[0]}


def _node_attributes(layer: RecurrentLayer, kind: str) -> dict[str, Any]:
    dirs = 2 if layer.bidirectional else 1
    attrs: dict[str, Any] = {
        "hidden_size": layer.hidden_size,
        "direction": "bidirectional" if layer.bidirectional else "forward",
    }
    if kind == "rnn":
        attrs["activations"] = [{"tanh": "Tanh", "relu": "Relu"}[layer.nonlinearity]] * dirs
    if kind == "gru":
        attrs["linear_before_reset"] = int(layer.reset_after)
    if kind == "lstm" and layer.spec.coupled:
        attrs["input_forget"] = 1
    return attrs


def _state_slice(g: _Graph, state: str | None, index: int, dirs: int) -> str:
    if state is None:
        return ""
    starts, ends = g.const("starts", [index * dirs]), g.const("ends", [(index + 1) * dirs])
    return g.node("Slice", [state, starts, ends, g.const("axes", [0])])


def _layer_nodes(g: _Graph, layer: RecurrentLayer, inputs: dict[str, str | None]) -> dict:
    """The chain of recurrent nodes; returns the names of y (N, T, K), h_n and c_n."""
    kind, dirs = _kind(layer), 2 if layer.bidirectional else 1
    lengths = inputs.get("lengths")
    seq = g.node("Cast", [lengths], to=g.onnx.TensorProto.INT32) if lengths else ""
    x = g.node("Transpose", [inputs["x"]], perm=[1, 0, 2])  # (T, N, D)
    finals: dict[str, list[str]] = {"h": [], "c": []}
    for index in range(layer.num_layers):
        w = _stacked(layer, kind, index)
        args = [x, g.const("W", w["W"]), g.const("R", w["R"]), g.const("B", w["B"]), seq]
        args.append(_state_slice(g, inputs.get("h0"), index, dirs))
        if kind == "lstm":
            args.append(_state_slice(g, inputs.get("c0"), index, dirs))
            args.append(g.const("P", w["P"]) if "P" in w else "")
        outs = 3 if kind == "lstm" else 2
        names = g.node(kind.upper(), args, outs, **_node_attributes(layer, kind))
        finals["h"].append(names[1])
        if kind == "lstm":
            finals["c"].append(names[2])
        y = g.node("Transpose", [names[0]], perm=[0, 2, 1, 3])  # (T, N, dirs, H)
        x = g.node("Reshape", [y, g.const("shape", np.array([0, 0, -1], dtype=np.int64))])
    out = {"y": g.node("Transpose", [x], perm=[1, 0, 2])}  # (N, T, dirs * H)
    for key, names in finals.items():
        if names:
            out[f"{key}_n"] = g.node("Concat", names, axis=0) if len(names) > 1 else names[0]
    return out


def _inputs(g: _Graph, layer: RecurrentLayer, lengths: bool, initial_state: bool) -> tuple:
    """Graph inputs (value infos) and their names by role."""
    helper, elem = g.onnx.helper, g.onnx.helper.np_dtype_to_tensor_dtype(g.dtype)
    rows = layer.num_layers * (2 if layer.bidirectional else 1)
    infos = [helper.make_tensor_value_info("x", elem, ["N", "T", layer.input_size])]
    names: dict[str, str | None] = {"x": "x"}
    if lengths:
        infos.append(helper.make_tensor_value_info("lengths", g.onnx.TensorProto.INT64, ["N"]))
        names["lengths"] = "lengths"
    if initial_state:
        states = ("h0", "c0") if isinstance(layer, LSTM) else ("h0",)
        for state in states:
            shape = [rows, "N", layer.hidden_size]
            infos.append(helper.make_tensor_value_info(state, elem, shape))
            names[state] = state
    return infos, names


def _output_shapes(layer: RecurrentLayer, model: Any = None) -> dict[str, list]:
    rows = layer.num_layers * (2 if layer.bidirectional else 1)
    width = layer.hidden_size * (2 if layer.bidirectional else 1)
    shapes: dict[str, list] = {"y": ["N", "T", width], "h_n": [rows, "N", layer.hidden_size]}
    shapes["c_n"] = shapes["h_n"]
    if model is not None:
        steps = ["T"] if model.output_kind == "many_to_many" else []
        shapes["out"] = ["N", *steps, model.output_size]
    return shapes


def _finish(
    g: _Graph, inputs: list, outputs: dict[str, str], shapes: dict, path: str | Path | None
) -> Any:
    """Rename the result nodes to the public output names, check, and save."""
    onnx, elem = g.onnx, g.onnx.helper.np_dtype_to_tensor_dtype(g.dtype)
    infos = []
    for public, internal in outputs.items():
        g.nodes.append(onnx.helper.make_node("Identity", [internal], [public]))
        infos.append(onnx.helper.make_tensor_value_info(public, elem, shapes[public]))
    graph = onnx.helper.make_graph(g.nodes, "rnnlab", inputs, infos, g.initializers)
    model = onnx.helper.make_model(
        graph, opset_imports=[onnx.helper.make_opsetid("", OPSET)], producer_name="rnnlab"
    )
    model.ir_version = min(model.ir_version, 8)  # readable by older runtimes too
    onnx.checker.check_model(model, full_check=True)
    if path is not None:
        Path(path).write_bytes(model.SerializeToString())
    return model


def layer_to_onnx(
    layer: RecurrentLayer,
    path: str | Path | None = None,
    *,
    lengths: bool = False,
    initial_state: bool = False,
) -> Any:
    """The ONNX model (``onnx.ModelProto``) of ``layer``, also written to ``path`` if given.

    ``lengths`` adds the ``lengths`` input (right-padded batches, as ``layer.forward``'s
    ``lengths``), ``initial_state`` the ``h0`` (``c0``) inputs. See the module docstring.
    """
    g = _Graph(_onnx(), np.dtype(layer.dtype))
    infos, names = _inputs(g, layer, lengths, initial_state)
    return _finish(g, infos, _layer_nodes(g, layer, names), _output_shapes(layer), path)


def _readout_nodes(g: _Graph, model: Any, y: str, names: dict[str, str | None]) -> str:
    """``out = h @ W.T + b [+ x_r @ S.T]``, ``h`` (and ``x_r``) read where the model reads."""

    def read(seq: str) -> str:
        if model.output_kind == "many_to_many":
            return seq
        if names.get("lengths") is None:  # every sequence is T long: read the last step
            return g.node("Gather", [seq, g.const("last", np.array(-1, dtype=np.int64))], axis=1)
        one = g.const("one", np.array([1], dtype=np.int64))
        last = g.node("Sub", [names["lengths"], one])  # (N,)
        index = g.node("Unsqueeze", [last, g.const("axis", np.array([1], dtype=np.int64))])
        return g.node("GatherND", [seq, index], batch_dims=1)  # (N, K)

    readout = model.readout
    out = g.node("MatMul", [read(y), g.const("readout_weight_t", readout["weight"].T.copy())])
    out = g.node("Add", [out, g.const("readout_bias", readout["bias"])])
    if "skip" in readout:
        skip = g.node("MatMul", [read("x"), g.const("readout_skip_t", readout["skip"].T.copy())])
        out = g.node("Add", [out, skip])
    return out


def model_to_onnx(
    model: Any,
    path: str | Path | None = None,
    *,
    lengths: bool = False,
    initial_state: bool = False,
) -> Any:
    """The ONNX model of a `rnnlab.models.SequenceModel`: its layer, then its linear readout.

    The output ``out`` is the raw readout, as ``model.predict`` returns it (logits for a
    softmax or sigmoid loss).
    """
    layer = model.layer
    g = _Graph(_onnx(), np.dtype(layer.dtype))
    infos, names = _inputs(g, layer, lengths, initial_state)
    outputs = _layer_nodes(g, layer, names)
    outputs["out"] = _readout_nodes(g, model, outputs.pop("y"), names)
    ordered = {"out": outputs.pop("out"), **outputs}
    return _finish(g, infos, ordered, _output_shapes(layer, model), path)
