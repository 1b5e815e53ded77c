"""Array preparation and trace hand-off shared by the fast calls of every cell."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..cells.base import Array, Params, StepCache, row_sum
from .products.outside_loop import gram


def contiguous(a: Array, dtype: np.dtype) -> Array:
    """``a`` as a C-contiguous array of ``dtype`` (no copy when it already is one)."""
    return np.ascontiguousarray(a, dtype=dtype)


def output_grads(dhs: Array, dtype: np.dtype) -> tuple[Array, bool]:
    """(the array a backward kernel reads ``dhs`` (T, N, H) from, whether it is (N, T, H)): the
    batch-first array ``dhs`` is a view of (the layer's ``dy``), read in place, else ``dhs``
    C-contiguous (a transposing copy of a (32, 100, 32) batch took 141 us after a torch step)."""
    base = dhs.transpose(1, 0, 2)
    if base.flags.c_contiguous and base.dtype == dtype and not dhs.flags.c_contiguous:
        return base, True
    return contiguous(dhs, dtype), False


def kernel_mask(mask: Array | None, dtype: np.dtype) -> tuple[Array, bool]:
    """The (T, N, 1) mask for a kernel and whether there is one (a dummy array if not)."""
    if mask is None:
        return _no_mask(np.dtype(dtype)), False
    return contiguous(mask, dtype), True


@lru_cache(maxsize=4)
def _no_mask(dtype: np.dtype) -> Array:
    # Writable, unlike `rnnlab.cells.base.ones`: numba types read-only arrays apart, and a
    # second signature of every kernel would compile again on the first call with a real mask.
    return np.ones((1, 1, 1), dtype)


def hand_trace(trace: list[Array] | None, buffers: list[Array]) -> None:
    """Give the per-step state gradients the kernel wrote to the caller, as the reference does:
    appended to an empty ``trace`` list, or copied into the buffers the caller brought."""
    if trace is None:
        return
    if not trace:
        trace.extend(buffers)
    else:
        for own, new in zip(trace, buffers, strict=True):
            own[...] = new


def recurrent_grads(caches: StepCache, dhp: Array) -> Params:
    """`rnnlab.cells.base.recurrent_grads` (dW_hh = da.T @ h_prev, db_hh = sum da): the product
    by `rnnlab.fast.products.outside_loop.gram`, as W_ih's, the sum by `row_sum`."""
    return {"weight_hh": gram(dhp, caches["h_prev"]), "bias_hh": row_sum(dhp)}
