"""`rnnlab.backend` decides, in one place, whether the fast path runs a cell.

Importing rnnlab imports no numba and leaves the allocator alone; the default backend then runs
the layers on the compiled kernels; a cell or spec field the kernels do not know runs on the
reference, said once in a log line.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import rnnlab
from rnnlab import backend
from rnnlab.cells import LSTMSpec, RNNCell
from rnnlab.commands.why import why_settings
from rnnlab.fast import support
from rnnlab.training import TrainConfig
from rnnlab.training.run import build_model

# In a fresh process with the default backend: what `import rnnlab` loaded, then a layer's
# forward and backward, then which compiled kernels ran (numba's dispatchers list the
# signatures they compiled or loaded from the disk cache).
_DEFAULT_BACKEND_RUN = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import rnnlab
    loaded = {name: name in sys.modules for name in ("numba", "rnnlab.fast.memory")}
    for layer in (rnnlab.LSTM(3, 4), rnnlab.GRU(3, 4), rnnlab.RNN(3, 4)):
        y, _, cache = layer.forward(np.ones((2, 5, 3)))
        layer.backward(np.ones_like(y), cache)
    from rnnlab.fast.kernels import gru, lstm, rnn
    ran = {m.__name__: bool(m.forward.signatures and m.backward.signatures)
           for m in (lstm, gru, rnn)}
    print(json.dumps({"at_import": loaded, "kernels": ran, "backend": rnnlab.backend.current()}))
    """
)


@pytest.fixture
def fast_backend():
    before = backend.current()
    assert backend.use("fast") == "fast"
    yield
    backend.use(before)


def test_import_loads_no_numba_and_the_default_backend_runs_the_kernels() -> None:
    env = {k: v for k, v in os.environ.items() if k != "RNNLAB_BACKEND"}
    done = subprocess.run(
        [sys.executable, "-c", _DEFAULT_BACKEND_RUN],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["at_import"] == {"numba": False, "rnnlab.fast.memory": False}  # no mallopt either
    assert out["backend"] == "fast"
    assert all(out["kernels"].values()), out["kernels"]


def test_every_cell_rnnlab_why_trains_runs_on_the_kernels(fast_backend) -> None:
    settings = why_settings(1)
    for spec in settings.cells:
        config = TrainConfig(task="adding", length=10, cell=spec.cell, init=spec.init, hidden=16)
        layer = build_model(config, np.random.default_rng(0)).layer
        assert backend.fast_path(layer.cell) is not None, spec.text


def _run(layer, x: np.ndarray) -> dict[str, np.ndarray]:
    y, final, cache = layer.forward(x)
    dx, dstate, grads = layer.backward(np.cos(y), cache, (np.ones_like(final[0]), final[1]))
    out = {"y": y, "dx": dx, "h_T": final[0], "c_T": final[1], "dh0": dstate[0], "dc0": dstate[1]}
    return out | grads


def test_a_spec_field_the_kernels_do_not_know_runs_on_the_reference(fast_backend, caplog) -> None:
    """A copy of `LSTMSpec` with one more flag: the fast backend defers to the reference path
    (bit for bit its numbers: the kernels' differ in the last bits), saying so once."""
    flagged = dataclasses.make_dataclass(
        "FlaggedSpec", [("new_flag", bool, True)], bases=(LSTMSpec,), frozen=True
    )
    x = np.random.default_rng(1).standard_normal((3, 7, 2))
    layer = rnnlab.LSTM(2, 4, variant=flagged(), dtype="float64")
    assert support.refusal(layer.cell) == "the kernels do not read FlaggedSpec field(s) new_flag"
    with caplog.at_level(logging.WARNING, logger="rnnlab.backend"):
        on_fast = [_run(layer, x) for _ in range(2)]  # two runs, four direction calls: one line
    said = [r.getMessage() for r in caplog.records if "new_flag" in r.getMessage()]
    assert said == [
        "LSTMCell runs on the NumPy reference, not the fast path: "
        "the kernels do not read FlaggedSpec field(s) new_flag"
    ]
    backend.use("reference")
    reference = _run(layer, x)
    for name, value in reference.items():
        assert np.array_equal(on_fast[0][name], value), name
    plain = rnnlab.LSTM(2, 4, dtype="float64")
    plain.params.update(layer.params)
    backend.use("fast")
    kernels = _run(plain, x)
    assert not all(np.array_equal(kernels[k], v) for k, v in reference.items())  # they differ


def test_a_cell_without_a_kernel_runs_on_the_reference(fast_backend, caplog) -> None:
    @dataclasses.dataclass(frozen=True)
    class OtherRNNCell(RNNCell):  # a subclass may change any equation: no kernel knows it
        pass

    cell = OtherRNNCell(3)
    with caplog.at_level(logging.WARNING, logger="rnnlab.backend"):
        assert backend.fast_path(cell) is None
        assert backend.fast_path(cell) is None
    assert [r.getMessage() for r in caplog.records] == [
        "OtherRNNCell runs on the NumPy reference, not the fast path: no compiled kernel for it"
    ]
    assert backend.fast_path(RNNCell(3)) is not None
    assert support.refusal(RNNCell(3, "sigmoid")) == "no kernel for the nonlinearity 'sigmoid'"


def test_the_kernels_read_every_spec_field_they_claim() -> None:
    """Each `LSTMSpec` field `support` lets through changes the kernels' flag vector."""
    from rnnlab.fast.kernels import lstm_flags

    base = LSTMSpec()
    assert {f.name for f in dataclasses.fields(LSTMSpec)} == lstm_flags.SPEC_FIELDS
    for name in lstm_flags.SPEC_FIELDS:
        changed = dataclasses.replace(base, **{name: not getattr(base, name)})
        assert not np.array_equal(lstm_flags.config(changed, 4), lstm_flags.config(base, 4)), name


def test_backend_names_the_argument_on_a_bad_choice() -> None:
    with pytest.raises(ValueError, match="backend: expected one of fast, reference"):
        backend.use("gpu")
