"""The dataset interface: what every real dataset says about itself, and how it is learnt.

A dataset is a frozen dataclass of its options (e.g. a user text file's ``valid`` path). Its
class attributes describe it for `rnnlab data` and ``result.json``: a ``kind`` (``text``,
``sentiment``, ``forecast``, ``classify``, ``music``, ``seq2seq``, ``tagging``, ...), the fixed
``split`` in words, the ``source`` (package, version, licence), the headline ``metric`` and the
names of the ``baselines`` it is compared with. ``defaults`` are the `TrainConfig` settings that
``rnnlab train --data NAME`` starts from (flags override them).

`problem(config)` returns the `rnnlab.training.problem.Problem` of the dataset's kind: that is
where a kind builds its model, its batches and its evaluation (docs/data.md).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..files import read_arrays

if TYPE_CHECKING:
    from ..models import SequenceModel
    from ..training.config import TrainConfig
    from ..training.problem import Problem


@dataclass(frozen=True)
class Source:
    """Where the data come from: a package (pinned) and its file(s), or the user's own file."""

    package: str
    version: str
    licence: str
    files: str

    def __str__(self) -> str:
        if not self.package:
            return self.files
        return f"{self.package}=={self.version} {self.files} ({self.licence})"


@dataclass(frozen=True)
class Metric:
    """The headline number of a dataset: its name, its unit and which way is better."""

    name: str
    unit: str
    lower_is_better: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "better": "lower" if self.lower_is_better else "higher",
        }


class Dataset(abc.ABC):
    """A real dataset with a fixed split, a source, a metric and baselines."""

    name: ClassVar[str]
    kind: ClassVar[str]
    description: ClassVar[str]
    split: ClassVar[str]
    source: ClassVar[Source]
    metric: ClassVar[Metric]
    baseline_names: ClassVar[tuple[str, ...]]
    defaults: ClassVar[dict[str, Any]] = {}

    @abc.abstractmethod
    def sizes(self) -> dict[str, int]:
        """The size of each part of the split (characters, snippets, ...), by part name."""

    @abc.abstractmethod
    def problem(self, config: TrainConfig) -> Problem:
        """What `rnnlab.training.train_run` learns for this dataset."""

    @abc.abstractmethod
    def baseline_figures(self) -> dict[str, float]:
        """Each baseline's value of the metric on the validation split, computed by rnnlab."""

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """One row for `rnnlab data` (class attributes only: no data, no options needed)."""
        return {
            "name": cls.name,
            "kind": cls.kind,
            "description": cls.description,
            "split": cls.split,
            "source": str(cls.source),
            "metric": cls.metric.as_dict(),
            "baselines": list(cls.baseline_names),
        }


def load_params(run: Path, model: SequenceModel) -> None:
    """Copy a finished run's ``params.npz`` into ``model``; one ValueError if it is missing."""
    path = Path(run) / "params.npz"
    if not path.exists():
        raise ValueError(f"run: {run} has no params.npz (the run has not finished)")
    model.load_params(read_arrays(path, "run"))
