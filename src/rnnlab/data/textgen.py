"""Writing text with a trained character model, and loading one from its run directory.

Sampling (one-to-many): the prime is read in one forward pass, then each next character is
drawn from the softmax of the last logits divided by the temperature, fed back (one-hot, or
its id to a model with an embedding) and the state carried. The unknown symbol is never
drawn (it stands for no character). One seeded generator draws every character, so a seed
gives the same text.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..losses import softmax
from ..models.embedded import token_input
from .base import load_params
from .charlm import TextModel, text_model
from .text import Vocabulary

if TYPE_CHECKING:
    from ..training.config import TrainConfig


def load_text_model(run: str | Path, config: TrainConfig) -> tuple[TextModel, Vocabulary]:
    """The trained model and vocabulary of a finished text run (``config`` is its config)."""
    run = Path(run)
    vocab_file = run / "vocabulary.json"
    if config.data is None or not vocab_file.exists():
        raise ValueError(
            f"run: {run} is not a text model (no vocabulary.json); "
            "expected the directory of `rnnlab train --data` on a text"
        )
    vocab = Vocabulary.from_json(vocab_file.read_text(encoding="utf-8"))
    model = text_model(config, len(vocab), np.random.default_rng(0))
    load_params(run, model)
    return model, vocab


def check_prime(prime: str, vocab: Vocabulary) -> np.ndarray:
    """The prime's ids; one ValueError naming the characters the model never saw."""
    if not prime:
        raise ValueError("prime: expected at least one character")
    unknown = sorted({c for c in prime if c not in vocab})
    if unknown:
        raise ValueError(
            f"prime: {''.join(unknown)!r} not in the model's vocabulary "
            f"({''.join(vocab.symbols[1:])!r})"
        )
    return vocab.encode(prime)


def sample_text(
    model: TextModel,
    vocab: Vocabulary,
    prime: str,
    length: int,
    temperature: float,
    rng: np.random.Generator,
) -> str:
    """``prime`` followed by ``length`` sampled characters."""
    if isinstance(length, bool) or not isinstance(length, int) or length < 0:
        raise ValueError(f"length: expected an integer >= 0, got {length!r}")
    if not temperature > 0 or not np.isfinite(temperature):
        raise ValueError(f"temperature: expected a positive number, got {temperature!r}")
    ids = check_prime(prime, vocab)
    size = len(vocab)
    was_training = model.layer.training
    model.layer.eval()
    drawn: list[int] = []
    try:
        out, cache = model.forward(token_input(model, ids[None]))
        for _ in range(length):
            p = softmax(out[0, -1].astype(np.float64) / temperature)
            p[0] = 0.0  # the unknown symbol is no character
            drawn.append(int(rng.choice(size, p=p / p.sum())))
            x = token_input(model, np.array([[drawn[-1]]]))
            out, cache = model.forward(x, state=cache.final_state)
    finally:
        model.layer.train(was_training)
    return prime + vocab.decode(np.array(drawn, dtype=np.int64))
