"""The whole model (stack + readout + loss): float64 finite differences, shapes, generation."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab import GRU, LSTM, RNN
from rnnlab.gradcheck import _central_difference, rel_error
from rnnlab.models import build_layer, generate, make_model, parse_cell
from rnnlab.tasks.base import Batch

TOLERANCE = 1e-6
N, T, D, H, OUT = 3, 5, 2, 3, 3
LENGTHS = np.array([5, 3, 1])


def _model(
    cell: str, kind: str, loss: str, rng: np.random.Generator, skip: bool = False, **layer_kw
):
    layer = build_layer(cell, D, H, dtype="float64", **layer_kw)
    model = make_model(layer, OUT, kind, loss, rng, input_to_output=skip)
    for value in model.params.values():  # random, non-zero everywhere (biases too)
        value[...] = rng.uniform(-0.5, 0.5, size=value.shape)
    return model


def _batch(kind: str, loss: str, rng: np.random.Generator) -> Batch:
    x = rng.uniform(-1, 1, size=(N, T, D))
    lead = (N,) if kind != "many_to_many" else (N, T)
    if loss == "softmax_ce":
        target = rng.integers(0, OUT, size=lead)
    else:
        target = rng.uniform(0, 1, size=(*lead, OUT))
    mask = rng.random((N, T)) < 0.7 if kind == "many_to_many" else None
    return Batch(x, target, LENGTHS, mask)


def _check(
    model, batch: Batch, tbptt: int | None = None, max_entries: int = 10**6
) -> dict[str, float]:
    """Relative error of every parameter's analytic gradient against central differences.

    With truncated BPTT the reference is the engine's definition (`rnnlab.gradcheck`): the sum
    over chunks of the loss's derivative through that chunk alone, its starting state held at
    the value the unperturbed run handed it and every other chunk's output held fixed.
    """
    _, grads, _ = model.loss_and_grads(batch, tbptt=tbptt)

    def full_loss() -> float:
        out, _ = model.forward(batch.x, batch.lengths)
        return model.loss(out, batch)[0]

    chunks: list = []
    if tbptt is not None:
        _, base = model.forward(batch.x, batch.lengths, tbptt=tbptt)
        state = None
        for start in range(0, T, tbptt):
            chunks.append((start, state, base))
            part = np.clip(batch.lengths - start, 0, tbptt)
            _, state, _ = model.layer.forward(batch.x[:, start : start + tbptt], state, part)

    def chunk_loss(start: int, state, base) -> float:
        part = np.clip(batch.lengths - start, 0, tbptt)
        y_c, _, _ = model.layer.forward(batch.x[:, start : start + tbptt], state, part)
        y = base.y.copy()
        y[:, start : start + tbptt] = y_c
        h = y if base.last is None else y[np.arange(N), base.last]
        return model.loss(h @ model.readout["weight"].T + model.readout["bias"], batch)[0]

    pick = np.random.default_rng(7)
    errors = {}
    for name, value in model.params.items():
        entries = np.arange(value.size)
        if value.size > max_entries:  # a random sample of the larger arrays
            entries = pick.choice(value.size, size=max_entries, replace=False)
        if not chunks or name.startswith("readout."):
            numeric = [_central_difference(value, j, full_loss, 1e-6) for j in entries]
        else:
            numeric = [
                sum(_central_difference(value, j, lambda c=c: chunk_loss(*c), 1e-6) for c in chunks)
                for j in entries
            ]
        errors[name] = rel_error(grads[name].reshape(-1)[entries], np.array(numeric))
    return errors


CASES = [
    (cell, kind, loss)
    for cell in ("rnn:tanh", "lstm:peephole", "gru:reset_before")
    for kind in ("many_to_one", "many_to_many")
    for loss in ("mse", "softmax_ce", "sigmoid_bce")
]


@pytest.mark.parametrize(("cell", "kind", "loss"), CASES)
def test_model_gradient_matches_finite_differences(cell, kind, loss, rng) -> None:
    model = _model(cell, kind, loss, rng)
    errors = _check(model, _batch(kind, loss, rng))
    worst = max(errors, key=errors.__getitem__)
    assert errors[worst] < TOLERANCE, f"{cell} {kind} {loss}: {worst} rel error {errors[worst]}"


@pytest.mark.parametrize("kind", ["many_to_one", "many_to_many"])
def test_two_layer_bidirectional_model_gradient(kind, rng) -> None:
    model = _model("lstm", kind, "mse", rng, num_layers=2, bidirectional=True)
    errors = _check(model, _batch(kind, "mse", rng), max_entries=12)
    assert max(errors.values()) < TOLERANCE, errors


@pytest.mark.parametrize("kind", ["many_to_one", "many_to_many"])
def test_input_to_output_readout_gradient(kind, rng) -> None:
    model = _model("lstm", kind, "sigmoid_bce", rng, skip=True)
    assert model.readout["skip"].shape == (OUT, D)
    batch = _batch(kind, "sigmoid_bce", rng)
    errors = _check(model, batch)
    assert set(errors) >= {"readout.skip", "weight_hh_l0"}
    assert max(errors.values()) < TOLERANCE, errors
    # The direct path is really there: the output moves with this step's input, h held fixed.
    out, cache = model.forward(batch.x, batch.lengths)
    h_only = cache.h @ model.readout["weight"].T + model.readout["bias"]
    np.testing.assert_allclose(out - h_only, cache.x_read @ model.readout["skip"].T, atol=1e-12)


@pytest.mark.parametrize("kind", ["many_to_one", "many_to_many"])
def test_truncated_bptt_gradient_is_the_chunked_gradient(kind, rng) -> None:
    model = _model("gru", kind, "mse", rng)
    batch = _batch(kind, "mse", rng)
    errors = _check(model, batch, tbptt=2)
    assert max(errors.values()) < TOLERANCE, errors
    full, _, _ = model.loss_and_grads(batch)
    truncated, g_trunc, _ = model.loss_and_grads(batch, tbptt=2)
    _, g_full, _ = model.loss_and_grads(batch)
    assert truncated == pytest.approx(full, rel=1e-12)  # same loss, different gradient
    assert not np.allclose(g_trunc["weight_hh_l0"], g_full["weight_hh_l0"])
    _, g_wide, _ = model.loss_and_grads(batch, tbptt=T)  # one chunk = full BPTT
    assert all(np.array_equal(g_wide[k], g_full[k]) for k in g_full)


def test_one_to_one_gradient_and_shapes(rng) -> None:
    model = _model("lstm", "one_to_one", "mse", rng)
    x = rng.uniform(-1, 1, size=(N, D))
    batch = Batch(x[:, None, :], rng.uniform(size=(N, OUT)), np.ones(N, dtype=np.int64))
    out, _ = model.forward(x)
    assert out.shape == (N, OUT)
    assert max(_check(model, batch).values()) < TOLERANCE


def test_many_to_one_reads_the_last_valid_step(rng) -> None:
    model = _model("rnn", "many_to_one", "mse", rng)
    x = rng.uniform(-1, 1, size=(N, T, D))
    out, _ = model.forward(x, LENGTHS)
    for n, length in enumerate(LENGTHS):
        alone, _ = model.forward(x[n : n + 1, :length])  # the same sequence, unpadded
        np.testing.assert_allclose(out[n], alone[0], rtol=1e-12)


def test_params_are_the_layer_arrays_plus_readout(rng) -> None:
    model = _model("gru", "many_to_many", "mse", rng)
    assert set(model.params) == {*model.layer.params, "readout.weight", "readout.bias"}
    assert model.params["weight_hh_l0"] is model.layer.params["weight_hh_l0"]
    assert model.params["readout.weight"].shape == (OUT, H)
    assert model.num_params == sum(p.size for p in model.params.values())


@pytest.mark.parametrize(
    ("text", "cls", "kwargs"),
    [
        ("rnn", RNN, {"nonlinearity": "tanh"}),
        ("rnn:relu", RNN, {"nonlinearity": "relu"}),
        ("lstm", LSTM, {"variant": "vanilla"}),
        ("lstm:peephole", LSTM, {"variant": "peephole"}),
        ("lstm:hs97", LSTM, {"variant": "hs97"}),
        ("gru", GRU, {"reset_after": True}),
        ("gru:reset_before", GRU, {"reset_after": False}),
    ],
)
def test_parse_cell(text, cls, kwargs) -> None:
    assert parse_cell(text) == (cls, kwargs)


@pytest.mark.parametrize("text", ["lstmx", "lstm:nope", "gru:tanh", "rnn:sigmoid", ""])
def test_parse_cell_rejects_unknown_names(text) -> None:
    with pytest.raises(ValueError, match=r"^cell: "):
        parse_cell(text)


@pytest.mark.parametrize(
    ("loss", "feedback"),
    [
        ("mse", "output"),
        ("softmax_ce", "sample"),
        ("softmax_ce", "argmax"),
        ("sigmoid_bce", "sample"),
    ],
)
def test_generation_feeds_outputs_back(loss, feedback, rng) -> None:
    layer = build_layer("lstm", 4, 5)
    model = make_model(layer, 4, "many_to_many", loss, rng)
    x0 = np.eye(4)[[0, 1]]
    outputs, inputs = generate(model, x0, 6, feedback=feedback, rng=np.random.default_rng(1))
    assert outputs.shape == (2, 6, 4) and inputs.shape == (2, 6, 4)
    np.testing.assert_array_equal(inputs[:, 0], x0)
    # generation is the same computation as one forward pass over the inputs it chose
    full, _ = model.forward(inputs)
    np.testing.assert_allclose(outputs, full, rtol=1e-10, atol=1e-12)
    if feedback != "output":
        assert set(np.unique(inputs[:, 1:])) <= {0.0, 1.0}


def test_generation_needs_matching_sizes(rng) -> None:
    model = make_model(build_layer("rnn", 2, 3), 1, "many_to_one", "mse", rng)
    with pytest.raises(ValueError, match="output size 1 == input size 2"):
        generate(model, np.zeros((1, 2)), 3)
