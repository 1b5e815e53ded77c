"""Character n-gram baselines: a unigram and interpolated Kneser-Ney (Chen & Goodman 1999).

Both are fitted on the training text and scored on the validation text with the language
model's vocabulary V (unknown symbol included) and its scoring: every validation character
after the first is predicted from the ones before it (the context is cut at the start).

Interpolated Kneser-Ney of order n with one absolute discount D per order, for a context h of
m - 1 characters and a character w (h' is h without its first character)::

    (1) p_m(w | h) = max(c_m(hw) - D, 0) / c_m(h.)  +  D N_m(h.) / c_m(h.) * p_{m-1}(w | h')
    (2) p_m(w | h) = p_{m-1}(w | h')                       where c_m(h.) = 0 (h never seen)
    (3) p_0(w) = 1 / V

c_n is the raw count of the n-gram; for m < n, c_m(hw) is the continuation count, the number of
distinct characters seen before hw; c_m(h.) = sum_w c_m(hw) and N_m(h.) = #{w : c_m(hw) > 0}.
Each p_m sums to 1 over the V characters because p_{m-1} does and the discounted mass
D N_m(h.) is exactly what (1) hands down.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .text import Vocabulary

DISCOUNT = 0.75
ORDERS = (5, 6, 7)


def _codes(ids: np.ndarray, base: int, order: int) -> np.ndarray:
    """code[t] = the order-gram ending at t as a base-``base`` number; -1 where t < order-1."""
    out = np.full(len(ids), -1, dtype=np.int64)
    if len(ids) < order:
        return out
    acc = np.zeros(len(ids) - order + 1, dtype=np.int64)
    for j in range(order):
        acc = acc * base + ids[j : len(ids) - order + 1 + j]
    out[order - 1 :] = acc
    return out


class Table:
    """The keys (sorted codes) of order m with their counts, and their contexts' totals."""

    def __init__(self, keys: np.ndarray, counts: np.ndarray, base: int) -> None:
        self.keys, self.counts, self.base = keys, counts.astype(np.float64), base
        contexts = keys // base
        self.contexts, first, self.distinct = np.unique(
            contexts, return_index=True, return_counts=True
        )
        self.totals = np.add.reduceat(self.counts, first) if len(keys) else self.counts

    @staticmethod
    def _find(sorted_keys: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if len(sorted_keys) == 0:
            return np.zeros(len(query), dtype=np.int64), np.zeros(len(query), dtype=bool)
        where = np.minimum(np.searchsorted(sorted_keys, query), len(sorted_keys) - 1)
        return where, sorted_keys[where] == query

    def interpolate(self, grams: np.ndarray, lower: np.ndarray, discount: float) -> np.ndarray:
        """(1) and (2) for each queried m-gram code, given p_{m-1} of the same positions."""
        k, has_key = self._find(self.keys, grams)
        c, has_context = self._find(self.contexts, grams // self.base)
        count = np.where(has_key, self.counts[k], 0.0)
        total = np.where(has_context, self.totals[c], 1.0)
        mass = np.where(has_context, discount * self.distinct[c], 0.0)
        p = (np.maximum(count - discount, 0.0) + mass * lower) / total  # (1)
        return np.where(has_context & (grams >= 0), p, lower)  # (2)


class KneserNey:
    """An interpolated Kneser-Ney character model of order ``order`` over ``vocab_size``."""

    def __init__(self, ids: np.ndarray, vocab_size: int, order: int, discount: float = DISCOUNT):
        if vocab_size**order >= 2**62:
            raise ValueError(f"order: {order}-grams over {vocab_size} symbols overflow int64")
        self.base, self.order, self.discount = vocab_size, order, discount
        unique = np.unique(_codes(ids, vocab_size, order)[order - 1 :], return_counts=True)
        tables = [Table(unique[0], unique[1], vocab_size)]
        for m in range(order - 1, 0, -1):  # continuation counts from the distinct (m+1)-grams
            suffixes = np.unique(tables[-1].keys % vocab_size**m, return_counts=True)
            tables.append(Table(suffixes[0], suffixes[1], vocab_size))
        self.tables = tables[::-1]  # tables[m - 1] is order m

    def probabilities(self, history: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """p(targets[i] | the order-1 characters of ``history`` row i), rows padded with -1 on
        the left where the context is shorter."""
        p = np.full(len(targets), 1.0 / self.base)  # (3)
        for m, table in enumerate(self.tables, start=1):
            context = history[:, history.shape[1] - (m - 1) :] if m > 1 else history[:, :0]
            valid = (context >= 0).all(axis=1)
            grams = np.zeros(len(targets), dtype=np.int64)
            for j in range(context.shape[1]):
                grams = grams * self.base + np.maximum(context[:, j], 0)
            grams = np.where(valid, grams * self.base + targets, -1)
            p = table.interpolate(grams, p, self.discount)
        return p

    def nats_per_char(self, ids: np.ndarray) -> float:
        """Mean -log p of ids[1:], each from up to order-1 characters before it."""
        n = len(ids)
        padded = np.concatenate([np.full(self.order - 1, -1, dtype=np.int64), ids])
        rows = np.lib.stride_tricks.sliding_window_view(padded, self.order - 1)[1:n]
        if self.order == 1:
            rows = np.zeros((n - 1, 0), dtype=np.int64)
        return float(-np.mean(np.log(self.probabilities(rows, ids[1:]))))


def unigram_nats(train_ids: np.ndarray, valid_ids: np.ndarray, vocab_size: int) -> float:
    """Add-one unigram: p(w) = (c(w) + 1) / (N + V), so the unknown symbol has mass."""
    counts = np.bincount(train_ids, minlength=vocab_size) + 1.0
    return float(-np.mean(np.log(counts[valid_ids[1:]] / counts.sum())))


@functools.lru_cache(maxsize=4)
def text_baselines(train: str, valid: str) -> dict[str, float]:
    """{"unigram": nats/char, "kn5": ..., "kn6": ..., "kn7": ...} on the validation text, with
    the language model's vocabulary (that of the training text)."""
    vocab = Vocabulary.from_text(train)
    train_ids, valid_ids = vocab.encode(train), vocab.encode(valid)
    out = {"unigram": unigram_nats(train_ids, valid_ids, len(vocab))}
    for order in ORDERS:
        if len(vocab) ** order < 2**62:
            out[f"kn{order}"] = KneserNey(train_ids, len(vocab), order).nats_per_char(valid_ids)
    return {k: round(v, 6) if math.isfinite(v) else v for k, v in out.items()}
