"""Central finite differences for the tagger: feature embeddings + recurrent stack + readout.

The checked scalar is ``L = sum(R * z)``, a random projection of every tag score, padding
included, so the embedding's scatter-add, the stack's input gradient and the readout are all
exercised with an upstream gradient no plain sum would give. Parameters (biases too) are random
and non-zero; sentences have different lengths, and ids repeat (two tokens sharing a row must
add their gradients). Every entry of every table and weight is perturbed (or a random sample
of ``max_entries`` for larger arrays).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .gradcheck import param_errors
from .models.embedding import FeatureEmbedding
from .models.sequence import make_model
from .models.spec import build_layer
from .models.tagger import Tagger


@dataclass(frozen=True)
class TaggerCase:
    cell: str
    bidirectional: bool
    num_layers: int = 1

    @property
    def name(self) -> str:
        return (
            f"tagger {self.cell} layers={self.num_layers} "
            f"dirs={2 if self.bidirectional else 1} lengths=yes (embedding + stack + readout)"
        )


TAGGER_CASES = (
    TaggerCase("lstm", True),
    TaggerCase("lstm", False),
    TaggerCase("gru", True),
    TaggerCase("rnn", True),
    TaggerCase("lstm", True, num_layers=2),
)


def random_tagger(
    case: TaggerCase, seed: int, sizes=(5, 4), dims=(2, 1), hidden: int = 3, tags: int = 4
) -> Tagger:
    """A float64 tagger for ``case`` with every parameter random and non-zero."""
    rng = np.random.default_rng(seed)
    embedding = FeatureEmbedding(("word", "suffix"), sizes, dims, rng)
    layer = build_layer(
        case.cell, embedding.output_size, hidden, case.num_layers, case.bidirectional
    )
    tagger = Tagger(embedding, make_model(layer, tags, "many_to_many", "softmax_ce", rng))
    for value in tagger.params.values():
        value[...] = rng.uniform(-0.8, 0.8, size=value.shape)
    return tagger


def check_tagger(
    case: TaggerCase, seed: int = 0, eps: float = 1e-6, max_entries: int = 40
) -> dict[str, float]:
    """Relative error of every parameter's gradient for one case."""
    tagger = random_tagger(case, seed)
    rng = np.random.default_rng(seed + 1)
    lengths = np.array([5, 3, 1])
    sizes = [len(t) for t in tagger.embedding.tables.values()]
    ids = np.stack([rng.integers(0, v, size=(3, 5)) for v in sizes], axis=-1)
    z, cache = tagger.forward(ids, lengths)
    R = rng.standard_normal(z.shape)
    grads = tagger.backward(R, cache)

    def loss() -> float:
        return float(np.sum(R * tagger.forward(ids, lengths)[0]))

    return param_errors(tagger.params, grads, loss, max_entries, eps, rng)
