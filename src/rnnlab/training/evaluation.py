"""A task's test pass: its metrics on ``task.test_size`` fresh sequences.

The test set is drawn whole when its inputs fit in ``EVAL_BYTES``, as every task's did before
(so every figure measured before is the same draw). A larger one, HS97 2c at q = 1,000 (2,560
sequences of ~1,100 one-hot steps over 1,004 symbols: 22.6 GB in float64), is drawn, predicted
and scored in chunks of the same stream, keeping only outputs, targets and lengths. Chunking
needs a many-to-one task: one output per sequence, which is all its metrics read.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..models import SequenceModel
from ..tasks.base import Batch

EVAL_BYTES = 2**30  # the largest test input built in one piece


def evaluate(model: SequenceModel, task: Any, rng: np.random.Generator) -> dict[str, float]:
    """The task's metrics on ``task.test_size`` fresh sequences drawn from ``rng``."""
    n = task.test_size
    per_sequence = task.max_length * task.input_size * 8  # float64 inputs, padded to the longest
    if n * per_sequence <= EVAL_BYTES or task.output_kind != "many_to_one":
        batch = task.test_batch(rng, n)
        return task.evaluate(model.predict(batch.x, batch.lengths), batch)
    size = max(1, EVAL_BYTES // per_sequence)
    outputs, targets, lengths = [], [], []
    for start in range(0, n, size):
        batch = task.test_batch(rng, min(size, n - start))
        outputs.append(model.predict(batch.x, batch.lengths))
        targets.append(batch.target)
        lengths.append(batch.lengths)
    scored = Batch(np.empty((n, 0, task.input_size)), np.concatenate(targets),
                   np.concatenate(lengths))  # fmt: skip
    return task.evaluate(np.concatenate(outputs), scored)
