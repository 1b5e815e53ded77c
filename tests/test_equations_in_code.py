"""Each cell's docstring numbers its equations, and its code carries the same numbers."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap

import pytest

from rnnlab.cells import CELLS, GRUCell, LSTMCell, MGUCell, RNNCell

# Calls that compute a term of an equation (the rest of a line's arithmetic is in its operators).
MATHS = {"sigmoid", "tanh", "sigmoid_grad", "tanh_grad", "act", "act_grad", "concatenate"}
TAG = re.compile(r"# \((\d'?)\)")


def test_every_registered_cell_is_checked_here() -> None:
    assert set(CELLS.values()) == {RNNCell, LSTMCell, GRUCell, MGUCell}


def _computes(node: ast.AST) -> bool:
    """Whether an expression does arithmetic or a gate's function, not counting index and shape
    arithmetic (slices, reshape arguments)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Subscript):
            stack.append(n.value)  # the slice is indexing, not maths
            continue
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            if n.func.attr == "reshape":
                stack.append(n.func.value)
                continue
        if isinstance(n, ast.BinOp):
            return True
        if isinstance(n, ast.Call):
            name = n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
            if name in MATHS:
                return True
        stack.extend(ast.iter_child_nodes(n))
    return False


def _untagged_lines(cell: type) -> list[str]:
    """The computing statements of step, step_backward and weight_grads without a tag."""
    source = textwrap.dedent(inspect.getsource(cell))
    lines = source.splitlines()
    missing = []
    for fn in ast.walk(ast.parse(source)):
        if not (isinstance(fn, ast.FunctionDef) and fn.name in STEP_METHODS):
            continue
        for st in ast.walk(fn):
            value = getattr(st, "value", None)
            if isinstance(st, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Return) and (
                value is not None and _computes(value)
            ):
                statement = lines[st.lineno - 1 : st.end_lineno]
                if not any(TAG.search(line) for line in statement):
                    missing.append(f"{fn.name}: {statement[0].strip()}")
    return missing


STEP_METHODS = ("step", "step_backward", "weight_grads")
ALL_CELLS = [RNNCell, LSTMCell, GRUCell, MGUCell]


@pytest.mark.parametrize("cell", ALL_CELLS, ids=lambda c: c.__name__)
def test_every_line_that_computes_carries_its_equation_tag(cell) -> None:
    missing = _untagged_lines(cell)
    assert not missing, f"{cell.__name__}: lines without an equation tag: {missing}"


def test_the_tag_check_sees_an_untagged_line() -> None:
    class Untagged:
        def step(self, a, b):
            c = a * b  # a product, no tag
            d = a[: 2 * b]  # indexing only
            return c, d

    assert _untagged_lines(Untagged) == ["step: c = a * b  # a product, no tag"]


@pytest.mark.parametrize("cell", ALL_CELLS, ids=lambda c: c.__name__)
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
    assert "f, n" in inspect.getdoc(MGUCell)
    assert MGUCell(2).gate_names == ("f", "n")


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


def test_the_lstm_docstring_states_each_presets_gate_blocks() -> None:
    from rnnlab.cells import PRESETS

    table = inspect.getdoc(LSTMCell).split("Gate blocks per preset", 1)[1].split("\n\n")[1]
    stated = {}
    for line in table.splitlines():
        names, gates, sigmoid, rest = re.match(
            r"\s*([\w, ]+?)\s{2,}([ifgo, ]+?)\s+S: ([ifo, ]+?)\s{2,}(.*)$", line
        ).groups()
        for name in names.split(", "):
            stated[name] = (tuple(gates.split(", ")), tuple(sigmoid.split(", ")), rest)
    assert set(stated) == set(PRESETS)
    for name, (spec, _) in PRESETS.items():
        gates, sigmoid, rest = stated[name]
        assert gates == spec.computed_gates and sigmoid == spec.sigmoid_gates, name
        peepholes = "weight_ch = (" + ", ".join(f"p_{g}" for g in sigmoid) + ")"
        assert (peepholes in rest) == spec.peepholes and ("no weight_ch" in rest) != spec.peepholes
        assert ("q = (" in rest) == spec.gate_recurrence, name
