"""Learned embeddings of categorical features, concatenated: the input layer of a word model.

A token carries G categorical features (a word id, suffix ids, a shape id, ...); feature g has
its own table ``E_g`` (V_g, d_g), PyTorch's ``nn.Embedding`` layout (row i is id i's vector).
Shapes: ``ids`` (N, T, G) integers, ``x`` (N, T, D) with D = sum_g d_g, ``dx`` like ``x``.

Forward and backward::

    (1)  x[n, t] = [ E_1[ids[n, t, 1]] ; ... ; E_G[ids[n, t, G]] ]     # concatenation, (N, T, D)
    (1') dE_g[i] = sum over counted (n, t) with ids[n, t, g] == i of dx[n, t, D_g]
         D_g: the columns of x that feature g fills; "counted": inside the sequence's length

Row i of ``E_g`` receives the sum of the output gradients of every token whose feature g is i
(a scatter-add, ``np.add.at``); rows no token used get zero. The gradient is the same as
multiplying the one-hot (sparse) input by a (V_g, d_g) weight matrix, without building it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

Array = np.ndarray


class FeatureEmbedding:
    """One table per named feature; ``params`` are ``embed.<name>`` arrays (no copies)."""

    def __init__(
        self,
        names: Sequence[str],
        sizes: Sequence[int],
        dims: Sequence[int],
        rng: np.random.Generator,
        dtype: str = "float64",
    ) -> None:
        if not (len(names) == len(sizes) == len(dims)) or not names:
            raise ValueError("embedding: expected one size and one width per feature name")
        for what, values in (("sizes", sizes), ("dims", dims)):
            if any(int(v) < 1 for v in values):
                raise ValueError(
                    f"embedding {what}: expected positive integers, got {list(values)}"
                )
        self.names = tuple(names)
        # N(0, 1/d_g): each feature's vector has about unit norm whatever its width, so no
        # feature dominates the concatenation at the start.
        self.tables = {
            name: (rng.standard_normal((int(v), int(d))) / np.sqrt(int(d))).astype(dtype)
            for name, v, d in zip(self.names, sizes, dims, strict=True)
        }
        bounds = np.cumsum([0, *(int(d) for d in dims)])
        self.columns = [slice(int(a), int(b)) for a, b in itertools.pairwise(bounds)]

    @property
    def params(self) -> dict[str, Array]:
        return {f"embed.{name}": table for name, table in self.tables.items()}

    @property
    def output_size(self) -> int:
        return self.columns[-1].stop

    def check_ids(self, ids: Array) -> Array:
        ids = np.asarray(ids)
        if ids.ndim != 3 or ids.shape[-1] != len(self.names) or ids.dtype.kind not in "iu":
            raise ValueError(
                f"ids: expected an integer array (N, T, {len(self.names)}), "
                f"got {ids.dtype} {ids.shape}"
            )
        for g, name in enumerate(self.names):
            size = len(self.tables[name])
            if ids.size and (ids[..., g].min() < 0 or ids[..., g].max() >= size):
                raise ValueError(f"ids: feature {name!r} expects ids in [0, {size})")
        return ids

    def forward(self, ids: Array) -> Array:
        """``x`` (N, T, D) for ``ids`` (N, T, G)."""
        ids = self.check_ids(ids)
        parts = [self.tables[name][ids[..., g]] for g, name in enumerate(self.names)]  # (1)
        return np.concatenate(parts, axis=-1)

    def backward(self, dx: Array, ids: Array, counted: Array | None = None) -> dict[str, Array]:
        """Gradients of every table given dL/dx; ``counted`` (N, T) bool leaves padding out."""
        ids = np.asarray(ids)
        if counted is None:
            counted = np.ones(ids.shape[:2], dtype=bool)
        grads = {}
        for g, name in enumerate(self.names):
            table = self.tables[name]
            grad = np.zeros_like(table)
            np.add.at(grad, ids[..., g][counted], dx[..., self.columns[g]][counted])  # (1')
            grads[f"embed.{name}"] = grad
        return grads
