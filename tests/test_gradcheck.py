"""Every cell x variant x layers x directions x lengths x BPTT mode against finite differences."""

from __future__ import annotations

import pytest

from rnnlab.cells import PRESETS
from rnnlab.cli import main
from rnnlab.gradcheck import all_cases, check_case, rel_error

TOLERANCE = 1e-6
CASES = all_cases()


def test_the_matrix_is_complete() -> None:
    # 2 RNN + every LSTM preset + 2 GRU variants + the MGU, each over 2 x 2 x 2 x 2 options.
    assert len(CASES) == (2 + len(PRESETS) + 2 + 1) * 16
    assert sum(c.cell == "mgu" for c in CASES) == 16
    assert {c.variant for c in CASES if c.cell == "lstm"} >= {"hs97", "fgr", "cifg", "peephole"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name.replace(" ", ","))
def test_gradients_match_finite_differences(case) -> None:
    errors = check_case(case, seed=7)
    # Every parameter of every layer and direction, the input and each initial-state entry.
    assert {"x", "state[0]"} <= set(errors)
    assert sum(name.startswith("weight_ih") for name in errors) == case.num_layers * (
        2 if case.bidirectional else 1
    )
    worst = max(errors, key=errors.__getitem__)
    assert errors[worst] < TOLERANCE, f"{case.name}: {worst} relative error {errors[worst]:.2e}"


def test_a_wrong_gradient_is_caught() -> None:
    # The metric must flag a gradient off by a small relative amount, not only gross errors.
    import numpy as np

    a = np.array([1.0, -2.0, 0.5])
    assert rel_error(a, a) == 0.0
    assert rel_error(a * (1 + 1e-5), a) > TOLERANCE


def test_cli_gradcheck_passes_and_reports_rows(capsys) -> None:
    assert main(["gradcheck", "--cell", "rnn", "--variant", "tanh"]) == 0
    out = capsys.readouterr().out
    assert out.count("rnn:tanh") == 16
    assert "16 passed, 0 failed" in out


def test_cli_gradcheck_rejects_unknown_variant(capsys) -> None:
    assert main(["gradcheck", "--cell", "lstm", "--variant", "bogus"]) == 2
    assert "variant" in capsys.readouterr().err
