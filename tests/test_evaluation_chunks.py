"""A test set too large to build whole (HS97 2c at q = 1,000: 22.6 GB) is drawn, predicted and
scored in chunks of the same stream; the metrics equal scoring those sequences in one piece."""

from __future__ import annotations

import numpy as np

from rnnlab.tasks.base import Batch
from rnnlab.tasks.trigger_recall import TriggerRecall
from rnnlab.training import TrainConfig, evaluation
from rnnlab.training.run import build_model


def test_a_chunked_test_pass_scores_like_the_same_sequences_whole(monkeypatch) -> None:
    task = TriggerRecall(q=20, test_size=50)
    config = TrainConfig(task="trigger_recall", length=20, cell="lstm", hidden=4)
    model = build_model(config, np.random.default_rng(0))
    whole = evaluation.evaluate(model, task, np.random.default_rng(1))
    per_sequence = task.max_length * task.input_size * 8
    monkeypatch.setattr(evaluation, "EVAL_BYTES", 16 * per_sequence)  # chunks of 16: 16, 16, 16, 2
    chunked = evaluation.evaluate(model, task, np.random.default_rng(1))
    rng = np.random.default_rng(1)
    parts = [task.test_batch(rng, k) for k in (16, 16, 16, 2)]
    outputs = [model.predict(b.x, b.lengths) for b in parts]
    same = Batch(np.empty((50, 0, task.input_size)), np.concatenate([b.target for b in parts]),
                 np.concatenate([b.lengths for b in parts]))  # fmt: skip
    assert chunked == task.evaluate(np.concatenate(outputs), same)
    assert set(chunked) == set(whole) and 0.0 <= chunked["metric"] <= 1.0
