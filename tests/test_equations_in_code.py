"""Each cell's docstring numbers its equations, and its code carries the same numbers."""

from __future__ import annotations

import inspect
import re

import pytest

from rnnlab.cells import GRUCell, LSTMCell, RNNCell


@pytest.mark.parametrize("cell", [RNNCell, LSTMCell, GRUCell], ids=lambda c: c.__name__)
def test_every_numbered_equation_is_tagged_in_the_code(cell) -> None:
    doc = inspect.getdoc(cell)
    assert re.search(r"^Forward.*::$", doc, re.M) and "Shapes:" in doc
    forward, backward = doc.split("Backward", 1)
    numbers = set(re.findall(r"^\s*\((\d)\)", forward, re.M))
    primed = set(re.findall(r"^\s*\((\d)'\)", backward, re.M))
    assert numbers and numbers == primed, "every forward equation needs its backward"
    source = inspect.getsource(cell).replace(cell.__doc__, "")
    assert source != inspect.getsource(cell)
    tags = set(re.findall(r"# \((\d'?)\)", source))
    missing = {n for n in numbers if n not in tags} | {
        f"{n}'" for n in primed if f"{n}'" not in tags
    }
    assert not missing, f"{cell.__name__}: equations without a tagged code line: {sorted(missing)}"


def test_gate_order_is_stated_and_matches_pytorch() -> None:
    assert "i, f, g, o" in inspect.getdoc(LSTMCell)
    assert LSTMCell(2).gate_names == ("i", "f", "g", "o")
    assert "r, z, n" in inspect.getdoc(GRUCell)
    assert GRUCell(2).gate_names == ("r", "z", "n")


def _comment_tags(module) -> set[str]:
    """Every ``(n)`` / ``(n')`` in the comments of ``module``'s source (docstrings left out)."""
    comments = (
        line.split("#", 1)[1] for line in inspect.getsource(module).splitlines() if "#" in line
    )
    return {tag for text in comments for tag in re.findall(r"\((\d'?)\)", text)}


@pytest.mark.parametrize("cell", [RNNCell, LSTMCell, GRUCell], ids=lambda c: c.__name__)
def test_kernels_carry_the_cells_equation_numbers(cell) -> None:
    """The compiled time loops (`rnnlab.fast.kernels`) tag the lines implementing the cell's
    equations with the cell's numbers: every number of the cell's docstring, and no other."""
    from rnnlab.fast.kernels import gru, lstm, lstm_variants, rnn

    kernels = {RNNCell: [rnn], LSTMCell: [lstm, lstm_variants], GRUCell: [gru]}[cell]
    doc = inspect.getdoc(cell)
    numbers = set(re.findall(r"^\s*\((\d'?)\)", doc, re.M))
    tags = set().union(*(_comment_tags(module) for module in kernels))
    assert tags == numbers, (
        f"missing {sorted(numbers - tags)}, not the cell's {sorted(tags - numbers)}"
    )
