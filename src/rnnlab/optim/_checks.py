"""Argument checks shared by the optimizers, schedules and clipping (one message format)."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np


def positive(name: str, value: Any) -> float:
    """`value` as a float, or ValueError unless it is a finite number > 0."""
    x = _number(name, value)
    if not x > 0:
        raise ValueError(f"{name}: expected a number > 0, got {value!r}")
    return x


def non_negative(name: str, value: Any) -> float:
    x = _number(name, value)
    if not x >= 0:
        raise ValueError(f"{name}: expected a number >= 0, got {value!r}")
    return x


def fraction(name: str, value: Any) -> float:
    """A decay rate in [0, 1): 1 would freeze the running average at its start."""
    x = _number(name, value)
    if not 0 <= x < 1:
        raise ValueError(f"{name}: expected a number in [0, 1), got {value!r}")
    return x


def positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name}: expected an integer >= 1, got {value!r}")
    return int(value)


def float_arrays(name: str, arrays: Any) -> dict[str, np.ndarray]:
    """A dict of writeable float arrays (they are updated in place), or ValueError."""
    if not isinstance(arrays, Mapping):
        raise ValueError(f"{name}: expected a dict of name -> numpy array, got {type(arrays)}")
    for key, a in arrays.items():
        if not isinstance(a, np.ndarray) or a.dtype.kind != "f" or not a.flags.writeable:
            what = a.dtype if isinstance(a, np.ndarray) else type(a).__name__
            raise ValueError(f"{name}[{key!r}]: expected a writeable float numpy array, got {what}")
    return dict(arrays)  # a new dict holding the caller's own arrays


def known_options(what: str, factory: Callable[..., Any], options: Mapping[str, Any]) -> None:
    """ValueError naming the first keyword that `factory` does not take."""
    accepted = inspect.signature(factory).parameters
    for key in options:
        if key not in accepted or key in {"self", "params", "lr"}:
            names = ", ".join(k for k in accepted if k not in {"self", "params", "lr"})
            raise ValueError(f"{key}: not an option of {what} (options: {names})")


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name}: expected a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    return x
