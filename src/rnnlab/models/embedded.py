"""A recurrent model that reads token ids through a learned embedding: ``--embed E`` of the
character language model and of the sentiment model (one-hot input is their default).

Shapes: N batch, T steps, V the vocabulary (its unknown symbol included), E the embedding
width, O outputs. ``ids`` (N, T) integers in [0, V); the table ``embed.char`` C (V, E) in
PyTorch's ``nn.Embedding`` layout (row v is id v's vector); ``lengths`` (N,) or None (all T).

Forward and backward (``dout`` = dL/d out from the model's loss)::

    (1)  x[n, t] = C[ids[n, t]]                 # (N, T, E)  `rnnlab.models.embedding`, eq. (1)
    (2)  out = model(x)                         # (N, T, O) | (N, O)  `SequenceModel`, (1)-(3)
    (2') the stack's and readout's gradients, and dx (N, T, E)  (`backward_with_input`)
    (1') dC[v] = sum over (n, t < len_n) with ids[n, t] == v of dx[n, t]     # embedding (1')

One-hot input is the case C = I (V = E) held fixed: layer 0's ``W_ih`` (G*H, V) then holds
one learned column per character. An embedding factors that matrix into ``W_ih`` (G*H, E)
times ``C.T``: rank E, and (G*H + V) * E weights instead of G*H * V.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..layers import PublicState
from ..tasks.base import Batch, valid_steps
from .embedding import FeatureEmbedding
from .sequence import ModelCache, SequenceModel, copy_params

Array = np.ndarray
FEATURE = "char"  # the one feature: the parameter is ``embed.char``


@dataclass
class EmbeddedCache:
    ids: Array  # (N, T, 1)
    counted: Array  # (N, T) bool: inside each sequence's length
    model: ModelCache

    @property
    def final_state(self) -> PublicState:
        return self.model.final_state


def one_hot(ids: Array, size: int, dtype: str) -> Array:
    """(..., size) one-hot rows of ``ids``."""
    out = np.zeros((*ids.shape, size), dtype=dtype)
    np.put_along_axis(out, ids[..., None], 1, axis=-1)
    return out


def char_embedding(
    vocab_size: int, width: int, rng: np.random.Generator, dtype: str
) -> FeatureEmbedding:
    """The (V, E) table of one token feature, drawn as `FeatureEmbedding` draws it."""
    return FeatureEmbedding((FEATURE,), (vocab_size,), (width,), rng, dtype)


class EmbeddingBelow:
    """An embedding below a `SequenceModel`, their parameters side by side (``embed.*`` then
    the model's): what `EmbeddedModel` and the tagger (`rnnlab.models.tagger`) share."""

    def __init__(self, embedding: FeatureEmbedding, model: SequenceModel) -> None:
        if model.layer.input_size != embedding.output_size:
            raise ValueError(
                f"model: the layer reads {model.layer.input_size} inputs, the embedding "
                f"gives {embedding.output_size}"
            )
        self.embedding = embedding
        self.model = model

    @property
    def params(self) -> dict[str, Array]:
        return {**self.embedding.params, **self.model.params}

    @property
    def num_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def load_params(self, values: dict[str, Array]) -> None:
        """Copy ``values`` into the parameter arrays in place (names and shapes must match)."""
        copy_params(self.params, values)


class EmbeddedModel(EmbeddingBelow):
    """``embedding`` (one feature) then ``model``; reads ids (N, T) where the model reads x."""

    def __init__(self, embedding: FeatureEmbedding, model: SequenceModel) -> None:
        if embedding.names != (FEATURE,):
            raise ValueError(f"embedding: expected the one feature {FEATURE!r}")
        super().__init__(embedding, model)

    # -- what a `SequenceModel` exposes, for the code that trains, saves and reads it ----------

    @property
    def layer(self) -> Any:
        return self.model.layer

    @property
    def output_kind(self) -> str:
        return self.model.output_kind

    @property
    def vocab_size(self) -> int:
        return len(self.embedding.tables[FEATURE])

    # -- forward and backward ------------------------------------------------------------------

    def forward(
        self,
        ids: Array,
        lengths: Array | None = None,
        state: PublicState | None = None,
        *,
        tbptt: int | None = None,
        rng: np.random.Generator | None = None,
    ) -> tuple[Array, EmbeddedCache]:
        """The model's output for ``ids`` (N, T); ``state`` and ``tbptt`` as the model's."""
        ids = np.asarray(ids)
        if ids.ndim != 2:
            raise ValueError(f"ids: expected an integer array (N, T), got shape {ids.shape}")
        ids = ids[..., None]  # one feature
        x = self.embedding.forward(ids)  # (1)
        out, cache = self.model.forward(x, lengths, state, tbptt=tbptt, rng=rng)  # (2)
        T = ids.shape[1]
        counted = np.ones(ids.shape[:2], bool) if lengths is None else valid_steps(lengths, T)
        return out, EmbeddedCache(ids, counted, cache)

    def backward(self, dout: Array, cache: EmbeddedCache) -> dict[str, Array]:
        grads, dx = self.model.backward_with_input(dout, cache.model)  # (2')
        return {**self.embedding.backward(dx, cache.ids, cache.counted), **grads}  # (1')

    def loss_and_grads(
        self, batch: Batch, *, tbptt: int | None = None, rng: np.random.Generator | None = None
    ) -> tuple[float, dict[str, Array], dict[str, Any]]:
        """`SequenceModel.loss_and_grads` with ``batch.x`` the ids (N, T)."""
        output, cache = self.forward(batch.x, batch.lengths, tbptt=tbptt, rng=rng)
        value, dout = self.model.loss(output, batch)
        return value, self.backward(dout, cache), {"output": output, "cache": cache}

    def predict(self, ids: Array, lengths: Array | None = None, chunk: int = 512) -> Array:
        """`SequenceModel.predict` of the embedded ids (dropout off)."""
        x = self.embedding.forward(np.asarray(ids)[..., None])  # (1)
        return self.model.predict(x, lengths, chunk)

    def __repr__(self) -> str:
        return f"EmbeddedModel(vocab={self.vocab_size}, embed={self.embedding.output_size}, " \
            f"{self.model!r})"


def token_input(model: SequenceModel | EmbeddedModel, ids: Array) -> Array:
    """What ``model.forward`` reads for token ``ids`` (N, T): the ids themselves for an
    `EmbeddedModel`, their one-hot rows (N, T, V) for a plain `SequenceModel`."""
    if isinstance(model, EmbeddedModel):
        return np.asarray(ids)
    return one_hot(np.asarray(ids), model.layer.input_size, model.layer.dtype)


def stack_and_input(
    model: SequenceModel | EmbeddedModel, ids: Array
) -> tuple[SequenceModel, Array]:
    """The recurrent stack with its readout and the (N, T, D) array it reads for ``ids``
    (for code that looks inside the stack's cache, e.g. `rnnlab.data.units`)."""
    if isinstance(model, EmbeddedModel):
        return model.model, model.embedding.forward(np.asarray(ids)[..., None])
    return model, token_input(model, ids)
