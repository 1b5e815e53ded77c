"""The compiled fast path equals the NumPy reference, through the public layers, for every cell.

Every cell and variant (RNN tanh / relu, GRU with the reset gate after / before the product, every
LSTM preset), in float64 and float32, with and without lengths (one of them zero, one full), two
stacked bidirectional layers with dropout between them and a random initial state, sizes drawn
from a seeded generator (batches large enough to run on two threads included). Compared: y, the
final state, dx, the initial state's gradient, every parameter gradient, every cache entry and
the per-step state gradients of ``trace``. Tolerance: max|fast - ref| / max|ref| below 1e-12 in
float64 and 1e-5 in float32 (the fast float32 tanh / sigmoid are a rational approximation).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zlib

import numpy as np
import pytest

import rnnlab
from rnnlab import backend
from rnnlab.cells.lstm_spec import PRESETS

pytest.importorskip("numba")

TOLERANCE = {"float64": 1e-12, "float32": 1e-5}
CELLS = [
    ("rnn", {"nonlinearity": "tanh"}),
    ("rnn", {"nonlinearity": "relu"}),
    ("gru", {"reset_after": True}),
    ("gru", {"reset_after": False}),
    *[("lstm", {"variant": name}) for name in PRESETS],
]
LAYERS = {"rnn": rnnlab.RNN, "gru": rnnlab.GRU, "lstm": rnnlab.LSTM}


def _case_id(case: tuple[str, dict]) -> str:
    kind, options = case
    return f"{kind}-{next(iter(options.values()))}"


@pytest.fixture
def fast_setup():
    """Two threads, so that batches of 32 rows and more run split (`rnnlab.fast.threads`);
    the backend and the thread count are restored afterwards."""
    from rnnlab.fast import threads

    backend_before, threads_before = backend.current(), threads.num_threads()
    backend.set_num_threads(2)
    yield
    backend.use(backend_before)
    backend.set_num_threads(threads_before)


def _relative(fast: np.ndarray, ref: np.ndarray) -> float:
    assert fast.shape == ref.shape and fast.dtype == ref.dtype
    scale = float(np.max(np.abs(ref), initial=0.0))
    return float(np.max(np.abs(fast - ref), initial=0.0)) / max(scale, np.finfo(ref.dtype).tiny)


def _run(name: str, layer, x, state, lengths, dy, dstate, seed: int, traced: bool = True):
    """forward + backward under backend ``name``, with ``trace`` or without (then the fast LSTM
    runs each direction's backward and products as one kernel call); every array produced."""
    assert backend.use(name) == name
    y, final, cache = layer.forward(x, state, lengths, rng=np.random.default_rng(seed))
    trace: dict = {}
    dx, dinitial, grads = layer.backward(dy, cache, dstate, trace=trace if traced else None)
    out = {"y": y, "dx": dx}
    for k, (f, d) in enumerate(zip(_parts(final), _parts(dinitial), strict=True)):
        out[f"final[{k}]"], out[f"dstate[{k}]"] = f, d
    out.update({f"grad {k}": g for k, g in grads.items()})
    for layer_index, row in enumerate(cache.steps):
        for direction, steps in enumerate(row):
            out.update({f"cache l{layer_index}d{direction} {k}": v for k, v in steps.items()})
    for key, buffers in trace.items():
        out.update({f"trace {key} [{k}]": b for k, b in enumerate(buffers)})
    return out


def _parts(state) -> tuple[np.ndarray, ...]:
    return state if isinstance(state, tuple) else (state,)


def _random_state(layer, batch: int, rng: np.random.Generator):
    count = layer.num_layers * layer.directions
    parts = tuple(
        rng.standard_normal((count, batch, size)).astype(layer.dtype)
        for size in layer.cell.state_sizes()
    )
    return parts[0] if len(parts) == 1 else parts


@pytest.mark.parametrize("with_lengths", [False, True], ids=["full", "lengths"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", CELLS, ids=_case_id)
def test_fast_equals_reference(case, dtype, with_lengths, fast_setup) -> None:
    _compare(case, dtype, with_lengths)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", CELLS, ids=_case_id)
def test_fast_equals_reference_with_packed_products(case, dtype, threads, fast_setup) -> None:
    """Input and hidden 32: every product fills whole panels, so the kernels and the layer's
    products outside the loop run through `rnnlab.fast.products.tiles` (the random sizes above
    mostly take the BLAS fallback); with one thread the weight gradients too
    (`rnnlab.fast.products.tall.gram`)."""
    backend.set_num_threads(threads)
    _compare(case, dtype, True, hidden=32)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    "shape", [(1, 300, 32, 32), (40, 9, 32, 64), (5, 7, 20, 32)], ids=["N1-T300", "N40", "D20"]
)
@pytest.mark.parametrize("case", [CELLS[0], CELLS[2], CELLS[4]], ids=_case_id)
def test_fast_in_one_call_per_direction(case, shape, dtype, threads, fast_setup) -> None:
    """The one-call forward and backward (`rnnlab.fast.products.around_loop`) of the RNN, the GRU
    and the LSTM: a batch of one over more steps than a row block (the products go in blocks of
    steps), a batch that two threads split (then the weight gradients are made outside the kernel),
    and an input width that does not fill whole panels (the input gradient outside the kernel). A
    single layer, no lengths, random weights and non-zero biases, random initial state: y, final
    state, dx, dstate and every gradient against the reference."""
    backend.set_num_threads(threads)
    kind, options = case
    N, T, D, H = shape
    rng = np.random.default_rng(zlib.crc32(f"one call {kind} {shape} {dtype} {threads}".encode()))
    layer = LAYERS[kind](D, H, **options, dtype=dtype, seed=3)
    for name in layer.params:  # non-zero biases and a spread of weights
        layer.params[name][...] = rng.normal(0.0, 0.3, layer.params[name].shape)
    x, dy = rng.standard_normal((N, T, D)), rng.standard_normal((N, T, H))
    state, dstate = _random_state(layer, N, rng), _random_state(layer, N, rng)
    ref, fast = (
        _run(name, layer, x, state, None, dy, dstate, 0, False) for name in ("reference", "fast")
    )
    errors = {k: _relative(fast[k], ref[k]) for k in ref}
    worst = max(errors, key=errors.get)
    assert errors[worst] <= TOLERANCE[dtype], (worst, errors[worst])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", CELLS, ids=_case_id)
def test_fast_equals_reference_one_layer_batch_first(case, dtype, fast_setup) -> None:
    """One unidirectional layer without lengths: the backward kernels read dy in place as the
    batch-first array it is (in the stacked, bidirectional cases above they get a copy)."""
    kind, options = case
    rng = np.random.default_rng(zlib.crc32(f"one layer {_case_id(case)} {dtype}".encode()))
    for N in (3, 33):  # one thread, then two
        layer = LAYERS[kind](4, 6, **options, dtype=dtype, seed=5)
        x, dy = rng.standard_normal((N, 7, 4)), rng.standard_normal((N, 7, 6))
        state, dstate = _random_state(layer, N, rng), _random_state(layer, N, rng)
        ref = _run("reference", layer, x, state, None, dy, dstate, 0)
        for traced in (True, False):
            fast = _run("fast", layer, x, state, None, dy, dstate, 0, traced)
            errors = {k: _relative(fast[k], ref[k]) for k in fast}
            worst = max(errors, key=errors.get)
            assert errors[worst] <= TOLERANCE[dtype], (worst, errors[worst], N, traced)


def _compare(case: tuple[str, dict], dtype: str, with_lengths: bool, hidden: int = 0) -> None:
    """One random configuration of ``case`` through both backends: every array agrees."""
    kind, options = case
    seed = zlib.crc32(f"{_case_id(case)} {dtype} {with_lengths} {hidden}".encode())
    rng = np.random.default_rng(seed)
    N = int(rng.choice([int(rng.integers(2, 9)), int(rng.integers(32, 41))]))  # 1 or 2 threads
    T, D, H = (int(v) for v in rng.integers((1, 1, 1), (12, 6, 10)))
    D, H = (hidden, hidden) if hidden else (D, H)
    layer = LAYERS[kind](D, H, 2, True, 0.25, **options, dtype=dtype, seed=seed % 1000)
    x = rng.standard_normal((N, T, D))
    state = _random_state(layer, N, rng)
    lengths = None
    if with_lengths:
        lengths = rng.integers(0, T + 1, size=N)
        lengths[0], lengths[-1] = 0, T
    dy = rng.standard_normal((N, T, 2 * H))
    dstate = _random_state(layer, N, rng)
    ref = _run("reference", layer, x, state, lengths, dy, dstate, seed)
    for traced in (True, False):
        fast = _run("fast", layer, x, state, lengths, dy, dstate, seed, traced)
        untraced = {k: v for k, v in ref.items() if traced or not k.startswith("trace")}
        assert fast.keys() == untraced.keys()
        errors = {k: _relative(fast[k], ref[k]) for k in untraced}
        worst = max(errors, key=errors.get)
        assert errors[worst] <= TOLERANCE[dtype], (worst, errors[worst], (N, T, D, H), traced)


@pytest.fixture
def pool_everything(monkeypatch):
    """Every array the fast path allocates through `rnnlab.fast.memory.empty` (normally only
    those above 32 MiB) comes from its pool, so that small tests run the pooled code."""
    from rnnlab.fast import memory

    monkeypatch.setattr(memory, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(memory, "_pool", [])


@pytest.mark.parametrize("with_lengths", [False, True], ids=["full", "lengths"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", [CELLS[0], CELLS[2], CELLS[3], *CELLS[4:7]], ids=_case_id)
def test_fast_equals_reference_with_pooled_arrays(
    case, dtype, with_lengths, fast_setup, pool_everything
) -> None:
    for _ in range(2):  # the second round reuses the blocks the first one freed
        _compare(case, dtype, with_lengths)


def test_pool_never_hands_out_a_block_in_use(pool_everything) -> None:
    from rnnlab.fast import memory

    a = memory.empty((4, 5), np.float32)
    row = a[1]
    del a
    b = memory.empty((4, 5), np.float32)  # a's block is still held by its view ``row``
    row[...] = 1.0
    b[...] = 2.0
    assert np.all(row == 1.0)
    del row
    c = memory.empty((2, 10), np.float32)  # now free: reused
    assert c.base is not b.base and len(memory._pool) == 2


def test_fast_path_covers_every_cell() -> None:
    from rnnlab.fast import support

    layers = [LAYERS[kind](2, 3, **options) for kind, options in CELLS]
    assert all(support.refusal(layer.cell) is None for layer in layers)


@pytest.mark.parametrize("name", ["fast", "reference"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", CELLS, ids=_case_id)
def test_forward_without_cache_gives_the_same_outputs(case, dtype, name, fast_setup) -> None:
    """``need_cache=False`` (the LSTM's fast path then keeps one step's scratch) returns the same
    outputs and final state bit for bit, and None for the cache."""
    kind, options = case
    rng = np.random.default_rng(zlib.crc32(f"nocache {_case_id(case)} {dtype}".encode()))
    layer = LAYERS[kind](3, 5, 2, True, **options, dtype=dtype).eval()
    N, T = 33, 6  # 33 rows: split over the two threads
    x, lengths = rng.standard_normal((N, T, 3)), rng.integers(0, T + 1, size=N)
    state = _random_state(layer, N, rng)
    assert backend.use(name) == name
    y, final, cache = layer.forward(x, state, lengths)
    y_light, final_light, none = layer.forward(x, state, lengths, need_cache=False)
    assert cache is not None and none is None
    assert np.array_equal(y, y_light)
    for a, b in zip(_parts(final), _parts(final_light), strict=True):
        assert np.array_equal(a, b)


# A tiny forward and backward of every kernel and precision; prints the dispatchers' cache stats.
_TOUCH_EVERY_KERNEL = textwrap.dedent(
    """
    import numpy as np
    import rnnlab
    from rnnlab.fast.kernels import gru, lstm, rnn

    for dtype in ("float32", "float64"):
        for layer in (
            rnnlab.RNN(2, 3, dtype=dtype),
            rnnlab.GRU(2, 3, dtype=dtype),
            rnnlab.LSTM(2, 3, variant="fgr", dtype=dtype),
        ):
            y, _, cache = layer.forward(np.ones((2, 4, 2)), lengths=np.array([4, 1]))
            layer.backward(np.ones_like(y), cache, trace={})
    for module in (rnn, gru, lstm):
        for kernel in (module.forward, module.backward):
            stats = kernel.stats
            hits, misses = sum(stats.cache_hits.values()), sum(stats.cache_misses.values())
            print(f"STATS {module.__name__}.{kernel.__name__} {hits} {misses}")
    """
)


def _touch_every_kernel() -> subprocess.CompletedProcess:
    env = {**os.environ, "NUMBA_DEBUG_CACHE": "1", "RNNLAB_BACKEND": "fast"}
    return subprocess.run(
        [sys.executable, "-c", _TOUCH_EVERY_KERNEL],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )


def test_second_process_loads_every_kernel_from_the_disk_cache() -> None:
    _touch_every_kernel()  # the first process compiles whatever is not cached yet
    second = _touch_every_kernel()
    stats = [line.split() for line in second.stdout.splitlines() if line.startswith("STATS")]
    assert len(stats) == 6
    for _, kernel, hits, misses in stats:
        # float32 and float64 (at least one signature each) loaded from disk, none compiled
        assert int(hits) >= 2 and int(misses) == 0, (kernel, hits, misses)
    log = second.stdout + second.stderr
    assert "[cache] data loaded from" in log
    assert "[cache] data saved to" not in log
