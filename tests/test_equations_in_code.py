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
