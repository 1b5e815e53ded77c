"""Noise and signal on one input line (HS97 exp 3a, 3b, 3c; Bengio et al. 1994's problem)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from rnnlab.tasks.base import (
    Batch,
    Task,
    check_choice,
    check_int,
    check_output_shape,
    lengths_between,
    scalar_errors,
    valid_steps,
)

Variant = Literal["3a", "3b", "3c"]
VARIANTS: tuple[Variant, ...] = ("3a", "3b", "3c")
NOISE_SD = float(np.sqrt(0.2))  # HS97: Gaussian, mean 0, variance 0.2
TARGET_NOISE_SD = float(np.sqrt(0.1))  # 3c: target noise, variance 0.1
# (|error| that makes a sequence wrong, share of wrong test sequences that is still too many,
# mean |error| to stay below): 3a and 3c allow none wrong, 3b fewer than 6 in 256
RULES = {"3a": (0.2, 1 / 256, 0.01), "3b": (0.2, 6 / 256, 0.04), "3c": (0.1, 1 / 256, 0.015)}
TARGETS = {"3a": (1.0, 0.0), "3b": (1.0, 0.0), "3c": (0.8, 0.2)}


@dataclass(frozen=True)
class SignalInNoise(Task):
    """Tell two classes apart from the first N inputs of a long noisy sequence, HS97 exp 3.

    One input line. Class 1 starts with N elements +1.0, class 2 with N elements -1.0
    (``signal`` = N, 1 or 3 in HS97); every later element is Gaussian noise, mean 0, variance
    0.2; the length is uniform in [T, T + T/10]. One output, read at the end, regression (mean
    squared error on a linear output):

    * ``3a``: targets 1.0 / 0.0; a sequence is wrong if |error| >= 0.2. Solved (HS97's ST2):
      no test sequence wrong and mean |error| < 0.01.
    * ``3b``: as 3a, plus the same noise on the first N elements. Solved: fewer than 6/256 of
      the test sequences wrong and mean |error| < 0.04.
    * ``3c``: targets 0.8 / 0.2 with Gaussian target noise (variance 0.1) in training; wrong if
      |output - clean target| > 0.1. Solved: none wrong and mean |output - clean target| <
      0.015. The test batch's targets are the clean ones (the criterion reads them).

    HS97 (LSTM, 3 blocks): 3a T = 100, N = 3 after 27,380 sequences; T = 1000, N = 3 after
    446,850; they note that random weight guessing solves 3a faster. 3c is not solvable by
    guessing.

    Baseline: a constant output halfway between the targets: every sequence wrong.

    Worked example (T=4, N=1, 3a): a class-2 sequence of length 4 is (-1.0, n1, n2, n3) with
    n_i ~ N(0, 0.2), target 0.0; output 0.15 is right (|0.15| < 0.2), 0.25 is wrong.
    """

    T: int
    signal: int = 3
    variant: Variant = "3a"
    test_size: int = 2560

    name = "signal_in_noise"
    parameters = "T (minimal length), signal=N (1|3), variant=3a|3b|3c"
    criterion = "no test sequence wrong (3b: < 6/256) and mean |error| small"
    source = "Hochreiter & Schmidhuber 1997 exp 3a/3b/3c"
    length_field = "T"
    output_kind = "many_to_one"
    loss = "mse"
    input_size = 1
    output_size = 1
    min_length = 2

    def check_options(self) -> None:
        check_int("signal", self.signal, 1)
        if self.signal >= self.T:
            raise ValueError(f"signal must be below the length T={self.T}, got {self.signal}")
        check_choice("variant", self.variant, VARIANTS)

    @property
    def max_length(self) -> int:
        return self.T + self.T // 10

    def sample(self, rng: np.random.Generator, n: int) -> Batch:
        """Training batches; 3c's targets carry its noise (`clean_batch` holds them clean)."""
        batch = self.clean_batch(rng, n)
        if self.variant != "3c":
            return batch
        noisy = batch.target + rng.normal(0.0, TARGET_NOISE_SD, size=batch.target.shape)
        return Batch(x=batch.x, target=noisy, lengths=batch.lengths)

    def clean_batch(self, rng: np.random.Generator, n: int) -> Batch:
        check_int("n", n, 1)
        lengths = lengths_between(rng, n, self.T, self.max_length)
        first = rng.integers(0, 2, size=n)  # 0: class 1 (+1), 1: class 2 (-1)
        x = rng.normal(0.0, NOISE_SD, size=(n, self.max_length))
        sign = np.where(first == 0, 1.0, -1.0)[:, None]
        head = x[:, : self.signal] if self.variant == "3b" else 0.0
        x[:, : self.signal] = sign + head
        x[~valid_steps(lengths, self.max_length)] = 0.0  # right padding
        high, low = TARGETS[self.variant]
        target = np.where(first == 0, high, low)[:, None]
        return Batch(x=x[..., None], target=target, lengths=lengths)

    def test_batch(self, rng: np.random.Generator, n: int) -> Batch:
        return self.clean_batch(rng, n)

    def evaluate(self, output: np.ndarray, batch: Batch) -> dict[str, float]:
        out = check_output_shape(output, batch.target.shape)
        with np.errstate(all="ignore"):  # a non-finite output scores as wrong, not an error
            error = np.abs(scalar_errors(out, batch.target))  # inf where not finite
            tolerance = RULES[self.variant][0]
            correct = error <= tolerance if self.variant == "3c" else error < tolerance
            return {
                "metric": float(1.0 - correct.mean()),  # share of sequences wrong (NaN: wrong)
                "loss": float(np.mean((out - batch.target) ** 2)),
                "mean_abs_error": float(error.mean()),
            }

    def solved(self, metrics: dict[str, float]) -> bool:
        _, too_many, mean_error = RULES[self.variant]
        none_wrong = self.variant != "3b" and metrics["metric"] == 0.0
        few_wrong = self.variant == "3b" and metrics["metric"] < too_many
        return (none_wrong or few_wrong) and metrics["mean_abs_error"] < mean_error

    def baseline(self) -> dict[str, float]:
        high, low = TARGETS[self.variant]
        return {"metric": 1.0, "loss": ((high - low) / 2) ** 2}
