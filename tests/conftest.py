"""Shared fixtures: one seeded Generator per test; NumPy floating-point problems are errors."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import settings

# The property suites' budget: "ci" (the default) draws 50 examples a test, the same every run
# (25 s for tests/test_properties.py and test_task_nonfinite.py at load 13 on two shared cores);
# HYPOTHESIS_PROFILE=dev draws 300 (90 s there), to look further before a release.
settings.register_profile("ci", max_examples=50, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture(autouse=True)
def _numpy_errors_raise():
    # An overflow or invalid operation in a forward or backward pass is a bug, not a warning.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        yield


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test is not a pass: the run fails if any test skipped (say, an optional extra
    missing from the environment), unless RNNLAB_ALLOW_SKIPS=1 asks for a partial run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter is not None else 0
    if skipped and exitstatus == 0 and os.environ.get("RNNLAB_ALLOW_SKIPS") != "1":
        reporter.write_line(
            f"{skipped} test(s) skipped: install every test dependency "
            '(pip install -e ".[test]") or set RNNLAB_ALLOW_SKIPS=1', red=True
        )
        session.exitstatus = 1


def _resumed_equals(full, half) -> bool:
    """Stop ``half`` as if killed right after its last checkpoint (its result and final
    parameters gone), resume it with `rnnlab train --resume`, and say whether its parameters
    equal ``full``'s bit for bit (``full``: the same run, never stopped)."""
    from rnnlab.cli import main

    (half / "result.json").unlink()
    (half / "params.npz").unlink()
    assert main(["train", "--out", str(half), "--resume", "--quiet"]) == 0
    with np.load(full / "params.npz") as a, np.load(half / "params.npz") as b:
        return set(a.files) == set(b.files) and all(np.array_equal(a[k], b[k]) for k in a.files)


@pytest.fixture
def resumed_equals():
    return _resumed_equals
