"""Central finite differences for the models that read characters through an embedding
(``--embed E``): the character LM and the sentiment classifier (`rnnlab.models.embedded`).

The checked scalar is ``L = sum(R * out)``, a random projection of every output, so the
embedding's scatter-add (eq. (1')), the stack's input gradient and the readout all see an
upstream gradient no plain sum would give. Everything is random and non-zero: the table, the
weights, the biases and the initial state (the char LM's state carried from the previous
window, a constant). Ids repeat, so rows shared by several steps must add their gradients; the
sentiment case pads its snippets (lengths 6, 4, 1), whose padding must give nothing. Every entry
of every array is perturbed (or a random sample of ``max_entries`` of a larger one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .gradcheck import param_errors, random_state
from .models.embedded import EmbeddedModel, char_embedding
from .models.sequence import make_model
from .models.spec import build_layer


@dataclass(frozen=True)
class EmbeddedCase:
    cell: str
    num_layers: int = 1
    output_kind: str = "many_to_many"  # the char LM; many_to_one: the sentiment model

    @property
    def name(self) -> str:
        what = "char LM" if self.output_kind == "many_to_many" else "sentiment lengths=yes"
        return f"--embed {what} {self.cell} layers={self.num_layers} state0=random"


EMBEDDED_CASES = (
    EmbeddedCase("lstm"),
    EmbeddedCase("lstm", num_layers=2),
    EmbeddedCase("gru"),
    EmbeddedCase("rnn"),
    EmbeddedCase("lstm", output_kind="many_to_one"),
)


def random_embedded(
    case: EmbeddedCase, seed: int, vocab: int = 6, width: int = 3, hidden: int = 4
) -> EmbeddedModel:
    """A float64 model for ``case`` with every parameter random and non-zero."""
    rng = np.random.default_rng(seed)
    embedding = char_embedding(vocab, width, rng, "float64")
    layer = build_layer(case.cell, width, hidden, case.num_layers)
    outputs = vocab if case.output_kind == "many_to_many" else 2
    readout = make_model(layer, outputs, case.output_kind, "softmax_ce", rng)
    model = EmbeddedModel(embedding, readout)
    for value in model.params.values():
        value[...] = rng.uniform(-0.8, 0.8, size=value.shape)
    return model


def check_embedded(
    case: EmbeddedCase, seed: int = 0, eps: float = 1e-6, max_entries: int = 40
) -> dict[str, float]:
    """Relative error of every parameter's gradient for one case."""
    model = random_embedded(case, seed)
    rng = np.random.default_rng(seed + 1)
    N, T = 3, 6
    ids = rng.integers(0, model.vocab_size, size=(N, T))
    ids[0, :3] = 2  # one row read at several steps: its gradients add
    lengths = None if case.output_kind == "many_to_many" else np.array([6, 4, 1])
    state = random_state(model.layer, N, rng)
    out, cache = model.forward(ids, lengths, state)
    R = rng.standard_normal(out.shape)
    grads = model.backward(R, cache)

    def loss() -> float:
        return float(np.sum(R * model.forward(ids, lengths, state)[0]))

    return param_errors(model.params, grads, loss, max_entries, eps, rng)
