"""The house rules, checked: ruff's lint and format (pinned in the test extra) find nothing in the tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("command", [["check", "--no-cache"], ["format", "--check", "--no-cache"]], ids=["lint", "format"])
def test_ruff_finds_nothing(command: list[str]) -> None:
    # Settings come from pyproject.toml; --no-cache: nothing is written outside the test's folder.
    run = subprocess.run([sys.executable, "-m", "ruff", *command, "."], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
