"""Real datasets shipped by installable packages, and the user's own text files.

`make_dataset(name_or_path)` gives a `Dataset` (kind, fixed split, source, metric, baselines);
its `problem(config)` is what `rnnlab train --data NAME|PATH` learns. Nothing downloads: the
packages come with the ``data`` extra (docs/data.md, which also says how to add a kind).
"""

from .base import Dataset, Metric, Source
from .registry import DATASETS, dataset_class, list_datasets, make_dataset

__all__ = [
    "DATASETS",
    "Dataset",
    "Metric",
    "Source",
    "dataset_class",
    "list_datasets",
    "make_dataset",
]
