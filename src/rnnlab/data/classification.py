"""Sequence classification: JapaneseVowels, digits read row by row, and a user's .npz or
long-format CSV; many-to-one, variable lengths.

Each sequence's channels are z-scored with statistics of the training frames only; the layer
reads the sequence and the readout at its last valid step gives the class logits (softmax
cross-entropy). The metric is test accuracy, next to `classify_baselines` on the same split.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..tasks.base import Batch
from .base import Dataset, Metric, Source
from .classify_baselines import classify_baselines, stratified_split
from .fixed import FixedSetProblem, Shape, pad
from .packages import package_dir
from .sequence_files import (
    LabelledSequences,
    read_digits,
    read_japanese_vowels,
    read_long_csv,
    read_npz,
)
from .series import Scaler

if TYPE_CHECKING:
    from ..training.config import TrainConfig

ACCURACY = Metric("accuracy", "fraction correct", False)


@dataclass(frozen=True)
class ClassifyDataset(Dataset):
    """Labelled sequences with a train and a test part. Subclasses give `parts`."""

    kind: ClassVar[str] = "classify"
    metric: ClassVar[Metric] = ACCURACY
    baseline_names: ClassVar[tuple[str, ...]] = ("majority", "logistic_summary")

    def parts(self) -> tuple[LabelledSequences, LabelledSequences]:
        raise NotImplementedError

    def sizes(self) -> dict[str, int]:
        train, test = self.parts()
        return {"train": len(train.labels), "test": len(test.labels)}

    def baseline_figures(self) -> dict[str, float]:
        return classify_baselines(*self.parts())

    def problem(self, config: TrainConfig) -> FixedSetProblem:
        train, test = self.parts()
        scaler = Scaler.fit(np.concatenate(train.sequences))
        batches = [
            Batch(pad([scaler.transform(s) for s in part.sequences]), part.labels, part.lengths)
            for part in (train, test)
        ]

        def score(output: np.ndarray, batch: Batch) -> dict[str, float]:
            return {"metric": float(np.mean(output.argmax(axis=1) == batch.target))}

        D = train.sequences[0].shape[1]
        t_max = int(max(train.lengths.max(), test.lengths.max()))
        record = {
            "train": len(train.labels), "test": len(test.labels), "channels": D,
            "lengths": [int(min(train.lengths.min(), test.lengths.min())), t_max],
            "classes": list(train.classes), "scaler": scaler.to_dict(),
        }  # fmt: skip

        def result() -> dict[str, Any]:
            return {
                "data": config.data, "kind": self.kind, "split_info": record,
                "metric_info": self.metric.as_dict(),
                "baselines": classify_baselines(train, test),
            }  # fmt: skip

        shape = Shape(D, len(train.classes), "many_to_one", "softmax_ce", t_max)
        label = config.data or self.name
        return FixedSetProblem(label, shape, *batches, score, result, {"split.json": record})


@dataclass(frozen=True)
class JapaneseVowels(ClassifyDataset):
    name: ClassVar[str] = "japanese_vowels"
    description: ClassVar[str] = "9 speakers from 12 LPC channels, lengths 7-29 (UCI)"
    split: ClassVar[str] = "the UCI split: 270 train, 370 test"
    source: ClassVar[Source] = Source("aeon", "1.6.0",
                                      "BSD-3; data UCI, CC BY 4.0",
                                      "datasets/data/JapaneseVowels/*.ts")  # fmt: skip
    defaults: ClassVar[dict[str, Any]] = {"hidden": 64, "batch": 16, "lr": 0.003,
                                          "steps": 500, "eval_every": 100}  # fmt: skip

    def __post_init__(self) -> None:
        package_dir("aeon", self.name)

    def parts(self) -> tuple[LabelledSequences, LabelledSequences]:
        return read_japanese_vowels()


@dataclass(frozen=True)
class Digits(ClassifyDataset):
    test_fraction: float = 0.25
    split_seed: int = 0

    name: ClassVar[str] = "digits"
    description: ClassVar[str] = "8x8 handwritten digits read row by row: 8 steps of 8 pixels"
    split: ClassVar[str] = "stratified 75/25, seed 0 (1347 train, 450 test)"
    source: ClassVar[Source] = Source("scikit-learn", "1.9.1", "BSD-3; data UCI, CC BY 4.0",
                                      "datasets/data/digits.csv.gz")  # fmt: skip
    baseline_names: ClassVar[tuple[str, ...]] = ("majority", "logistic_summary", "logistic_flat")
    defaults: ClassVar[dict[str, Any]] = {"hidden": 64, "batch": 32, "lr": 0.003,
                                          "steps": 2500, "eval_every": 100}  # fmt: skip

    def __post_init__(self) -> None:
        package_dir("sklearn", self.name)

    def parts(self) -> tuple[LabelledSequences, LabelledSequences]:
        data = read_digits()
        train, test = stratified_split(data.labels, self.test_fraction, self.split_seed)
        return data.take(train), data.take(test)


@dataclass(frozen=True)
class SequenceFile(ClassifyDataset):
    """A user's .npz (``x``, ``y``, optional ``lengths``) or long-format CSV (``id``,
    ``label``, optional ``time`` and ``features``), split stratified 80/20 with a seed."""

    path: str = ""
    id: str | None = None
    label: str | None = None
    time: str | None = None
    features: str = ""
    test_fraction: float = 0.2
    split_seed: int = 0

    name: ClassVar[str] = "sequences"
    description: ClassVar[str] = (
        "your own labelled sequences: FILE.npz (x, y[, lengths]) or a long CSV (--id --label)"
    )
    split: ClassVar[str] = "stratified 80/20, seed 0 (--test-fraction)"
    source: ClassVar[Source] = Source("", "", "", "a file of yours")
    defaults: ClassVar[dict[str, Any]] = {"hidden": 64, "batch": 32, "lr": 0.003,
                                          "steps": 1000, "eval_every": 100}  # fmt: skip

    def __post_init__(self) -> None:
        if not Path(self.path).is_file():
            raise ValueError(f"data: no such file {self.path!r}")
        if not 0 < self.test_fraction < 1:
            raise ValueError(
                f"test_fraction: expected a number in (0, 1), got {self.test_fraction!r}"
            )
        if self.path.endswith(".csv") and (not self.id or not self.label):
            raise ValueError("id/label: a long-format CSV needs --id COLUMN and --label COLUMN")

    def read(self) -> LabelledSequences:
        if self.path.endswith(".npz"):
            return read_npz(self.path)
        features = [f.strip() for f in self.features.split(",") if f.strip()] or None
        return read_long_csv(self.path, self.id or "", self.label or "", self.time, features)

    def parts(self) -> tuple[LabelledSequences, LabelledSequences]:
        data = self.read()
        train, test = stratified_split(data.labels, self.test_fraction, self.split_seed)
        if len(train) == 0 or len(test) == 0:
            raise ValueError(
                f"data: {len(data.labels)} sequences are too few for a train and a test part"
            )
        return data.take(train), data.take(test)
