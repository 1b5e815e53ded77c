"""The kernels' arguments from Python: contiguous arrays, the mask, the trace buffers.

Shared by the cells' entries (`rnnlab.fast.lstm`, `rnnlab.fast.gru`, `rnnlab.fast.rnn`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..cells.base import Array


def contiguous(a: Array, dtype: np.dtype) -> Array:
    """``a`` as a C-contiguous array of ``dtype`` (no copy when it already is one)."""
    return np.ascontiguousarray(a, dtype=dtype)


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


def trace_buffer(trace: list[Array] | None, shape: tuple[int, ...], dtype: np.dtype) -> Array:
    """Where a kernel writes the per-step gradient of h: (T, N, H), or empty if unwanted."""
    return np.empty((0, 0, 0), dtype) if trace is None else np.empty(shape, dtype)


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
