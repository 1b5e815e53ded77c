"""The graph being built: nodes, initializers, fresh names, inputs and outputs, check and save.

Shared by `rnnlab.interop.onnx` (the layer's and model's nodes) and `onnx_scan` (the Scan body).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

OPSET = 14


def import_onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise ValueError('onnx: not installed; pip install -e ".[onnx]"') from None
    return onnx


class Graph:
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
        self.nodes.append(self.onnx.helper.make_node(op, inputs, outputs, **attrs))
        return outputs[0] if len(outputs) == 1 else outputs


def graph_inputs(g: Graph, layer: Any, lengths: bool, initial_state: bool) -> tuple:
    """Graph inputs (value infos) and their names by role."""
    helper, elem = g.onnx.helper, g.onnx.helper.np_dtype_to_tensor_dtype(g.dtype)
    rows = layer.num_layers * (2 if layer.bidirectional else 1)
    infos = [helper.make_tensor_value_info("x", elem, ["N", "T", layer.input_size])]
    names: dict[str, str | None] = {"x": "x"}
    if lengths:
        infos.append(helper.make_tensor_value_info("lengths", g.onnx.TensorProto.INT64, ["N"]))
        names["lengths"] = "lengths"
    if initial_state:
        for state, width in zip(layer.cell.state_names, layer.cell.state_sizes(), strict=True):
            shape = [rows, "N", width]
            infos.append(helper.make_tensor_value_info(f"{state}0", elem, shape))
            names[f"{state}0"] = f"{state}0"
    return infos, names


def output_shapes(layer: Any, model: Any = None) -> dict[str, list]:
    rows = layer.num_layers * (2 if layer.bidirectional else 1)
    width = layer.hidden_size * (2 if layer.bidirectional else 1)
    shapes: dict[str, list] = {"y": ["N", "T", width]}
    for state, size in zip(layer.cell.state_names, layer.cell.state_sizes(), strict=True):
        shapes[f"{state}_n"] = [rows, "N", size]
    if model is not None:
        steps = ["T"] if model.output_kind == "many_to_many" else []
        shapes["out"] = ["N", *steps, model.output_size]
    return shapes


def finish(
    g: Graph, inputs: list, outputs: dict[str, str], shapes: dict, path: str | Path | None
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
        try:
            Path(path).write_bytes(model.SerializeToString())
        except OSError as exc:
            raise ValueError(f"path: cannot write {path}: {exc.strerror}") from None
    return model
