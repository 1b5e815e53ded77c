"""The temporal order problem (HS97 exp 6a and 6b), relevant positions scaled with the length."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rnnlab.losses import softmax_cross_entropy
from rnnlab.tasks.base import (
    Batch,
    Task,
    check_choice,
    check_int,
    check_output_shape,
    finite_rows,
    lengths_between,
    one_hot,
    scores_non_finite,
)

SYMBOLS = ("a", "b", "c", "d", "X", "Y", "E", "B")
X_SYMBOL, START, TRIGGER = 4, 6, 7  # Y is X_SYMBOL + 1
# HS97's windows for the relevant symbols at length 100 (1-based, inclusive), per `bits`
WINDOWS = {2: ((10, 20), (50, 60)), 3: ((10, 20), (33, 43), (66, 76))}
MAX_FRACTION_WRONG = 0.01


def _scaled(position: int, T: int) -> int:
    """HS97's position at length 100 scaled to length T, rounded half up."""
    return (position * T + 50) // 100


@dataclass(frozen=True)
class TemporalOrder(Task):
    """Temporal order, Hochreiter & Schmidhuber 1997, exp 6a (bits=2) and 6b (bits=3).

    Eight one-hot input symbols {a, b, c, d, X, Y, E, B}. A sequence starts with E, ends with
    the trigger B, and has length uniform in [T, T + T//10] (HS97: 100..110). At `bits`
    relevant positions the symbol is X or Y; every other step is a random distractor a..d.
    The class, read at the last step, is the order of the X/Y symbols (6a: XX, XY, YX, YY ->
    0..3; 6b: 8 classes, first symbol most significant). HS97's windows at T = 100 are
    t1 in [10, 20], t2 in [50, 60] (6a) and [10, 20], [33, 43], [66, 76] (6b); we scale them
    by T/100 and treat them as 1-based (E is step 1), keeping them off the E step.

    HS97 used sigmoid outputs with a one-hot target (right if every |error| < 0.3); we use a
    softmax over the classes and count a sequence wrong when its argmax is not the class
    (PMB13's rule). Solved when fewer than 1% of 2560 test sequences are misclassified.
    Chance: 1 - 1/2**bits wrong, cross-entropy ln 2**bits.

    Worked example (T=10, bits=2: the windows are 0-based step 1 and steps 4..5): the length-11
    sequence E X c d a Y b a c d B, i.e. x = one_hot(6, 4, 2, 3, 0, 5, 1, 0, 2, 3, 7), has X
    then Y, so its target is class XY = 1.
    """

    T: int
    bits: int = 2
    test_size: int = 2560

    name = "temporal_order"
    parameters = "T (length), bits=2|3"
    criterion = "<1% of test sequences misclassified"
    source = "Hochreiter & Schmidhuber 1997 exp 6a/6b (positions scaled by T/100)"
    length_field = "T"
    output_kind = "many_to_one"
    loss = "softmax_ce"
    input_size = len(SYMBOLS)
    min_length = 10

    def __post_init__(self) -> None:
        check_choice("bits", self.bits, (2, 3))
        super().__post_init__()

    @property
    def output_size(self) -> int:
        return 2**self.bits

    @property
    def max_length(self) -> int:
        return self.T + self.T // 10

    def windows(self) -> list[tuple[int, int]]:
        """The 0-based inclusive step ranges of the relevant symbols at this T."""
        out = []
        for lo, hi in WINDOWS[self.bits]:
            a = max(2, _scaled(lo, self.T))
            b = min(self.T - 1, max(a, _scaled(hi, self.T)))
            out.append((a - 1, b - 1))
        return out

    def sample(self, rng: np.random.Generator, n: int) -> Batch:
        check_int("n", n, 1)
        lengths = lengths_between(rng, n, self.T, self.max_length)
        symbols = rng.integers(0, 4, size=(n, self.max_length))
        rows = np.arange(n)
        target = np.zeros(n, dtype=np.int64)
        for lo, hi in self.windows():
            pos = rng.integers(lo, hi + 1, size=n)
            bit = rng.integers(0, 2, size=n)
            symbols[rows, pos] = X_SYMBOL + bit
            target = 2 * target + bit
        symbols[:, 0] = START
        symbols[rows, lengths - 1] = TRIGGER
        symbols[np.arange(self.max_length)[None, :] >= lengths[:, None]] = -1  # padding
        return Batch(x=one_hot(symbols, len(SYMBOLS)), target=target, lengths=lengths)

    @scores_non_finite
    def evaluate(self, output: np.ndarray, batch: Batch) -> dict[str, float]:
        logits = check_output_shape(output, (len(batch.target), self.output_size))
        right = (np.argmax(logits, axis=1) == batch.target) & finite_rows(logits, 1)
        wrong = float(np.mean(~right))  # argmax of NaNs picks a class
        ce = softmax_cross_entropy(logits, batch.target)[0]
        return {"metric": wrong, "loss": ce, "fraction_wrong": wrong, "accuracy": 1.0 - wrong}

    def solved(self, metrics: dict[str, float]) -> bool:
        return metrics["metric"] < MAX_FRACTION_WRONG

    def baseline(self) -> dict[str, float]:
        classes = 2**self.bits
        return {"metric": 1.0 - 1.0 / classes, "loss": math.log(classes)}
