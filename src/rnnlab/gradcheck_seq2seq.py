"""Central finite differences against the encoder-decoder's hand-derived backward pass.

The checked scalar is ``L = softmax_ce(z, tgt_out, tgt_out != 0) + sum(R * z)`` over the
logits z (N, T, V) with a random R: the masked loss the model trains on plus a random
projection of every logit, padded steps included. Every parameter (a random sample of
``max_entries`` entries of the larger arrays) is perturbed; all are random and non-zero. The
source and the target are padded (lengths differ within the batch), so the masked encoder, the
attention's masked softmax and the masked loss are all in the check. A two-layer case runs with
dropout 0.3 and its masks held fixed (the same seeded generator at every evaluation), so the
dropout between the encoder's layers, between the decoder's and before the readout is checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .gradcheck import param_errors
from .losses import softmax_cross_entropy
from .models.seq2seq import Seq2Seq, Seq2SeqSpec

Array = np.ndarray
ATTENTIONS = (None, "dot", "general", "additive")


@dataclass(frozen=True)
class Seq2SeqCase:
    attention: str | None
    bidirectional: bool
    cell: str = "lstm"
    num_layers: int = 1
    dropout: float = 0.0

    @property
    def name(self) -> str:
        return (
            f"seq2seq {self.cell} attention={self.attention or 'none'} layers={self.num_layers} "
            f"encoder dirs={2 if self.bidirectional else 1} padded src+tgt"
            + (f" dropout={self.dropout}" if self.dropout else "")
        )


def seq2seq_cases(cell: str | None = None) -> list[Seq2SeqCase]:
    """Every attention kind with a uni- and a bidirectional encoder (LSTM), plus a two-layer
    LSTM (and one with dropout) and one GRU case (the decoder loop is generic over cells)."""
    if cell not in (None, "lstm", "gru"):
        return []
    cases = []
    if cell in (None, "lstm"):
        cases = [Seq2SeqCase(a, b) for a in ATTENTIONS for b in (False, True)]
        cases.append(Seq2SeqCase("additive", True, num_layers=2))
        cases.append(Seq2SeqCase("general", True, num_layers=2, dropout=0.3))
    if cell in (None, "gru"):
        cases.append(Seq2SeqCase("general", True, cell="gru"))
    return cases


def random_problem(case: Seq2SeqCase, seed: int) -> tuple[Seq2Seq, dict[str, Array]]:
    """A float64 model with random non-zero parameters and a padded batch of 3 pairs."""
    rng = np.random.default_rng(seed)
    hidden = 3
    spec = Seq2SeqSpec(
        src_vocab=6, tgt_vocab=5, embed=2, hidden=hidden,
        decoder_hidden=2 * hidden if case.attention == "dot" and case.bidirectional else 4,
        num_layers=case.num_layers, bidirectional=case.bidirectional,
        attention=case.attention, attention_width=3, cell=case.cell, dtype="float64",
        dropout=case.dropout,
    )  # fmt: skip
    if case.attention == "dot" and not case.bidirectional:
        spec = Seq2SeqSpec(**{**spec.__dict__, "decoder_hidden": hidden})
    model = Seq2Seq(spec, rng)
    for value in model.params.values():
        value[...] = rng.uniform(-0.8, 0.8, size=value.shape)
    src_lengths = np.array([5, 3, 1])
    tgt_lengths = np.array([2, 4, 3])
    src = rng.integers(1, spec.src_vocab, size=(3, 5))
    src[np.arange(5)[None, :] >= src_lengths[:, None]] = 0
    tgt = rng.integers(1, spec.tgt_vocab, size=(3, 4))
    tgt[np.arange(4)[None, :] >= tgt_lengths[:, None]] = 0
    tgt_in = np.concatenate([np.ones((3, 1), int), tgt[:, :-1]], axis=1)
    batch = {"src": src, "src_lengths": src_lengths, "tgt_in": tgt_in, "tgt_out": tgt}
    batch["R"] = rng.standard_normal((3, 4, spec.tgt_vocab))
    batch["mask_seed"] = np.array(seed)
    return model, batch


def _loss(model: Seq2Seq, b: dict[str, Array]) -> tuple[float, Array, object]:
    masks = np.random.default_rng(int(b["mask_seed"]))  # the same dropout masks every time
    logits, cache = model.forward(b["src"], b["src_lengths"], b["tgt_in"], masks)
    value, dlogits = softmax_cross_entropy(logits, b["tgt_out"], b["tgt_out"] != 0)
    return value + float(np.sum(b["R"] * logits)), dlogits + b["R"], cache


def check_seq2seq(
    case: Seq2SeqCase, seed: int = 0, eps: float = 1e-5, max_entries: int = 30
) -> dict[str, float]:
    """Relative error of every parameter's gradient for one case. ``eps`` is 1e-5, not the
    layers' 1e-6: the attention's query weights get gradients near 1e-4 here, and at 1e-6 the
    rounding of a loss near 2 alone makes ~1e-6 of relative error (measured: 3.9e-6 at 1e-6,
    3.7e-7 at 1e-5, 5.9e-8 at 1e-4)."""
    model, batch = random_problem(case, seed)
    _, dlogits, cache = _loss(model, batch)
    grads = model.backward(dlogits, cache)
    rng = np.random.default_rng(seed + 1)
    return param_errors(model.params, grads, lambda: _loss(model, batch)[0], max_entries, eps, rng)
