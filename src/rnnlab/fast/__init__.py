"""The compiled fast path (Numba): whole time loops, forward and backward, in one call each.

Import `AVAILABLE` to know whether it can run: it needs numba and scipy (numba's ``np.dot``
calls BLAS through ``scipy.linalg.cython_blas``), the ``fast`` extra. Without them
`rnnlab.backend` runs the NumPy reference instead. Kernels are cached on disk (numba's
``cache=True``), so only the first process on a machine pays the compilation.
"""

from __future__ import annotations

try:
    import numba  # noqa: F401
    import scipy.linalg.cython_blas  # noqa: F401
except ImportError:  # pragma: no cover - depends on the installation
    AVAILABLE = False
else:
    AVAILABLE = True

if AVAILABLE:
    from .lstm import backprop, decode, encode, supports, unroll, weight_grads
    from .memory import keep_freed_memory
    from .products import outside_loop
    from .threads import num_threads, set_num_threads

    keep_freed_memory()

__all__ = [
    "AVAILABLE",
    "backprop",
    "decode",
    "encode",
    "num_threads",
    "outside_loop",
    "set_num_threads",
    "supports",
    "unroll",
    "weight_grads",
]
