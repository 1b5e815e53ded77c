"""First-call compile time of the fast path, and whether a second process loads it from disk.

Measured in fresh subprocesses sharing a new, empty ``NUMBA_CACHE_DIR``: the first process
compiles every kernel it calls (and writes the cache), the second should only load. In each, a
tiny float32 training step of every cell is run twice; the first call minus the second is the
compile (or cache-load) cost. numba's own counters (cache hits and misses of every kernel in
`rnnlab.fast`) say whether the second process compiled anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from typing import Any

_SCRIPT = r"""
import json, sys, time
start = time.perf_counter()
import numpy as np
import rnnlab
from rnnlab import backend
imported = time.perf_counter() - start
out = {"import_s": imported, "backend": backend.current(), "cells": {}}
rng = np.random.default_rng(0)
x = rng.standard_normal((4, 6, 8)).astype(np.float32)
for kind in ("LSTM", "GRU", "RNN"):
    layer = getattr(rnnlab, kind)(8, 8, dtype="float32")
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        y, _, cache = layer.forward(x)
        layer.backward(np.ones_like(y), cache)
        times.append(time.perf_counter() - t0)
    fast = backend.fast_path(layer.cell) is not None
    out["cells"][kind.lower()] = {"first_s": times[0], "second_s": times[1], "fast": fast}
hits = misses = 0
if backend.current() == "fast":
    import pkgutil, importlib
    from numba.core.dispatcher import Dispatcher
    for info in pkgutil.walk_packages(rnnlab.fast.__path__, "rnnlab.fast."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if isinstance(obj, Dispatcher) and obj.__module__ == module.__name__:
                hits += sum(obj.stats.cache_hits.values())
                misses += sum(obj.stats.cache_misses.values())
out["cache_hits"], out["cache_misses"] = hits, misses
out["total_s"] = time.perf_counter() - start
print(json.dumps(out))
"""


def _one_process(cache_dir: str, timeout: float) -> dict[str, Any]:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    env.pop("RNNLAB_BACKEND", None)  # the default backend: what a user's first call gets
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"compile-time subprocess failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_compile(timeout: float = 600.0) -> dict[str, Any]:
    """``{"first": ..., "second": ..., "compile_s": ..., "cached_load_s": ...}`` (seconds).

    ``compile_s`` sums, over the cells, first call minus second call in the fresh process;
    ``cached_load_s`` is the same sum in the process that found the cache.
    """
    with tempfile.TemporaryDirectory(prefix="rnnlab-numba-cache-") as cache_dir:
        first = _one_process(cache_dir, timeout)
        second = _one_process(cache_dir, timeout)

    def overhead(run: dict[str, Any]) -> float:
        return sum(max(c["first_s"] - c["second_s"], 0.0) for c in run["cells"].values())

    return {
        "first": first,
        "second": second,
        "compile_s": overhead(first),
        "cached_load_s": overhead(second),
        "second_process_compiled": second["cache_misses"] > 0,
    }
