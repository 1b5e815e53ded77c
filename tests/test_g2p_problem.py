"""The seq2seq kind's mechanics on a small lexicon written here, and cmudict end to end."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from rnnlab.data.cmudict import EOS, PAD
from rnnlab.data.g2p_problem import G2PProblem
from rnnlab.optim import make_optimizer

LEXICON = {
    "cat": [("K", "AE", "T")],
    "cats": [("K", "AE", "T", "S")],
    "bat": [("B", "AE", "T")],
    "bats": [("B", "AE", "T", "S")],
    "tab": [("T", "AE", "B")],
    "tabs": [("T", "AE", "B", "Z")],
    "act": [("AE", "K", "T")],
    "either": [("IY", "DH", "ER"), ("AY", "DH", "ER")],
    "scat": [("S", "K", "AE", "T")],
    "stab": [("S", "T", "AE", "B")],
}
PARTS = {
    "train": ["act", "bat", "bats", "cat", "either", "scat", "tab", "tabs"],
    "valid": ["cats"],
    "test": ["stab"],
}


def _problem(**options) -> G2PProblem:
    dataset = SimpleNamespace(attention="luong", embed=8, beam=1, alpha=1.0, eval_words=0)
    dataset.__dict__.update(options)
    return G2PProblem(dataset, LEXICON, PARTS, seed=3)


def _config(batch: int = 3):
    return SimpleNamespace(
        hidden=8, num_layers=1, bidirectional=True, cell="lstm", dtype="float64", batch=batch,
        dropout=0.0,
    )


def test_every_training_pair_once_per_epoch_in_a_seeded_order() -> None:
    problem = _problem()
    assert len(problem.pairs) == 9  # 'either' twice
    first = problem._batches(0, 3)
    assert sorted(np.concatenate(first).tolist()) == list(range(9))
    assert [b.tolist() for b in first] == [b.tolist() for b in _problem()._batches(0, 3)]
    assert [b.tolist() for b in first] != [b.tolist() for b in problem._batches(1, 3)]


def test_arrays_pad_and_end_targets() -> None:
    problem = _problem()
    index = problem.pairs.index(("cat", ("K", "AE", "T")))
    src, lengths, tgt_in, tgt_out = problem.arrays(np.array([index, 0]))
    assert lengths.tolist() == [3, 3] and src.shape == (2, 3)
    ids = {p: i + 3 for i, p in enumerate(problem.vocab.phonemes)}
    assert tgt_out[0].tolist() == [ids["K"], ids["AE"], ids["T"], EOS]
    assert tgt_in[0].tolist() == [1, ids["K"], ids["AE"], ids["T"]]  # BOS first
    assert PAD not in tgt_out[0]


def test_training_lowers_the_loss_and_evaluation_reports_both_parts() -> None:
    problem, config = _problem(), _config()
    model = problem.build_model(config, np.random.default_rng(0))
    optimizer = make_optimizer("adam", model.params, 0.02)
    state = SimpleNamespace(step=0, train_rng=np.random.default_rng(1))
    losses = []
    for _ in range(90):
        loss, grads = problem.loss_and_grads(model, config, state)
        optimizer.step(grads)
        losses.append(loss)
        state.step += 1
    assert np.mean(losses[-9:]) < 0.5 * np.mean(losses[:9])
    metrics = problem.evaluate(model, state)
    assert set(metrics) == {"loss", "metric", "per", "heldout_wer", "heldout_per"}
    assert all(0.0 <= metrics[k] <= 100.0 for k in ("metric", "per", "heldout_wer"))
    assert problem.predict(model, ["Cat"])[0] == ("K", "AE", "T")  # a training word, learnt
    assert json.loads(problem.run_files()["vocabulary.json"])["letters"] == list("abcehirst")


def test_predict_rejects_letters_outside_the_training_alphabet() -> None:
    problem = _problem()
    model = problem.build_model(_config(), np.random.default_rng(0))
    with pytest.raises(ValueError, match="word: expected letters from the training alphabet "):
        problem.predict(model, ["tax"])  # no training word has an x
