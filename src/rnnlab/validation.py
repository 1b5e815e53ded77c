"""Input checks that turn bad arguments into one clear ValueError naming the argument."""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def as_float_array(value: object, name: str, dtype: np.dtype, ndim: int) -> Array:
    """``value`` as an array of ``dtype`` and rank ``ndim``, finite, or a ValueError naming it."""
    if type(value) is np.ndarray and value.dtype == dtype:  # the usual case, checked first
        arr = value
    else:
        arr = _numeric(value, name).astype(dtype, copy=False)
    if arr.ndim != ndim:
        raise ValueError(f"{name}: expected {ndim} dimensions, got shape {arr.shape}")
    if not all_finite(arr):
        raise ValueError(f"{name}: contains NaN or infinity")
    return arr


def _numeric(value: object, name: str) -> Array:
    """``value`` as a NumPy array of numbers (or booleans), or a ValueError naming it."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name}: expected a numeric array, got {type(value).__name__}") from exc
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise ValueError(f"{name}: expected a numeric array, got dtype {arr.dtype}")
    if arr.dtype.kind == "c":  # a cast would drop the imaginary part with only a warning
        raise ValueError(f"{name}: expected real numbers, got dtype {arr.dtype}")
    return arr


def all_finite(arr: Array) -> bool:
    """Whether every entry is finite. First a dot product of the array with itself (one BLAS
    pass, no temporary: 5 against 12 us for a 400 kB batch): any NaN or infinity makes it
    non-finite. Only when it is not (that, or a harmless overflow of huge values) does the
    element-wise test decide."""
    if arr.flags.c_contiguous and arr.dtype.kind == "f" and arr.size:
        flat = arr.reshape(-1)
        with np.errstate(over="ignore", invalid="ignore"):  # huge finite entries may overflow
            if np.isfinite(np.dot(flat, flat)):
                return True
    return bool(np.all(np.isfinite(arr)))


def check_shape(arr: Array, expected: tuple[int, ...], name: str) -> None:
    if arr.shape != expected:
        raise ValueError(f"{name}: expected shape {expected}, got {arr.shape}")


def as_lengths(lengths: object, batch: int, steps: int) -> Array:
    """Sequence lengths as an int64 vector of ``batch`` entries, each in [0, steps]."""
    arr = np.asarray(lengths)
    if arr.ndim != 1 or arr.shape[0] != batch:
        raise ValueError(
            f"lengths: expected {batch} entries (one per sequence), got shape {arr.shape}"
        )
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.issubdtype(arr.dtype, np.floating) or not np.all(arr == np.round(arr)):
            raise ValueError(f"lengths: expected whole numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() > steps):
        raise ValueError(
            f"lengths: expected values in [0, {steps}] (the time axis of x), "
            f"got min {arr.min()} and max {arr.max()}"
        )
    return arr


def check_bool(value: object, name: str) -> bool:
    """``value`` if it is a boolean (Python's or NumPy's), else a ValueError naming it: a string
    such as "false" is truthy, so ``bool(value)`` would silently turn it into True."""
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name}: expected True or False, got {value!r}")
    return bool(value)


def check_seed(value: object, name: str = "seed") -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"{name}: expected an integer >= 0, got {value!r}")
    return int(value)


def check_float_dtype(value: object, name: str = "dtype") -> np.dtype:
    """'float32' or 'float64' (or the NumPy dtype) as a dtype, else a ValueError naming it."""
    try:
        dtype = np.dtype(value)  # type: ignore[call-overload]
    except TypeError:
        dtype = None
    if value is None or dtype not in (np.float32, np.float64):
        raise ValueError(f"{name}: expected 'float32' or 'float64', got {value!r}")
    return dtype


def check_probability(value: object, name: str) -> float:
    """A number in [0, 1) (a dropout rate), else a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name}: expected a probability in [0, 1), got {value!r}")
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"{name}: expected a probability in [0, 1), got {value!r}")
    return float(value)


def check_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    return int(value)
