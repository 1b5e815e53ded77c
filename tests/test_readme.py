"""README stays a short front page: under 150 lines, two Quickstart commands, links that resolve."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_is_short() -> None:
    assert len(README.splitlines()) < 150


def test_quickstart_holds_two_commands() -> None:
    block = README.split("## Quickstart", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "rnnlab why" in commands[0]
    assert "pytest" in commands[1]


def test_every_relative_link_resolves() -> None:
    targets = re.findall(r"\]\(([^)#]+)\)", README)
    local = [t for t in targets if "://" not in t]
    assert local, "README links to its docs"
    missing = [t for t in local if not (ROOT / t).exists()]
    assert missing == []


def test_ci_runs_the_readme_test_command() -> None:
    test_command = README.split("## Quickstart", 1)[1].split("```", 2)[1].splitlines()[2]
    command = test_command.split("#", 1)[0].strip()
    assert command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
