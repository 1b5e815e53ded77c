"""The char-LM bench rows: both sides compute the same thing before anything is timed."""

from __future__ import annotations

import pytest

from rnnlab.bench.charlm import HIDDEN, VOCAB, CharPoint, sample_case, train_case
from rnnlab.cli import main


def test_char_lm_training_step_agrees_with_torch() -> None:
    case = train_case()
    assert max(case.diffs.values()) < 1e-4 and set(case.diffs) >= {"loss", "dW_hh", "dreadout"}
    assert case.rnnlab_step() == pytest.approx(case.torch_step(), rel=1e-4)  # the same loss


def test_sampling_rows_agree_and_count_flops() -> None:
    case = sample_case()
    assert case.diffs["logits"] < 1e-4
    point = CharPoint("lstm", "lm-sample", 1, 10, HIDDEN)
    assert point.flops == 2.0 * 10 * ((VOCAB + HIDDEN) * 4 * HIDDEN + HIDDEN * VOCAB)
    assert CharPoint("lstm", "lm-train", 1, 10, HIDDEN).flops == 3 * point.flops


@pytest.mark.slow
def test_bench_charlm_prints_both_rows(tmp_path, capsys) -> None:
    out = tmp_path / "b.json"
    assert main(["bench", "--workload", "charlm", "--rounds", "2", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "lm-train" in text and "lm-sample" in text and out.exists()
