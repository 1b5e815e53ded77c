"""What a sequence classifier must beat, on the same split (test accuracy):

* ``majority``: always the most frequent training class;
* ``logistic_summary``: logistic regression (scikit-learn, default C = 1) on per-channel
  summary features of each sequence: mean, standard deviation, first and last value, and the
  length; the features are z-scored with training statistics;
* ``logistic_flat`` (only where every sequence has the same length, e.g. digits): logistic
  regression on the whole sequence flattened into one vector (z-scored the same way).

Also the seeded stratified split used where a dataset ships no split of its own.
"""

from __future__ import annotations

import numpy as np

from .sequence_files import LabelledSequences

Array = np.ndarray


def stratified_split(labels: Array, test_fraction: float, seed: int) -> tuple[Array, Array]:
    """(train, test) indices: in each class, a seeded permutation's first
    round(test_fraction * size) go to the test part. Sorted, disjoint, covering everything."""
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(labels):
        members = rng.permutation(np.nonzero(labels == c)[0])
        test.extend(members[: round(test_fraction * len(members))].tolist())
    is_test = np.zeros(len(labels), dtype=bool)
    is_test[test] = True
    return np.nonzero(~is_test)[0], np.nonzero(is_test)[0]


def summary_features(data: LabelledSequences) -> Array:
    """(N, 4 D + 1): per channel mean, std, first, last; then the length."""
    rows = [
        np.concatenate([s.mean(axis=0), s.std(axis=0), s[0], s[-1], [len(s)]])
        for s in data.sequences
    ]
    return np.array(rows)


def classify_baselines(train: LabelledSequences, test: LabelledSequences) -> dict[str, float]:
    """Test accuracy of each baseline, by name."""
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise ValueError(
            "baseline: the logistic-regression baseline needs scikit-learn: "
            "pip install 'rnnlab[data]'"
        ) from None

    def accuracy(f_train: Array, f_test: Array) -> float:
        mean, std = f_train.mean(axis=0), f_train.std(axis=0)
        std = np.where(std > 0, std, 1.0)
        model = LogisticRegression(max_iter=5000).fit((f_train - mean) / std, train.labels)
        return float(np.mean(model.predict((f_test - mean) / std) == test.labels))

    majority = np.bincount(train.labels).argmax()
    out = {
        "majority": float(np.mean(test.labels == majority)),
        "logistic_summary": accuracy(summary_features(train), summary_features(test)),
    }
    lengths = np.concatenate([train.lengths, test.lengths])
    if (lengths == lengths[0]).all():
        flat = [np.array([s.ravel() for s in d.sequences]) for d in (train, test)]
        out["logistic_flat"] = accuracy(*flat)
    return out
