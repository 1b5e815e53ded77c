"""The ``seq2seq`` kind: spelling to sound (CMUdict) learnt by the encoder-decoder.

`rnnlab.training.train_run` drives it (the `Problem` protocol, docs/data.md). Batches: each
epoch is a permutation of the training pairs drawn from ``(seed, epoch)``, cut into pools of 32
batches; a pool is sorted by length and cut into batches, and the batches are shuffled. Similar
lengths share a batch, so the decoder's step loop runs fewer padded steps (the sort saves about
40 % of them), and update ``step`` reads batch ``step % batches`` of epoch ``step // batches``:
nothing to carry, and ``--resume`` continues with the same batches. An evaluation decodes every
validation and held-out word (greedy, or beam search with ``beam`` > 1) and scores PER and WER
(`rnnlab.data.g2p`); its loss is the teacher-forced cross-entropy per phoneme on validation.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from ..models.beam import beam_search, greedy
from ..models.seq2seq import Seq2Seq, Seq2SeqSpec
from .cmudict import BOS, EOS, G2PVocab, Lexicon
from .g2p import g2p_scores

if TYPE_CHECKING:
    from ..training.config import TrainConfig
    from ..training.loop import TrainState

POOL = 32  # batches per length-sorted pool
EVAL_CHUNK = 500  # words per decoding call


def evenly_spaced(words: list[str], count: int) -> list[str]:
    """``count`` words spread evenly through ``words`` (all of them when count is 0)."""
    if not count or count >= len(words):
        return words
    return [words[i] for i in np.linspace(0, len(words) - 1, count).round().astype(int)]


class G2PProblem:
    """Train on every (word, pronunciation) pair of the training words; score on the others."""

    timed = True

    def __init__(self, dataset: Any, lexicon: Lexicon, parts: dict[str, list[str]], seed: int):
        self.dataset = dataset
        self.lexicon, self.parts, self.seed = lexicon, parts, seed
        self.vocab = G2PVocab.from_lexicon(lexicon, parts["train"])
        self.pairs = [(w, p) for w in parts["train"] for p in lexicon[w]]
        self.label = f"cmudict g2p attention={dataset.attention}"
        self._epoch: tuple[int, list[np.ndarray]] | None = None

    def build_model(self, config: TrainConfig, rng: np.random.Generator) -> Seq2Seq:
        spec = Seq2SeqSpec(
            src_vocab=self.vocab.src_size,
            tgt_vocab=self.vocab.tgt_size,
            embed=self.dataset.embed,
            hidden=config.hidden,
            num_layers=config.num_layers,
            bidirectional=config.bidirectional,
            attention=self.dataset.attention,
            cell=config.cell,
            dtype=config.dtype,
            dropout=config.dropout,
        )
        return Seq2Seq(spec, rng)

    # -- training ------------------------------------------------------------------------------

    def _batches(self, epoch: int, size: int) -> list[np.ndarray]:
        """The pair indices of every batch of ``epoch`` (see the module docstring)."""
        if self._epoch is not None and self._epoch[0] == epoch:
            return self._epoch[1]
        rng = np.random.default_rng([self.seed, epoch])
        order = rng.permutation(len(self.pairs))
        batches = []
        for start in range(0, len(order), size * POOL):
            pool = order[start : start + size * POOL]
            keys = [(len(self.pairs[i][1]), len(self.pairs[i][0])) for i in pool]
            pool = pool[sorted(range(len(pool)), key=keys.__getitem__)]
            batches += [pool[k : k + size] for k in range(0, len(pool), size)]
        batches = [batches[i] for i in rng.permutation(len(batches))]
        self._epoch = (epoch, batches)
        return batches

    def arrays(self, indices: np.ndarray) -> tuple[np.ndarray, ...]:
        """(src, src_lengths, tgt_in, tgt_out) of the training pairs at ``indices``."""
        src, lengths = self.vocab.encode_words([self.pairs[i][0] for i in indices])
        tgt_in, tgt_out = self.vocab.encode_targets([self.pairs[i][1] for i in indices])
        return src, lengths, tgt_in, tgt_out

    def loss_and_grads(
        self, model: Seq2Seq, config: TrainConfig, state: TrainState
    ) -> tuple[float, dict[str, np.ndarray]]:
        per_epoch = -(-len(self.pairs) // config.batch)
        batches = self._batches(state.step // per_epoch, config.batch)
        arrays = self.arrays(batches[state.step % per_epoch])
        loss, grads, _ = model.loss_and_grads(*arrays, rng=state.train_rng)  # dropout masks
        return loss, grads

    # -- evaluation ----------------------------------------------------------------------------

    def predict(self, model: Seq2Seq, words: list[str]) -> list[tuple[str, ...]]:
        """The phonemes of each word (checked against the training alphabet)."""
        words = [self.vocab.check_word(w) for w in words]
        out: list[tuple[str, ...]] = []
        for start in range(0, len(words), EVAL_CHUNK):
            src, lengths = self.vocab.encode_words(words[start : start + EVAL_CHUNK])
            opts = dict(bos=BOS, eos=EOS, max_len=2 * src.shape[1] + 5, alpha=self.dataset.alpha)
            if self.dataset.beam > 1:
                hyps = beam_search(model, src, lengths, width=self.dataset.beam, **opts)
            else:
                hyps = greedy(model, src, lengths, **opts)
            out += [self.vocab.decode(t) for t in hyps.tokens]
        return out

    def eval_words(self, part: str) -> list[str]:
        """The words of ``part`` an evaluation scores: all, or ``eval_words`` of them evenly
        spaced through the sorted list (its first ones would all begin with a)."""
        return evenly_spaced(self.parts[part], self.dataset.eval_words)

    def score(self, model: Seq2Seq, part: str) -> dict[str, float]:
        """PER and WER in % on the evaluated words of ``part``."""
        words = self.eval_words(part)
        scores = g2p_scores(self.predict(model, words), [self.lexicon[w] for w in words])
        return {k: 100.0 * v for k, v in scores.items()}

    def valid_loss(self, model: Seq2Seq) -> float:
        """Teacher-forced cross-entropy per phoneme (EOS included) on the validation pairs."""
        pairs = [(w, p) for w in self.eval_words("valid") for p in self.lexicon[w]]
        total = count = 0.0
        for start in range(0, len(pairs), EVAL_CHUNK):
            chunk = pairs[start : start + EVAL_CHUNK]
            src, lengths = self.vocab.encode_words([w for w, _ in chunk])
            tgt_in, tgt_out = self.vocab.encode_targets([p for _, p in chunk])
            value = model.loss(src, lengths, tgt_in, tgt_out)
            n = int(np.sum(tgt_out != 0))
            total, count = total + value * n, count + n
        return total / count

    def evaluate(self, model: Seq2Seq, state: TrainState) -> dict[str, float]:
        valid, heldout = self.score(model, "valid"), self.score(model, "test")
        return {
            "loss": self.valid_loss(model),
            "metric": valid["wer"],
            "per": valid["per"],
            "heldout_wer": heldout["wer"],
            "heldout_per": heldout["per"],
        }

    def solved(self, metrics: dict[str, float]) -> bool:
        return False

    def result_fields(self) -> dict[str, Any]:
        return {
            "metric_info": self.dataset.metric.as_dict(),
            "baselines": self.dataset.baseline_figures(),
        }

    def run_files(self) -> dict[str, str]:
        vocab = {"letters": list(self.vocab.letters), "phonemes": list(self.vocab.phonemes)}
        return {"vocabulary.json": json.dumps(vocab) + "\n"}
