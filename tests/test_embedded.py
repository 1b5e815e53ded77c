"""``--embed E``: the character LM and the sentiment model reading a learned embedding.

Finite differences (`rnnlab.gradcheck_embedded`); PyTorch autograd on PyTorch's own weights
(nn.Embedding + nn.LSTM + nn.Linear, float64, to 1e-9); the fast backend against the reference;
a tiny text trained end to end, resumed exactly, sampled, inspected and exported; bad input.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import rnnlab
from rnnlab import backend
from rnnlab.cli import main
from rnnlab.gradcheck import random_state
from rnnlab.gradcheck_embedded import EMBEDDED_CASES, check_embedded
from rnnlab.losses import softmax_cross_entropy
from rnnlab.models.embedded import EmbeddedModel, char_embedding, token_input
from rnnlab.models.sequence import SequenceModel, make_model
from rnnlab.models.spec import build_layer

RTOL = 1e-9


@pytest.mark.parametrize("case", EMBEDDED_CASES, ids=lambda c: c.name)
def test_embedded_gradients_match_finite_differences(case) -> None:
    errors = check_embedded(case, seed=3)
    worst = max(errors, key=errors.__getitem__)
    assert errors[worst] < 1e-6, (worst, errors[worst])
    assert {"embed.char", "weight_ih_l0", "readout.weight"} <= set(errors)


def _torch_modules(seed: int, vocab: int, width: int, hidden: int, layers: int, outputs: int):
    """PyTorch's own initialisation (seeded), biases included; nothing is set by hand."""
    torch.manual_seed(seed)
    embed = torch.nn.Embedding(vocab, width).double()
    lstm = torch.nn.LSTM(width, hidden, num_layers=layers, batch_first=True).double()
    readout = torch.nn.Linear(hidden, outputs).double()
    return embed, lstm, readout


def _ours_from(embed, lstm, readout, output_kind: str) -> EmbeddedModel:
    embedding = char_embedding(embed.num_embeddings, embed.embedding_dim,
                               np.random.default_rng(0), "float64")  # fmt: skip
    embedding.tables["char"][...] = embed.weight.detach().numpy()
    weights = {k: v.detach().numpy().copy() for k, v in readout.named_parameters()}
    return EmbeddedModel(
        embedding, SequenceModel(rnnlab.from_torch(lstm), weights, output_kind, "softmax_ce")
    )


def _torch_grads(embed, lstm, readout) -> dict[str, np.ndarray]:
    grads = {"embed.char": embed.weight.grad.numpy()}
    grads.update({name: p.grad.numpy() for name, p in lstm.named_parameters()})
    grads.update({f"readout.{n}": p.grad.numpy() for n, p in readout.named_parameters()})
    return grads


def _assert_close(ours: dict[str, np.ndarray], theirs: dict[str, np.ndarray]) -> float:
    assert set(ours) == set(theirs)
    worst = 0.0
    for name, ref in theirs.items():
        assert np.max(np.abs(ref)) > 0, name
        err = float(np.max(np.abs(ours[name] - ref)) / np.max(np.abs(ref)))
        assert err < RTOL, (name, err)
        worst = max(worst, err)
    return worst


@pytest.mark.torch
@pytest.mark.parametrize("layers", [1, 2])
def test_char_lm_with_embedding_equals_torch_autograd(layers) -> None:
    """A window of the stateful char LM: the state carried in (non-zero), cross-entropy of the
    next character at every step, as `CharLM.loss_and_grads` computes it."""
    V, E, H, N, T = 9, 4, 5, 3, 7
    embed, lstm, readout = _torch_modules(7, V, E, H, layers, V)
    ours = _ours_from(embed, lstm, readout, "many_to_many")
    rng = np.random.default_rng(1)
    ids = rng.integers(0, V, size=(N, T + 1))
    ids[0, :4] = 3  # one row read at several steps
    h0, c0 = (rng.uniform(-0.6, 0.6, size=(layers, N, H)) for _ in range(2))

    out, cache = ours.forward(ids[:, :-1], state=(h0, c0))
    loss, dout = softmax_cross_entropy(out, ids[:, 1:])
    grads = ours.backward(dout, cache)

    y, _ = lstm(embed(torch.tensor(ids[:, :-1])), (torch.tensor(h0), torch.tensor(c0)))
    z = readout(y)
    tloss = torch.nn.functional.cross_entropy(z.reshape(-1, V), torch.tensor(ids[:, 1:]).ravel())
    tloss.backward()
    assert abs(loss - tloss.item()) < RTOL * abs(tloss.item())
    theirs_z = z.detach().numpy()
    assert np.max(np.abs(out - theirs_z)) < RTOL * np.max(np.abs(theirs_z))
    _assert_close(grads, _torch_grads(embed, lstm, readout))


@pytest.mark.torch
def test_sentiment_with_embedding_equals_torch_autograd() -> None:
    """Many-to-one over padded snippets: torch packs them, rnnlab masks them."""
    V, E, H = 8, 3, 4
    embed, lstm, readout = _torch_modules(5, V, E, H, 1, 2)
    ours = _ours_from(embed, lstm, readout, "many_to_one")
    rng = np.random.default_rng(2)
    lengths = np.array([6, 2, 4, 1])
    ids = rng.integers(0, V, size=(4, 6))
    labels = np.array([1, 0, 0, 1])
    out, cache = ours.forward(ids, lengths)
    loss, dout = softmax_cross_entropy(out, labels)
    grads = ours.backward(dout, cache)

    packed = pack_padded_sequence(embed(torch.tensor(ids)), torch.tensor(lengths),
                                  batch_first=True, enforce_sorted=False)  # fmt: skip
    y, _ = pad_packed_sequence(lstm(packed)[0], batch_first=True)
    z = readout(y[torch.arange(4), torch.tensor(lengths) - 1])
    tloss = torch.nn.functional.cross_entropy(z, torch.tensor(labels))
    tloss.backward()
    assert abs(loss - tloss.item()) < RTOL * abs(tloss.item())
    _assert_close(grads, _torch_grads(embed, lstm, readout))


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))


@pytest.mark.parametrize(("dtype", "tolerance"), [("float64", 1e-12), ("float32", 1e-5)])
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_fast_backend_equals_reference_with_an_embedding(cell, dtype, tolerance) -> None:
    """A char-LM window at a training shape (32 streams: the fast path splits the batch over
    threads): the embedding only changes what the stack reads, on either backend."""
    rng = np.random.default_rng(0)
    embedding = char_embedding(30, 8, rng, dtype)
    layer = build_layer(cell, 8, 16, 2, dtype=dtype)
    model = EmbeddedModel(embedding, make_model(layer, 30, "many_to_many", "softmax_ce", rng))
    ids = rng.integers(0, 30, size=(32, 21))
    state = random_state(model.layer, 32, rng)  # the state carried in from the last window
    state = tuple(part.astype(dtype) for part in state) if cell == "lstm" else state.astype(dtype)
    before, results = backend.current(), {}
    try:
        for name in ("reference", "fast"):
            backend.use(name)
            out, cache = model.forward(token_input(model, ids[:, :-1]), state=state)
            _, dout = softmax_cross_entropy(out, ids[:, 1:])
            results[name] = {"out": out, **model.backward(dout, cache)}
    finally:
        backend.use(before)
    if not backend.installed():
        pytest.fail("the fast extra (numba, scipy) is not installed: nothing compared")
    for key, ref in results["reference"].items():
        assert _relative(results["fast"][key], ref) < tolerance, key


@pytest.fixture(scope="module")
def embedded_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("embed")
    (tmp / "t.txt").write_text("ROMEO:\nBut soft, what light through yonder window breaks?\n" * 40)
    flags = ["train", "--data", str(tmp / "t.txt"), "--embed", "6", "--hidden", "12",
             "--batch", "4", "--tbptt", "10", "--eval-every", "10", "--lr", "0.02",
             "--dtype", "float64", "--quiet"]  # fmt: skip
    assert main([*flags, "--steps", "30", "--out", str(tmp / "run")]) == 0
    return tmp, flags


def test_a_tiny_text_trains_with_an_embedding_and_resumes_exactly(
    embedded_run, resumed_equals
) -> None:
    tmp, flags = embedded_run
    run = tmp / "run"
    assert json.loads((run / "config.json").read_text())["data_options"] == {"embed": 6}
    rows = (run / "metrics.csv").read_text().splitlines()
    losses = [float(r.split(",")[rows[0].split(",").index("test_loss")]) for r in rows[1:]]
    assert losses[0] > losses[1] > losses[2]  # it learns
    with np.load(run / "params.npz") as p:
        vocab = len(json.loads((run / "vocabulary.json").read_text())["symbols"])
        assert p["embed.char"].shape == (vocab, 6) and p["weight_ih_l0"].shape == (48, 6)
    half = tmp / "half"
    assert main([*flags, "--steps", "30", "--checkpoint-every", "20", "--out", str(half)]) == 0
    assert resumed_equals(run, half)  # resumed from the checkpoint of step 20


def test_sampling_an_embedded_run_is_reproducible_by_seed(embedded_run, capsys) -> None:
    run = embedded_run[0] / "run"

    def sample(seed: str) -> str:
        capsys.readouterr()
        assert main(["sample", "--run", str(run), "--prime", "ROMEO:", "--length", "60",
                     "--seed", seed]) == 0  # fmt: skip
        return capsys.readouterr().out

    a, b, c = sample("3"), sample("3"), sample("4")
    assert a == b != c and a.startswith("ROMEO:")


def test_inspect_and_export_read_an_embedded_run(embedded_run, tmp_path) -> None:
    onnx = pytest.importorskip("onnx")
    tmp = embedded_run[0]
    assert main(["inspect", "--run", str(tmp / "run"), "--text", str(tmp / "t.txt"),
                 "--chars", "200", "--out", str(tmp_path / "p.html")]) == 0  # fmt: skip
    assert "<html" in (tmp_path / "p.html").read_text().lower()
    target = tmp_path / "m.onnx"
    assert main(["export", "--run", str(tmp / "run"), "--onnx", str(target)]) == 0
    assert [i.name for i in onnx.load(str(target)).graph.input] == ["ids", "lengths"]


def test_an_embedded_model_exports_to_onnx_and_runs_the_same() -> None:
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from rnnlab.interop.onnx import model_to_onnx

    rng = np.random.default_rng(4)
    embedding = char_embedding(11, 5, rng, "float32")
    layer = build_layer("lstm", 5, 6, 2, dtype="float32")
    model = EmbeddedModel(embedding, make_model(layer, 11, "many_to_many", "softmax_ce", rng))
    graph = model_to_onnx(model, lengths=True)
    assert [i.name for i in graph.graph.input] == ["ids", "lengths"]
    session = ort.InferenceSession(graph.SerializeToString(), providers=["CPUExecutionProvider"])
    ids, lengths = rng.integers(0, 11, size=(3, 8)), np.array([8, 8, 8])
    (out, *_) = session.run(None, {"ids": ids, "lengths": lengths})
    np.testing.assert_allclose(out, model.predict(ids, lengths), atol=1e-5, rtol=0)
    assert onnx.checker.check_model(graph) is None


def test_bad_embed_is_one_line_and_writes_nothing(tmp_path, capsys) -> None:
    (tmp_path / "t.txt").write_text("some text to learn from " * 100)
    (tmp_path / "s.csv").write_text("t,v\n" + "".join(f"{i},{i % 7}\n" for i in range(60)))
    text = ["--data", str(tmp_path / "t.txt"), "--tbptt", "10", "--batch", "4"]
    for flags, message in [
        ([*text, "--embed", "0"],
         "embed: expected a positive integer (the embedding width), got 0"),
        ([*text, "--embed", "-3"], "embed: expected a positive integer"),
        (["--task", "adding", "--length", "5", "--embed", "4"],
         "data_options: only a --data run takes dataset options (here: embed)"),
        (["--data", str(tmp_path / "s.csv"), "--target", "v", "--embed", "4"],
         "data option 'embed' is not known to"),
    ]:  # fmt: skip
        assert main(["train", *flags, "--steps", "2", "--out", str(tmp_path / "r"), "--quiet"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("rnnlab train: error: ") and message in err, err
        assert err.count("\n") == 1
        assert not (tmp_path / "r").exists()


def test_the_sentiment_model_reads_an_embedding() -> None:
    from rnnlab.data import make_dataset
    from rnnlab.data.sentiment import classify
    from rnnlab.training import TrainConfig, TrainState, streams

    config = TrainConfig(data="rotten_tomatoes", data_options={"embed": 5}, hidden=6, batch=8)
    problem = make_dataset(config.data, **config.data_options).problem(config)
    init, train, test = streams(0)
    model = problem.build_model(config, init)
    assert isinstance(model, EmbeddedModel)
    assert model.params["embed.char"].shape == (len(problem.vocab), 5)
    loss, grads = problem.loss_and_grads(model, config, TrainState(0, train, test))
    assert np.isfinite(loss) and set(grads) == set(model.params)
    assert np.count_nonzero(np.abs(grads["embed.char"]).sum(axis=1)) > 10  # rows that were read
    probs = classify(model, problem.vocab, ["Dull.", "A three-hour cinema master class.", "x"])
    assert probs.shape == (3, 2) and np.allclose(probs.sum(axis=1), 1)


@pytest.mark.slow
def test_a_sentiment_run_with_an_embedding_predicts(tmp_path, capsys) -> None:
    run = tmp_path / "rt"
    assert main(["train", "--data", "rotten_tomatoes", "--embed", "8", "--hidden", "8",
                 "--batch", "16", "--steps", "20", "--eval-every", "20", "--quiet",
                 "--out", str(run)]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["predict", "--run", str(run), "--text", "Wonderful.", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["label"] in ("fresh", "rotten") and 0.5 <= row["probability"] <= 1
