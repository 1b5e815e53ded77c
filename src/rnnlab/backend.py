"""Which implementation runs the layers' time loops: the one place that decides.

The readable NumPy loop in `rnnlab.bptt`, with NumPy's products around it, is the reference.
The compiled loops of `rnnlab.fast` (Numba) are the default when numba and scipy are installed
(``pip install rnnlab[fast]``) and return what the reference returns (to rounding: 1e-12
relative in float64, 1e-5 in float32). Without numba the reference runs, silently: the same
results, slower. A cell the kernels do not know (a new cell, a spec field no kernel reads: see
`rnnlab.fast.support`) runs on the reference too, said once per process in a log line
(logger ``rnnlab.backend``), never on a kernel that would ignore what it does not know.

Choose with the environment variable ``RNNLAB_BACKEND=reference|fast`` (read at import) or at
run time with `use`; `current` names the one in force; the layers ask `fast_path`. Importing
this module imports no numba and leaves the allocator alone: both happen on the fast path's
first use. `set_num_threads` sets the threads of the fast path and of BLAS.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from functools import cache
from types import ModuleType

from .cells.base import Cell
from .fast.support import refusal

BACKENDS = ("fast", "reference")
_state: dict[str, object] = {"name": "fast", "broken": False}
_said: set[tuple[str, str]] = set()
_log = logging.getLogger(__name__)


@cache
def installed() -> bool:
    """Whether numba and scipy, the ``fast`` extra, are installed (looked up, not imported)."""
    return all(importlib.util.find_spec(name) is not None for name in ("numba", "scipy"))


def use(name: str) -> str:
    """Select ``"fast"`` or ``"reference"``; returns the backend now in force.

    ``"fast"`` without numba installed quietly stays on the reference (see `current`).
    """
    if name not in BACKENDS:
        raise ValueError(f"backend: expected one of {', '.join(BACKENDS)}, got {name!r}")
    _state["name"] = name
    return current()


def current() -> str:
    """The backend the layers run now: ``"fast"`` or ``"reference"``."""
    fast = _state["name"] == "fast" and installed() and not _state["broken"]
    return "fast" if fast else "reference"


def fast_path(cell: Cell) -> ModuleType | None:
    """`rnnlab.fast.direction` when the fast backend is in force and its kernels know ``cell``;
    None when the reference is to run it (a cell they do not know is said once, see above)."""
    if current() != "fast":
        return None
    reason = refusal(cell)
    if reason is not None:
        _say_once(type(cell).__name__, reason)
        return None
    return _fast_direction()


def set_num_threads(n: int) -> None:
    """Threads for the fast path's batch slices and for BLAS (no-op without numba)."""
    if installed():
        from .fast.threads import set_num_threads as set_threads

        set_threads(n)


def _say_once(what: str, reason: str) -> None:
    if (what, reason) not in _said:
        _said.add((what, reason))
        _log.warning("%s runs on the NumPy reference, not the fast path: %s", what, reason)


@cache
def _fast_direction() -> ModuleType | None:
    """The fast path, imported (numba's import: on first use, not at ``import rnnlab``), with
    the allocator tuned for it (`rnnlab.fast.memory`)."""
    try:
        from .fast import direction
    except ImportError as err:  # pragma: no cover - a broken numba installation
        _state["broken"] = True
        _say_once("every cell", f"the fast path failed to import ({err})")
        return None
    from .fast.memory import keep_freed_memory

    keep_freed_memory()
    return direction


use(os.environ.get("RNNLAB_BACKEND", "fast").strip().lower() or "fast")

__all__ = ["BACKENDS", "current", "fast_path", "installed", "set_num_threads", "use"]
