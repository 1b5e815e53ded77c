"""Text corpora: the character vocabulary, reading a user's file, and the text dataset base.

A text dataset gives a training and a validation text (`TextDataset.texts`); the character
language model (`rnnlab.data.charlm`) learns it, scored in nats and bits per character.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .base import Dataset, Metric, Source

if TYPE_CHECKING:
    from ..training.config import TrainConfig
    from .charlm import CharLM

NATS_PER_CHAR = Metric("validation loss", "nats/char", lower_is_better=True)
TEXT_DEFAULTS: dict[str, Any] = {
    "cell": "lstm",
    "hidden": 256,
    "num_layers": 1,
    "batch": 32,
    "tbptt": 100,
    "lr": 0.002,
    "clip": 1.0,
    "init": "pytorch",
    "dtype": "float32",
    "steps": 20000,
    "eval_every": 200,
    "checkpoint_every": 200,
    "early_stop": False,
}


class Vocabulary:
    """Characters <-> ids. Id 0 is the unknown symbol: every character not seen in training.

    Saved as ``vocabulary.json``: ``{"symbols": ["", "\\n", " ", ...]}``, id i = symbols[i]
    (the empty string marks the unknown symbol, which no real character can be).
    """

    def __init__(self, symbols: list[str]) -> None:
        if not symbols or symbols[0] != "" or any(len(s) != 1 for s in symbols[1:]):
            raise ValueError("vocabulary: expected '' (unknown) then single characters")
        self.symbols = symbols
        self._codes = np.array([ord(s) for s in symbols[1:]], dtype=np.uint32)  # sorted

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        return cls(["", *sorted(set(text))])

    @classmethod
    def from_json(cls, text: str) -> Vocabulary:
        try:
            return cls(list(json.loads(text)["symbols"]))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"vocabulary: cannot read vocabulary.json ({exc})") from None

    def to_json(self) -> str:
        return json.dumps({"symbols": self.symbols}, ensure_ascii=False) + "\n"

    def __len__(self) -> int:
        return len(self.symbols)

    def __contains__(self, char: str) -> bool:
        return char in self.symbols[1:]

    def encode(self, text: str) -> np.ndarray:
        """(len(text),) int64 ids; unseen characters -> 0."""
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        where = np.searchsorted(self._codes, codes)
        where = np.minimum(where, len(self._codes) - 1)
        found = self._codes[where] == codes
        return np.where(found, where + 1, 0).astype(np.int64)

    def decode(self, ids: np.ndarray) -> str:
        """The text of ``ids``; the unknown symbol reads as U+FFFD."""
        return "".join(self.symbols[i] or "\ufffd" for i in np.asarray(ids).ravel())


def read_text(path: str | Path, argument: str = "data") -> str:
    """The UTF-8 text of a user's file; one ValueError for a missing, empty, binary or
    non-UTF-8 file (naming the argument)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{argument}: cannot read {path} ({exc.strerror})") from None
    if not raw.strip():
        raise ValueError(f"{argument}: {path} is empty; expected a UTF-8 text file")
    if b"\x00" in raw:
        raise ValueError(f"{argument}: {path} looks binary (it holds NUL bytes); expected text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{argument}: {path} is not UTF-8 (byte {exc.start}); expected a UTF-8 text file"
        ) from None


def check_embed(width: Any) -> None:
    """The ``embed`` data option (``--embed E``): None (one-hot input) or a positive width."""
    if width is None:
        return
    if isinstance(width, bool) or not isinstance(width, int | np.integer) or width < 1:
        raise ValueError(
            f"embed: expected a positive integer (the embedding width), got {width!r}"
        )


@dataclass(frozen=True)
class TextDataset(Dataset):
    """A text with a training and a validation part, learnt by the character LM.

    ``embed`` (``--embed E``) gives the model a learned E-wide character embedding in place
    of one-hot input (`rnnlab.models.embedded`); None, the default, is one-hot.
    """

    embed: int | None = None

    kind: ClassVar[str] = "text"
    metric: ClassVar[Metric] = NATS_PER_CHAR
    baseline_names: ClassVar[tuple[str, ...]] = ("unigram", "kn5", "kn6", "kn7")
    defaults: ClassVar[dict[str, Any]] = TEXT_DEFAULTS

    def __post_init__(self) -> None:
        check_embed(self.embed)

    def texts(self) -> tuple[str, str]:
        """(training text, validation text)."""
        raise NotImplementedError

    def split_record(self) -> dict[str, Any]:
        """What ``split.json`` says about the split (which parts went where)."""
        train, valid = self.texts()
        return {"split": self.split, "train_chars": len(train), "valid_chars": len(valid)}

    def sizes(self) -> dict[str, int]:
        train, valid = self.texts()
        return {"train": len(train), "valid": len(valid)}

    def baseline_figures(self) -> dict[str, float]:
        from .ngram import text_baselines

        return text_baselines(*self.texts())

    def problem(self, config: TrainConfig) -> CharLM:
        from .charlm import CharLM  # the kind's problem, which needs the models

        return CharLM(self, config)


@dataclass(frozen=True)
class TextFile(TextDataset):
    """A user's UTF-8 text file: the last 10 % is validation unless ``valid`` names a file."""

    path: str = ""
    valid: str | None = None

    name: ClassVar[str] = "file"
    description: ClassVar[str] = "your own UTF-8 text file (--data PATH [--valid FILE])"
    split: ClassVar[str] = "the last 10 % of the file is validation, unless --valid FILE"
    source: ClassVar[Source] = Source("", "", "", "a text file of yours")

    def __post_init__(self) -> None:
        super().__post_init__()
        for argument, path in (("data", self.path), ("valid", self.valid)):
            if path is not None and not Path(path).is_file():
                raise ValueError(f"{argument}: no such file {path!r}; expected a UTF-8 text file")

    def texts(self) -> tuple[str, str]:
        text = read_text(self.path, "data")
        if self.valid is not None:
            return text, read_text(self.valid, "valid")
        cut = round(0.9 * len(text))
        if cut < 2 or len(text) - cut < 2:
            raise ValueError(
                f"data: {self.path} is too short to split ({len(text)} characters); "
                "give --valid FILE or a longer text"
            )
        return text[:cut], text[cut:]

    def split_record(self) -> dict[str, Any]:
        record = super().split_record()
        record.update({"file": str(Path(self.path).resolve()), "valid_file": self.valid})
        return record
