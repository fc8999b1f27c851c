"""The library ships type hints (py.typed): mypy --strict must accept them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_package_type_checks_strictly(tmp_path: Path) -> None:
    # Settings come from pyproject.toml ([tool.mypy] strict = true); the cache stays in tmp_path.
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "compiler", "--cache-dir", str(tmp_path / "mypy")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
