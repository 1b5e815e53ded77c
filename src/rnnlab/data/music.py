"""Polyphonic music: the music21 Bach chorales on a quarter-note grid, 88-key piano rolls,
many-to-many with one sigmoid per key.

The layer reads frames 0 .. T-2 of a chorale and predicts frames 1 .. T-1 (the first frame is
never predicted). The metric is the JSB protocol of Boulanger-Lewandowski et al. (2012): per
frame, the sum over the 88 keys of the Bernoulli negative log-likelihood, averaged over every
predicted frame of the test chorales (nats per frame). That is exactly the training loss
(`rnnlab.losses.sigmoid_binary_cross_entropy`) over the test set. The numbers sit beside JSB
results only loosely: music21 holds 350 chorale files, not JSB's 382, on its own grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..tasks.base import Batch, counted_steps
from .base import Dataset, Metric, Source
from .chorales import chorale_names, read_chorales, split_names
from .fixed import FixedSetProblem, Shape, pad
from .music_baselines import bernoulli_logits, music_baselines
from .packages import package_dir
from .piano_roll import KEYS, frame_nll

if TYPE_CHECKING:
    from ..training.config import TrainConfig

NLL = Metric("nll", "nats per frame", True)


def next_frame_batch(rolls: list[np.ndarray]) -> Batch:
    """Inputs frames 0..T-2, targets frames 1..T-1 of each roll, zero-padded."""
    return Batch(
        pad([r[:-1] for r in rolls], KEYS),
        pad([r[1:] for r in rolls], KEYS),
        np.array([len(r) - 1 for r in rolls], dtype=np.int64),
    )


def nll_metric(output: np.ndarray, batch: Batch) -> dict[str, float]:
    """Nats per predicted frame over the batch's valid frames (`frame_nll`)."""
    return {"metric": frame_nll(output, batch.target, counted_steps(batch))}


@dataclass(frozen=True)
class Chorales(Dataset):
    split_seed: int = 0

    name: ClassVar[str] = "chorales"
    kind: ClassVar[str] = "music"
    description: ClassVar[str] = (
        "Bach chorales (music21 corpus, 350 files) as 88-key piano rolls, one frame a quarter note"
    )
    split: ClassVar[str] = "by chorale, seeded 60/20/20: 210 train, 70 valid, 70 test"
    source: ClassVar[Source] = Source("music21", "10.5.1", "BSD-3; corpus see its license.txt",
                                      "corpus/bach (parsed once, cached)")  # fmt: skip
    metric: ClassVar[Metric] = NLL
    baseline_names: ClassVar[tuple[str, ...]] = ("bernoulli", "logistic_ar2")
    # LSTM-36 is Chung et al.'s ~20 k-parameter music model (19.8 k with their peepholes)
    defaults: ClassVar[dict[str, Any]] = {"hidden": 36, "batch": 8, "lr": 0.003,
                                          "steps": 1200, "eval_every": 100}  # fmt: skip

    def __post_init__(self) -> None:
        package_dir("music21", self.name)

    def parts(self) -> dict[str, list[np.ndarray]]:
        rolls = read_chorales()
        names = split_names(chorale_names(), self.split_seed)
        return {part: [rolls[n] for n in members] for part, members in names.items()}

    def sizes(self) -> dict[str, int]:
        return {part: len(members) for part, members in split_names(chorale_names()).items()}

    def baseline_figures(self) -> dict[str, float]:
        parts = self.parts()
        return music_baselines(parts["train"], parts["test"])

    def problem(self, config: TrainConfig) -> FixedSetProblem:
        parts = self.parts()
        train, valid, test = (next_frame_batch(parts[p]) for p in ("train", "valid", "test"))

        names = split_names(chorale_names(), self.split_seed)
        record = {p: len(v) for p, v in names.items()} | {"names": names}

        def result() -> dict[str, Any]:
            return {
                "data": config.data, "kind": self.kind, "split_info": {"sizes": self.sizes()},
                "metric_info": self.metric.as_dict(),
                "baselines": music_baselines(parts["train"], parts["test"]),
            }  # fmt: skip

        t_max = max(len(r) for rolls in parts.values() for r in rolls)
        # Start each key's sigmoid at its training frequency (the Bernoulli baseline): most keys
        # are almost never on, and Adam would need ~1000 updates to walk the biases to -5.
        bias = bernoulli_logits(parts["train"])
        shape = Shape(KEYS, KEYS, "many_to_many", "sigmoid_bce", t_max, bias)
        label = config.data or self.name
        return FixedSetProblem(label, shape, train, test, nll_metric, result,
                               {"split.json": record}, valid=valid)  # fmt: skip
