"""rnnlab inspect: one self-contained page; the text properties and the unit ranking."""

from __future__ import annotations

import re

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.data.units import best_units, correlations, properties

PLAY = 'ROMEO:\nShe said "soft (light)" there.\n\nJULIET:\nAy me.\n' * 30


def test_properties_mark_quotes_brackets_lines_and_speakers() -> None:
    text = 'AB:\nx "y" (z)\n'
    props = properties(text)
    assert list(props["speaker name"][:4]) == [1, 1, 1, 0]
    assert [text[i] for i in np.flatnonzero(props["inside quotes"])] == ['"', "y"]
    assert [text[i] for i in np.flatnonzero(props["inside brackets"])] == ["(", "z"]
    assert props["position in line"][text.index("(")] == 6


def test_best_units_finds_a_planted_unit(rng: np.random.Generator) -> None:
    props = properties(PLAY)
    noise = rng.standard_normal((len(PLAY), 5))
    noise[:, 3] += 5 * props["inside quotes"]
    found = best_units([{"hidden": noise}], props, top=1)
    quote = next(f for f in found if f["property"] == "inside quotes")
    assert (quote["unit"], quote["signal"]) == (3, "hidden") and quote["r"] > 0.8
    assert correlations(np.ones((4, 2)), np.arange(4.0)).tolist() == [0.0, 0.0]


@pytest.mark.parametrize("cell", ["lstm", "rnn"])
def test_inspect_writes_one_page_without_network_references(tmp_path, capsys, cell) -> None:
    (tmp_path / "t.txt").write_text(PLAY)
    run = tmp_path / "run"
    assert main(["train", "--data", str(tmp_path / "t.txt"), "--cell", cell, "--hidden", "8",
                 "--batch", "4", "--tbptt", "10", "--steps", "10", "--eval-every", "10",
                 "--dtype", "float64", "--quiet", "--out", str(run)]) == 0  # fmt: skip
    page = tmp_path / "page.html"
    flags = ["--run", str(run), "--text", str(tmp_path / "t.txt"), "--chars", "400"]
    assert main(["inspect", *flags, "--unit", "2", "--signal", "hidden", "--out", str(page)]) == 0
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "inside quotes" in html
    assert html.count("<span style='background:") >= 5 * 400  # 1 chosen + 4 properties
    assert not re.search(r"(src|href)\s*=\s*['\"]?(https?:|//)", html)  # nothing fetched
    assert "http" not in html and "<script" not in html and "<link" not in html
    capsys.readouterr()
    for extra, message in [
        (["--out", str(page)], "exists; choose another file"),
        (["--unit", "99", "--out", str(tmp_path / "b.html")], "unit: expected 0 to 7"),
        (["--signal", "gate x", "--out", str(tmp_path / "b.html")], "signal: expected one of"),
    ]:
        assert main(["inspect", *flags, *extra]) == 2
        assert message in capsys.readouterr().err


def test_a_property_absent_from_the_passage_is_not_ranked() -> None:
    import numpy as np

    from rnnlab.data.units import best_units

    acts = [{"cell": np.random.default_rng(0).standard_normal((20, 4))}]
    props = {"inside brackets": np.zeros(20), "position in line": np.arange(20.0) % 5}
    found = best_units(acts, props, top=2)
    assert {f["property"] for f in found} == {"position in line"} and len(found) == 2
