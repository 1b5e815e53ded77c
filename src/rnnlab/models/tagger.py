"""A sequence tagger: feature embeddings, a recurrent stack, one tag per token.

Many-to-many and aligned: token t of a sentence gets tag t. Shapes: N sentences, T steps (the
longest sentence of the batch; shorter ones right-padded), G features per token, D = the
embedding's width, K = directions * H, C tags.

Forward and backward (the loss is softmax cross-entropy over the tokens inside each sentence's
length, `rnnlab.losses.softmax_cross_entropy`)::

    (1) x = embed(ids)                       # (N, T, D)   `rnnlab.models.embedding`, eq. (1)
    (2) z = readout(layer(x))                # (N, T, C)   `rnnlab.models.sequence`, (1)-(3)
    (3) L = (1/n) sum_{t < len_n} CE(z[n, t], tag[n, t])   n = number of counted tokens
    (3') dz = (softmax(z) - onehot(tag)) / n at counted tokens, 0 at padding
    (2') grads of layer and readout, and dx  (`SequenceModel.backward_with_input`)
    (1') grads of the embedding tables from dx (scatter-add, embedding eq. (1'))

A bidirectional layer (the default) reads each sentence forward and backward, so a token's tag
depends on its whole sentence; a padded step never reaches a valid one in either direction
(the layer's masks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..losses import softmax_cross_entropy
from ..tasks.base import valid_steps
from .embedded import EmbeddingBelow
from .embedding import FeatureEmbedding
from .sequence import ModelCache, SequenceModel

Array = np.ndarray


@dataclass
class TaggerCache:
    ids: Array
    counted: Array  # (N, T) bool: inside each sentence's length
    model: ModelCache


class Tagger(EmbeddingBelow):
    """``embedding`` then ``model`` (a many-to-many `SequenceModel` with a ``softmax_ce`` loss)."""

    def __init__(self, embedding: FeatureEmbedding, model: SequenceModel) -> None:
        if model.output_kind != "many_to_many" or model.loss_name != "softmax_ce":
            raise ValueError("model: a tagger needs a many_to_many model with the softmax_ce loss")
        super().__init__(embedding, model)

    @property
    def num_tags(self) -> int:
        return self.model.output_size

    def forward(
        self, ids: Array, lengths: Array, rng: np.random.Generator | None = None
    ) -> tuple[Array, TaggerCache]:
        """Tag scores ``z`` (N, T, C) for ``ids`` (N, T, G) of sentences of ``lengths``."""
        x = self.embedding.forward(ids)  # (1)
        z, cache = self.model.forward(x, lengths, rng=rng)  # (2)
        counted = valid_steps(np.asarray(lengths), ids.shape[1])
        return z, TaggerCache(np.asarray(ids), counted, cache)

    def backward(self, dz: Array, cache: TaggerCache) -> dict[str, Array]:
        grads, dx = self.model.backward_with_input(dz, cache.model)  # (2')
        return {**self.embedding.backward(dx, cache.ids, cache.counted), **grads}  # (1')

    def loss_and_grads(
        self,
        ids: Array,
        tags: Array,
        lengths: Array,
        rng: np.random.Generator | None = None,
    ) -> tuple[float, dict[str, Array], dict[str, Any]]:
        """(mean cross-entropy over the counted tokens, gradients by name, aux with ``z``)."""
        z, cache = self.forward(ids, lengths, rng)
        value, dz = softmax_cross_entropy(z, tags, cache.counted)  # (3), (3')
        return value, self.backward(dz, cache), {"z": z}

    def scores(self, ids: Array, lengths: Array) -> Array:
        """The tag scores ``z`` (N, T, C) with dropout off (evaluation)."""
        was_training = self.model.layer.training
        self.model.layer.eval()
        try:
            z, _ = self.model.forward(self.embedding.forward(ids), lengths)
        finally:
            self.model.layer.train(was_training)
        return z

    def predict(self, ids: Array, lengths: Array) -> Array:
        """The best tag id of every token (N, T), dropout off; padding positions hold -1."""
        best = np.argmax(self.scores(ids, lengths), axis=-1)
        return np.where(valid_steps(np.asarray(lengths), ids.shape[1]), best, -1)
