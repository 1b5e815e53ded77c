"""Issue 18, item 10: the small ones, each on its own."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.optim import SGD, RMSprop
from rnnlab.training import TrainConfig, train_run
from rnnlab.validation import as_float_array

TRAIN = ["train", "--task", "adding", "--length", "4", "--hidden", "2", "--steps", "2",
         "--batch", "2", "--test-size", "4", "--quiet"]  # fmt: skip
SWEEP = ["compare", "--tasks", "adding", "--lengths", "4", "--seeds", "1", "--hidden", "2",
         "--steps", "2", "--workers", "1", "--no-progress"]  # fmt: skip


def exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse's own errors
        return int(exc.code)


def one_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    return err[0]


def test_a_cell_with_an_empty_variant_is_an_error(capsys):
    with pytest.raises(ValueError, match=r"^cell: expected a variant after lstm:"):
        TrainConfig(task="adding", length=4, cell="lstm:")
    assert exit_code([*TRAIN, "--cell", "lstm:"]) == 2
    assert "cell: expected a variant" in one_line(capsys)


def test_clip_zero_is_an_error_that_says_how_to_switch_clipping_off(capsys):
    assert exit_code([*TRAIN, "--clip", "0"]) == 2
    assert "use 'none' to switch clipping off" in one_line(capsys)
    assert exit_code([*TRAIN, "--clip", "none"]) == 0


@pytest.mark.parametrize("optimizer", [SGD, RMSprop])
@pytest.mark.parametrize("momentum", [1.0, 1.5, -0.1])
def test_momentum_outside_zero_one_is_refused(optimizer, momentum):
    with pytest.raises(ValueError, match=r"^momentum: expected a number in \[0, 1\)"):
        optimizer({"w": np.zeros(2)}, lr=0.1, momentum=momentum)


@pytest.mark.parametrize(
    ("cells", "same"),
    [
        ("lstm,lstm@chrono", "chrono"),
        ("rnn,rnn:tanh@pytorch", "pytorch"),
        ("gru,gru:reset_after", "chrono"),
    ],
)
def test_the_same_model_twice_in_compare_is_refused(cells, same, tmp_path, capsys):
    db = tmp_path / "r.sqlite"
    assert main([*SWEEP, "--cells", cells, "--db", str(db), "--out", str(tmp_path / "o")]) == 2
    line = one_line(capsys)
    assert "are the same model" in line and f"with {same} init" in line
    assert not db.exists()


@pytest.mark.parametrize(
    "argv",
    [["compare", "--cell", "lstm"], ["train", "--hid", "3"], ["gradflow", "--cell", "lstm"]],
)
def test_flags_are_not_abbreviated(argv, capsys):
    assert exit_code(argv) == 2
    assert f"unrecognized arguments: {argv[1]}" in one_line(capsys)


def test_an_unknown_flag_is_reported_by_its_subcommand(capsys):
    assert exit_code(["compare", "--tasks", "adding", "--bogus"]) == 2
    line = one_line(capsys)
    assert line.startswith("rnnlab compare: error: unrecognized arguments: --bogus")
    assert "rnnlab compare --help" in line


def test_gradflow_rows_keep_the_run_directorys_name(tmp_path, capsys):
    run = tmp_path / "my-adding-run"
    train_run(
        TrainConfig(
            task="adding", length=4, hidden=2, steps=2, batch=2, task_options={"test_size": 4}
        ),
        run,
    )
    out = tmp_path / "g.json"
    argv = ["gradflow", "--length", "4", "--cells", "rnn", "--hidden", "2", "--run", str(run)]
    assert main([*argv, "--json", str(out)]) == 0
    trained = [r for r in json.loads(out.read_text()) if r["phase"] == "trained"]
    assert len(trained) == 1 and "my-adding-run" in trained[0]["cell"]
    assert "my-adding-run" in capsys.readouterr().out


def test_the_finiteness_check_does_not_warn_on_large_finite_input():
    huge = np.full((3, 4, 5), 1e200)  # its sum of squares overflows; every entry is finite
    with warnings.catch_warnings(), np.errstate(all="warn"):
        warnings.simplefilter("error")
        assert as_float_array(huge, "x", np.dtype(np.float64), 3) is huge
    with pytest.raises(ValueError, match="contains NaN or infinity"):
        as_float_array(np.array([[1e200, np.inf]]), "x", np.dtype(np.float64), 2)
