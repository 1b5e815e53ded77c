"""Which implementation of the time loop the layers run.

The readable NumPy loop in `rnnlab.bptt` is the reference. The compiled loop of `rnnlab.fast`
(Numba) is the default when numba and scipy are installed (``pip install rnnlab[fast]``) and
returns exactly what the reference returns (to rounding: 1e-12 relative in float64, 1e-5 in
float32). Without numba the reference runs, silently: the results are the same, only slower.

Choose with the environment variable ``RNNLAB_BACKEND=reference|fast`` (read at import) or at
run time with `use`; `current` names the one in force. `set_num_threads` sets the threads of
the fast path and of BLAS.
"""

from __future__ import annotations

import os

from . import bptt
from .cells.base import Array, Cell, Params, State, StepCache

try:
    from . import fast as _fast
except ImportError:  # pragma: no cover - a broken numba installation
    _fast = None

BACKENDS = ("fast", "reference")
_FAST_OK = _fast is not None and _fast.AVAILABLE
_choice = {"name": "fast"}


def use(name: str) -> str:
    """Select ``"fast"`` or ``"reference"``; returns the backend now in force.

    ``"fast"`` without numba installed quietly stays on the reference (see `current`).
    """
    if name not in BACKENDS:
        raise ValueError(f"backend: expected one of {', '.join(BACKENDS)}, got {name!r}")
    _choice["name"] = name
    return current()


def current() -> str:
    """The backend the layers run now: ``"fast"`` or ``"reference"``."""
    return "fast" if _choice["name"] == "fast" and _FAST_OK else "reference"


def set_num_threads(n: int) -> None:
    """Threads for the fast path's batch slices and for BLAS (no-op for BLAS without numba)."""
    if _FAST_OK:
        _fast.set_num_threads(n)


def unroll(
    cell: Cell,
    p: Params,
    xp: Array,
    state: State,
    mask: Array | None = None,
    reverse: bool = False,
) -> tuple[Array, State, StepCache]:
    """`rnnlab.bptt.unroll`, compiled when the fast backend is in force."""
    if current() == "fast" and _fast.supports(cell):
        return _fast.unroll(cell, p, xp, state, mask, reverse)
    return bptt.unroll(cell, p, xp, state, mask, reverse)


def backprop(
    cell: Cell,
    p: Params,
    caches: StepCache,
    dhs: Array,
    dstate: State,
    mask: Array | None = None,
    reverse: bool = False,
    trace: list[Array] | None = None,
) -> tuple[Array, Array, State]:
    """`rnnlab.bptt.backprop`, compiled when the fast backend is in force."""
    if current() == "fast" and _fast.supports(cell):
        return _fast.backprop(cell, p, caches, dhs, dstate, mask, reverse, trace)
    return bptt.backprop(cell, p, caches, dhs, dstate, mask, reverse, trace)


use(os.environ.get("RNNLAB_BACKEND", "fast").strip().lower() or "fast")

__all__ = ["BACKENDS", "backprop", "current", "set_num_threads", "unroll", "use"]
