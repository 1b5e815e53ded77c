"""Tagged sentences from files: CoNLL-U (through the ``conllu`` package) and ``word/TAG`` text.

A sentence is a pair ``(words, tags)`` of equal-length tuples of strings. Both readers raise a
one-line `ValueError` that names the file and the line of the first malformed input; nothing
is read past it.

* CoNLL-U (https://universaldependencies.org/format.html): blank-line separated sentences of
  ten tab-separated columns, ``#`` comments. Multi-word token ranges (``3-4``) and empty nodes
  (``2.1``) are skipped: the tagged units are the syntactic words. The tag is the ``upos``
  column (or ``xpos`` with ``tag_column="xpos"``).
* ``word/TAG``: one sentence per non-blank line, whitespace-separated tokens, each split at its
  *last* slash (so ``1/2/CD`` is the word ``1/2``), as NLTK's ``str2tuple`` does. This is the
  format of the Brown corpus files and of NLTK's tagged corpora.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

Sentence = tuple[tuple[str, ...], tuple[str, ...]]

FORMATS = ("conllu", "wordtag")
TAG_COLUMNS = ("upos", "xpos")
_CONLLU_ID = re.compile(r"^(\d+|\d+-\d+|\d+\.\d+)$")
_CONLLU_SUFFIXES = (".conllu", ".conll")


def guess_format(path: str | Path) -> str:
    """``conllu`` for a ``.conllu``/``.conll`` file, else ``wordtag``."""
    return "conllu" if Path(path).suffix.lower() in _CONLLU_SUFFIXES else "wordtag"


def read_tagged(
    path: str | Path, fmt: str | None = None, tag_column: str = "upos"
) -> list[Sentence]:
    """Every sentence of ``path`` in format ``fmt`` (guessed from the suffix when None)."""
    fmt = guess_format(path) if fmt is None else fmt
    if fmt not in FORMATS:
        raise ValueError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    text = read_text(path)
    sentences = (
        list(parse_conllu(text, str(path), tag_column))
        if fmt == "conllu"
        else list(parse_wordtag(text, str(path)))
    )
    if not sentences:
        raise ValueError(f"data: {path} holds no tagged sentence ({fmt} format)")
    return sentences


def read_text(path: str | Path) -> str:
    """The UTF-8 text of ``path``, or one line saying why it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"data: no file {path}") from None
    except IsADirectoryError:
        raise ValueError(f"data: {path} is a directory, expected a file") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"data: {path} is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ValueError(f"data: cannot read {path} ({exc.strerror})") from None


def split_token(token: str, where: str) -> tuple[str, str]:
    """``word/TAG`` -> (word, TAG), split at the last slash; ``where`` names it in errors."""
    word, slash, tag = token.rpartition("/")
    if not slash or not word or not tag:
        raise ValueError(f"data: {where}: expected word/TAG tokens, got {token!r}")
    return word, tag


def parse_wordtag(text: str, name: str = "<text>") -> Iterator[Sentence]:
    """One sentence per non-blank line of ``word/TAG`` tokens."""
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = line.split()
        if tokens:
            pairs = [split_token(t, f"{name} line {number}") for t in tokens]
            yield tuple(w for w, _ in pairs), tuple(t for _, t in pairs)


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, lines) of each blank-line separated block."""
    start, lines = 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            start = start or number
            lines.append(line)
        elif lines:
            yield start, lines
            start, lines = 0, []
    if lines:
        yield start, lines


def _check_conllu_line(line: str, where: str) -> None:
    if line.startswith("#"):
        return
    fields = line.split("\t")
    if len(fields) != 10:
        raise ValueError(
            f"data: {where}: expected 10 tab-separated CoNLL-U columns, got {len(fields)}"
        )
    if not _CONLLU_ID.match(fields[0]):
        raise ValueError(f"data: {where}: expected a CoNLL-U word ID, got {fields[0]!r}")


def parse_conllu(text: str, name: str = "<text>", tag_column: str = "upos") -> Iterator[Sentence]:
    """The sentences of a CoNLL-U text, tagged by ``tag_column``; parsed with ``conllu``."""
    if tag_column not in TAG_COLUMNS:
        raise ValueError(
            f"tag_column: expected one of {', '.join(TAG_COLUMNS)}, got {tag_column!r}"
        )
    try:
        import conllu
    except ImportError:
        raise ValueError(
            'data: reading CoNLL-U needs the conllu package: pip install -e ".[data]"'
        ) from None
    for start, lines in _blocks(text):
        for offset, line in enumerate(lines):
            _check_conllu_line(line, f"{name} line {start + offset}")
        try:
            parsed = conllu.parse("\n".join(lines) + "\n\n")
        except conllu.exceptions.ParseException as exc:
            line = _failing_line(conllu, lines)
            raise ValueError(f"data: {name} line {start + line}: {exc}") from None
        for tokens in parsed:
            words = [t for t in tokens if isinstance(t["id"], int)]  # no ranges, no empty nodes
            if not words:
                continue
            tags = [t[tag_column] for t in words]
            if any(tag in (None, "_") for tag in tags):
                where = f"{name} lines {start}-{start + len(lines) - 1}"
                raise ValueError(f"data: {where}: a word has no {tag_column} tag")
            yield tuple(t["form"] for t in words), tuple(tags)


def _failing_line(conllu, lines: list[str]) -> int:
    """The offset of the first line ``conllu`` cannot parse on its own (0 if none)."""
    for offset, line in enumerate(lines):
        try:
            conllu.parse(line + "\n\n")
        except conllu.exceptions.ParseException:
            return offset
    return 0
