"""Keep freed memory in the process instead of handing it back to the OS after every call.

A training step allocates and frees a few arrays of megabytes (input projection, caches,
gradients). glibc serves such blocks with fresh ``mmap``-ed pages or trims them from the heap
top on ``free``, so every step touches them anew: on the virtual machines this was measured on, a
page fault costs about 4 us, 1568 faults per step of a small LSTM (6 MB), 6 ms against the 1.5 ms of
compute. Fixing the mmap threshold at its maximum (32 MiB) and raising the trim threshold keeps
those blocks in the heap for reuse. It only changes when memory is returned, not how much is
used at the peak. Set ``RNNLAB_MALLOPT=0`` to leave the allocator alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import os
import sys

import numpy as np

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_MAX_THRESHOLD = 32 * 1024 * 1024  # glibc's upper limit on 64-bit
_TRIM_THRESHOLD = 1024 * 1024 * 1024


def keep_freed_memory() -> bool:
    """Tune glibc's malloc as described above; returns whether it was done."""
    if os.environ.get("RNNLAB_MALLOPT", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    ok = mallopt(_M_MMAP_THRESHOLD, _MMAP_MAX_THRESHOLD) == 1
    return mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD) == 1 and ok


# -- blocks above the mmap threshold ------------------------------------------------------------
# glibc maps those anew on every call whatever the thresholds (the caches of an LSTM at batch 128,
# time 200, hidden 128 are 105 MB: measured, their first touch made the forward call 126 ms
# instead of 92). The fast path takes such arrays from this pool instead: a block is handed out
# again only when nothing but the pool refers to it (every view of a block holds the block), so
# a caller keeping a cache never sees it overwritten. Turning mmap off in malloc would do the same
# for every library in the process, torch included, which is not ours to change.
POOL_MIN_BYTES = _MMAP_MAX_THRESHOLD
POOL_MAX_BLOCKS = 8
_pool: list[np.ndarray] = []


def empty(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """``np.empty(shape, dtype)``, from the pool above when it is that large."""
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < POOL_MIN_BYTES or os.environ.get("RNNLAB_MALLOPT", "1") == "0":
        return np.empty(shape, dtype)
    block = _free_block(nbytes)
    if block is None:
        block = np.empty(nbytes, np.uint8)
        if len(_pool) >= POOL_MAX_BLOCKS:
            _pool.pop(0)  # forgotten: freed as usual once its last view goes
        _pool.append(block)
    return block[:nbytes].view(dtype).reshape(shape)


def _free_block(nbytes: int) -> np.ndarray | None:
    """A pooled block of at least ``nbytes`` (and at most twice that) nobody else refers to."""
    for k in range(len(_pool)):  # (not enumerate: its reused result tuple holds the block)
        block = _pool[k]
        # References: the pool's list, ``block`` here, getrefcount's argument; any view adds one.
        if nbytes <= block.nbytes <= 2 * nbytes and sys.getrefcount(block) == 3:
            _pool.append(_pool.pop(k))  # most recently used last
            return block
    return None
