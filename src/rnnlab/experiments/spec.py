"""Parse the ``--cells`` entries of a sweep: ``cell[:variant][@init][+omega]``.

``lstm:cifg@forget1`` is the coupled-gate LSTM with forget-gate bias 1; ``rnn:relu@identity`` is
the IRNN; ``rnn+omega`` the tanh RNN trained with Pascanu et al.'s regulariser;
``gru`` is the GRU with `rnnlab train`'s default initialisation. The text is kept as
given: it is the ``cell`` column of the results table, so a sweep's rows read like its command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..cells import CELLS
from ..cells.registry import parse

KINDS = tuple(CELLS)  # every registered cell (`rnnlab.cells.registry`)
_ENTRY = re.compile(
    r"^(?P<kind>[a-z]+)(?::(?P<variant>[A-Za-z0-9_]+))?(?:@(?P<init>[A-Za-z0-9_.]+))?"
    r"(?P<omega>\+omega)?$"
)


@dataclass(frozen=True)
class CellSpec:
    """One ``--cells`` entry: the cell kind, an optional variant and an optional initialisation.

    ``cell`` is what `rnnlab.training.TrainConfig.cell` takes (``lstm:peephole``); ``init`` is
    None for the training default (chrono for LSTM and GRU, PyTorch's for the RNN).
    """

    text: str
    kind: str
    variant: str | None = None
    init: str | None = None
    regularizer: str | None = None  # "+omega": Pascanu et al.'s Omega (`rnnlab.models.pascanu`)

    @property
    def cell(self) -> str:
        return self.kind if self.variant is None else f"{self.kind}:{self.variant}"

    @property
    def label(self) -> str:
        """A short legend label: the entry itself, plus the plain-English name of the IRNN."""
        return f"{self.text} (IRNN)" if self.text == "rnn:relu@identity" else self.text


def parse_cell(text: str) -> CellSpec:
    """Parse one entry; raises ValueError naming the entry and the expected form."""
    entry = text.strip()
    match = _ENTRY.match(entry)
    if match is None or not _registered(match["kind"], match["variant"]):
        raise ValueError(
            f"--cells: expected entries like rnn, lstm:peephole, lstm@chrono or "
            f"rnn:relu@identity (cell one of {', '.join(KINDS)}), got {text!r}"
        )
    regularizer = "pascanu" if match["omega"] else None
    return CellSpec(entry, match["kind"], match["variant"], match["init"], regularizer)


def _registered(kind: str, variant: str | None) -> bool:
    try:
        parse(kind if variant is None else f"{kind}:{variant}")
    except ValueError:
        return False
    return True


def parse_cells(text: str | list[str]) -> list[CellSpec]:
    """Parse a comma-separated list (or a list of entries); duplicates are an error."""
    entries = text.split(",") if isinstance(text, str) else list(text)
    specs = [parse_cell(e) for e in entries if e.strip()]
    if not specs:
        raise ValueError("--cells: expected at least one cell")
    seen: set[str] = set()
    for spec in specs:
        if spec.text in seen:
            raise ValueError(f"--cells: {spec.text!r} is listed twice")
        seen.add(spec.text)
    return specs


def parse_ints(text: str | list[int], name: str, minimum: int = 1) -> list[int]:
    """``"10,25,50"`` -> [10, 25, 50]; each at least ``minimum``, no duplicates, order kept."""
    try:
        values = (
            [int(v) for v in text.split(",") if v.strip()]
            if isinstance(text, str)
            else [int(v) for v in text]
        )
    except ValueError:
        raise ValueError(f"{name}: expected comma-separated integers, got {text!r}") from None
    if not values or min(values) < minimum or len(set(values)) != len(values):
        raise ValueError(f"{name}: expected distinct integers >= {minimum}, got {text!r}")
    return values


def parse_names(text: str | list[str], name: str) -> list[str]:
    """``"adding,longlag"`` -> ["adding", "longlag"]; non-empty and without duplicates."""
    values = [v.strip() for v in text.split(",")] if isinstance(text, str) else list(text)
    values = [v for v in values if v]
    if not values or len(set(values)) != len(values):
        raise ValueError(f"{name}: expected distinct comma-separated names, got {text!r}")
    return values
