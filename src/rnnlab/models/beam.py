"""Decoding an encoder-decoder: greedy and beam search, batched over the source sequences.

Both run the decoder's one `seq2seq_decoder.step` from BOS until EOS or ``max_len`` steps. A
hypothesis y_1..y_n (EOS included when it ended) has the log-probability
``raw = sum_t log p(y_t | y_<t, x)`` and the length-normalised score

    score = raw / n ** alpha        (alpha = 0: plain log-probability; 1: per-token mean)

Greedy takes the most likely token at every step. Beam search (width B) keeps, per source, the
B best live prefixes by raw log-probability: each step it extends them by every token and keeps
the B best extensions; those ending in EOS leave the beam for the finished pool, so the beam
narrows as hypotheses finish (with B = 1 this is greedy decoding, step for step). A source is
done when nothing is live, or when no live prefix can still beat its best finished score: raw
only falls as tokens are added, so a live prefix's score can rise at most to
``raw / max_len ** alpha``. The answer is the finished hypothesis with the best score.

Beam search can prune the greedy path (a sibling whose next-token distribution is sharper can
push it out of the beam), so by itself it may end below greedy; `beam_search` therefore also
runs greedy and returns greedy's hypothesis where it scores higher, so it is never worse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..losses import log_softmax
from . import attention
from . import seq2seq_decoder as decoder
from .seq2seq import Seq2Seq

Array = np.ndarray


@dataclass
class Hypotheses:
    """Decoded sequences (token ids, EOS dropped), their raw log-probabilities and scores."""

    tokens: list[list[int]]
    raw: Array  # (N,)
    scores: Array  # (N,)


def _score(raw: Array, length: Array, alpha: float) -> Array:
    return raw / np.maximum(length, 1) ** alpha


def _rows(mem: attention.Memory | None, states: list, rows: Array):
    """The memory and decoder states of the given batch rows (for beams of one source)."""
    picked = [tuple(part[rows] for part in state) for state in states]
    if mem is None:
        return None, picked
    return attention.Memory(mem.M[rows], mem.keys[rows], mem.valid[rows]), picked


class _Stepper:
    """One decoder step from token ids to next-token log-probabilities (dropout has no part)."""

    def __init__(self, model: Seq2Seq, src: Array, src_lengths: Array) -> None:
        self.model = model
        self.mem, self.states, _, _ = model.encode(src, src_lengths, need_cache=False)
        n = len(src_lengths)
        H = model.decoder.layer.hidden_size
        dtype = model.params["readout.bias"].dtype
        self.feed = None if model.kind is None else np.zeros((n, H), dtype)
        self.wf = None if model.kind is None else model.decoder.feed_weight()

    def expand(self, rows: Array) -> None:
        self.mem, self.states = _rows(self.mem, self.states, rows)
        if self.feed is not None:
            self.feed = self.feed[rows]

    def reorder(self, rows: Array) -> None:
        self.states = [tuple(part[rows] for part in state) for state in self.states]
        if self.feed is not None:
            self.feed = self.feed[rows]

    def __call__(self, tokens: Array) -> Array:
        model = self.model
        xe = model.decoder.project_tokens(model.params["tgt_embed"][tokens])
        ht, self.states, _, _, _ = decoder.step(
            model.decoder, self.mem, xe, self.states, self.feed, self.wf
        )
        if self.feed is not None:
            self.feed = ht
        return log_softmax(model.readout(ht))


def greedy(
    model: Seq2Seq, src: Array, src_lengths: Array, *, bos: int, eos: int, max_len: int,
    alpha: float = 1.0,
) -> Hypotheses:  # fmt: skip
    """The most likely token at every step, for every source row at once."""
    step = _Stepper(model, src, src_lengths)
    N = len(src_lengths)
    tokens = np.full(N, bos)
    raw, length = np.zeros(N), np.zeros(N, int)
    done = np.zeros(N, bool)
    out = []
    for _ in range(max_len):
        logp = step(tokens)
        tokens = logp.argmax(axis=1)
        raw += np.where(done, 0.0, logp[np.arange(N), tokens])
        length += ~done
        out.append(np.where(done, eos, tokens))
        done |= tokens == eos
        if done.all():
            break
    seqs = np.stack(out, axis=1)
    return Hypotheses(
        [[int(v) for v in row[: n] if v != eos] for row, n in zip(seqs, length, strict=True)],
        raw, _score(raw, length, alpha),
    )  # fmt: skip


def _beam_search(model, src, src_lengths, width, bos, eos, max_len, alpha) -> Hypotheses:
    step = _Stepper(model, src, src_lengths)
    N, B = len(src_lengths), width
    step.expand(np.repeat(np.arange(N), B))
    raw = np.full((N, B), -np.inf)
    raw[:, 0] = 0.0  # one live prefix (BOS) per source to start
    prefixes = np.full((N, B, 0), bos)
    best = np.full(N, -np.inf)
    best_raw = np.full(N, -np.inf)
    best_tokens: list[list[int]] = [[] for _ in range(N)]
    tokens = np.full(N * B, bos)
    for t in range(max_len):
        logp = step(tokens).reshape(N, B, -1)
        V = logp.shape[2]
        cand = (raw[:, :, None] + logp).reshape(N, B * V)
        top = np.argpartition(-cand, B - 1, axis=1)[:, :B]  # the B best extensions
        top_raw = np.take_along_axis(cand, top, axis=1)
        parent, token = top // V, top % V
        ended = (token == eos) | (t == max_len - 1)
        for n, b in zip(*np.nonzero(ended & np.isfinite(top_raw)), strict=True):
            n_tokens = t + 1
            score = float(_score(top_raw[n, b], n_tokens, alpha))
            if score > best[n]:
                seq = [*prefixes[n, parent[n, b]].tolist(), int(token[n, b])]
                best[n], best_raw[n] = score, top_raw[n, b]
                best_tokens[n] = [v for v in seq if v != eos]
        raw = np.where(ended, -np.inf, top_raw)  # finished ones leave the beam
        prefixes = np.concatenate(
            [np.take_along_axis(prefixes, parent[:, :, None], axis=1), token[:, :, None]], axis=2
        )
        bound = np.max(raw, axis=1) / max_len**alpha  # the best a live prefix can still score
        if np.all(~np.isfinite(bound) | (best >= bound)):
            break
        step.reorder((np.arange(N)[:, None] * B + parent).reshape(-1))
        tokens = token.reshape(-1)
    return Hypotheses(best_tokens, best_raw, best)


def beam_search(
    model: Seq2Seq, src: Array, src_lengths: Array, *, width: int, bos: int, eos: int,
    max_len: int, alpha: float = 1.0,
) -> Hypotheses:  # fmt: skip
    """Beam search of ``width``, never worse than greedy (see the module docstring)."""
    if isinstance(width, bool) or not isinstance(width, int | np.integer) or width < 1:
        raise ValueError(f"beam: expected a width >= 1, got {width!r}")
    beam = _beam_search(model, src, src_lengths, int(width), bos, eos, max_len, alpha)
    first = greedy(model, src, src_lengths, bos=bos, eos=eos, max_len=max_len, alpha=alpha)
    better = first.scores > beam.scores
    tokens = [g if b else h for g, h, b in zip(first.tokens, beam.tokens, better, strict=True)]
    return Hypotheses(
        tokens, np.where(better, first.raw, beam.raw), np.where(better, first.scores, beam.scores)
    )
