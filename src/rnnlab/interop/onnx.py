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
`nig`, `nfg`, `nog`, `niaf`, `noaf`, `fgr`: any spec without every gate, both tanh activations
and no gate recurrence) become a ``Scan`` over the cell's step equations (`onnx_scan`), with
their extra state (FGR's ``q``) as ``q0`` / ``q_n``. Any other layer is refused with one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..layers import GRU, LSTM, RNN, RecurrentLayer
from .onnx_graph import Graph, finish, graph_inputs, import_onnx, output_shapes
from .onnx_layout import direction_to_onnx, lstm_operator_supports
from .onnx_scan import scan_direction


def _kind(layer: RecurrentLayer) -> str:
    """The ONNX operator of ``layer`` ("lstm", "gru", "rnn"), or "scan" for an LSTM variant
    the operator cannot compute (`rnnlab.interop.onnx_scan`)."""
    if isinstance(layer, LSTM):
        return "lstm" if lstm_operator_supports(layer.spec) else "scan"
    if isinstance(layer, GRU):
        return "gru"
    if isinstance(layer, RNN):
        return "rnn"
    raise ValueError(f"layer: expected an rnnlab RNN, LSTM or GRU, got {type(layer).__name__}")


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


def _state_slice(g: Graph, state: str | None, first: int, count: int) -> str:
    """Rows [first, first + count) of a (layers * dirs, N, H) state input, or "" if absent."""
    if state is None:
        return ""
    starts, ends = g.const("starts", [first]), g.const("ends", [first + count])
    return g.node("Slice", [state, starts, ends, g.const("axes", [0])])


def _operator_layer(g: Graph, layer: RecurrentLayer, kind: str, index: int, x: str, ctx: dict):
    """One ONNX LSTM/GRU/RNN node: y (T, N, dirs * H) and the final states (dirs, N, H)."""
    dirs = 2 if layer.bidirectional else 1
    w = _stacked(layer, kind, index)
    args = [x, g.const("W", w["W"]), g.const("R", w["R"]), g.const("B", w["B"])]
    args.append(ctx["seq"])
    args.append(_state_slice(g, ctx["inputs"].get("h0"), index * dirs, dirs))
    if kind == "lstm":
        args.append(_state_slice(g, ctx["inputs"].get("c0"), index * dirs, dirs))
        args.append(g.const("P", w["P"]) if "P" in w else "")
    names = g.node(kind.upper(), args, 3 if kind == "lstm" else 2, **_node_attributes(layer, kind))
    y = g.node("Transpose", [names[0]], perm=[0, 2, 1, 3])  # (T, N, dirs, H)
    y = g.node("Reshape", [y, g.const("shape", np.array([0, 0, -1], dtype=np.int64))])
    return y, names[1:]


def _zeros_state(g: Graph, x: str, width: int) -> str:
    """A (N, width) zero state for the batch of x (T, N, D)."""
    batch = g.node("Gather", [g.node("Shape", [x]), g.const("one", np.array([1]))], axis=0)
    shape = g.node("Concat", [batch, g.const("width", np.array([width]))], axis=0)
    zero = g.onnx.numpy_helper.from_array(np.zeros(1, dtype=g.dtype))
    return g.node("ConstantOfShape", [shape], value=zero)


def _scan_layer(g: Graph, layer: RecurrentLayer, index: int, x: str, ctx: dict):
    """Each direction of an LSTM variant as a Scan (`onnx_scan`); states stacked (dirs, N, H)."""
    dirs, names = (2 if layer.bidirectional else 1), layer.cell.state_names
    widths = layer.cell.state_sizes()
    ys, finals = [], [[] for _ in names]
    for direction in range(dirs):
        states = []
        for name, width in zip(names, widths, strict=True):
            given = ctx["inputs"].get(f"{name}0")
            if given is None:
                states.append(_zeros_state(g, x, width))
                continue
            row = _state_slice(g, given, index * dirs + direction, 1)
            states.append(g.node("Squeeze", [row, g.const("axis", np.array([0]))]))
        y, *final = scan_direction(g, layer, index, direction, x, {**ctx, "states": states})
        ys.append(y)
        for k, state in enumerate(final):
            finals[k].append(g.node("Unsqueeze", [state, g.const("axis", np.array([0]))]))
    y = g.node("Concat", ys, axis=2) if dirs > 1 else ys[0]
    return y, [g.node("Concat", f, axis=0) if dirs > 1 else f[0] for f in finals]


def _mask(g: Graph, x: str, lengths: str) -> str:
    """(T, N, 1): 1 where t < lengths[n], from x (T, N, D) and lengths (N,) int64."""
    steps = g.node("Gather", [g.node("Shape", [x]), g.const("zero", np.array(0))], axis=0)
    t = g.node("Range", [g.const("start", np.array(0)), steps, g.const("delta", np.array(1))])
    t = g.node("Unsqueeze", [t, g.const("axis", np.array([1]))])
    valid = g.node("Cast", [g.node("Less", [t, lengths])], to=_elem(g))
    return g.node("Unsqueeze", [valid, g.const("axis", np.array([2]))])


def _elem(g: Graph) -> int:
    return g.onnx.helper.np_dtype_to_tensor_dtype(g.dtype)


def _layer_nodes(g: Graph, layer: RecurrentLayer, inputs: dict[str, str | None]) -> dict:
    """The chain of recurrent nodes; returns the names of y (N, T, K) and the final states."""
    kind = _kind(layer)
    lengths = inputs.get("lengths")
    ctx: dict = {"inputs": inputs, "lengths": lengths, "seq": "", "mask": None}
    if lengths:
        ctx["seq"] = g.node("Cast", [lengths], to=g.onnx.TensorProto.INT32)
    x = g.node("Transpose", [inputs["x"]], perm=[1, 0, 2])  # (T, N, D)
    if lengths and kind == "scan":
        ctx["mask"] = _mask(g, x, lengths)
    finals: list[list[str]] = [[] for _ in layer.cell.state_names]
    for index in range(layer.num_layers):
        if kind == "scan":
            x, states = _scan_layer(g, layer, index, x, ctx)
        else:
            x, states = _operator_layer(g, layer, kind, index, x, ctx)
        for k, state in enumerate(states):
            finals[k].append(state)
    out = {"y": g.node("Transpose", [x], perm=[1, 0, 2])}  # (N, T, dirs * H)
    for name, states in zip(layer.cell.state_names, finals, strict=True):
        out[f"{name}_n"] = g.node("Concat", states, axis=0) if len(states) > 1 else states[0]
    return out


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
    _kind(layer)  # refuses what is not an rnnlab layer
    if not layer.batch_first:  # the graph takes (N, T, D), as the layer would not
        raise ValueError(
            "batch_first: the ONNX graph takes batch-first input; set layer.batch_first = True "
            "(the weights are the same) and export again"
        )
    g = Graph(import_onnx(), np.dtype(layer.dtype))
    infos, names = graph_inputs(g, layer, lengths, initial_state)
    return finish(g, infos, _layer_nodes(g, layer, names), output_shapes(layer), path)


def _readout_nodes(g: Graph, model: Any, y: str, names: dict[str, str | None]) -> str:
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
        x = str(names["x"])
        skip = g.node("MatMul", [read(x), g.const("readout_skip_t", readout["skip"].T.copy())])
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
    softmax or sigmoid loss). A model with a character embedding
    (`rnnlab.models.embedded.EmbeddedModel`) takes int64 ``ids`` (N, T) in place of ``x`` and
    looks them up first (a ``Gather`` of its table's rows, the embedding's eq. (1)).
    """
    from ..models.embedded import EmbeddedModel

    stack = model.model if isinstance(model, EmbeddedModel) else model
    layer = stack.layer
    g = Graph(import_onnx(), np.dtype(layer.dtype))
    infos, names = graph_inputs(g, layer, lengths, initial_state)
    if isinstance(model, EmbeddedModel):
        (table,) = model.embedding.tables.values()
        int64 = g.onnx.TensorProto.INT64
        infos[0] = g.onnx.helper.make_tensor_value_info("ids", int64, ["N", "T"])
        names["x"] = g.node("Gather", [g.const("embed_char", table), "ids"], axis=0)
    outputs = _layer_nodes(g, layer, names)
    outputs["out"] = _readout_nodes(g, stack, outputs.pop("y"), names)
    ordered = {"out": outputs.pop("out"), **outputs}
    return finish(g, infos, ordered, output_shapes(layer, stack), path)
