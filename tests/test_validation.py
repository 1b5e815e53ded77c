"""Bad input raises ValueError naming the argument and what was expected."""

from __future__ import annotations

import numpy as np
import pytest

import rnnlab


@pytest.fixture
def lstm() -> rnnlab.LSTM:
    return rnnlab.LSTM(3, 4, num_layers=2, dtype="float64")


def _x(n=2, t=5, d=3):
    return np.zeros((n, t, d))


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"x": np.zeros((5, 3))}, r"x: expected 3 dimensions"),
        ({"x": _x(d=4)}, r"x: expected 3 features \(input_size\), got 4"),
        ({"x": np.full((2, 5, 3), np.nan)}, r"x: contains NaN or infinity"),
        ({"x": np.full((2, 5, 3), np.inf)}, r"x: contains NaN or infinity"),
        ({"x": [["a"]]}, r"x: expected a numeric array"),
        ({"lengths": [5, 6]}, r"lengths: expected values in \[0, 5\]"),
        ({"lengths": [5, -1]}, r"lengths: expected values in \[0, 5\]"),
        ({"lengths": [5]}, r"lengths: expected 2 entries"),
        ({"lengths": [2.5, 3]}, r"lengths: expected whole numbers"),
        ({"state": np.zeros((2, 2, 4))}, r"state: expected a tuple of 2 arrays \(h, c\)"),
        ({"state": (np.zeros((2, 2, 4)), np.zeros((1, 2, 4)))}, r"state\[c\]: expected shape"),
        (
            {"state": (np.zeros((2, 2, 4)), np.full((2, 2, 4), np.nan))},
            r"state\[c\]: contains NaN",
        ),
    ],
)
def test_forward_rejects(lstm, kwargs, pattern) -> None:
    args = {"x": _x(), **kwargs}
    with pytest.raises(ValueError, match=pattern):
        lstm.forward(args.pop("x"), **args)


def test_rnn_state_must_be_one_array() -> None:
    rnn = rnnlab.RNN(3, 4)
    with pytest.raises(ValueError, match=r"state: expected one array h"):
        rnn.forward(_x(), (np.zeros((1, 2, 4)), np.zeros((1, 2, 4))))
    with pytest.raises(ValueError, match=r"state: expected shape \(1, 2, 4\)"):
        rnn.forward(_x(), np.zeros((1, 3, 4)))


def test_backward_rejects_a_cache_from_another_layer(lstm) -> None:
    other = rnnlab.LSTM(3, 4, num_layers=2, dtype="float64")
    y, _, cache = other.forward(_x())
    with pytest.raises(ValueError, match=r"cache: expected the cache returned by this layer"):
        lstm.backward(y, cache)
    with pytest.raises(ValueError, match=r"cache: expected"):
        lstm.backward(y, {"not": "a cache"})


def test_backward_rejects_bad_dy_and_dstate(lstm) -> None:
    y, _, cache = lstm.forward(_x())
    with pytest.raises(ValueError, match=r"dy: expected shape \(2, 5, 4\)"):
        lstm.backward(y[:, :3], cache)
    with pytest.raises(ValueError, match=r"dstate\[h\]: expected shape"):
        lstm.backward(y, cache, (np.zeros((1, 2, 4)), np.zeros((2, 2, 4))))


@pytest.mark.parametrize(
    ("build", "pattern"),
    [
        (lambda: rnnlab.LSTM(3, 4, variant="peepholes"), r"variant: expected one of vanilla"),
        (lambda: rnnlab.RNN(3, 4, nonlinearity="sigmoid"), r"nonlinearity: expected 'tanh'"),
        (lambda: rnnlab.GRU(0, 4), r"input_size: expected a positive integer"),
        (lambda: rnnlab.GRU(3, 2.5), r"hidden_size: expected a positive integer"),
        (lambda: rnnlab.RNN(3, 4, num_layers=0), r"num_layers: expected a positive integer"),
        (lambda: rnnlab.RNN(3, 4, dropout=1.0), r"dropout: expected a probability"),
        (lambda: rnnlab.RNN(3, 4, dtype="float16"), r"dtype: expected 'float32' or 'float64'"),
    ],
)
def test_constructors_reject(build, pattern) -> None:
    with pytest.raises(ValueError, match=pattern):
        build()
