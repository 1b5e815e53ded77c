"""Gradient clipping and learning-rate schedules: the values each rule gives, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnnlab.optim import Constant, CosineLR, StepLR, clip_grad_norm, clip_grad_value, make_schedule

# --- clipping -----------------------------------------------------------------------------------


def test_clip_grad_norm_scales_all_together_and_returns_norm_before():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}  # global norm sqrt(9 + 16) = 5
    a = grads["a"]
    assert clip_grad_norm(grads, 10.0) == 5.0
    np.testing.assert_array_equal(grads["a"], [3.0, 0.0])  # under the limit: untouched

    assert clip_grad_norm(grads, 1.0) == 5.0
    scale = 1.0 / (5.0 + 1e-6)  # torch's factor max_norm / (norm + 1e-6)
    assert grads["a"] is a
    np.testing.assert_allclose(grads["a"], [3.0 * scale, 0.0], rtol=1e-15)
    np.testing.assert_allclose(grads["b"], [[4.0 * scale]], rtol=1e-15)
    assert clip_grad_norm(grads, 1.0) == pytest.approx(1.0, abs=1e-6)


def test_clip_grad_norm_leaves_non_finite_alone():
    grads = {"a": np.array([np.inf, 1.0])}
    assert clip_grad_norm(grads, 1.0) == math.inf
    np.testing.assert_array_equal(grads["a"], [np.inf, 1.0])


def test_clip_grad_value():
    grads = {"a": np.array([-3.0, 0.5, 2.0]), "b": np.array([[1.5]])}
    a = grads["a"]
    assert clip_grad_value(grads, 1.0) is None
    assert grads["a"] is a
    np.testing.assert_array_equal(grads["a"], [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(grads["b"], [[1.0]])


# --- schedules ----------------------------------------------------------------------------------


def test_schedule_values():
    assert [Constant(0.1)(t) for t in (0, 10**6)] == [0.1, 0.1]
    step = StepLR(1.0, step_size=10, gamma=0.5)
    assert [step(t) for t in (0, 9, 10, 19, 20, 25)] == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    cos = CosineLR(1.0, total_steps=100)
    # (1 + cos(pi * t/100)) / 2 at t = 0, 25, 50, 100, and held at 0 after the end
    expected = [1.0, (1 + math.sqrt(0.5)) / 2, 0.5, 0.0, 0.0]
    assert [cos(t) for t in (0, 25, 50, 100, 150)] == pytest.approx(expected, abs=1e-15)
    assert CosineLR(1.0, 100, min_lr=0.1)(50) == pytest.approx(0.55, abs=1e-15)


def test_make_schedule():
    assert make_schedule("constant", 0.3) == Constant(0.3)
    assert make_schedule("step", 0.3, step_size=5, gamma=0.2) == StepLR(0.3, 5, 0.2)
    assert make_schedule("cosine", 0.3, total_steps=9) == CosineLR(0.3, 9)
