"""ONNX export checked in ONNX Runtime, and `from_onnx` on the ONNX project's own node tests."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import rnnlab
from rnnlab.interop.onnx import layer_to_onnx, model_to_onnx
from rnnlab.interop.onnx_import import from_onnx
from rnnlab.models import make_model

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
pytestmark = pytest.mark.onnx

EXPORTABLE = [
    ("lstm", {"variant": "vanilla"}),
    ("lstm", {"variant": "np"}),
    ("lstm", {"variant": "peephole"}),
    ("lstm", {"variant": "cifg"}),
    ("gru", {"reset_after": True}),
    ("gru", {"reset_after": False}),
    ("rnn", {"nonlinearity": "tanh"}),
    ("rnn", {"nonlinearity": "relu"}),
]
CLASSES = {"lstm": rnnlab.LSTM, "gru": rnnlab.GRU, "rnn": rnnlab.RNN}
N, T, D, H = 5, 7, 3, 4


def _layer(cell, kw, layers, bidirectional, rng, dtype="float32"):
    layer = CLASSES[cell](D, H, num_layers=layers, bidirectional=bidirectional, dtype=dtype,
                          seed=1, **kw)
    for value in layer.params.values():  # non-zero everything, biases and peepholes included
        value[...] = rng.uniform(-0.8, 0.8, value.shape)
    return layer


def _run(model, feed):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feed)


CASES = list(itertools.product(EXPORTABLE, (1, 2), (False, True), (False, True), (False, True)))


@pytest.mark.parametrize(("cell_kw", "layers", "bidirectional", "lengths", "state"), CASES)
def test_onnx_runtime_equals_forward(rng, cell_kw, layers, bidirectional, lengths, state):
    cell, kw = cell_kw
    layer = _layer(cell, kw, layers, bidirectional, rng)
    x = rng.standard_normal((N, T, D)).astype(np.float32)
    feed = {"x": x}
    given = {}
    if lengths:
        feed["lengths"] = np.array([7, 3, 5, 1, 7], dtype=np.int64)
        given["lengths"] = feed["lengths"]
    rows = layers * (2 if bidirectional else 1)
    if state:
        feed["h0"] = rng.standard_normal((rows, N, H)).astype(np.float32)
        given["state"] = feed["h0"]
        if cell == "lstm":
            feed["c0"] = rng.standard_normal((rows, N, H)).astype(np.float32)
            given["state"] = (feed["h0"], feed["c0"])
    y, final, _ = layer.forward(x, **given)
    got = _run(layer_to_onnx(layer, lengths=lengths, initial_state=state), feed)
    expected = [y, *(final if isinstance(final, tuple) else (final,))]
    assert len(got) == len(expected)
    for ours, theirs in zip(expected, got, strict=True):
        np.testing.assert_allclose(theirs, ours, atol=1e-5, rtol=0)


SCANNED = ["hs97", "hs97_2a", "nig", "nfg", "nog", "niaf", "noaf", "fgr"]


@pytest.mark.parametrize(
    ("variant", "layers", "bidirectional", "lengths", "state"),
    list(itertools.product(SCANNED, (1, 2), (False, True), (False, True), (False, True))),
)
def test_scanned_variants_in_onnx_runtime_equal_forward(rng, variant, layers, bidirectional,
                                                        lengths, state):
    """The variants ONNX's LSTM operator cannot compute run as a Scan over the step."""
    layer = _layer("lstm", {"variant": variant}, layers, bidirectional, rng)
    x = rng.standard_normal((N, T, D)).astype(np.float32)
    feed, given = {"x": x}, {}
    if lengths:
        feed["lengths"] = given["lengths"] = np.array([7, 3, 5, 1, 7], dtype=np.int64)
    rows = layers * (2 if bidirectional else 1)
    if state:
        sizes = layer.cell.state_sizes()
        values = [rng.uniform(-0.9, 0.9, (rows, N, s)).astype(np.float32) for s in sizes]
        feed.update({f"{n}0": v for n, v in zip(layer.cell.state_names, values, strict=True)})
        given["state"] = tuple(values)
    y, final, _ = layer.forward(x, **given)
    got = _run(layer_to_onnx(layer, lengths=lengths, initial_state=state), feed)
    assert len(got) == 1 + len(final)
    for ours, theirs in zip([y, *final], got, strict=True):
        np.testing.assert_allclose(theirs, ours, atol=1e-5, rtol=0)


@pytest.mark.parametrize(("cell_kw", "bidirectional"), list(itertools.product(EXPORTABLE, (0, 1))))
def test_from_onnx_round_trips_the_weights(rng, cell_kw, bidirectional, tmp_path):
    cell, kw = cell_kw
    layer = _layer(cell, kw, 2, bool(bidirectional), rng)
    path = tmp_path / "layer.onnx"
    layer_to_onnx(layer, path)
    back = from_onnx(path)
    assert type(back) is type(layer)
    assert back.num_layers == 2 and back.bidirectional == bool(bidirectional)
    assert set(back.params) == set(layer.params)
    for name, value in layer.params.items():
        np.testing.assert_array_equal(back.params[name], value, err_msg=name)


@pytest.mark.parametrize("output_kind", ["many_to_one", "many_to_many"])
@pytest.mark.parametrize("lengths", [False, True])
def test_model_export_equals_predict(rng, output_kind, lengths):
    layer = _layer("lstm", {"variant": "peephole"}, 2, True, rng)
    model = make_model(layer, 3, output_kind, "softmax_ce", rng, input_to_output=True)
    x = rng.standard_normal((N, T, D)).astype(np.float32)
    feed = {"x": x}
    lens = np.array([7, 3, 5, 1, 7]) if lengths else None
    if lengths:
        feed["lengths"] = lens.astype(np.int64)
    (out, *_) = _run(model_to_onnx(model, lengths=lengths), feed)
    np.testing.assert_allclose(out, model.predict(x, lens), atol=1e-5, rtol=0)


def test_export_command_writes_a_model_onnx_runtime_runs(tmp_path, rng):
    from rnnlab.cli import main
    from rnnlab.training.run import load_run

    run_dir = tmp_path / "run"
    args = ["train", "--task", "adding", "--length", "10", "--cell", "lstm", "--hidden", "4",
            "--steps", "3", "--batch", "4", "--dtype", "float32", "--out", str(run_dir)]
    assert main(args) == 0
    target = tmp_path / "adding.onnx"
    assert main(["export", "--run", str(run_dir), "--onnx", str(target)]) == 0
    _, model = load_run(run_dir)
    x = rng.standard_normal((3, 12, model.layer.input_size)).astype(np.float32)
    lengths = np.array([12, 10, 11])
    (out, *_) = _run(onnx.load(str(target)), {"x": x, "lengths": lengths})
    np.testing.assert_allclose(out, model.predict(x, lengths), atol=1e-5, rtol=0)
    before = target.read_bytes()
    assert main(["export", "--run", str(run_dir), "--onnx", str(target)]) == 2  # not overwritten
    assert target.read_bytes() == before


def test_a_scanned_variant_exports_in_a_model(rng):
    layer = _layer("lstm", {"variant": "fgr"}, 2, True, rng)
    model = make_model(layer, 2, "many_to_one", "mse", rng)
    x = rng.standard_normal((N, T, D)).astype(np.float32)
    lens = np.array([7, 3, 5, 1, 7])
    (out, *_) = _run(model_to_onnx(model, lengths=True), {"x": x, "lengths": lens})
    np.testing.assert_allclose(out, model.predict(x, lens), atol=1e-5, rtol=0)


def test_what_is_not_an_rnnlab_layer_is_refused():
    with pytest.raises(ValueError, match="layer: expected an rnnlab RNN, LSTM or GRU"):
        layer_to_onnx(object())


def test_an_unwritable_path_is_one_line(tmp_path, rng):
    layer = _layer("gru", {"reset_after": True}, 1, False, rng)
    with pytest.raises(ValueError, match="path: cannot write"):
        layer.to_onnx(tmp_path)  # a directory
