"""The tagger (feature embeddings + recurrent stack + readout + masked cross-entropy):
finite differences, PyTorch autograd on PyTorch's own weights, and learning what only a
bidirectional layer can see."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import rnnlab
from rnnlab.gradcheck_tagger import TAGGER_CASES, check_tagger
from rnnlab.models.embedding import FeatureEmbedding
from rnnlab.models.sequence import SequenceModel
from rnnlab.models.tagger import Tagger
from rnnlab.optim import make_optimizer

RTOL = 1e-9


@pytest.mark.parametrize("case", TAGGER_CASES, ids=lambda c: c.name.split(" (")[0])
def test_tagger_gradient_matches_finite_differences(case) -> None:
    errors = check_tagger(case, seed=3)
    worst = max(errors, key=errors.__getitem__)
    assert errors[worst] < 1e-6, (worst, errors[worst])
    assert {"embed.word", "embed.suffix", "readout.weight"} <= set(errors)


def _torch_tagger(seed: int, sizes, dims, hidden: int, tags: int, bidirectional: bool):
    torch.manual_seed(seed)
    tables = [torch.nn.Embedding(v, d).double() for v, d in zip(sizes, dims, strict=True)]
    lstm = torch.nn.LSTM(sum(dims), hidden, batch_first=True, bidirectional=bidirectional).double()
    readout = torch.nn.Linear(hidden * (2 if bidirectional else 1), tags).double()
    for module in (lstm, readout):  # non-zero biases everywhere
        for p in module.parameters():
            p.data.uniform_(-0.7, 0.7)
    return tables, lstm, readout


def _ours_from(tables, lstm, readout) -> Tagger:
    names = [f"f{g}" for g in range(len(tables))]
    sizes = [t.num_embeddings for t in tables]
    dims = [t.embedding_dim for t in tables]
    embedding = FeatureEmbedding(names, sizes, dims, np.random.default_rng(0))
    for name, t in zip(names, tables, strict=True):
        embedding.tables[name][...] = t.weight.detach().numpy()
    readout_params = {
        "weight": readout.weight.detach().numpy().copy(),
        "bias": readout.bias.detach().numpy().copy(),
    }
    model = SequenceModel(rnnlab.from_torch(lstm), readout_params, "many_to_many", "softmax_ce")
    return Tagger(embedding, model)


@pytest.mark.torch
@pytest.mark.parametrize("bidirectional", [True, False])
def test_tagger_equals_torch_autograd(bidirectional) -> None:
    sizes, dims, hidden, n_tags = (7, 5, 4), (3, 2, 2), 4, 5
    tables, lstm, readout = _torch_tagger(11, sizes, dims, hidden, n_tags, bidirectional)
    ours = _ours_from(tables, lstm, readout)
    rng = np.random.default_rng(5)
    N, T = 4, 6
    lengths = np.array([6, 2, 4, 1])
    ids = np.stack([rng.integers(0, v, size=(N, T)) for v in sizes], axis=-1)
    ids[0, :3, 0] = 2  # one row used by several tokens: its gradients must add
    tags = np.where(np.arange(T)[None, :] < lengths[:, None], rng.integers(0, n_tags, (N, T)), -1)

    loss, grads, aux = ours.loss_and_grads(ids, tags, lengths)

    tids = torch.tensor(ids)
    x = torch.cat([t(tids[..., g]) for g, t in enumerate(tables)], dim=-1)
    packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
    y, _ = pad_packed_sequence(lstm(packed)[0], batch_first=True, total_length=T)
    z = readout(y)
    tloss = torch.nn.functional.cross_entropy(
        z.reshape(-1, n_tags), torch.tensor(tags).reshape(-1), ignore_index=-1
    )
    tloss.backward()

    assert abs(loss - tloss.item()) < RTOL * abs(tloss.item())
    counted = tags >= 0
    theirs_z = z.detach().numpy()
    assert np.max(np.abs(aux["z"][counted] - theirs_z[counted])) < RTOL * np.max(np.abs(theirs_z))
    reference = {f"embed.f{g}": t.weight.grad for g, t in enumerate(tables)}
    reference.update({name: p.grad for name, p in lstm.named_parameters()})
    reference.update({f"readout.{name}": p.grad for name, p in readout.named_parameters()})
    assert set(reference) == set(grads)
    for name, ref in reference.items():
        ref = ref.numpy()
        assert np.max(np.abs(ref)) > 0, name
        err = np.max(np.abs(grads[name] - ref)) / np.max(np.abs(ref))
        assert err < RTOL, (name, err)


def _next_word_corpus(rng: np.random.Generator, n: int, vocab: int = 6, T: int = 7):
    """A token's tag is the next token's word (tag 0 at the end): only a layer that reads the
    sentence backwards can know it."""
    lengths = rng.integers(2, T + 1, size=n)
    words = rng.integers(1, vocab, size=(n, T))
    tags = np.zeros((n, T), dtype=np.int64)
    tags[:, :-1] = words[:, 1:]
    valid = np.arange(T)[None, :] < lengths[:, None]
    tags[np.arange(n), lengths - 1] = 0
    return words[..., None] * valid[..., None], np.where(valid, tags, -1), lengths


def _fit(bidirectional: bool, rng: np.random.Generator) -> float:
    embedding = FeatureEmbedding(("word",), (6,), (4,), rng)
    layer = rnnlab.LSTM(4, 8, bidirectional=bidirectional, seed=1)
    model = rnnlab.models.make_model(layer, 6, "many_to_many", "softmax_ce", rng)
    tagger = Tagger(embedding, model)
    optimizer = make_optimizer("adam", tagger.params, 0.03)
    for _ in range(150):
        ids, tags, lengths = _next_word_corpus(rng, 32)
        optimizer.step(tagger.loss_and_grads(ids, tags, lengths)[1])
    ids, tags, lengths = _next_word_corpus(rng, 200)
    best = tagger.predict(ids, lengths)
    return float(np.mean(best[tags >= 0] == tags[tags >= 0]))


def test_only_the_bidirectional_tagger_sees_the_next_word(rng) -> None:
    # A left-to-right reader has not seen the next word (nor whether the sentence ends):
    # it stays near chance (about 1/5); reading both ways makes the task a copy.
    assert _fit(True, rng) > 0.97
    assert _fit(False, rng) < 0.5


def test_cli_gradcheck_checks_the_tagger(capsys) -> None:
    from rnnlab.cli import main

    assert main(["gradcheck", "--model", "tagger", "--cell", "rnn"]) == 0
    out = capsys.readouterr().out
    assert "tagger rnn layers=1 dirs=2" in out and "1 passed, 0 failed" in out
