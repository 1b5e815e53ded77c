"""The multiplication problem (HS97 exp 5): the adding problem's sequences, target X1 * X2."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rnnlab.tasks.adding import HS97_TOLERANCE, hs97_first_pair_marked, hs97_marked_pairs
from rnnlab.tasks.base import (
    Batch,
    Task,
    check_int,
    check_output_shape,
    scalar_errors,
    scores_non_finite,
)

MAX_FRACTION_WRONG = 0.05  # recommended suite: |err| < 0.04 on >= 95% of test sequences


def _product_cdf(z: float) -> float:
    """P(U1 * U2 <= z) for U1, U2 ~ U[0, 1] independent: z - z ln z."""
    z = min(max(z, 0.0), 1.0)
    return 0.0 if z == 0.0 else z - z * math.log(z)


@dataclass(frozen=True)
class Multiplication(Task):
    """Multiplication problem, Hochreiter & Schmidhuber 1997, exp 5.

    As the HS97 adding problem (see `adding.hs97_marked_pairs`) but values are drawn from
    U[0, 1], and a mark on the first pair sets that value to 1.0 (HS97: "X1 := 1.0"; we set
    the input value too). Length uniform in [T, T + T//10]; target X1 * X2 at the end only.
    A sequence is wrong when |error| >= 0.04. HS97 report 139/2560 and 14/2560 wrong (Table 8,
    T = 100) rather than a pass mark; we use the recommended suite's rule: solved when at most
    5% of the 2560 test sequences are wrong.

    Worked example (T=8): values (0.3, 0.6, 0.5, 0.2, 0.8, 0.1, 0.7, 0.4) with X1 on step 2
    and X2 on step 1 give markers (-1, 1, 1, 0, 0, 0, 0, -1) and target 0.5 * 0.6 = 0.3.
    """

    T: int
    test_size: int = 2560

    name = "multiplication"
    parameters = "T (length)"
    criterion = "<=5% of test sequences with |err| >= 0.04"
    source = "Hochreiter & Schmidhuber 1997 exp 5"
    length_field = "T"
    output_kind = "many_to_one"
    loss = "mse"
    input_size = 2
    output_size = 1
    min_length = 4

    @property
    def max_length(self) -> int:
        return self.T + self.T // 10

    def sample(self, rng: np.random.Generator, n: int) -> Batch:
        check_int("n", n, 1)
        x, lengths, x1, x2 = hs97_marked_pairs(rng, n, self.T, 0.0, 1.0, neutral=1.0)
        return Batch(x=x, target=(x1 * x2)[:, None], lengths=lengths)

    @scores_non_finite
    def evaluate(self, output: np.ndarray, batch: Batch) -> dict[str, float]:
        out = check_output_shape(output, batch.target.shape)
        err = scalar_errors(out, batch.target)  # inf where the output is not finite
        mse = float(np.mean(err**2))
        wrong = float(np.mean(np.abs(err) >= HS97_TOLERANCE))
        return {"metric": wrong, "loss": mse, "mse": mse, "fraction_wrong": wrong}

    def solved(self, metrics: dict[str, float]) -> bool:
        return metrics["metric"] <= MAX_FRACTION_WRONG

    def baseline(self) -> dict[str, float]:
        """The constant output that minimises MSE: the target mean.

        With probability q one mark sits on step 0, the target is a single U[0, 1] value
        (mean 1/2, second moment 1/3); otherwise it is a product (mean 1/4, second moment 1/9).
        """
        q = hs97_first_pair_marked(self.T)
        mean = q / 2.0 + (1.0 - q) / 4.0
        mse = q / 3.0 + (1.0 - q) / 9.0 - mean**2
        tol = HS97_TOLERANCE
        right_single = 2.0 * tol  # the mean lies well inside [tol, 1 - tol]
        right_product = _product_cdf(mean + tol) - _product_cdf(mean - tol)
        metric = 1.0 - (q * right_single + (1.0 - q) * right_product)
        return {"metric": metric, "loss": mse}
