"""Dropout in the encoder-decoder: in training only, its backward exact, decoding untouched."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.gradcheck_seq2seq import Seq2SeqCase, check_seq2seq, random_problem
from rnnlab.models.beam import beam_search, greedy

CASE = Seq2SeqCase("general", True, num_layers=2, dropout=0.3)


def _twins(dropout: float):
    """The gradcheck problem's model with ``dropout`` and its p = 0 twin (the same weights)."""
    model, batch = random_problem(CASE, seed=3)
    plain, _ = random_problem(Seq2SeqCase("general", True, num_layers=2), seed=3)
    plain.load_params(model.params)
    assert model.spec.dropout == dropout and plain.spec.dropout == 0.0
    args = (batch["src"], batch["src_lengths"], batch["tgt_in"], batch["tgt_out"])
    return model, plain, args


def test_dropout_backward_matches_finite_differences_with_masks_held_fixed() -> None:
    errors = check_seq2seq(CASE, seed=4)
    assert max(errors.values()) < 1e-6, errors


def test_a_training_step_differs_with_dropout_and_equals_p0_without_it() -> None:
    model, plain, args = _twins(0.3)
    loss0, grads0, _ = plain.loss_and_grads(*args)
    rng = np.random.default_rng(1)
    same, same_grads, _ = plain.loss_and_grads(*args, rng=rng)  # p = 0: the rng is not read
    assert same == loss0 and all(np.array_equal(same_grads[k], grads0[k]) for k in grads0)
    assert rng.bit_generator.state == np.random.default_rng(1).bit_generator.state
    dropped, grads, _ = model.loss_and_grads(*args, rng=np.random.default_rng(1))
    assert dropped != loss0 and abs(dropped - loss0) > 1e-3
    assert not np.allclose(grads["readout.weight"], grads0["readout.weight"])
    again, _, _ = model.loss_and_grads(*args, rng=np.random.default_rng(1))
    other, _, _ = model.loss_and_grads(*args, rng=np.random.default_rng(2))
    assert again == dropped and other != dropped  # the masks come from the rng alone
    assert model.loss_and_grads(*args)[0] == loss0  # no rng: evaluation, no dropout
    assert model.loss(*args) == plain.loss(*args) == loss0


def test_decoding_ignores_dropout_and_is_deterministic() -> None:
    model, plain, args = _twins(0.3)
    src, lengths = args[0], args[1]
    opts = dict(bos=1, eos=2, max_len=6, alpha=1.0)
    for decode, extra in ((greedy, {}), (beam_search, {"width": 3})):
        first = decode(model, src, lengths, **opts, **extra)
        second = decode(model, src, lengths, **opts, **extra)
        twin = decode(plain, src, lengths, **opts, **extra)
        assert first.tokens == second.tokens == twin.tokens
        np.testing.assert_array_equal(first.scores, twin.scores)


def test_bad_dropout_is_one_clear_error() -> None:
    from rnnlab.models.seq2seq import Seq2SeqSpec

    with pytest.raises(ValueError, match=r"dropout: expected .*got 1"):
        Seq2SeqSpec(5, 5, dropout=1)


TINY = [
    "train", "--data", "cmudict", "--model", "seq2seq", "--hidden", "8", "--batch", "16",
    "--steps", "4", "--eval-every", "2", "--option", "eval_words=20", "--option", "embed=8",
    "--layers", "2", "--dropout", "0.3", "--quiet",
]  # fmt: skip


def test_train_records_dropout_and_resumes_exactly(tmp_path, resumed_equals) -> None:
    full, half = tmp_path / "full", tmp_path / "half"
    assert main([*TINY, "--out", str(full)]) == 0
    assert json.loads((full / "config.json").read_text())["dropout"] == 0.3
    assert main([*TINY, "--checkpoint-every", "2", "--out", str(half)]) == 0
    assert resumed_equals(full, half)  # resumed from the checkpoint of step 2
