"""Catch what would silently give a wrong gradient: parameters of the wrong shape or dtype, and
arrays edited in place between a forward pass and its backward pass.

`ParamDict` is the dict a layer keeps its parameters in. It counts assignments (``version``), so
`forward` checks every parameter's shape, dtype and layout only after one: the compiled kernels
index the arrays without bounds checks, and a ``(1, 1)`` array where a ``(4H, H)`` one belongs
would be read far past its end, garbage without an error.

A layer's cache keeps a view of ``x`` and the parameter arrays themselves, not copies (as
PyTorch's autograd keeps its saved tensors). NumPy arrays carry no version counter, so
`Snapshot` stores a fingerprint of each: its dot product with fixed random weights in
[0.5, 1.5). One BLAS pass with no copy (a copy kept for an exact comparison would cost a write
pass and double the memory; making the arrays read-only would break the user's own writes and
the optimizer's). Any change of an entry larger than the rounding of the fingerprint moves it,
and unlike a plain sum or a sum of squares it also moves when entries are swapped or their
signs flipped. Changes below that rounding, or crafted to cancel against the weights, can pass:
this guards against mistakes, not adversaries.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .validation import check_bool

Array = np.ndarray


class ParamDict(dict):
    """A dict of parameter arrays that counts its changes in ``version`` (see the module)."""

    __slots__ = ("version",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = 0

    def _changed(self) -> None:
        self.version += 1

    def __setitem__(self, key: str, value: Array) -> None:
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._changed()

    def __ior__(self, other: Any) -> ParamDict:  # type: ignore[override]
        super().__ior__(other)
        self._changed()
        return self

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self._changed()

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._changed()
        return super().setdefault(key, default)

    def pop(self, *args: Any) -> Any:
        self._changed()
        return super().pop(*args)

    def popitem(self) -> tuple[str, Array]:
        self._changed()
        return super().popitem()

    def clear(self) -> None:
        super().clear()
        self._changed()


def check_params(params: Mapping[str, Any], shapes: Mapping[str, tuple[int, ...]], dtype) -> None:
    """Raise a ValueError naming the first parameter that is missing, unexpected, or not a
    C-contiguous ``dtype`` array of its shape."""
    if params.keys() != shapes.keys():
        missing = sorted(shapes.keys() - params.keys())
        extra = sorted(params.keys() - shapes.keys())
        raise ValueError(f"params: missing {missing}, unexpected {extra}")
    for name, shape in shapes.items():
        p = params[name]
        ok = isinstance(p, np.ndarray) and p.shape == shape and p.dtype == dtype
        if not (ok and p.flags.c_contiguous):
            got = (
                f"a {'non-contiguous ' if ok else ''}{p.dtype} array of shape {p.shape}"
                if isinstance(p, np.ndarray)
                else type(p).__name__
            )
            raise ValueError(
                f"params[{name!r}]: expected a C-contiguous {dtype} array of shape {shape}, "
                f"got {got}"
            )


class CheckedInputs:
    """`RecurrentLayer`'s ``params`` (a `ParamDict`), ``batch_first`` and the parameter check
    of its ``forward``; the layer supplies ``param_shapes`` and ``dtype``."""

    dtype: np.dtype

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        raise NotImplementedError

    @property
    def params(self) -> ParamDict:
        """The parameter arrays by PyTorch's names; assigning an entry (or the whole dict)
        makes the next ``forward`` check shapes and dtypes again."""
        return self._params

    @params.setter
    def params(self, value: dict[str, Array]) -> None:
        self._params = value if isinstance(value, ParamDict) else ParamDict(value)
        self._checked_version: int | None = None

    @property
    def batch_first(self) -> bool:
        """True: ``x`` (N, T, D) and ``y`` (N, T, D*H); False: time-major (T, N, ...), as
        torch's ``batch_first=False`` (`from_torch` carries the module's). States, lengths and
        parameters are the same either way."""
        return self._batch_first

    @batch_first.setter
    def batch_first(self, value: bool) -> None:
        self._batch_first = check_bool(value, "batch_first")

    def _check_params(self) -> None:
        """Shapes, dtypes and layout of every parameter, once per change of ``params``: the
        compiled kernels index them without bounds checks."""
        if self._checked_version == self._params.version:
            return
        check_params(self._params, self.param_shapes(), self.dtype)
        self._checked_version = self._params.version


_WEIGHTS: dict[np.dtype, Array] = {}


def _weights(n: int, dtype: np.dtype) -> Array:
    """The first ``n`` fingerprint weights in ``dtype`` (the same values however many exist)."""
    w = _WEIGHTS.get(dtype)
    if w is None or w.size < n:
        size = max(n, 2 * (0 if w is None else w.size), 4096)
        w = (0.5 + np.random.default_rng(0).random(size)).astype(dtype)  # a prefix-stable stream
        _WEIGHTS[dtype] = w
    return w[:n]


def fingerprint(arr: Array) -> float:
    flat = arr.reshape(-1)  # a view, except for a non-contiguous x (then one copy)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged model's huge or NaN values
        return float(np.dot(flat, _weights(flat.size, flat.dtype)))


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@dataclass(frozen=True)
class Snapshot:
    """``x`` and the parameters as `forward` saw them, to compare with before `backward`."""

    x: Array | None  # None: forward converted x to a copy of its own, which no one can edit
    x_print: float
    params: dict[str, tuple[Array, float]]

    @classmethod
    def take(cls, x: Array | None, params: Iterable[tuple[str, Array]]) -> Snapshot:
        x_print = math.nan if x is None else fingerprint(x)
        return cls(x, x_print, {k: (p, fingerprint(p)) for k, p in params})

    def check(self, params: Mapping[str, Array]) -> None:
        """Raise a ValueError naming what changed since the snapshot was taken."""
        again = "; run forward() again (the cache holds views, as PyTorch's autograd does)"
        if self.x is not None and not _same(fingerprint(self.x), self.x_print):
            raise ValueError(f"x: changed in place between forward() and backward(){again}")
        for name, (p, before) in self.params.items():
            if params.get(name) is not p:
                raise ValueError(
                    f"params[{name!r}]: replaced between forward() and backward(){again}"
                )
            if not _same(fingerprint(p), before):
                raise ValueError(
                    f"params[{name!r}]: changed in place between forward() and backward(){again}"
                )
