"""CMUdict reading and splitting, and the G2P metrics (PER, WER) on hand-computed examples."""

from __future__ import annotations

import pytest

from rnnlab.data.cmudict import G2PVocab, data_path, parse_lines, read_lexicon, split_words
from rnnlab.data.g2p import edit_distance, g2p_scores


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("K AE T", "K AE T", 0),
        ("K AE T", "K AA T", 1),  # one substitution
        ("K AE T", "K AE T S", 1),  # one insertion
        ("K AE T S", "AE T", 2),  # two deletions
        ("", "R IH DH AH M", 5),
        ("S IH T IH NG", "K IH T AH N", 3),  # S->K, IH->AH, NG->N
        ("AH B", "B AH", 2),  # a swap is two edits
    ],
)
def test_edit_distance_by_hand(a: str, b: str, distance: int) -> None:
    assert edit_distance(a.split(), b.split()) == distance
    assert edit_distance(b.split(), a.split()) == distance


def test_per_and_wer_by_hand() -> None:
    """Three words. 'either': the prediction is its second pronunciation, 0 edits (right).
    'rhythm': one substitution against its only pronunciation of 5 phonemes. 'cat': 2 edits
    from 'K AE T' (3 phonemes) but 1 from 'K AE T S' (4): the closer one counts.
    PER = (0 + 1 + 1) / (3 + 5 + 4) = 2 / 12; WER = 2 wrong of 3."""
    predictions = [("AY", "DH", "ER"), tuple("R IH DH AH N".split()), ("K", "AA", "T", "S")]
    references = [
        [("IY", "DH", "ER"), ("AY", "DH", "ER")],
        [tuple("R IH DH AH M".split())],
        [("K", "AE", "T"), ("K", "AE", "T", "S")],
    ]
    scores = g2p_scores(predictions, references)
    assert scores["per"] == pytest.approx(2 / 12)
    assert scores["wer"] == pytest.approx(2 / 3)


def test_ties_go_to_the_shorter_reference() -> None:
    # 'K AE' is 1 edit from both 'K AE T' (3) and 'K' (1): the shorter reference is chosen
    assert g2p_scores([("K", "AE")], [[("K", "AE", "T"), ("K",)]])["per"] == 1.0


def test_parse_lines_strips_stress_comments_variants_and_odd_words() -> None:
    lines = [
        "abbe AE0 B IY1",
        "abbe(2) AE0 B IY2  # same phonemes once stress is gone: merged",
        "abbe(3) AE1 B EY0",
        "o'neil OW0 N IY1 L # name",
        "a.m. EY2 EH1 M",
        "able-bodied EY1 B AH0 L B AA1 D IY0 D",
        "",
    ]
    lexicon, kept = parse_lines(lines)
    assert lexicon == {
        "abbe": [("AE", "B", "IY"), ("AE", "B", "EY")],
        "o'neil": [("OW", "N", "IY", "L")],
    }
    assert kept == 4  # lines kept before merging


def test_cmudict_file_entries_and_split() -> None:
    lexicon, kept = read_lexicon(str(data_path()))
    assert kept == 133_973  # of 135,166 lines: the words of letters and apostrophes
    assert len(lexicon) == 124_926
    assert sum(len(p) for p in lexicon.values()) == 133_667  # distinct without stress
    phonemes = {p for prons in lexicon.values() for pron in prons for p in pron}
    assert len(phonemes) == 39 and not any(c.isdigit() for p in phonemes for c in p)
    parts = split_words(list(lexicon))
    sizes = {k: len(v) for k, v in parts.items()}
    assert sizes == {"train": 112_433, "valid": 6_246, "test": 6_247}
    train, valid, test = (set(parts[k]) for k in ("train", "valid", "test"))
    assert not (train & valid or train & test or valid & test)  # no word on two sides
    assert train | valid | test == set(lexicon)
    assert split_words(list(reversed(list(lexicon)))) == parts  # fixed by the seed alone


def test_vocab_rejects_characters_outside_the_training_alphabet() -> None:
    vocab = G2PVocab(tuple("'abcdefghijklmnopqrstuvwxyz"), ("AA", "B"))
    assert vocab.check_word(" Rhythm ") == "rhythm"
    with pytest.raises(ValueError, match=r"word: expected letters .*\(not in it: '3' 'é'\)$"):
        vocab.check_word("café3")
    with pytest.raises(ValueError, match="word: expected letters"):
        vocab.check_word("  ")


def test_spelling_neighbour_baseline_by_hand(rng) -> None:
    from rnnlab.data.g2p_baseline import SpellingNeighbour, _codes

    lexicon = {
        "cat": [("K", "AE", "T")],
        "cart": [("K", "AA", "R", "T")],
        "bat": [("B", "AE", "T")],
        "cast": [("K", "AE", "S", "T")],
        "dog": [("D", "AO", "G")],
    }
    baseline = SpellingNeighbour(lexicon, ["cat", "cart", "bat", "cast", "dog"])
    # 'cats': 1 edit from cat (cart and cast are 2 away); 'cas': 1 from both cat and cast
    # (another length): the alphabetically first, cast, wins the tie; 'bats' -> bat (the same
    # first letter only); 'eel': no training word starts with e
    assert baseline.predict(["cats", "cas", "bats", "eel"]) == [
        lexicon["cat"][0],
        lexicon["cast"][0],
        lexicon["bat"][0],
        (),
    ]
    words = ["".join(rng.choice(list("abc"), size=n)) for n in rng.integers(1, 7, size=40)]
    queries = [w for w in words if len(w) == 4]
    others = [w for w in words if len(w) == 3]
    d = SpellingNeighbour.distances(_codes(queries), _codes(others))
    for q, query in enumerate(queries):
        for c, other in enumerate(others):
            assert d[q, c] == edit_distance(query, other)
