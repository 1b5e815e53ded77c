"""The adding problem in its three published forms (HS97 exp 4, PMB13, ASB16)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from rnnlab.tasks.base import (
    Batch,
    FloatArray,
    IntArray,
    Task,
    check_choice,
    check_int,
    check_output_shape,
    lengths_between,
    scalar_errors,
    scores_non_finite,
)

Variant = Literal["hs97", "pascanu", "arjovsky"]
VARIANTS: tuple[Variant, ...] = ("hs97", "pascanu", "arjovsky")
HS97_TOLERANCE = 0.04  # HS97: a sequence is correct if |error| < 0.04
PASCANU_TOLERANCE = 0.2  # PMB13 RNN.py: wrong if squared error > 0.04, i.e. |error| > 0.2
ARJOVSKY_FRACTION = 0.1  # our rule for ASB16, which publishes curves only: MSE < 0.1 x baseline


def hs97_marked_pairs(
    rng: np.random.Generator, n: int, T: int, low: float, high: float, neutral: float
) -> tuple[FloatArray, IntArray, FloatArray, FloatArray]:
    """HS97's marked-pair sequences (exp 4 and 5): returns x (N, T_max, 2), lengths, X1, X2.

    Channel 0 holds values from U[low, high], channel 1 the markers. The length is uniform in
    [T, T + T//10]. X1 is one of the first ten pairs (fewer when T <= 10, so it never falls on
    the last pair), X2 one of the first T//2 - 1 still-unmarked pairs. Both get marker 1; the
    first and last pair get marker -1. A mark on the first pair stays -1 and its value becomes
    `neutral` (0 for adding, 1 for multiplication): HS97 "set X1 to zero" / "to 1.0". We zero
    the input value too, and apply the rule to whichever mark lands on step 0.
    """
    lengths = lengths_between(rng, n, T, T + T // 10)
    t_max = T + T // 10
    rows = np.arange(n)
    values = rng.uniform(low, high, size=(n, t_max))
    values[np.arange(t_max)[None, :] >= lengths[:, None]] = 0.0  # right padding
    p1 = rng.integers(0, min(10, T - 1), size=n)
    # the k-th unmarked pair among the first T//2 - 1: skip over p1
    k = rng.integers(0, T // 2 - 1, size=n)
    p2 = np.where(k < p1, k, k + 1)
    markers = np.zeros((n, t_max))
    markers[rows, p1] = 1.0
    markers[rows, p2] = 1.0
    markers[:, 0] = -1.0
    markers[rows, lengths - 1] = -1.0
    values[:, 0] = np.where((p1 == 0) | (p2 == 0), neutral, values[:, 0])
    x = np.stack([values, markers], axis=-1)
    return x, lengths, values[rows, p1], values[rows, p2]


def hs97_first_pair_marked(T: int) -> float:
    """Probability that one of the two HS97 marks lands on step 0 (and is neutralised)."""
    n1, n2 = min(10, T - 1), T // 2 - 1
    return 1.0 / n1 + (1.0 - 1.0 / n1) / n2


def _within(a: float) -> float:
    """P(|U1 + U2| < a) for U1, U2 ~ U[-1, 1] independent (triangular density), 0 <= a <= 2."""
    return (4.0 * a - a * a) / 4.0


@dataclass(frozen=True)
class Adding(Task):
    """The adding problem: remember two marked values across a long lag and output their sum.

    variant="hs97" (default), Hochreiter & Schmidhuber 1997, exp 4. Each step is a pair
    (value in U[-1, 1], marker in {1, 0, -1}); the length is uniform in [T, T + T//10]; see
    `hs97_marked_pairs` for where the marks go. The target, at the last step only, is
    0.5 + (X1 + X2)/4. A sequence is wrong when |error| >= 0.04; solved when at most 1% of
    `test_size` = 2560 fresh sequences are wrong. Constant output 0.5 gives MSE ~= 1/24.

    Worked example (T=8: length 8, X1 among steps 0..6, X2 among the first 3 unmarked
    steps): values (0.3, -0.6, 0.9, 0.2, 0.5, -0.1, 0.7, 0.4) with X1 on step 2 and X2 on
    step 1 give markers (-1, 1, 1, 0, 0, 0, 0, -1) and target 0.5 + (0.9 - 0.6)/4 = 0.575.

    variant="pascanu", Pascanu, Mikolov & Bengio 2013 (code pascanur/trainingRNNs): values in
    U[0, 1], marker 1 on one step in [0, l//10) and one in [l//10, l//10 + 4l//10), no -1
    markers, length l in [T, T + T//10 - 1], target (x0 + x1)/2. Wrong when the squared error
    exceeds 0.04 (|error| > 0.2); solved when fewer than 1% are wrong (PMB13 tested on 10,000
    sequences; pass test_size=10000 to match). PMB13 puts the marker in channel 0; we keep
    (value, marker) for every variant, and draw each sequence's length separately.

    variant="arjovsky", Arjovsky, Shah & Bengio 2016: fixed length T, values in U[0, 1], one
    marker in each half, target x0 + x1, MSE baseline 1/6 (always predict 1). ASB16 report
    learning curves only, so "solved" is our rule: test MSE below 0.1 x 1/6.
    """

    T: int
    variant: Variant = "hs97"
    test_size: int = 2560

    name = "adding"
    parameters = "T (length), variant=hs97|pascanu|arjovsky"
    criterion = (
        "hs97: <=1% of test sequences with |err| >= 0.04; pascanu: <1% with err^2 > 0.04; "
        "arjovsky: MSE < 0.1 x 1/6"
    )
    source = (
        "Hochreiter & Schmidhuber 1997 exp 4; Pascanu et al. 2013; Arjovsky et al. 2016"
    )
    length_field = "T"
    output_kind = "many_to_one"
    loss = "mse"
    input_size = 2
    output_size = 1

    def __post_init__(self) -> None:
        check_choice("variant", self.variant, VARIANTS)
        check_int("length T", self.T, 10 if self.variant == "pascanu" else 4)
        check_int("test_size", self.test_size, 1)

    @property
    def max_length(self) -> int:
        if self.variant == "arjovsky":
            return self.T
        if self.variant == "pascanu":
            return self.T + max(1, self.T // 10) - 1
        return self.T + self.T // 10

    def sample(self, rng: np.random.Generator, n: int) -> Batch:
        check_int("n", n, 1)
        if self.variant == "pascanu":
            return self._sample_pascanu(rng, n)
        if self.variant == "arjovsky":
            return self._sample_arjovsky(rng, n)
        x, lengths, x1, x2 = hs97_marked_pairs(rng, n, self.T, -1.0, 1.0, neutral=0.0)
        return Batch(x=x, target=(0.5 + (x1 + x2) / 4.0)[:, None], lengths=lengths)

    def _sample_pascanu(self, rng: np.random.Generator, n: int) -> Batch:
        lengths = self.T + rng.integers(0, max(1, self.T // 10), size=n).astype(np.int64)
        values = rng.uniform(0.0, 1.0, size=(n, self.max_length))
        values[np.arange(self.max_length)[None, :] >= lengths[:, None]] = 0.0
        p0 = rng.integers(0, lengths // 10)
        p1 = lengths // 10 + rng.integers(0, 4 * lengths // 10)
        return self._two_marks(values, lengths, p0, p1, scale=0.5)

    def _sample_arjovsky(self, rng: np.random.Generator, n: int) -> Batch:
        values = rng.uniform(0.0, 1.0, size=(n, self.T))
        p0 = rng.integers(0, self.T // 2, size=n)
        p1 = rng.integers(self.T // 2, self.T, size=n)
        lengths = np.full(n, self.T, dtype=np.int64)
        return self._two_marks(values, lengths, p0, p1, scale=1.0)

    @staticmethod
    def _two_marks(
        values: FloatArray, lengths: IntArray, p0: IntArray, p1: IntArray, scale: float
    ) -> Batch:
        rows = np.arange(len(values))
        markers = np.zeros_like(values)
        markers[rows, p0] = 1.0
        markers[rows, p1] = 1.0
        target = scale * (values[rows, p0] + values[rows, p1])
        return Batch(x=np.stack([values, markers], -1), target=target[:, None], lengths=lengths)

    @scores_non_finite
    def evaluate(self, output: np.ndarray, batch: Batch) -> dict[str, float]:
        out = check_output_shape(output, batch.target.shape)
        err = scalar_errors(out, batch.target)  # inf where the output is not finite
        mse = float(np.mean(err**2))
        if self.variant == "arjovsky":
            return {"metric": mse, "loss": mse, "mse": mse}
        if self.variant == "hs97":
            wrong = float(np.mean(np.abs(err) >= HS97_TOLERANCE))
        else:
            wrong = float(np.mean(np.abs(err) > PASCANU_TOLERANCE))
        return {"metric": wrong, "loss": mse, "mse": mse, "fraction_wrong": wrong}

    def solved(self, metrics: dict[str, float]) -> bool:
        if self.variant == "hs97":
            return metrics["metric"] <= 0.01
        if self.variant == "pascanu":
            return metrics["metric"] < 0.01
        return metrics["metric"] < ARJOVSKY_FRACTION / 6.0

    def baseline(self) -> dict[str, float]:
        """Constant output at the target mean (0.5, 0.5, 1.0 for hs97, pascanu, arjovsky)."""
        if self.variant == "arjovsky":
            return {"metric": 1.0 / 6.0, "loss": 1.0 / 6.0}
        if self.variant == "pascanu":
            # |(x0 + x1)/2 - 0.5| > 0.2  <=>  |(2x0 - 1) + (2x1 - 1)| > 0.8
            return {"metric": 1.0 - _within(0.8), "loss": 1.0 / 24.0}
        # with probability q one mark sits on step 0 and only one U[-1, 1] value counts
        q = hs97_first_pair_marked(self.T)
        a = 4.0 * HS97_TOLERANCE
        metric = q * (1.0 - a) + (1.0 - q) * (1.0 - _within(a))
        return {"metric": metric, "loss": q / 48.0 + (1.0 - q) / 24.0}
