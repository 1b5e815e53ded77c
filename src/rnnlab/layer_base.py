"""The recurrent layer: a stack of cells over time, one or two directions, dropout between layers.

`RecurrentLayer` runs any registered cell (`rnnlab.cells.registry`), named as ``--cell`` names
it: ``RecurrentLayer(2, 8, cell="mgu")``. `rnnlab.layers` holds the three public layers with
their own keyword for the variant (RNN, LSTM, GRU); this module the machinery all share.

A layer owns its parameters in ``params``, a dict named as PyTorch names them
(``weight_ih_l0``, ``weight_hh_l1_reverse``, ...), so exchanging weights with PyTorch is a copy.
``forward`` returns a cache that ``backward`` consumes; the cache also exposes every step's gate
activations and cell states for diagnostics.

What it is given is checked (`rnnlab.layer_guard`): ``forward`` refuses parameters of the wrong
shape, dtype or layout, an empty batch or sequence and complex input; ``backward`` refuses to run
when ``x`` or a parameter was changed in place since its ``forward``. ``batch_first`` (default
True) says whether ``x`` and ``y`` are (N, T, ...) or time-major (T, N, ...), as in torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .cells import make_cell
from .cells.base import Array, Cell, Params, State, StepCache
from .dropout import dropout_mask
from .layer_guard import CheckedInputs, Snapshot
from .layer_products import backward_direction, forward_direction
from .layer_state import from_public_state, to_public_state
from .validation import (
    as_float_array,
    as_lengths,
    check_bool,
    check_float_dtype,
    check_positive_int,
    check_probability,
    check_seed,
)

PublicState = Array | tuple[Array, ...]


@dataclass
class LayerCache:
    """What `RecurrentLayer.forward` kept for `backward`, and for anyone who wants to look.

    ``steps[layer][direction]`` maps names (``"i"``, ``"f"``, ``"c"``, ``"h_prev"``, ...) to
    (T, N, H) arrays over time, in the time order of the input (also for the reverse direction).
    """

    owner: object
    inputs: list[Array]  # time-major input of each layer, after dropout: (T, N, D_k); layer
    # 0's is a view of x, not a copy (as PyTorch keeps it): change x before backward, and
    # W_ih's gradient changes with it
    dropout_masks: list[Array | None]
    steps: list[list[StepCache]]
    mask: Array | None  # (T, N, 1) valid steps, or None when every step is valid
    output_shape: tuple[int, ...]
    extra: dict[str, Any] = field(default_factory=dict)
    snapshot: Snapshot | None = None  # x and the parameters as forward saw them


class RecurrentLayer(CheckedInputs):
    """A layer of the registered cell ``cell`` (``"mgu"``, ``"lstm:cifg"``); the base of `RNN`,
    `LSTM` and `GRU`, which choose their cell from their own keyword instead."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        dtype: str | np.dtype = "float32",
        seed: int = 0,
        *,
        cell: str = "rnn",
    ) -> None:
        self.cell_text = cell
        self.input_size = check_positive_int(input_size, "input_size")
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        self.num_layers = check_positive_int(num_layers, "num_layers")
        self.bidirectional = check_bool(bidirectional, "bidirectional")
        self.dropout = check_probability(dropout, "dropout")
        self.dtype = check_float_dtype(dtype, "dtype")
        seed = check_seed(seed, "seed")
        self.training = True
        self.cell: Cell = self._make_cell()
        init_seq, dropout_seq = np.random.SeedSequence(seed).spawn(2)
        self._dropout_rng = np.random.default_rng(dropout_seq)
        self.params = self._init_params(np.random.default_rng(init_seq))
        self.batch_first = True

    def _make_cell(self) -> Cell:
        return make_cell(self.cell_text, self.hidden_size)

    @property
    def kind(self) -> str:
        """The registered name of the cell (``"lstm"``)."""
        return type(self.cell).name  # type: ignore[attr-defined]

    # -- parameters --------------------------------------------------------------------------

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    def layer_input_size(self, layer: int) -> int:
        return self.input_size if layer == 0 else self.directions * self.hidden_size

    @staticmethod
    def param_name(local: str, layer: int, direction: int) -> str:
        return f"{local}_l{layer}" + ("_reverse" if direction else "")

    def layer_params(self, layer: int, direction: int) -> Params:
        """The parameters of one layer and direction under the cell's local names (views)."""
        # The names are fixed by the cell; looked up once (the cell's param_shapes and the
        # name formatting cost 10 us a call, twice per layer and step).
        names = self.__dict__.setdefault("_param_names", {})
        key = (layer, direction)
        if key not in names:
            shapes = self.cell.param_shapes(self.layer_input_size(layer))
            names[key] = [(k, self.param_name(k, layer, direction)) for k in shapes]
        return {k: self.params[name] for k, name in names[key]}

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every parameter's shape by name."""
        return {
            self.param_name(local, layer, direction): shape
            for layer in range(self.num_layers)
            for direction in range(self.directions)
            for local, shape in self.cell.param_shapes(self.layer_input_size(layer)).items()
        }

    def _init_params(self, rng: np.random.Generator) -> Params:
        # PyTorch's default: every parameter U(-1/sqrt(H), 1/sqrt(H)).
        bound = 1.0 / np.sqrt(self.hidden_size)
        return {
            name: rng.uniform(-bound, bound, size=shape).astype(self.dtype)
            for name, shape in self.param_shapes().items()
        }

    @property
    def num_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def train(self, mode: bool = True) -> RecurrentLayer:
        """Dropout on (the default) or off; returns the layer, as PyTorch's ``train()``."""
        self.training = bool(mode)
        return self

    def eval(self) -> RecurrentLayer:
        return self.train(False)

    # -- forward and backward ----------------------------------------------------------------

    def forward(
        self,
        x: Array,
        state: PublicState | None = None,
        lengths: Array | None = None,
        *,
        rng: np.random.Generator | None = None,
        need_cache: bool = True,
    ) -> tuple[Array, PublicState, LayerCache | None]:
        """Run the stack over ``x`` (N, T, D); see the module docstring for the returned state.
        ``y`` (N, T, D*H) is a batch-first view of the time-major result, as in PyTorch.

        ``lengths`` (N,) gives each right-padded sequence's number of valid steps; ``rng`` draws
        the dropout masks (default: the layer's own generator, seeded from ``seed``).
        ``need_cache=False`` (no backward will follow) returns ``None`` for the cache and lets
        the fast path skip keeping it; outputs and state are the same.
        """
        arr = as_float_array(x, "x", self.dtype, 3)
        given = arr if arr is x else None  # a converted copy is ours: no one can edit it
        x = arr if self.batch_first else arr.transpose(1, 0, 2)  # (T, N, D) given: a view
        N, T, D = x.shape
        if D != self.input_size:
            raise ValueError(f"x: expected {self.input_size} features (input_size), got {D}")
        if N == 0 or T == 0:
            raise ValueError(f"x: expected a sequence and a step at least, got shape {x.shape}")
        self._check_params()
        mask = None
        if lengths is not None:
            valid = np.arange(T)[:, None] < as_lengths(lengths, N, T)[None, :]  # (T, N)
            mask = valid[:, :, None].astype(self.dtype)
        states = from_public_state(self, state, N)
        inp = x.transpose(1, 0, 2)  # (T, N, D): time-major inside; a view, as in PyTorch
        cache = LayerCache(self, [], [], [], mask, (N, T, self.directions * self.hidden_size))
        if need_cache:
            cache.snapshot = Snapshot.take(given, self._params.items())
        finals: list[State] = []
        for layer in range(self.num_layers):
            inp, drop = self._dropout(inp, layer, rng)
            cache.inputs.append(inp)
            cache.dropout_masks.append(drop)
            outs, cache_row = [], []
            for direction in range(self.directions):
                p = self.layer_params(layer, direction)
                state0 = states[layer * self.directions + direction]
                hs, final, steps = forward_direction(
                    self.cell, p, inp, state0, mask, direction == 1, need_cache
                )
                outs.append(hs)
                cache_row.append(steps)
                finals.append(final)
            cache.steps.append(cache_row)
            inp = np.concatenate(outs, axis=-1) if self.directions == 2 else outs[0]
        y = inp.transpose(1, 0, 2) if self.batch_first else inp  # a view, as PyTorch's
        return y, to_public_state(self, finals), cache if need_cache else None

    def _dropout(
        self, inp: Array, layer: int, rng: np.random.Generator | None
    ) -> tuple[Array, Array | None]:
        if layer == 0 or not self.training or self.dropout == 0.0:
            return inp, None
        rng = self._dropout_rng if rng is None else rng
        drop = dropout_mask(inp.shape, self.dropout, rng, self.dtype)
        return inp * drop, drop

    def backward(
        self,
        dy: Array,
        cache: LayerCache,
        dstate: PublicState | None = None,
        *,
        trace: dict[tuple[int, int], list[Array]] | None = None,
    ) -> tuple[Array, PublicState, Params]:
        """Gradients of the input, the initial state and every parameter, given ``dy``.

        With a dict ``trace``, ``trace[(layer, direction)]`` receives the per-step gradients of
        the state, ``[dh, dc, ...]`` as (T, N, H) arrays (see `rnnlab.bptt.backprop`).
        """
        if not isinstance(cache, LayerCache) or cache.owner is not self:
            raise ValueError("cache: expected the cache returned by this layer's forward()")
        if cache.snapshot is not None:
            cache.snapshot.check(self._params)
        dy = as_float_array(dy, "dy", self.dtype, 3)
        expected = cache.output_shape  # (N, T, D*H)
        if not self.batch_first:
            dy, expected = dy.transpose(1, 0, 2), (expected[1], expected[0], expected[2])
        if dy.shape != cache.output_shape:
            got = dy.shape if self.batch_first else dy.transpose(1, 0, 2).shape
            raise ValueError(f"dy: expected shape {expected} (like y), got {got}")
        N = dy.shape[0]
        dfinals = from_public_state(self, dstate, N, name="dstate")
        dinitial: list[State] = list(dfinals)
        grads: Params = {}
        dout = dy.transpose(1, 0, 2)  # (T, N, D*H)
        H = self.hidden_size
        for layer in reversed(range(self.num_layers)):
            inp = cache.inputs[layer]
            dinp = inp  # placeholder, replaced by direction 0's product below
            for direction in range(self.directions):
                index = layer * self.directions + direction
                p = self.layer_params(layer, direction)
                dhs = dout[:, :, direction * H : (direction + 1) * H]
                if cache.mask is not None:
                    dhs = dhs * cache.mask  # padded outputs are constants
                steps = cache.steps[layer][direction]
                record = None if trace is None else trace.setdefault((layer, direction), [])
                local, part, dinitial[index] = backward_direction(
                    self.cell, p, steps, dhs, dfinals[index], cache.mask, direction == 1, inp,
                    record,
                )  # part: (T, N, D), maybe a batch-first view
                for name, g in local.items():
                    grads[self.param_name(name, layer, direction)] = g
                # Direction 0 owns its product (no zeros + add pass); 0 + a == a, so bits match.
                dinp = part if direction == 0 else dinp + part
            if cache.dropout_masks[layer] is not None:
                dinp = dinp * cache.dropout_masks[layer]
            dout = dinp
        dx = np.ascontiguousarray(dout.transpose(1, 0, 2) if self.batch_first else dout)
        return dx, to_public_state(self, dinitial), {k: grads[k] for k in self.params}

    # -- interop -----------------------------------------------------------------------------

    def to_torch(self) -> Any:
        """A ``torch.nn`` module with the same weights (imports torch)."""
        from .interop.torch import to_torch

        return to_torch(self)

    def to_onnx(self, path: Any = None, *, lengths: bool = False, initial_state: bool = False):
        """The ONNX model of this layer (``onnx.ModelProto``), also written to ``path``; see
        `rnnlab.interop.onnx` (imports onnx)."""
        from .interop.onnx import layer_to_onnx

        return layer_to_onnx(self, path, lengths=lengths, initial_state=initial_state)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.input_size}, {self.hidden_size}, "
            f"num_layers={self.num_layers}, bidirectional={self.bidirectional}, "
            f"dropout={self.dropout}{self._extra_repr()}, dtype='{self.dtype}')"
        )

    def _extra_repr(self) -> str:
        return f", cell='{self.cell_text}'"
