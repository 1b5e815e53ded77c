"""The encoder-decoder's gradients (finite differences) and its decoding (greedy, beam search)."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import pytest

from rnnlab.gradcheck_seq2seq import Seq2SeqCase, check_seq2seq, random_problem
from rnnlab.losses import log_softmax
from rnnlab.models.attention import resolve_kind
from rnnlab.models.beam import beam_search, greedy
from rnnlab.models.seq2seq import Seq2Seq, Seq2SeqSpec
from rnnlab.optim import make_optimizer

BOS, EOS = 1, 2
KINDS = (None, "dot", "general", "additive")


@pytest.mark.parametrize(
    "case",
    [Seq2SeqCase("additive", True), Seq2SeqCase("general", False, cell="gru")],
    ids=lambda c: c.name,
)
def test_gradients_match_finite_differences(case: Seq2SeqCase) -> None:
    errors = check_seq2seq(case, seed=4)
    assert max(errors.values()) < 1e-6, errors


@functools.cache
def _trained(kind: str | None, bidirectional: bool, seed: int) -> Seq2Seq:
    """A small model trained briefly to reverse sequences of tokens 3..7, so that it ends its
    outputs at different, input-dependent steps (a model at random weights emits EOS almost
    never or almost always, which would leave the search's end handling untested)."""
    rng = np.random.default_rng(seed)
    spec = Seq2SeqSpec(
        src_vocab=8, tgt_vocab=8, embed=4, hidden=4 if bidirectional else 8, decoder_hidden=8,
        bidirectional=bidirectional, attention=kind, attention_width=5,
    )  # fmt: skip
    model = Seq2Seq(spec, rng)
    optimizer = make_optimizer("adam", model.params, 0.03)
    for _ in range(60):
        lengths = rng.integers(1, 6, size=32)
        src = rng.integers(3, 8, size=(32, 5))
        src[np.arange(5)[None, :] >= lengths[:, None]] = 0
        tgt_out = np.zeros((32, 6), int)
        for n, length in enumerate(lengths):
            tgt_out[n, : length + 1] = [*src[n, :length][::-1], EOS]
        tgt_in = np.concatenate([np.full((32, 1), BOS), tgt_out[:, :-1]], axis=1)
        _, grads, _ = model.loss_and_grads(src, lengths, tgt_in, tgt_out)
        optimizer.step(grads)
    return model


def _sources(rng: np.random.Generator, n: int, vocab: int, steps: int):
    lengths = rng.integers(1, steps + 1, size=n)
    src = rng.integers(1, vocab, size=(n, steps))
    src[np.arange(steps)[None, :] >= lengths[:, None]] = 0
    return src, lengths


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_beam_width_one_is_greedy(kind: str | None, alpha: float, rng) -> None:
    model = _trained(kind, True, seed=5)
    src, lengths = _sources(rng, 30, model.spec.src_vocab, 6)
    opts = dict(bos=BOS, eos=EOS, max_len=7, alpha=alpha)
    g = greedy(model, src, lengths, **opts)
    b = beam_search(model, src, lengths, width=1, **opts)
    assert b.tokens == g.tokens
    np.testing.assert_array_equal(b.scores, g.scores)
    ends = {len(t) for t in g.tokens}
    assert len(ends) > 2 and min(ends) < 6  # hypotheses end at different steps, before max_len


@pytest.mark.parametrize("kind", KINDS)
def test_beam_never_scores_below_greedy(kind: str | None, rng) -> None:
    model = _trained(kind, False, seed=6)
    src, lengths = _sources(rng, 40, model.spec.src_vocab, 6)
    better = 0
    for width, alpha in itertools.product((2, 3, 5), (0.0, 0.6, 1.0)):
        opts = dict(bos=BOS, eos=EOS, max_len=6, alpha=alpha)
        g = greedy(model, src, lengths, **opts)
        b = beam_search(model, src, lengths, width=width, **opts)
        assert np.all(b.scores >= g.scores), (width, alpha)
        better += int(np.sum(b.scores > g.scores))
    assert better > 0  # the beam does find better hypotheses than greedy


def _sequence_logprob(model: Seq2Seq, src, length, seq: list[int]) -> float:
    tgt_in = np.array([[BOS, *seq[:-1]]])
    logits, _ = model.forward(src[None], np.array([length]), tgt_in)
    logp = log_softmax(logits[0])
    return float(sum(logp[t, v] for t, v in enumerate(seq)))


def test_wide_beam_finds_the_exhaustive_best(rng) -> None:
    """With width V**(max_len - 1) nothing can be pruned: the beam's answer is the best of every
    possible output, enumerated and scored by teacher forcing."""
    model = _trained("general", True, seed=8)
    V, max_len, alpha = model.spec.tgt_vocab, 3, 0.7
    src, lengths = _sources(rng, 4, model.spec.src_vocab, 5)
    found = beam_search(
        model, src, lengths, width=V ** (max_len - 1), bos=BOS, eos=EOS, max_len=max_len,
        alpha=alpha,
    )  # fmt: skip
    for n in range(len(src)):
        best, best_seq = -np.inf, None
        for path in itertools.product(range(V), repeat=max_len):
            seq = list(path[: path.index(EOS) + 1]) if EOS in path else list(path)
            score = _sequence_logprob(model, src[n], lengths[n], seq) / len(seq) ** alpha
            if score > best:
                best, best_seq = score, [v for v in seq if v != EOS]
        assert found.tokens[n] == best_seq
        assert found.scores[n] == pytest.approx(best, abs=1e-12)


def test_bad_settings_are_one_clear_error() -> None:
    model, _ = random_problem(Seq2SeqCase(None, False), seed=0)
    with pytest.raises(ValueError, match="beam: expected a width >= 1"):
        beam_search(model, np.ones((1, 2), int), np.array([2]), width=0, bos=1, eos=2, max_len=3)
    with pytest.raises(ValueError, match="attention: expected one of"):
        resolve_kind("cosine")
    with pytest.raises(ValueError, match="attention: 'dot' needs the decoder width"):
        Seq2Seq(
            Seq2SeqSpec(5, 5, hidden=4, decoder_hidden=3, attention="dot"), np.random.default_rng()
        )


def test_cli_gradcheck_checks_the_encoder_decoder(capsys) -> None:
    from rnnlab.cli import main

    assert main(["gradcheck", "--model", "seq2seq", "--cell", "gru"]) == 0
    out = capsys.readouterr().out
    assert "seq2seq gru attention=general" in out and "1 passed, 0 failed" in out


def test_cli_gradcheck_fails_on_a_wrong_attention_backward(monkeypatch, capsys) -> None:
    """A 1 % error in the attention's dh (one term of (2')-(5')) makes the check exit 1."""
    from rnnlab.cli import main
    from rnnlab.models import attention

    right = attention.step_backward
    monkeypatch.setattr(attention, "step_backward", lambda *a: 1.01 * right(*a))
    assert main(["gradcheck", "--model", "seq2seq", "--cell", "gru"]) == 1
    assert "FAIL" in capsys.readouterr().out
