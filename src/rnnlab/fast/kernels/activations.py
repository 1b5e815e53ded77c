"""Scalar activations for the compiled kernels, chosen by precision at compile time.

float64 uses libm: ``np.tanh``, and a sigmoid through ``exp(-|x|)`` (which never overflows)
that agrees with the reference's ``(1 + tanh(x / 2)) / 2`` (`rnnlab.activations`) to rounding.
float32 uses a rational approximation of tanh (Eigen's 13/6 polynomial ratio, max error a few
float32 ulp): a libm call per element cannot be vectorised and would dominate small layers,
while this is plain arithmetic that LLVM turns into AVX2 code; its sigmoid is the reference's
form, ``(1 + tanh(x / 2)) / 2``, on that tanh.

These are ``@overload``-ed stubs: the implementation is picked from the argument's type when a
kernel is compiled, so one kernel source serves both precisions.
"""

from __future__ import annotations

import numpy as np
from numba import types
from numba.extending import overload, register_jitable

# Eigen's generic_fast_tanh_float: tanh(x) ~ x * P(x^2) / Q(x^2) on [-7.9, 7.9], saturating beyond.
_F = np.float32
_CLAMP = _F(7.90531110763549805)
_A1, _A3 = _F(4.89352455891786e-03), _F(6.37261928875436e-04)
_A5, _A7 = _F(1.48572235717979e-05), _F(5.12229709037114e-08)
_A9, _A11, _A13 = _F(-8.60467152213735e-11), _F(2.00018790482477e-13), _F(-2.76076847742355e-16)
_B0, _B2 = _F(4.89352518554385e-03), _F(2.26843463243900e-03)
_B4, _B6 = _F(1.18534705686654e-04), _F(1.19825839466702e-06)
_HALF32 = _F(0.5)


def tanh(x):  # pragma: no cover - compiled through the overload below
    raise NotImplementedError(f"{__name__}.tanh runs only inside compiled kernels")


def sigmoid(x):  # pragma: no cover - compiled through the overload below
    raise NotImplementedError(f"{__name__}.sigmoid runs only inside compiled kernels")


def _is_f32(x: types.Type) -> bool:
    return isinstance(x, types.Float) and x.bitwidth == 32


@register_jitable(inline="always")
def _tanh_f32(x):
    x = min(max(x, -_CLAMP), _CLAMP)  # beyond 7.9 tanh is 1 in float32
    x2 = x * x
    p = x2 * _A13 + _A11
    p = x2 * p + _A9
    p = x2 * p + _A7
    p = x2 * p + _A5
    p = x2 * p + _A3
    p = x2 * p + _A1
    q = x2 * _B6 + _B4
    q = x2 * q + _B2
    q = x2 * q + _B0
    return x * p / q


@overload(tanh)
def _tanh_overload(x):
    if _is_f32(x):
        return _tanh_f32
    return lambda x: np.tanh(x)


@overload(sigmoid)
def _sigmoid_overload(x):
    if _is_f32(x):

        def sigmoid_f32(x):
            return _HALF32 + _HALF32 * _tanh_f32(_HALF32 * x)

        return sigmoid_f32

    def sigmoid_f64(x):
        # exp(-|x|) never overflows; equal to rnnlab.activations.sigmoid to rounding.
        e = np.exp(-abs(x))
        return 1.0 / (1.0 + e) if x >= 0 else e / (1.0 + e)

    return sigmoid_f64
