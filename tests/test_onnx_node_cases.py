"""The ONNX project's own LSTM, GRU and RNN node tests, read back by `rnnlab.from_onnx`.

onnx ships the cases as code (onnx/backend/test/case/node/lstm.py, gru.py, rnn.py): each
``export_*`` builds a node, its inputs and weights, computes the expected outputs with ONNX's
reference helper and hands them to ``expect``. We run those very functions with ``expect``
replaced by a recorder, store each case's weights as initializers of a one-node model, read it
with `from_onnx`, and check the layer's forward against the expected outputs.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from rnnlab.interop.onnx_import import from_onnx

onnx = pytest.importorskip("onnx")
pytestmark = pytest.mark.onnx

# The cases the issue names (default, initial bias, peepholes, batchwise, seq_length,
# linear_before_reset) plus bidirectional; "reverse" alone has no rnnlab layer (refused below).
CASES = {
    "lstm": ["defaults", "initial_bias", "peepholes", "batchwise", "bidirectional"],
    "gru": ["defaults", "initial_bias", "seq_length", "batchwise", "bidirectional"],
    "rnn": ["defaults", "initial_bias", "seq_length", "batchwise", "bidirectional"],
}
_INPUTS = ("X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P")


def _recorded(op: str, case: str) -> tuple:
    module = importlib.import_module(f"onnx.backend.test.case.node.{op}")
    seen = []
    original = module.expect
    module.expect = lambda node, inputs, outputs, name: seen.append((node, inputs, outputs))
    try:
        cls = next(getattr(module, n) for n in dir(module) if n.upper() == op.upper())
        getattr(cls, f"export_{case}")()
    finally:
        module.expect = original
    (recorded,) = seen
    return recorded


def _one_node_model(node, values: dict[str, np.ndarray]):
    keys = [k for k in ("W", "R", "B", "P") if k in values]
    stored = [onnx.numpy_helper.from_array(values[k], k) for k in keys]
    graph = onnx.helper.make_graph([node], "case", [], [], stored)
    return onnx.helper.make_model(graph)


def _case_params():
    for op, cases in CASES.items():
        for case in cases:
            yield pytest.param(op, case, id=f"{op}-{case}")


def _linear_before_reset_case() -> tuple:
    """onnx 1.23 ships no GRU case with ``linear_before_reset=1``: the initial-bias case's
    node and weights with that attribute set, its outputs from ONNX's own GRU helper."""
    from onnx.backend.test.case.node.gru import GRUHelper

    node, inputs, _ = _recorded("gru", "initial_bias")
    node.attribute.append(onnx.helper.make_attribute("linear_before_reset", 1))
    params = dict(zip(node.input, inputs, strict=True))
    _, y_h = GRUHelper(**params, linear_before_reset=1).step()
    return node, inputs, [y_h.astype(np.float32)]


@pytest.mark.parametrize(("op", "case"), [*_case_params(), ("gru", "linear_before_reset")])
def test_from_onnx_reproduces_the_onnx_node_test(op, case):
    if case == "linear_before_reset":
        node, inputs, expected = _linear_before_reset_case()
    else:
        node, inputs, expected = _recorded(op, case)
    values = {k: v for k, v in zip(node.input, inputs, strict=True) if k}
    named = {key: values[name] for key, name in zip(_INPUTS, node.input, strict=False) if name}
    layer = from_onnx(_one_node_model(node, named))
    layout = next((a.i for a in node.attribute if a.name == "layout"), 0)
    x = named["X"] if layout == 1 else named["X"].transpose(1, 0, 2)  # rnnlab: (N, T, D)
    to_ours = (lambda s: s.transpose(1, 0, 2)) if layout == 1 else (lambda s: s)
    state = None
    if "initial_h" in named:
        h0 = to_ours(named["initial_h"])
        state = (h0, to_ours(named["initial_c"])) if op == "lstm" else h0
    lengths = named.get("sequence_lens")
    y, final, _ = layer.forward(x, lengths=lengths, state=state)
    finals = final if isinstance(final, tuple) else (final,)
    dirs, hidden = (2 if layer.bidirectional else 1), layer.hidden_size
    produced = {
        "Y": y.reshape(*y.shape[:2], dirs, hidden),  # (N, T, dirs, H)
        "Y_h": to_ours(finals[0]),
        "Y_c": to_ours(finals[1]) if len(finals) > 1 else None,
    }
    if layout == 0:
        produced["Y"] = produced["Y"].transpose(1, 2, 0, 3)  # (T, dirs, N, H)
    names = [n for n in node.output if n]
    assert len(names) == len(expected)
    for name, want in zip(names, expected, strict=True):
        np.testing.assert_allclose(produced[name], want, rtol=1e-5, atol=1e-6, err_msg=name)


def test_reverse_alone_is_refused():
    node, inputs, _ = _recorded("lstm", "reverse")
    named = {key: v for key, v in zip(_INPUTS, inputs, strict=False)}
    with pytest.raises(ValueError, match=r"direction: .*reverse"):
        from_onnx(_one_node_model(node, named))


def test_a_graph_without_a_recurrent_node_is_refused():
    node = onnx.helper.make_node("Relu", ["x"], ["y"])
    graph = onnx.helper.make_graph([node], "g", [], [])
    with pytest.raises(ValueError, match=r"no LSTM, GRU or RNN node"):
        from_onnx(onnx.helper.make_model(graph))


def test_activations_we_do_not_implement_are_refused():
    node, inputs, _ = _recorded("lstm", "defaults")
    node.attribute.append(onnx.helper.make_attribute("activations", ["Sigmoid", "Relu", "Tanh"]))
    named = {key: v for key, v in zip(_INPUTS, inputs, strict=False)}
    with pytest.raises(ValueError, match="activations: "):
        from_onnx(_one_node_model(node, named))
