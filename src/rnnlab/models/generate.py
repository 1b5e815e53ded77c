"""One-to-many: run a model step by step, feeding its own output back as the next input.

Forward only (no backward): generation is for looking at what a trained model does, e.g. a
Reber-grammar model writing strings. What is fed back, by ``feedback``:

* ``"output"``: the readout mapped into the input space: the value itself (``mse``), the
  softmax probabilities (``softmax_ce``) or the sigmoid probabilities (``sigmoid_bce``);
* ``"argmax"``: one-hot of the most likely class (``softmax_ce``) or the labels above 1/2
  (``sigmoid_bce``);
* ``"sample"``: one-hot of a class drawn from the softmax, or independent Bernoulli labels.
"""

from __future__ import annotations

import numpy as np

from ..layers import PublicState
from ..losses import sigmoid, softmax
from .sequence import Array, SequenceModel

FEEDBACKS = ("output", "argmax", "sample")


def _next_input(
    model: SequenceModel, out: Array, feedback: str, rng: np.random.Generator | None
) -> Array:
    loss = model.loss_name
    if loss == "mse":
        if feedback != "output":
            raise ValueError(
                f"feedback: a regression (mse) model feeds back 'output', not {feedback!r}"
            )
        return out
    probs = softmax(out) if loss == "softmax_ce" else sigmoid(out)
    if feedback == "output":
        return probs
    if feedback == "argmax":
        if loss == "softmax_ce":
            return np.eye(out.shape[-1], dtype=out.dtype)[np.argmax(out, axis=-1)]
        return (probs > 0.5).astype(out.dtype)
    if rng is None:
        raise ValueError("rng: feedback='sample' needs a numpy Generator")
    if loss == "softmax_ce":
        u = rng.random((out.shape[0], 1))
        classes = np.minimum((np.cumsum(probs, axis=-1) < u).sum(axis=-1), out.shape[-1] - 1)
        return np.eye(out.shape[-1], dtype=out.dtype)[classes]
    return (rng.random(out.shape) < probs).astype(out.dtype)


def generate(
    model: SequenceModel,
    x0: Array,
    steps: int,
    *,
    feedback: str = "output",
    rng: np.random.Generator | None = None,
    state: PublicState | None = None,
) -> tuple[Array, Array]:
    """Run ``steps`` steps from the first input ``x0`` (N, D); returns (outputs, inputs).

    ``outputs`` (N, steps, O) are the raw readouts; ``inputs`` (N, steps, D) what each step
    read: ``x0`` first, then the fed-back outputs. Needs O == D. Dropout is off.
    """
    if feedback not in FEEDBACKS:
        raise ValueError(f"feedback: expected one of {', '.join(FEEDBACKS)}, got {feedback!r}")
    layer = model.layer
    if model.output_size != layer.input_size:
        raise ValueError(
            f"model: generation feeds outputs back as inputs, so it needs output size "
            f"{model.output_size} == input size {layer.input_size}"
        )
    x = np.asarray(x0, dtype=layer.dtype)
    outputs, inputs = [], []
    was_training = layer.training
    layer.eval()
    try:
        for _ in range(steps):
            inputs.append(x)
            y, state, _ = layer.forward(x[:, None, :], state)
            out = y[:, 0] @ model.readout["weight"].T + model.readout["bias"]  # (N, O)
            if model.input_to_output:
                out = out + x @ model.readout["skip"].T
            outputs.append(out)
            x = _next_input(model, out, feedback, rng)
    finally:
        layer.train(was_training)
    return np.stack(outputs, axis=1), np.stack(inputs, axis=1)
