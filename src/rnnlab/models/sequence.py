"""A recurrent stack plus a linear readout and a loss, with a hand-derived backward pass.

Shapes: N batch, T steps, D input, H hidden, K = directions * H the layer's output width,
O outputs. The readout is ``out = h @ W.T + b`` with ``readout.weight`` W (O, K) and
``readout.bias`` b (O,), PyTorch's ``nn.Linear`` layout. With ``input_to_output`` the readout
also reads the input of the same step through ``readout.skip`` S (O, D), ``out += x @ S.T``:
HS97's nets had these direct input-to-output connections (its experiment 2a counts
(p + 1)^2 of them), so a step's own symbol need not squeeze through the hidden units and the
recurrent part is left with what needs memory. Where it reads ``h`` (and ``x``):

* ``many_to_one``: at each sequence's last valid step ``t_n = lengths[n] - 1``; output (N, O).
* ``many_to_many``: at every step; output (N, T, O); the loss counts the valid steps only
  (and, if the batch has a ``mask``, only where it is True).
* ``one_to_one``: a length-1 sequence; ``x`` may be (N, D); output (N, O).

Forward and backward (``dout`` = dL/d out from the loss)::

    (1) y = layer(x)                                  # (N, T, K)
    (2) h = y[n, t_n]  (many_to_one)  |  h = y        # (N, K) | (N, T, K)
    (3) out = h @ W.T + b  [+ x_r @ S.T]              # x_r: x read where h is
    (3') dW = dout.T @ h (summed over N and T);  db = sum dout;  dh = dout @ W
         [dS = dout.T @ x_r;  dx_r += dout @ S]
    (2') dy = 0 except dy[n, t_n] = dh[n]  (many_to_one)  |  dy = dh
    (1') dx = layer.backward(dy)'s input gradient (+ dx_r where x was read), for a layer
         below the stack (`backward_with_input`; an embedding, `rnnlab.models.embedding`)

Truncated BPTT (``tbptt=k``) runs the layer over chunks of k steps, the state carried from one
chunk into the next as a constant (detached). The loss is the same number; its gradient is the
sum over chunks of each chunk's exact gradient with its starting state held fixed, the engine's
definition (`rnnlab.gradcheck`). For a many-to-one task this just stops the error signal at the
start of the chunk holding the last step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..layer_state import detach_state, state_is_finite
from ..layers import LayerCache, PublicState, RecurrentLayer
from ..losses import LOSSES
from ..tasks.base import Batch, counted_steps
from ..validation import all_finite

Array = np.ndarray
OutputKind = Literal["many_to_one", "many_to_many", "one_to_one"]
OUTPUT_KINDS: tuple[str, ...] = ("many_to_one", "many_to_many", "one_to_one")


def copy_params(params: dict[str, Array], values: dict[str, Array]) -> None:
    """Copy ``values`` into the arrays of ``params`` in place, after checking every name and
    shape (nothing is copied if one is wrong)."""
    if set(values) != set(params):
        missing, extra = sorted(set(params) - set(values)), sorted(set(values) - set(params))
        raise ValueError(f"params: missing {missing}, unexpected {extra}")
    for name, p in params.items():
        if np.shape(values[name]) != p.shape:
            raise ValueError(f"params[{name!r}]: expected shape {p.shape}")
    for name, p in params.items():
        np.copyto(p, values[name])


@dataclass
class ModelCache:
    """What `SequenceModel.forward` keeps for `backward`: one layer cache per BPTT chunk."""

    chunks: list[tuple[int, int, LayerCache]]  # (start, stop, cache)
    y: Array  # (N, T, K) layer output over all chunks
    h: Array  # what the readout read: (N, K) or (N, T, K)
    x_read: Array | None  # with input_to_output: the input where h was read, (N, D) | (N, T, D)
    last: Array | None  # many_to_one: (N,) index of each sequence's last valid step
    final_state: PublicState


class SequenceModel:
    """``layer`` (an `rnnlab.RNN`, `LSTM` or `GRU`) followed by a linear readout and a loss.

    ``loss`` names one of `rnnlab.losses.LOSSES` (``mse``, ``softmax_ce``, ``sigmoid_bce``).
    Build one with `make_model`, which draws the readout; this constructor only stores.
    """

    def __init__(
        self,
        layer: RecurrentLayer,
        readout: dict[str, Array],
        output_kind: OutputKind,
        loss: str,
    ) -> None:
        self.layer = layer
        self.readout = readout  # {"weight": (O, K), "bias": (O,)[, "skip": (O, D)]}
        self.output_kind = output_kind
        self.loss_name = loss

    # -- parameters ----------------------------------------------------------------------------

    @property
    def params(self) -> dict[str, Array]:
        """Every parameter array by name (the layer's names, then ``readout.*``); no copies, so
        an optimizer given this dict updates the model in place."""
        return {**self.layer.params, **{f"readout.{k}": v for k, v in self.readout.items()}}

    @property
    def num_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    @property
    def input_to_output(self) -> bool:
        """Whether the readout also reads the input directly (``readout.skip``)."""
        return "skip" in self.readout

    @property
    def output_size(self) -> int:
        return int(self.readout["weight"].shape[0])

    def load_params(self, values: dict[str, Array]) -> None:
        """Copy ``values`` into the parameter arrays in place (names and shapes must match)."""
        copy_params(self.params, values)

    # -- forward and backward ------------------------------------------------------------------

    def forward(
        self,
        x: Array,
        lengths: Array | None = None,
        state: PublicState | None = None,
        *,
        tbptt: int | None = None,
        rng: np.random.Generator | None = None,
    ) -> tuple[Array, ModelCache]:
        """Readout of the layer over ``x`` (N, T, D); see the module docstring for its shape.

        ``rng`` draws dropout masks (the training loop passes its own generator).
        """
        x = np.asarray(x)
        if self.output_kind == "one_to_one" and x.ndim == 2:
            x = x[:, None, :]
        N, T = x.shape[0], x.shape[1]
        if tbptt is not None and self.layer.bidirectional and tbptt < T:
            raise ValueError("tbptt: truncated BPTT needs a unidirectional layer")
        window = T if tbptt is None else max(1, int(tbptt))
        chunks, ys = [], []
        for start in range(0, T, window):
            stop = min(start + window, T)
            part = (
                None if lengths is None else np.clip(np.asarray(lengths) - start, 0, stop - start)
            )
            y_c, state, cache_c = self.layer.forward(x[:, start:stop], state, part, rng=rng)
            chunks.append((start, stop, cache_c))
            ys.append(y_c)
            if stop < T:
                state = detach_state(state)  # the next chunk starts from a constant
                if not state_is_finite(state):  # blown up (the next chunk would refuse it): the
                    # rest is NaN, the loss too, and the training loop skips the update
                    ys.append(np.full((N, T - stop, y_c.shape[2]), np.nan, y_c.dtype))
                    break
        y = ys[0] if len(ys) == 1 else np.concatenate(ys, axis=1)
        last = None
        if self.output_kind == "many_to_many":
            h, x_read = y, x  # (2)
        else:
            last = np.full(N, T - 1) if lengths is None else np.asarray(lengths, dtype=np.int64) - 1
            h, x_read = y[np.arange(N), last], x[np.arange(N), last]  # (2) (N, K), (N, D)
        out = h @ self.readout["weight"].T + self.readout["bias"]  # (3)
        if self.input_to_output:
            out = out + x_read @ self.readout["skip"].T  # (3)
        else:
            x_read = None
        return out, ModelCache(chunks, y, h, x_read, last, state)

    def backward(
        self, dout: Array, cache: ModelCache, trace: dict | None = None
    ) -> dict[str, Array]:
        """Gradients of every parameter (named as `params`) given dL/d out; ``trace`` receives
        the layer's per-step state gradients (`RecurrentLayer.backward`), full BPTT only."""
        return self.backward_with_input(dout, cache, trace)[0]

    def backward_with_input(
        self, dout: Array, cache: ModelCache, trace: dict | None = None
    ) -> tuple[dict[str, Array], Array]:
        """(`backward`'s gradients, dL/dx (N, T, D)): for a layer below, e.g. an embedding."""
        W, h = self.readout["weight"], cache.h
        flat_dout = dout.reshape(-1, dout.shape[-1])
        grads = {
            "readout.weight": flat_dout.T @ h.reshape(-1, h.shape[-1]),  # (3')
            "readout.bias": flat_dout.sum(axis=0),
        }
        if cache.x_read is not None:
            x_read = cache.x_read.reshape(-1, cache.x_read.shape[-1])
            grads["readout.skip"] = flat_dout.T @ x_read  # (3')
        dh = dout @ W  # (3')
        if cache.last is None:
            dy = dh  # (2')
        else:
            dy = np.zeros_like(cache.y)
            dy[np.arange(len(cache.last)), cache.last] = dh  # (2')
        if not all_finite(dy):  # a blown-up forward: the layer refuses a non-finite dy; NaN
            # gradients tell the training loop to skip this update (its divergence policy)
            nan = {name: np.full_like(p, np.nan) for name, p in self.params.items()}
            return nan, np.full((*cache.y.shape[:2], self.layer.input_size), np.nan, cache.y.dtype)
        layer_grads = {name: np.zeros_like(p) for name, p in self.layer.params.items()}
        dxs = []
        for start, stop, layer_cache in cache.chunks:
            dx_c, _, g = self.layer.backward(dy[:, start:stop], layer_cache, trace=trace)  # (1')
            dxs.append(dx_c)
            for name, value in g.items():
                layer_grads[name] += value
        dx = dxs[0] if len(dxs) == 1 else np.concatenate(dxs, axis=1)
        if cache.x_read is not None:  # (3') the skip connection's share of dx
            dx_read = dout @ self.readout["skip"]
            if cache.last is None:
                dx = dx + dx_read
            else:
                dx[np.arange(len(cache.last)), cache.last] += dx_read
        return {**layer_grads, **grads}, dx

    def loss(self, output: Array, batch: Batch) -> tuple[float, Array]:
        """The task loss of ``output`` and its gradient dL/d output (`rnnlab.losses`)."""
        mask = counted_steps(batch) if self.output_kind == "many_to_many" else None
        return LOSSES[self.loss_name](output, batch.target, mask)

    def loss_and_grads(
        self,
        batch: Batch,
        *,
        tbptt: int | None = None,
        rng: np.random.Generator | None = None,
        trace: dict | None = None,
    ) -> tuple[float, dict[str, Array], dict[str, Any]]:
        """One training evaluation: (loss, gradients by parameter name, aux).

        ``aux`` holds ``output`` and the ``cache`` (whose layer caches expose every gate).
        """
        output, cache = self.forward(batch.x, batch.lengths, tbptt=tbptt, rng=rng)
        value, dout = self.loss(output, batch)
        grads = self.backward(dout, cache, trace)
        return value, grads, {"output": output, "cache": cache}

    def predict(self, x: Array, lengths: Array | None = None, chunk: int = 512) -> Array:
        """The readout with dropout off, ``chunk`` sequences at a time (bounded memory)."""
        was_training = self.layer.training
        self.layer.eval()
        try:
            parts = [
                self.forward(
                    x[start : start + chunk],
                    None if lengths is None else lengths[start : start + chunk],
                )[0]
                for start in range(0, len(x), chunk)
            ]
        finally:
            self.layer.train(was_training)
        return np.concatenate(parts, axis=0)

    def to_onnx(self, path: Any = None, *, lengths: bool = False, initial_state: bool = False):
        """The ONNX model of the stack and its readout (output ``out``), also written to
        ``path``; see `rnnlab.interop.onnx` (imports onnx)."""
        from ..interop.onnx import model_to_onnx

        return model_to_onnx(self, path, lengths=lengths, initial_state=initial_state)

    def __repr__(self) -> str:
        return (
            f"SequenceModel({self.layer!r}, outputs={self.output_size}, "
            f"output_kind='{self.output_kind}', loss='{self.loss_name}'"
            f"{', input_to_output=True' if self.input_to_output else ''})"
        )


def make_model(
    layer: RecurrentLayer,
    output_size: int,
    output_kind: str,
    loss: str,
    rng: np.random.Generator,
    input_to_output: bool = False,
) -> SequenceModel:
    """``layer`` plus a readout drawn as PyTorch's ``nn.Linear``: U(+-1/sqrt(K)) for W and b.

    With ``input_to_output`` the readout is one ``nn.Linear`` over the concatenation [h; x]
    (fan-in K + D), stored as W and S: U(+-1/sqrt(K + D)) for W, b and S.
    """
    if output_kind not in OUTPUT_KINDS:
        raise ValueError(
            f"output_kind: expected one of {', '.join(OUTPUT_KINDS)}, got {output_kind!r}"
        )
    if loss not in LOSSES:
        raise ValueError(f"loss: expected one of {', '.join(LOSSES)}, got {loss!r}")
    K, D = layer.directions * layer.hidden_size, layer.input_size
    bound = 1.0 / np.sqrt(K + D if input_to_output else K)
    readout = {
        "weight": rng.uniform(-bound, bound, size=(output_size, K)).astype(layer.dtype),
        "bias": rng.uniform(-bound, bound, size=output_size).astype(layer.dtype),
    }
    if input_to_output:
        readout["skip"] = rng.uniform(-bound, bound, size=(output_size, D)).astype(layer.dtype)
    return SequenceModel(layer, readout, output_kind, loss)  # type: ignore[arg-type]
