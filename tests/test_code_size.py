"""Files under 300 lines and functions under 60, so a newcomer can hold each in view.

Compiled kernels are exempt: a Numba kernel is one loop that must stay one function to compile
into one, and code generating LLVM IR (``@intrinsic``) likewise.
"""

from __future__ import annotations

import ast
from pathlib import Path

import rnnlab

SOURCE = Path(rnnlab.__file__).parent
MAX_FILE_LINES, MAX_FUNCTION_LINES = 300, 60
COMPILERS = {"njit", "jit", "intrinsic", "cfunc", "vectorize", "guvectorize"}


def _sources() -> list[Path]:
    files = sorted(SOURCE.rglob("*.py"))
    assert len(files) > 50, f"expected rnnlab's sources under {SOURCE}"
    return files


def _name(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def _compiled(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether ``fn`` is, or builds, a compiled kernel (a decorator of `COMPILERS` in it)."""
    for node in ast.walk(fn):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if _name(target) in COMPILERS:
                    return True
    return False


def long_functions(source: str) -> list[str]:
    """``name (n lines)`` of every function over the limit that is not a compiled kernel nor
    inside one."""
    found, stack = [], [ast.parse(source)]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if _compiled(node):
                continue  # the kernel and everything in it
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_FUNCTION_LINES:
                found.append(f"{node.name} ({lines} lines)")
        stack.extend(ast.iter_child_nodes(node))
    return found


def test_no_file_over_300_lines() -> None:
    long = {
        str(p.relative_to(SOURCE)): n
        for p in _sources()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES
    }
    assert not long, f"files over {MAX_FILE_LINES} lines: {long}"


def test_no_function_over_60_lines_outside_compiled_kernels() -> None:
    long = {
        str(p.relative_to(SOURCE)): found
        for p in _sources()
        if (found := long_functions(p.read_text(encoding="utf-8")))
    }
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_the_check_counts_lines_and_exempts_only_kernels() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    plain = f"def too_long():\n{body}"
    kernel = f"@njit(cache=True)\ndef kernel():\n{body}"
    builder = f"def make():\n    @intrinsic\n    def tile():\n        pass\n{body}"
    assert long_functions(plain) == [f"too_long ({MAX_FUNCTION_LINES + 1} lines)"]
    assert long_functions(kernel) == [] and long_functions(builder) == []
    assert long_functions("def short():\n    return 1\n") == []
