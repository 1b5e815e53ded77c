"""Element-wise nonlinearities and their derivatives, written in terms of their *outputs*.

Backward passes in rnnlab never recompute a pre-activation: they read the activation the forward
pass cached and use the derivative expressed through it (sigmoid' = s * (1 - s), tanh' = 1 - t**2,
relu' = [y > 0]).
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def sigmoid(a: Array) -> Array:
    """Logistic function, sig(a) = (1 + tanh(a / 2)) / 2: the same value as 1 / (1 + exp(-a)),
    with no overflow at any |a|, and one transcendental and two in-place updates per element
    (the exp(-|a|) + where form made six arrays: on (2560, 100, 101) evaluation batches it took
    seconds, mostly in fresh-page faults)."""
    out = np.tanh(np.multiply(a, 0.5, dtype=np.result_type(a, np.float32)))
    out *= 0.5
    out += 0.5
    return out


def sigmoid_grad(s: Array) -> Array:
    """d sigmoid / da from the output s."""
    return s * (1.0 - s)


def tanh(a: Array) -> Array:
    return np.tanh(a)


def tanh_grad(t: Array) -> Array:
    """d tanh / da from the output t."""
    return 1.0 - t * t


def relu(a: Array) -> Array:
    return np.maximum(a, 0.0)


def relu_grad(y: Array) -> Array:
    """d relu / da from the output y (0 at the kink, as PyTorch)."""
    return (y > 0.0).astype(y.dtype)


def identity(a: Array) -> Array:
    return a


def identity_grad(y: Array) -> Array:
    return np.ones_like(y)


NONLINEARITIES = {
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "identity": (identity, identity_grad),
}
