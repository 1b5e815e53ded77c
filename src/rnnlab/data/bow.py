"""The bag-of-words logistic regression baseline (scikit-learn, imported here only)."""

from __future__ import annotations

import numpy as np

SKLEARN_HINT = 'the bag-of-words baseline needs scikit-learn: pip install -e ".[data]"'


def bow_accuracy(train: tuple[list[str], np.ndarray], test: tuple[list[str], np.ndarray]) -> float:
    """Accuracy on ``test`` of word unigram+bigram counts -> L2 logistic regression (C=1)."""
    try:
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise ValueError(f"data: {SKLEARN_HINT}") from None
    vectorizer = CountVectorizer(ngram_range=(1, 2), min_df=1)
    features = vectorizer.fit_transform(train[0])
    model = LogisticRegression(max_iter=2000).fit(features, train[1])
    return float(model.score(vectorizer.transform(test[0]), test[1]))
