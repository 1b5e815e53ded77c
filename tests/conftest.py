"""Shared fixtures: one seeded Generator per test; NumPy floating-point problems are errors."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture(autouse=True)
def _numpy_errors_raise():
    # An overflow or invalid operation in a forward or backward pass is a bug, not a warning.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        yield
