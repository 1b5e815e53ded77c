"""Speed against PyTorch, measured side by side: the machinery behind ``rnnlab bench``.

`run_benchmark` times float32 training steps (forward + backward with dX, loss = sum(y * g)) of
the LSTM, GRU and tanh RNN, and LSTM inference, for rnnlab and torch with the same weights and
data, in alternating rounds at one thread count (see `rnnlab.bench.timing`), after checking that
both compute the same thing (`rnnlab.bench.cases`). It also measures the fast path's first-call
compile time in fresh processes (`rnnlab.bench.compile_time`). torch is imported lazily.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .cases import Point
from .compile_time import measure_compile
from .grid import CELLS, QUICK_SHAPES, SHAPES, points
from .report import format_compile, format_row, header, legend, summary
from .timing import machine, run_points


def run_benchmark(
    threads: int = 1,
    rounds: int = 20,
    shapes: tuple[tuple[int, int, int], ...] = SHAPES,
    cells: tuple[str, ...] = CELLS,
    infer: bool = True,
    compile_time: bool = True,
    min_seconds: float = 2.0,
    warmup: int = 2,
    print_fn: Callable[[str], None] | None = print,
) -> dict[str, Any]:
    """Run the benchmark, printing the table as it goes (``print_fn=None`` keeps quiet).

    Returns everything as a JSON-ready dict: ``meta`` (settings, versions, load before and
    after), ``rows`` (one per point, see `rnnlab.bench.timing.summarise`), ``compile``.
    """
    say = print_fn or (lambda _line: None)
    meta = {"threads": threads, "rounds": rounds, "min_seconds": min_seconds, **machine()}
    cpu = (f"{meta['cpu']} ({meta['cpu_arch']}, family {meta['cpu_family']} model "
           f"{meta['cpu_model']}, {meta['vector_isa']})")  # fmt: skip
    say(f"rnnlab bench: {cpu}, torch {meta['torch']}, numba {meta['numba']}, "
        f"rnnlab backend {meta['rnnlab_backend']}, load {meta['loadavg']}")  # fmt: skip
    compile_info = None
    if compile_time:
        compile_info = measure_compile()
        for line in format_compile(compile_info):
            say(line)
    say(legend(threads))
    say(header())
    start = time.perf_counter()
    rows = run_points(
        points(shapes, cells, infer),
        threads,
        rounds,
        min_seconds,
        warmup,
        on_row=lambda row: say(format_row(row)),
    )
    meta["seconds"] = time.perf_counter() - start
    meta["loadavg_end"] = machine()["loadavg"]
    for line in summary(rows):
        say(line)
    return {"meta": meta, "rows": rows, "compile": compile_info}


__all__ = [
    "CELLS",
    "QUICK_SHAPES",
    "SHAPES",
    "Point",
    "format_row",
    "header",
    "measure_compile",
    "points",
    "run_benchmark",
]
