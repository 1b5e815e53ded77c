"""The one list of recurrent cells, and what each cell declares about itself.

Layers, models, the ``--cell`` / ``--cells`` parsers, the inits, gradcheck and gradflow ask this
registry instead of branching on kind strings, so a new cell is one new file (its class, with
``@register`` on it) plus the line in `rnnlab.cells` that imports it. What a registered class
declares, with the defaults of `RegisteredCell`:

``name``                 the kind before the colon of ``cell[:variant]`` (``"lstm"``).
``variants``             the names accepted after the colon; the first is what the bare name
                         means. ``("",)``: the cell has no variants (``mgu``, never ``mgu:x``).
``inits``                the `rnnlab.init` schemes that can apply to the kind.
``from_variant``         the cell for a hidden size and a variant name.
``keep_biases(scheme)``  the gates whose biases ``forget1`` and ``chrono`` set, each with the
                         sign of the value it gets: +1 on a gate that keeps the state when open
                         (the LSTM's f, the GRU's z), -1 on one that overwrites it (the MGU's f,
                         the input gate chrono closes).
``sigmoid_gates``        the step-cache entries holding sigmoid gate activations: gradflow
                         measures their saturation.
``keep_gate``            the step-cache entry whose mean is the share of the state kept (the
                         LSTM's f, the GRU's z; None where no gate reads that way).
``state_names``          what the state holds; gradflow reports the gradient of ``h`` and, for a
                         cell with one, of the cell state ``c``.

Whether a compiled kernel runs a cell is not the cell's to say: `rnnlab.fast.support` lists the
cell classes and fields its kernels read, so a new cell (or a new field) runs on the NumPy
reference until a kernel for it is written there.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from .base import Cell, stacked_param_shapes

INITS_FOR_GATED = ("pytorch", "orthogonal", "chrono")


class RegisteredCell:
    """Defaults for what a registered cell declares (see the module docstring)."""

    name: ClassVar[str]
    variants: ClassVar[tuple[str, ...]] = ("",)
    inits: ClassVar[tuple[str, ...]] = INITS_FOR_GATED
    keep_gate: ClassVar[str | None] = None
    sigmoid_gates: tuple[str, ...] = ()

    @classmethod
    def from_variant(cls, hidden_size: int, variant: str) -> Any:
        """The cell of ``hidden_size`` units for ``variant`` (one of ``variants``)."""
        return cls(hidden_size)  # type: ignore[call-arg]

    def keep_biases(self, scheme: str) -> dict[str, float]:
        """Gate -> sign of the bias that ``scheme`` (``forget1`` or ``chrono``) sets."""
        return {}

    # The contract of `rnnlab.cells.base.Cell`, where a cell has the usual layout: one H-wide
    # block per gate in W_ih, W_hh and both biases, and H units per state entry.

    def param_shapes(self, input_size: int) -> dict[str, tuple[int, ...]]:
        H = self.hidden_size  # type: ignore[attr-defined]
        return stacked_param_shapes(len(self.gate_names), H, input_size)  # type: ignore[attr-defined]

    def state_sizes(self) -> tuple[int, ...]:
        return (self.hidden_size,) * len(self.state_names)  # type: ignore[attr-defined]


CELLS: dict[str, type[RegisteredCell]] = {}
_C = TypeVar("_C", bound=type[RegisteredCell])


def register(cls: _C) -> _C:
    """Class decorator: list ``cls`` under ``cls.name``."""
    if cls.name in CELLS and CELLS[cls.name] is not cls:
        raise ValueError(f"cell: {cls.name!r} is registered twice")
    CELLS[cls.name] = cls
    return cls


def choices() -> str:
    """Every accepted ``cell[:variant]`` text, for help and error messages."""
    texts = []
    for name, cls in CELLS.items():
        texts.append(name)
        texts += [f"{name}:{variant}" for variant in cls.variants if variant]
    return ", ".join(texts)


def parse(text: str) -> tuple[type[RegisteredCell], str]:
    """The cell class and the variant name (the default filled in) of ``lstm:peephole``.

    Raises ValueError naming ``cell`` for an unknown kind or variant.
    """
    kind, _, variant = str(text).strip().partition(":")
    cls = CELLS.get(kind)
    if cls is None or (variant and variant not in cls.variants):
        raise ValueError(f"cell: expected one of {choices()}; got {text!r}")
    return cls, variant or cls.variants[0]


def make_cell(text: str, hidden_size: int) -> Cell:
    """The cell that ``cell[:variant]`` text names, with ``hidden_size`` units."""
    cls, variant = parse(text)
    return cls.from_variant(hidden_size, variant)


def cell_text(cls: type[RegisteredCell], variant: str) -> str:
    """``kind:variant``, or the bare kind for a cell without variants."""
    return f"{cls.name}:{variant}" if variant else cls.name
