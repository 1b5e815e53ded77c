"""The task interface shared by every long-time-lag benchmark, and the metric helpers they reuse.

A task is a frozen dataclass of knobs. `sample(rng, n)` draws a fresh `Batch` from the one
seeded `numpy.random.Generator` it is handed (never the global RNG), `evaluate(output, batch)`
scores the model's raw readout, and `solved(metrics)` applies the paper's success criterion.
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
OutputKind = Literal["many_to_one", "many_to_many"]
LossKind = Literal["mse", "softmax_ce", "sigmoid_bce"]


@dataclass(frozen=True)
class Batch:
    """One batch of sequences, right-padded with zeros beyond each sequence's length.

    x:       (N, T, input_size) float64.
    target:  many_to_one: (N, output_size) float ("mse") or (N,) int64 class ("softmax_ce");
             many_to_many: (N, T, output_size) float ("mse", "sigmoid_bce") or (N, T) int64.
    lengths: (N,) int64, each in [1, T].
    mask:    many_to_many only: (N, T) bool, the steps the loss counts; None means every step
             before the sequence's length.
    """

    x: FloatArray
    target: np.ndarray
    lengths: IntArray
    mask: npt.NDArray[np.bool_] | None = None


class Task(abc.ABC):
    """A long-time-lag benchmark: a generator, a scorer and its published success criterion.

    Subclasses are frozen dataclasses. Besides the abstract members they set the class
    attributes below (plain assignments: the types are declared here), which `describe()` and
    `registry.list_tasks()` print; `input_size` and `output_size` are class attributes too
    where no knob changes them.
    """

    name: ClassVar[str]
    parameters: ClassVar[str]  # the knobs, e.g. "T (length), variant=hs97|pascanu|arjovsky"
    criterion: ClassVar[str]  # the success rule in words
    source: ClassVar[str]  # the paper (and experiment) the definition follows
    length_field: ClassVar[str]  # the dataclass field that `make_task(name, length)` fills
    output_kind: ClassVar[OutputKind]  # one readout per sequence, or one per step
    loss: ClassVar[LossKind]  # the `rnnlab.losses` loss the model trains with
    # The architecture the source paper trained: True where its nets had direct input-to-output
    # connections (HS97 exp 2a), which the readout then gets too (`make_model`), for every cell.
    input_to_output: ClassVar[bool] = False
    min_length: ClassVar[int] = 1  # the smallest value the length field takes
    test_size: int

    def __post_init__(self) -> None:
        """Refuse a bad length (below `min_length`), option or ``test_size``, in that order."""
        check_int(f"length {self.length_field}", getattr(self, self.length_field), self.min_length)
        self.check_options()
        check_int("test_size", self.test_size, 1)

    def check_options(self) -> None:  # noqa: B027 (optional: most tasks have no other knobs)
        """Refuse a bad value of the task's other knobs (a task that has some says which)."""

    @property
    @abc.abstractmethod
    def input_size(self) -> int: ...

    @property
    @abc.abstractmethod
    def output_size(self) -> int: ...

    @property
    @abc.abstractmethod
    def max_length(self) -> int:
        """The longest sequence the task can produce (T of every batch is at most this)."""

    @abc.abstractmethod
    def sample(self, rng: np.random.Generator, n: int) -> Batch: ...

    def test_batch(self, rng: np.random.Generator, n: int) -> Batch:
        """The sequences an evaluation scores: `sample`'s, unless the training targets carry
        noise the criterion must not see (HS97 exp 3c)."""
        return self.sample(rng, n)

    @abc.abstractmethod
    def evaluate(self, output: np.ndarray, batch: Batch) -> dict[str, float]:
        """Score the raw readout (logits / pre-sigmoid / regression values).

        The result always holds "metric" (the headline test figure) and "loss".
        """

    @abc.abstractmethod
    def solved(self, metrics: dict[str, float]) -> bool: ...

    @abc.abstractmethod
    def baseline(self) -> dict[str, float]:
        """The chance or constant-output "metric" (and "loss" where it has a closed form)."""

    @classmethod
    def describe(cls) -> str:
        return f"{cls.name}: {cls.parameters}; solved when {cls.criterion}; {cls.source}"


# --- argument checks -------------------------------------------------------------------------


def check_int(arg: str, value: object, minimum: int) -> None:
    """Raise a ValueError naming `arg` unless `value` is an int >= minimum."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{arg} must be an integer >= {minimum}, got {value!r}")


def check_choice(arg: str, value: object, choices: tuple[object, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{arg} must be one of {', '.join(map(repr, choices))}, got {value!r}")


def check_output_shape(output: np.ndarray, expected: tuple[int, ...]) -> FloatArray:
    out = np.asarray(output, dtype=np.float64)
    if out.shape != expected:
        raise ValueError(f"output must have shape {expected}, got {out.shape}")
    return out


def finite_rows(output: FloatArray, axes: int) -> npt.NDArray[np.bool_]:
    """Over the first ``axes`` axes of ``output``: True where every entry below is finite.

    Every metric counts a prediction holding NaN or infinity as wrong: comparisons with NaN
    are all False, so a "wrong when error >= tol" or "wrong when lowest legal <= highest
    illegal" test would otherwise score a blown-up network as perfect.
    """
    return np.isfinite(output).reshape(*output.shape[:axes], -1).all(axis=-1)


def scores_non_finite(
    evaluate: Callable[[Task, np.ndarray, Batch], dict[str, float]],
) -> Callable[[Task, np.ndarray, Batch], dict[str, float]]:
    """Decorate a task's `evaluate`: a blown-up network's NaN or infinite output is an expected
    input there (scored as wrong through `finite_rows`), so the arithmetic on it (inf - inf,
    0 * inf, ...) neither warns nor raises, whatever the caller's ``np.errstate``."""

    @functools.wraps(evaluate)
    def wrapped(self: Task, output: np.ndarray, batch: Batch) -> dict[str, float]:
        with np.errstate(all="ignore"):
            return evaluate(self, output, batch)

    return wrapped


def scalar_errors(output: FloatArray, target: FloatArray) -> FloatArray:
    """(N,) error of a one-value readout (N, 1); infinite where the output is not finite."""
    return np.where(finite_rows(output, 1), (output - target)[:, 0], np.inf)


# --- batch building --------------------------------------------------------------------------


def one_hot(symbols: IntArray, size: int) -> FloatArray:
    """One-hot float64 encoding along a new last axis; symbol -1 (padding) encodes as zeros."""
    out = np.zeros((*symbols.shape, size), dtype=np.float64)
    idx = np.nonzero(symbols >= 0)
    out[(*idx, symbols[idx])] = 1.0
    return out


def valid_steps(lengths: IntArray, T: int) -> npt.NDArray[np.bool_]:
    """(N, T) bool: True at steps before each sequence's length."""
    return np.arange(T)[None, :] < lengths[:, None]


def counted_steps(batch: Batch) -> npt.NDArray[np.bool_]:
    valid = valid_steps(batch.lengths, batch.x.shape[1])
    return valid if batch.mask is None else valid & batch.mask


def lengths_between(rng: np.random.Generator, n: int, lo: int, hi: int) -> IntArray:
    """n lengths drawn uniformly from the integers lo..hi inclusive."""
    return rng.integers(lo, hi + 1, size=n).astype(np.int64)


