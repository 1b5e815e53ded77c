"""The character-LM workload against PyTorch: a training step and sampling.

Training: vocabulary V = 80 one-hot, LSTM H = 256, batch 32, window k = 100; rnnlab's
`SequenceModel` forward, softmax cross-entropy and backward (every parameter's gradient) against
``nn.LSTM`` + ``nn.Linear`` + ``cross_entropy`` + ``backward`` with the same weights and data.
Sampling: 2,000 characters one at a time at batch 1, each step a forward of one character with
the carried state, a softmax and a draw, against the same loop over ``nn.LSTM`` steps under
``no_grad``. Both cases check that the two sides agree before anything is timed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cases import TOLERANCE, Case, _rel

VOCAB, HIDDEN, BATCH, WINDOW, SAMPLE = 80, 256, 32, 100, 2000


@dataclass(frozen=True)
class CharPoint:
    """A char-LM row, read by `rnnlab.bench.timing` like a grid `Point`."""

    cell: str
    mode: str  # "lm-train" or "lm-sample"
    batch: int
    time: int
    hidden: int

    @property
    def flops(self) -> float:
        """Matrix-product flops: the LSTM's 2*T*N*(V+H)*4H and the readout's 2*T*N*H*V,
        three times that for a training step."""
        fwd = 2.0 * self.time * self.batch * ((VOCAB + self.hidden) * 4 * self.hidden
                                              + self.hidden * VOCAB)  # fmt: skip
        return 3.0 * fwd if self.mode == "lm-train" else fwd

    @property
    def label(self) -> str:
        return f"{self.cell} {self.mode} V={VOCAB} B={self.batch} T={self.time} H={self.hidden}"


def _pair(seed: int):
    import torch

    from ..interop.torch import from_torch
    from ..models import SequenceModel

    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(VOCAB, HIDDEN, batch_first=True)
    linear = torch.nn.Linear(HIDDEN, VOCAB)
    readout = {k: v.detach().numpy().copy() for k, v in linear.state_dict().items()}
    model = SequenceModel(from_torch(lstm), readout, "many_to_many", "softmax_ce")
    return lstm, linear, model


def train_case(seed: int = 0) -> Case:
    import torch

    from ..losses import LOSSES
    from ..models.embedded import one_hot

    lstm, linear, model = _pair(seed)
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, VOCAB, size=(BATCH, WINDOW + 1))
    x, y = one_hot(ids[:, :-1], VOCAB, "float32"), ids[:, 1:]
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def torch_step() -> float:
        lstm.zero_grad(set_to_none=True)
        linear.zero_grad(set_to_none=True)
        out = linear(lstm(tx)[0])
        loss = torch.nn.functional.cross_entropy(out.reshape(-1, VOCAB), ty.reshape(-1))
        loss.backward()
        return float(loss.detach())

    def rnnlab_step() -> float:
        out, cache = model.forward(x)
        loss, dout = LOSSES["softmax_ce"](out, y)
        model.backward(dout, cache)
        return loss

    torch_loss = torch_step()  # leaves torch's gradients in place
    out, cache = model.forward(x)
    loss, dout = LOSSES["softmax_ce"](out, y)
    grads = model.backward(dout, cache)
    diffs = {
        "loss": abs(loss - torch_loss) / abs(torch_loss),
        "dW_hh": _rel(grads["weight_hh_l0"], lstm.weight_hh_l0.grad.numpy()),
        "dW_ih": _rel(grads["weight_ih_l0"], lstm.weight_ih_l0.grad.numpy()),
        "dreadout": _rel(grads["readout.weight"], linear.weight.grad.numpy()),
    }
    return _checked(CharPoint("lstm", "lm-train", BATCH, WINDOW, HIDDEN), torch_step,
                    rnnlab_step, diffs)  # fmt: skip


def sample_case(seed: int = 0) -> Case:
    import torch

    from ..losses import softmax
    from ..models.embedded import one_hot

    lstm, linear, model = _pair(seed)
    model.layer.eval()
    eye = np.eye(VOCAB, dtype=np.float32)

    def torch_loop() -> None:
        generator = torch.Generator().manual_seed(seed)
        state, char = None, 0
        with torch.no_grad():
            for _ in range(SAMPLE):
                out, state = lstm(torch.from_numpy(eye[char]).view(1, 1, VOCAB), state)
                p = torch.softmax(linear(out[0, -1]), dim=-1)
                char = int(torch.multinomial(p, 1, generator=generator))

    def rnnlab_loop() -> None:
        rng = np.random.default_rng(seed)
        state, char = None, 0
        for _ in range(SAMPLE):
            out, cache = model.forward(one_hot(np.array([[char]]), VOCAB, "float32"), state=state)
            state = cache.final_state
            p = softmax(out[0, -1].astype(np.float64))
            char = int(rng.choice(VOCAB, p=p / p.sum()))

    x = one_hot(np.arange(VOCAB)[None, :50], VOCAB, "float32")
    with torch.no_grad():
        ref = linear(lstm(torch.from_numpy(x))[0]).numpy()
    diffs = {"logits": _rel(model.forward(x)[0], ref)}
    return _checked(CharPoint("lstm", "lm-sample", 1, SAMPLE, HIDDEN), torch_loop,
                    rnnlab_loop, diffs)  # fmt: skip


def _checked(point: CharPoint, torch_step, rnnlab_step, diffs: dict[str, float]) -> Case:
    from .. import backend

    if not max(diffs.values()) <= TOLERANCE:
        raise ValueError(f"{point.label}: rnnlab and torch disagree ({diffs}); not timing it")
    return Case(point, torch_step, rnnlab_step, backend.current(), diffs)  # type: ignore[arg-type]


def run_charlm(threads: int, rounds: int, say) -> list[dict]:
    """Time the two char-LM rows at ``threads`` threads; ``say`` prints each table line."""
    from .report import format_row, header
    from .timing import Probe, measure, set_threads

    set_threads(threads)
    probe = Probe()
    say(header())
    rows = []
    for build in (train_case, sample_case):
        case = build()
        rows.append(measure(case, probe, threads, rounds, min_seconds=2.0, warmup=1))
        say(format_row(rows[-1]))
    return rows
