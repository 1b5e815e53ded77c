"""Central finite-difference checks of the hand-derived backward pass (shared by tests and CLI).

The checked scalar is ``L = sum(R * y) + sum(S * final_state)`` with random R and S, a random
projection of every output, so that no error can hide behind a plain sum or an all-ones upstream
gradient. Parameters, biases, peepholes and initial states are random and non-zero. Every
parameter entry is perturbed (a random sample of ``max_entries`` for larger arrays), and every
entry of the input and the initial state.

Truncated BPTT runs the sequence in consecutive chunks of ``window`` steps, carrying the state
from one chunk into the next as a constant. Its gradient is the sum over chunks of each chunk's
exact gradient with its starting state held fixed, and that is what the finite differences
compute here: chunk by chunk, from the starting state the unperturbed run handed it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from .cells import CELLS
from .layer_state import detach_state
from .layers import RecurrentLayer, layer_for

Array = np.ndarray

# Every registered cell and its variants ("" for a cell without variants).
CELL_VARIANTS: dict[str, tuple[str, ...]] = {name: cls.variants for name, cls in CELLS.items()}


@dataclass(frozen=True)
class GradcheckCase:
    cell: str
    variant: str
    num_layers: int = 1
    bidirectional: bool = False
    lengths: bool = False
    truncated: bool = False
    dropout: float = 0.0

    @property
    def text(self) -> str:
        """The ``cell[:variant]`` text of the case."""
        return f"{self.cell}:{self.variant}" if self.variant else self.cell

    @property
    def name(self) -> str:
        return (
            f"{self.text} layers={self.num_layers} "
            f"dirs={2 if self.bidirectional else 1} lengths={'yes' if self.lengths else 'no'} "
            f"bptt={'truncated' if self.truncated else 'full'}"
            + (f" dropout={self.dropout}" if self.dropout else "")
        )


def all_cases(cell: str | None = None, variant: str | None = None) -> list[GradcheckCase]:
    """Every cell x variant x {1, 2 layers} x {1, 2 directions} x lengths x BPTT mode.

    Two-layer stacks run with dropout 0.25 between the layers (masks held fixed), so the
    dropout backward is checked too.
    """
    if cell is not None and cell not in CELL_VARIANTS:
        raise ValueError(f"cell: expected one of {', '.join(CELL_VARIANTS)}, got {cell!r}")
    cases = []
    for name, variants in CELL_VARIANTS.items():
        if cell not in (None, name):
            continue
        if variant is not None and variant not in variants:
            if cell is not None:
                raise ValueError(f"variant: expected one of {', '.join(variants)}, got {variant!r}")
            continue
        for v in variants if variant is None else (variant,):
            for layers in (1, 2):
                for bidirectional in (False, True):
                    for lengths in (False, True):
                        for truncated in (False, True):
                            cases.append(
                                GradcheckCase(
                                    name,
                                    v,
                                    layers,
                                    bidirectional,
                                    lengths,
                                    truncated,
                                    dropout=0.25 if layers == 2 else 0.0,
                                )
                            )
    if not cases:
        raise ValueError(f"variant: no cell has a variant named {variant!r}")
    return cases


def build_layer(
    case: GradcheckCase, input_size: int, hidden_size: int, seed: int
) -> RecurrentLayer:
    """A float64 layer for ``case`` with random, non-zero parameters."""
    common = dict(
        num_layers=case.num_layers,
        bidirectional=case.bidirectional,
        dropout=case.dropout,
        dtype="float64",
        seed=seed,
    )
    cls, options = layer_for(case.text)
    layer = cls(input_size, hidden_size, **common, **options)
    rng = np.random.default_rng(seed + 1)
    for value in layer.params.values():
        value[...] = rng.uniform(-0.8, 0.8, size=value.shape)
    return layer


def random_state(layer: RecurrentLayer, batch: int, rng: np.random.Generator):
    count = layer.num_layers * layer.directions
    parts = tuple(
        rng.uniform(-0.6, 0.6, size=(count, batch, size))
        if name != "q"
        else rng.uniform(0.05, 0.95, size=(count, batch, size))  # q holds gate activations
        for name, size in zip(layer.cell.state_names, layer.cell.state_sizes(), strict=True)
    )
    return parts[0] if len(parts) == 1 else parts


def _state_parts(state) -> tuple[Array, ...]:
    return state if isinstance(state, tuple) else (state,)


@dataclass
class _Problem:
    """The layer, data and random projections of one check, and its chunking."""

    layer: RecurrentLayer
    x: Array
    lengths: Array | None
    state0: object
    R: Array
    S: tuple[Array, ...]
    window: int
    seed: int

    def chunks(self) -> Iterator[tuple[int, int, int]]:
        T = self.x.shape[1]
        for c, start in enumerate(range(0, T, self.window)):
            yield c, start, min(start + self.window, T)

    def chunk_lengths(self, start: int, stop: int) -> Array | None:
        if self.lengths is None:
            return None
        return np.clip(self.lengths - start, 0, stop - start)

    def chunk_loss(self, c: int, start: int, stop: int, state) -> float:
        y, final, _ = self.layer.forward(
            self.x[:, start:stop],
            state,
            self.chunk_lengths(start, stop),
            rng=np.random.default_rng([self.seed, c]),
        )
        loss = float(np.sum(self.R[:, start:stop] * y))
        if stop == self.x.shape[1]:
            loss += sum(
                float(np.sum(s * f)) for s, f in zip(self.S, _state_parts(final), strict=True)
            )
        return loss


def analytic_gradients(problem: _Problem) -> tuple[dict[str, Array], list]:
    """Backward pass, chunk by chunk; returns the gradients and each chunk's starting state."""
    layer, T = problem.layer, problem.x.shape[1]
    grads = {name: np.zeros_like(v) for name, v in layer.params.items()}
    grads["x"] = np.zeros_like(problem.x)
    state, starts = problem.state0, []
    for c, start, stop in problem.chunks():
        starts.append(state)
        _y, final, cache = layer.forward(
            problem.x[:, start:stop],
            state,
            problem.chunk_lengths(start, stop),
            rng=np.random.default_rng([problem.seed, c]),
        )
        dfinal = None
        if stop == T:
            dfinal = problem.S if isinstance(final, tuple) else problem.S[0]
        dx, dstate, g = layer.backward(problem.R[:, start:stop], cache, dfinal)
        for name, value in g.items():
            grads[name] += value
        grads["x"][:, start:stop] = dx
        if c == 0:
            for k, part in enumerate(_state_parts(dstate)):
                grads[f"state[{k}]"] = part
        state = detach_state(final)
    return grads, starts


def _sample(size: int, max_entries: int, rng: np.random.Generator) -> Array:
    if size <= max_entries:
        return np.arange(size)
    return rng.choice(size, size=max_entries, replace=False)


def _central_difference(target: Array, index: int, f: Callable[[], float], eps: float) -> float:
    flat = target.reshape(-1)
    original = flat[index]
    flat[index] = original + eps
    plus = f()
    flat[index] = original - eps
    minus = f()
    flat[index] = original
    return (plus - minus) / (2 * eps)


def param_errors(
    params: dict[str, Array],
    grads: dict[str, Array],
    loss: Callable[[], float],
    max_entries: int,
    eps: float,
    rng: np.random.Generator,
) -> dict[str, float]:
    """Each parameter's `rel_error` against central differences of ``loss`` (<= max_entries)."""
    errors = {}
    for name, value in params.items():
        picks = _sample(value.size, max_entries, rng)
        numeric = np.array([_central_difference(value, j, loss, eps) for j in picks])
        errors[name] = rel_error(grads[name].reshape(-1)[picks], numeric)
    return errors


def rel_error(analytic: Array, numeric: Array) -> float:
    """max |a - n| over the checked entries, relative to the larger of max |a| and max |n|."""
    scale = max(float(np.max(np.abs(analytic))), float(np.max(np.abs(numeric))), 1e-8)
    return float(np.max(np.abs(analytic - numeric))) / scale


def check_case(
    case: GradcheckCase,
    seed: int = 0,
    eps: float = 1e-6,
    max_entries: int = 50,
    batch: int = 3,
    steps: int = 5,
    input_size: int = 2,
    hidden_size: int = 3,
    window: int = 2,
) -> dict[str, float]:
    """Relative error of every parameter, the input and the initial state for one case."""
    rng = np.random.default_rng(seed)
    layer = build_layer(case, input_size, hidden_size, seed)
    x = rng.uniform(-1, 1, size=(batch, steps, input_size))
    lengths = np.array([steps, 3, 1][:batch]) if case.lengths else None
    state0 = random_state(layer, batch, rng)
    y, final, _ = layer.forward(x, state0, lengths, rng=np.random.default_rng([seed, 0]))
    S = tuple(rng.standard_normal(part.shape) for part in _state_parts(final))
    problem = _Problem(
        layer,
        x,
        lengths,
        state0,
        rng.standard_normal(y.shape),
        S,
        window if case.truncated else steps,
        seed,
    )
    grads, starts = analytic_gradients(problem)
    return _compare(problem, grads, starts, max_entries, eps, rng)


def _compare(
    problem: _Problem,
    grads: dict[str, Array],
    starts: list,
    max_entries: int,
    eps: float,
    rng: np.random.Generator,
) -> dict[str, float]:
    """Relative error of ``grads`` against central differences, per parameter, x and state."""
    layer, x, state0 = problem.layer, problem.x, problem.state0

    def total() -> float:  # the chunks' losses, each from its detached starting state
        return sum(problem.chunk_loss(c, a, b, starts[c]) for c, a, b in problem.chunks())

    errors = param_errors(layer.params, grads, total, max_entries, eps, rng)
    numeric_x = np.zeros_like(x)
    for c, a, b in problem.chunks():
        for j in range(x[:, a:b].size):
            index = np.unravel_index(j, x[:, a:b].shape)
            flat = np.ravel_multi_index((index[0], index[1] + a, index[2]), x.shape)
            numeric_x.reshape(-1)[flat] = _central_difference(
                x, flat, lambda c=c, a=a, b=b: problem.chunk_loss(c, a, b, starts[c]), eps
            )
    errors["x"] = rel_error(grads["x"], numeric_x)
    first = next(problem.chunks())
    for k, part in enumerate(_state_parts(state0)):
        numeric = np.array(
            [
                _central_difference(part, j, lambda: problem.chunk_loss(*first, state0), eps)
                for j in range(part.size)
            ]
        ).reshape(part.shape)
        errors[f"state[{k}]"] = rel_error(grads[f"state[{k}]"], numeric)
    return errors
