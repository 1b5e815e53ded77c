"""Threads: batch rows split across a small pool, and the thread counts of the BLAS libraries.

Batch rows are independent through the whole recurrence, forward and backward, so each thread
runs the complete compiled time loop on its own slice of rows with no synchronisation per step
(the kernels release the GIL). The split pays only when each slice still fills the per-step
matrix products, so small batches stay on one thread.

The kernels' matrix products run in scipy's OpenBLAS (numba calls BLAS through
``scipy.linalg.cython_blas``), the products outside the loop in NumPy's; the two are separate
libraries with separate thread counts. `set_num_threads` sets both through OpenBLAS's own C
entry points (what threadpoolctl does, without the dependency); inside the pool each worker
pins its BLAS calls to one thread with OpenBLAS's thread-local setting, so two slices never
fight over the same cores.
"""

from __future__ import annotations

import ctypes
import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numba

MIN_ROWS_PER_THREAD = 16  # below this a slice's per-step products are too thin to pay

_state: dict[str, object] = {"threads": None, "pool": None, "libs": None}


def _openblas_libs() -> list[ctypes.CDLL]:
    """The OpenBLAS libraries loaded in this process (NumPy's and scipy's), Linux only."""
    libs = _state.get("libs")
    if libs:  # both are loaded by the time threads are set (set_num_threads imports scipy's)
        return libs  # type: ignore[return-value]
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return []
    libs = [ctypes.CDLL(path) for path in sorted(paths) if os.path.exists(path)]
    if len(libs) >= 2:
        _state["libs"] = libs
    return libs


def _symbol(lib: ctypes.CDLL, names: tuple[str, ...]):
    for name in names:
        fn = getattr(lib, name, None)
        if fn is not None:
            return fn
    return None


_SET_GLOBAL = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)


def _set_blas_threads(n: int, local: bool = False) -> None:
    names = ("openblas_set_num_threads_local",) if local else _SET_GLOBAL
    for lib in _openblas_libs():
        fn = _symbol(lib, names)
        if fn is not None:
            fn(ctypes.c_int(n))


def num_threads() -> int:
    """Threads the fast path uses: `set_num_threads`, else numba's setting."""
    n = _state["threads"]
    return int(n) if n is not None else numba.get_num_threads()


def set_num_threads(n: int) -> None:
    """Use ``n`` threads: batch slices of the compiled loop and both BLAS libraries."""
    if n < 1:
        raise ValueError(f"threads: expected a positive integer, got {n!r}")
    import scipy.linalg.cython_blas  # noqa: F401  (load scipy's OpenBLAS before limiting it)

    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    _set_blas_threads(n)
    _state["threads"] = n
    pool = _state["pool"]
    if pool is not None:
        pool.shutdown()
        _state["pool"] = None


def _pool(n: int) -> ThreadPoolExecutor:
    pool = _state["pool"]
    if pool is None or pool._max_workers != n:  # type: ignore[attr-defined]
        if pool is not None:
            pool.shutdown()
        pool = ThreadPoolExecutor(
            n, "rnnlab-fast", initializer=_set_blas_threads, initargs=(1, True)
        )
        _state["pool"] = pool
    return pool  # type: ignore[return-value]


def _sliced(kernel: Callable[[int, int], None], n0: int, n1: int) -> None:
    # Every call, not once per worker: the restore below resets the count these workers see.
    _set_blas_threads(1, local=True)
    kernel(n0, n1)


def run_rows(kernel: Callable[[int, int], None], rows: int) -> None:
    """Call ``kernel(n0, n1)`` on slices of ``range(rows)``, one per thread when it pays."""
    n = min(num_threads(), rows // MIN_ROWS_PER_THREAD)
    if n <= 1:
        kernel(0, rows)
        return
    bounds = [rows * k // n for k in range(n + 1)]
    futures = [_pool(n).submit(_sliced, kernel, lo, hi) for lo, hi in itertools.pairwise(bounds)]
    try:
        for future in futures:
            future.result()
    finally:
        # OpenBLAS 0.3.30/0.3.31's openblas_set_num_threads_local also sets the global count:
        # without this, after the first pooled call every NumPy product outside the loop (input
        # projection, weight gradients) ran on one thread in a 2-thread run.
        _set_blas_threads(num_threads())
