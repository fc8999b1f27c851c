"""bench/'s generated repositories compile to the same bytes as when the digests were recorded:
a change made for speed must not change a single artifact."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

import compiler

ROOT = Path(__file__).resolve().parent.parent
DIGESTS = Path(__file__).resolve().parent / "golden" / "bench-artifacts.txt"
sys.path.insert(0, str(ROOT / "bench"))

from generate import ENVS, generate  # noqa: E402


def digests(root: Path) -> list[str]:
    """`KIND ENV/PATH SHA256` of every artifact of a plain and a PIN-gated repository."""
    lines = []
    for kind, roles in (("plain", False), ("roles", True)):
        generate(root / kind, 60, seed=7, roles=roles)
        for artifact in compiler.compiler(root / kind).artifacts(list(ENVS)):
            lines.append(f"{kind} {artifact.env}/{artifact.path} {hashlib.sha256(artifact.content).hexdigest()}")
    return sorted(lines)


def test_bench_repositories_compile_to_the_recorded_bytes(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    produced = digests(tmp_path)
    if request.config.getoption("--update-golden"):
        DIGESTS.write_text("\n".join(produced) + "\n", encoding="utf-8")
    expected = DIGESTS.read_text(encoding="utf-8").splitlines()
    assert len(produced) > 300  # both repositories, every environment
    assert produced == expected


def test_every_function_the_per_stage_breakdown_times_exists() -> None:
    # The breakdown wraps these by name; one renamed or moved away would stop the benchmark at its last table.
    import importlib

    from run import STAGES

    for stage, functions in STAGES.items():
        for module_name, qualname in functions:
            module = importlib.import_module(f"compiler.{module_name}")
            owner_name, _, name = qualname.rpartition(".")
            owner = getattr(module, owner_name) if owner_name else module
            assert name in vars(owner), f"{stage}: compiler.{module_name}.{qualname} is gone"
