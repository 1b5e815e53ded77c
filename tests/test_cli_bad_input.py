"""Every subcommand x a table of bad flags: non-zero exit, exactly one line on stderr, no
traceback, and no file created or changed.

The subcommands come from `rnnlab.cli.build_parser`, so a new command is walked without being
listed here: the generic rows (an unknown flag, an abbreviated flag, a value of the wrong type
or outside the choices for every option that declares one, an option without its value, an
empty path) are derived from its own parser. `SPECIFIC` adds the bad values only a command
knows (an unknown task, the same model twice, ``--out`` on a file, ...). Each command gets tiny
sizes first (`BASE`), so that a bad flag that is wrongly accepted costs a second, not a sweep.
"""

from __future__ import annotations

import argparse
import hashlib
import os
from pathlib import Path

import pytest

from rnnlab.cli import build_parser, main

# Tiny sizes per command; a command not listed here gets no base arguments.
BASE: dict[str, list[str]] = {
    "train": ["--task", "adding", "--length", "4", "--hidden", "2", "--steps", "2", "--batch",
              "2", "--test-size", "4", "--quiet", "--out", "run"],
    "compare": ["--tasks", "adding", "--lengths", "4", "--cells", "rnn", "--seeds", "1",
                "--hidden", "2", "--steps", "2", "--workers", "1", "--no-progress"],
    "why": ["--seeds", "1", "--workers", "1", "--no-progress"],
    "gradflow": ["--task", "adding", "--length", "4", "--cells", "rnn", "--hidden", "2"],
    "bench": ["--quick", "--cells", "rnn", "--shapes", "1x2x2", "--rounds", "1", "--no-infer",
              "--no-compile"],
    "gradcheck": ["--cell", "rnn", "--variant", "relu"],
}  # fmt: skip

# Bad values only the command itself can know. "{file}" and "{dir}" are an existing file and
# directory in the test's working directory, "{sqlite}" a SQLite file that is not ours.
SPECIFIC: dict[str, list[list[str]]] = {
    "train": [
        ["--task", "nope"],
        ["--hidden", "0"],
        ["--length", "-3"],
        ["--cell", "lstm:"],
        ["--cell", "lstm:nope"],
        ["--clip", "0"],
        ["--clip", "-1"],
        ["--lr", "nan"],
        ["--optimizer", "sgd", "--momentum", "1.5"],
        ["--optimizer", "sgd", "--momentum", "-0.5"],
        ["--init", "identity"],
        ["--option", "novalue"],
        ["--option", "colour=red"],
        ["--out", ""],
        ["--out", "{file}"],
        ["--out", "{file}/sub"],
        ["--out", "/proc/rnnlab-test"],
        ["--config", "{file}"],
        ["--config", "missing.toml"],
        ["--tbptt", "2", "--bidirectional"],
        ["--cell", "--hidden"],
    ],
    "compare": [
        ["--cells", "lstm,lstm@chrono"],
        ["--cells", "rnn,rnn:tanh"],
        ["--cells", "gru,gru:reset_after@chrono"],
        ["--cells", "lstm:"],
        ["--cells", ""],
        ["--cell", "lstm"],
        ["--lengths", "a,b"],
        ["--lengths", "0"],
        ["--seeds", "0"],
        ["--workers", "0"],
        ["--gradflow", "copy:4"],
        ["--out", "{file}"],
        ["--out", ""],
        ["--db", "{file}"],
        ["--db", "{sqlite}"],
        ["--db", "{dir}"],
        ["--db", ""],
    ],
    "why": [["--seeds", "0"], ["--out", "{file}"], ["--db", "{sqlite}"], ["--db", "{file}"]],
    "report": [
        ["--db", "missing.sqlite"],
        ["--db", "{file}"],
        ["--db", "{sqlite}"],
        ["--db", "{dir}"],
        ["--db", ""],
    ],
    "gradflow": [
        ["--cells", "lstm:"],
        ["--task", "nope"],
        ["--length", "0"],
        ["--json", "{dir}"],
        ["--json", "nodir/out.json"],
        ["--run", "{dir}"],
        ["--run", "missing"],
    ],
    "bench": [["--threads", "0"], ["--cells", "cnn"], ["--shapes", "1x2"], ["--json", "{dir}"]],
    "gradcheck": [["--cell", "cnn"]],
}


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _generic(parser: argparse.ArgumentParser) -> list[list[str]]:
    """Bad flags derived from the parser itself: every command gets these."""
    rows = [["--no-such-flag"], ["--no-such-flag", "1"], ["-Z"]]
    names = [s for a in parser._actions for s in a.option_strings if s.startswith("--")]
    for action in parser._actions:
        long = [s for s in action.option_strings if s.startswith("--")]
        if not long or action.help == argparse.SUPPRESS:
            continue
        flag = long[0]
        cut = flag[:-1]
        if len(cut) > 3 and cut not in names:  # an abbreviation: allow_abbrev is off
            rows.append([cut, "1"] if action.nargs != 0 else [cut])
        if action.nargs == 0:
            continue
        rows.append([flag])  # the value is missing
        if action.choices:
            rows.append([flag, "no-such-choice"])
        elif action.type in (int, float):
            rows.append([flag, "not-a-number"])
        elif getattr(action.type, "__name__", "") == "path":
            rows.append([flag, ""])
    return rows


def _cases() -> list[tuple[str, list[str]]]:
    cases = []
    for name, parser in _subcommands().items():
        for row in _generic(parser) + SPECIFIC.get(name, []):
            cases.append((name, row))
    cases += [("", ["no-such-command"]), ("", ["--vers"])]
    return cases


def _snapshot(root: Path) -> dict[str, str]:
    """Every path under ``root`` with a digest of its content (directories: 'dir')."""
    out = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        out[key] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _invoke(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code if isinstance(exc.code, int) else 1
    return code, capsys.readouterr().err


CASES = _cases()


@pytest.mark.parametrize(
    ("command", "row"), CASES, ids=[" ".join([c, *r]).strip() for c, r in CASES]
)
def test_bad_flag_gives_one_line_and_touches_nothing(command, row, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("not a directory, not a database\n")
    (tmp_path / "a-dir").mkdir()
    sqlite = tmp_path / "other.sqlite"
    import sqlite3

    with sqlite3.connect(sqlite) as conn:
        conn.execute("CREATE TABLE runs (id INTEGER, note TEXT)")
    conn.close()
    fill = {"{file}": "a-file", "{dir}": "a-dir", "{sqlite}": str(sqlite)}
    row = [fill.get(v, v.replace("{file}", "a-file")) for v in row]
    before = _snapshot(tmp_path)
    argv = ([command] if command else []) + BASE.get(command, []) + row
    code, err = _invoke(argv, capsys)
    lines = err.strip().splitlines()
    assert code != 0, f"accepted: rnnlab {' '.join(argv)}"
    assert len(lines) == 1, f"rnnlab {' '.join(argv)} wrote {len(lines)} lines:\n{err}"
    assert "Traceback" not in err and "error" in lines[0]
    assert lines[0].startswith(f"rnnlab {command}".strip())
    assert _snapshot(tmp_path) == before, f"rnnlab {' '.join(argv)} changed files"
    assert not list(Path(os.getcwd()).glob(".rnnlab*"))
