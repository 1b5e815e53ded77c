"""Polyphonic music: the piano roll of a hand-written excerpt, the MIDI round trip through
music21, the chorales from the corpus and their split, the metric and the baselines."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab.data.chorales import chorale_names, parse_chorale, split_names
from rnnlab.data.music import next_frame_batch, nll_metric
from rnnlab.data.music_baselines import bernoulli_logits, fit_logistic, lagged, music_baselines
from rnnlab.data.piano_roll import (
    frame_nll,
    notes_of_roll,
    notes_of_stream,
    read_midi_roll,
    roll_from_notes,
    save_roll_png,
    write_midi,
)
from rnnlab.losses import sigmoid_binary_cross_entropy


def _two_bars():
    """Soprano C5 D5 E5(half) | F5 E5(eighth) D5(eighth) C5(half);
    bass C3(half) G2(half) | A2 F2 C3(half)."""
    from music21 import converter, stream

    score = stream.Score()
    for line in ("tinyNotation: 4/4 c'4 d'4 e'2 f'4 e'8 d'8 c'2",  # c = C4, c' = C5
                 "tinyNotation: 4/4 C2 GG2 AA4 FF4 C2"):  # C = C3, GG = G2; fmt: skip
        score.insert(0, converter.parse(line))
    return score


def test_piano_roll_of_a_hand_written_excerpt() -> None:
    roll = roll_from_notes(notes_of_stream(_two_bars()))
    assert roll.shape == (8, 88) and set(np.unique(roll)) == {0.0, 1.0}
    keys = [sorted((np.nonzero(frame)[0] + 21).tolist()) for frame in roll]
    assert keys == [
        [48, 72], [48, 74], [43, 76], [43, 76],  # bar 1: C3 half, G2 half under C5 D5 E5
        [45, 77], [41, 76],  # bar 2: the eighth E5 on the beat is sampled, D5 at 5.5 is not
        [48, 72], [48, 72],
    ]


def test_midi_round_trips_through_music21(tmp_path) -> None:
    roll = roll_from_notes(notes_of_stream(_two_bars()))
    path = write_midi(roll, tmp_path / "x.mid")
    again = read_midi_roll(path)
    assert np.array_equal(again, roll)
    assert notes_of_roll(again) == notes_of_roll(roll)
    assert (72 - 21) in np.nonzero(roll[0])[0]
    png = save_roll_png(roll, tmp_path / "x.png", given=2, title="two bars")
    assert png.stat().st_size > 1000


def test_notes_outside_the_piano_are_refused() -> None:
    with pytest.raises(ValueError, match="MIDI 12 is outside the 88 piano keys"):
        roll_from_notes([(0.0, 1.0, 12)])


def test_chorales_split_by_whole_chorales() -> None:
    names = chorale_names()
    assert len(names) == 350 and len(set(names)) == 350 and names[0] == "bach/bwv269"
    split = split_names(names)
    assert [len(split[p]) for p in ("train", "valid", "test")] == [210, 70, 70]
    parts = [set(split[p]) for p in ("train", "valid", "test")]
    assert set.union(*parts) == set(names) and sum(map(len, parts)) == 350  # disjoint
    assert split == split_names(names)  # fixed by its seed
    roll = parse_chorale("bach/bwv269")
    assert roll.shape == (63, 88)  # 63 quarter notes (3/4, 21 bars)
    assert (roll.sum(axis=1) >= 3).mean() > 0.9  # four voices, a few unisons
    on = np.nonzero(roll.any(axis=0))[0] + 21
    assert 36 <= on.min() and on.max() <= 88  # the corpus' range (data.md)


def test_metric_is_the_training_loss_on_predicted_frames() -> None:
    rng = np.random.default_rng(0)
    rolls = [(rng.random((n, 88)) < 0.05).astype(float) for n in (5, 9, 7)]
    batch = next_frame_batch(rolls)
    assert batch.x.shape == (3, 8, 88) and batch.lengths.tolist() == [4, 8, 6]
    assert np.array_equal(batch.target[1, :8], rolls[1][1:])  # the next frame, first excluded
    logits = rng.normal(size=batch.target.shape)
    valid = np.arange(8) < batch.lengths[:, None]
    loss, _ = sigmoid_binary_cross_entropy(logits, batch.target, valid)
    assert nll_metric(logits, batch)["metric"] == pytest.approx(loss, rel=1e-12)
    per_frame = [frame_nll(logits[i, : n], rolls[i][1:]) * n for i, n in enumerate([4, 8, 6])]
    assert loss == pytest.approx(sum(per_frame) / 18, rel=1e-12)  # pooled over all 18 frames


def test_logistic_fit_matches_scikit_learn() -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 6))
    y = (x @ rng.normal(size=(6, 2)) + rng.normal(size=(300, 2)) > 0).astype(float)
    W, b = fit_logistic(x, y)
    for k in range(2):
        ref = LogisticRegression(C=1.0, tol=1e-10, max_iter=10000).fit(x, y[:, k])
        assert np.allclose(W[:, k], ref.coef_[0], atol=1e-4)
        assert b[k] == pytest.approx(ref.intercept_[0], abs=1e-4)


def test_music_baselines_on_a_repeating_pattern() -> None:
    pattern = np.zeros((4, 88))
    pattern[np.arange(4), [40, 44, 47, 52]] = 1.0  # an arpeggio, over and over
    rolls = [np.tile(pattern, (6, 1)) for _ in range(4)]
    x, _ = lagged(rolls, 2)
    assert x.shape == (4 * 23, 176) and np.array_equal(x[1, :88], rolls[0][1])
    p = 1 / (1 + np.exp(-bernoulli_logits(rolls)))
    # key 40 sounds in frames 4, 8, .., 20 of the 23 predicted frames of each of 4 rolls
    assert p[40] == pytest.approx((4 * 5 + 1) / (4 * 23 + 2), rel=1e-12)
    assert p[0] == pytest.approx(1 / (4 * 23 + 2), rel=1e-12)  # never heard: smoothed
    found = music_baselines(rolls[:3], rolls[3:])
    assert found["logistic_ar2"] < 0.5 * found["bernoulli"]  # the previous frames predict it


def test_continuation_keeps_the_prompt_and_is_seeded() -> None:
    from rnnlab.data.continuation import chord_prompt, continue_roll
    from rnnlab.models import build_layer, make_model

    rng = np.random.default_rng(0)
    model = make_model(build_layer("lstm", 88, 8, 1, False, 0.0, "float64"), 88, "many_to_many",
                       "sigmoid_bce", rng)  # fmt: skip
    prompt = roll_from_notes(notes_of_stream(_two_bars()))
    rolls = [continue_roll(model, prompt, 16, np.random.default_rng(5)) for _ in range(2)]
    assert rolls[0].shape == (24, 88) and np.array_equal(rolls[0][:8], prompt)
    assert np.array_equal(rolls[0], rolls[1]) and set(np.unique(rolls[0])) <= {0.0, 1.0}
    assert chord_prompt([60, 64, 67]).nonzero()[1].tolist() == [39, 43, 46]
    with pytest.raises(ValueError, match="chord: MIDI 200 is outside"):
        chord_prompt([60, 200])


@pytest.mark.slow
def test_chorales_train_and_sample_end_to_end(tmp_path, capsys) -> None:
    """All 350 chorales parsed (or read from the cache), 20 updates, then a continuation."""
    import json

    from rnnlab.cli import main

    run = tmp_path / "run"
    assert main(["train", "--data", "chorales", "--steps", "20", "--eval-every", "10",
                 "--quiet", "--out", str(run)]) == 0  # fmt: skip
    result = json.loads((run / "result.json").read_text())
    assert set(result["baselines"]) == {"bernoulli", "logistic_ar2"}
    assert result["metric"] < result["baselines"]["bernoulli"] + 1.0
    out = tmp_path / "c.mid"
    argv = ["sample", "--run", str(run), "--length", "16", "--seed", "0", "--out", str(out)]
    assert main(argv) == 0
    assert read_midi_roll(out).shape[1] == 88 and out.with_suffix(".png").exists()
    assert main(argv) == 2  # the MIDI file exists: refused, not overwritten
    assert "exists" in capsys.readouterr().err
