"""Paired timing: torch and rnnlab in alternating rounds in one process, plus an sgemm probe.

The host is shared and its speed drifts by up to 2x within minutes (perf.md section 1), so an
absolute time means little; a ratio of two times taken a few milliseconds apart means a lot.
Each round times one torch step and one rnnlab step (which goes first alternates, so neither
side always runs on a cache the other has just warmed or cooled), then a 512^3 float32 ``np.dot``
whose rate is the matrix-multiply peak "at that moment". Reported: the median of the per-round
ratios, and medians of each side's times and of the probe.
"""

from __future__ import annotations

import gc
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .cases import Case, Point, build
from .grid import peak_target, target

PROBE_N = 512
# A pause after each timed call lets the other library's worker threads stop spinning (GNU
# OpenMP and OpenBLAS busy-wait for a while after a parallel region) before the next is timed.
SETTLE_S = 0.003


class Probe:
    """A 512^3 float32 matrix product at the current thread count; `__call__` returns GF/s."""

    def __init__(self, n: int = PROBE_N) -> None:
        rng = np.random.default_rng(1)
        self.a = rng.standard_normal((n, n)).astype(np.float32)
        self.b = rng.standard_normal((n, n)).astype(np.float32)
        self.out = np.empty((n, n), np.float32)
        self.flops = 2.0 * n**3
        self()  # first call: OpenBLAS starts its threads

    def __call__(self) -> float:
        start = time.perf_counter()
        np.dot(self.a, self.b, self.out)
        return self.flops / (time.perf_counter() - start) / 1e9


def _timed(step: Callable[[], None]) -> float:
    gc.disable()  # a collection inside one side's call would land on that side only
    try:
        start = time.perf_counter()
        step()
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    time.sleep(SETTLE_S)
    return elapsed


def measure(
    case: Case,
    probe: Probe,
    threads: int,
    rounds: int = 20,
    min_seconds: float = 0.0,
    warmup: int = 2,
) -> dict[str, Any]:
    """Time ``case`` for at least ``rounds`` rounds after ``warmup`` calls of each side.

    Cheap points go on (up to 5x ``rounds``) until ``min_seconds`` have passed: their ratios are
    the noisiest, and more rounds cost little.
    """
    for _ in range(warmup):
        case.torch_step()
        case.rnnlab_step()
    t_torch: list[float] = []
    t_rnnlab: list[float] = []
    probes: list[float] = []
    start = time.perf_counter()
    while len(t_torch) < rounds or (
        time.perf_counter() - start < min_seconds and len(t_torch) < 5 * rounds
    ):
        if len(t_torch) % 2 == 0:
            t_torch.append(_timed(case.torch_step))
            t_rnnlab.append(_timed(case.rnnlab_step))
        else:
            t_rnnlab.append(_timed(case.rnnlab_step))
            t_torch.append(_timed(case.torch_step))
        probes.append(probe())
    return summarise(case, threads, np.array(t_torch), np.array(t_rnnlab), np.array(probes))


def summarise(
    case: Case, threads: int, t_torch: np.ndarray, t_rnnlab: np.ndarray, probes: np.ndarray
) -> dict[str, Any]:
    """The JSON row of one point from its per-round times (seconds) and probe rates (GF/s)."""
    p: Point = case.point
    ratios = t_torch / t_rnnlab
    q1, med, q3 = (float(v) for v in np.percentile(ratios, [25, 50, 75]))
    torch_s, rnnlab_s, peak = (float(np.median(v)) for v in (t_torch, t_rnnlab, probes))
    torch_gf, rnnlab_gf = p.flops / torch_s / 1e9, p.flops / rnnlab_s / 1e9
    tgt, ptgt = target(p, threads), peak_target(p, threads)
    return {
        "cell": p.cell,
        "mode": p.mode,
        "batch": p.batch,
        "time": p.time,
        "hidden": p.hidden,
        "backend": case.backend,
        "rounds": len(ratios),
        "ratio": med,
        "ratio_q1": q1,
        "ratio_q3": q3,
        "torch_ms": 1e3 * torch_s,
        "rnnlab_ms": 1e3 * rnnlab_s,
        "torch_seq_s": p.batch / torch_s,
        "rnnlab_seq_s": p.batch / rnnlab_s,
        "gflop": p.flops / 1e9,
        "torch_gflops": torch_gf,
        "rnnlab_gflops": rnnlab_gf,
        "probe_gflops": peak,
        "torch_peak_frac": torch_gf / peak,
        "rnnlab_peak_frac": rnnlab_gf / peak,
        "target": tgt,
        "meets_target": None if tgt is None else med >= tgt,
        "peak_target": ptgt,
        "meets_peak_target": None if ptgt is None else rnnlab_gf / peak >= ptgt,
        "max_rel_diff": case.diffs,
    }


def set_threads(threads: int) -> None:
    """The same thread count for torch (intra-op) and rnnlab (batch slices and both BLAS)."""
    import torch

    from .. import backend

    torch.set_num_threads(threads)
    backend.set_num_threads(threads)


def _cpuinfo() -> dict[str, str]:
    """The first processor's fields of /proc/cpuinfo (empty where there is none)."""
    try:
        with open("/proc/cpuinfo") as fh:
            block = fh.read().split("\n\n", 1)[0]
    except OSError:
        return {}
    pairs = (line.split(":", 1) for line in block.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def machine() -> dict[str, Any]:
    """Versions, CPU and load: the context a reader needs to judge the numbers.

    The CPU is named by its family and model and by the code generator's name for it (say
    ``znver4``), with its widest vector unit: a ratio against torch's oneDNN kernels depends on
    the instruction set as much as on the code, so two runs on different hosts do not compare.
    """
    import llvmlite.binding as llvm
    import numba
    import torch

    from .. import backend

    info = _cpuinfo()
    flags = set(info.get("flags", "").split())
    isa = next((f for f in ("avx512f", "avx2", "avx", "sse2") if f in flags), "unknown")
    return {
        "cpu": info.get("model name", platform.processor()),
        "cpu_family": info.get("cpu family"),
        "cpu_model": info.get("model"),
        "cpu_arch": llvm.get_host_cpu_name(),
        "vector_isa": isa,
        "cpus": os.cpu_count(),
        "loadavg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "torch": torch.__version__,
        "rnnlab_backend": backend.current(),
    }


def run_points(
    points: list[Point],
    threads: int,
    rounds: int = 20,
    min_seconds: float = 0.0,
    warmup: int = 2,
    seed: int = 0,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Measure every point at ``threads`` threads; ``on_row`` sees each row as it is done."""
    set_threads(threads)
    probe = Probe()
    rows = []
    for point in points:
        case = build(point, seed)
        row = measure(case, probe, threads, rounds, min_seconds, warmup)
        del case  # free the caches of a large point before building the next
        rows.append(row)
        if on_row is not None:
            on_row(row)
    return rows
