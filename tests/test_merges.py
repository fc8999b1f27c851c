"""Two branches that change different profiles, merged with git: build resolves the manifests' conflicts."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    identity = [
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "-c",
        "init.defaultBranch=main",
        "-c",
        "merge.conflictstyle=merge",
    ]
    return subprocess.run(["git", *identity, *args], cwd=cwd, check=check, capture_output=True, text=True)


def test_build_resolves_a_merge_of_two_profile_changes(make_repo: Callable[..., Path], cli: Callable, tmp_path: Path) -> None:
    repo = make_repo({f"profiles/{name}.toml": f'[conference]\nname = "{name}"\n' for name in ("sales", "support", "standup")})
    assert cli("build", "configs", "--all-envs").code == 0
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "start")
    git(tmp_path, "checkout", "-qb", "sales")
    (repo / "profiles/sales.toml").write_text('[conference]\nname = "sales"\nmax_participants = 20\n')
    assert cli("build", "configs", "--all-envs").code == 0
    git(tmp_path, "commit", "-qam", "sales")
    git(tmp_path, "checkout", "-q", "main")
    (repo / "profiles/support.toml").write_text('[conference]\nname = "support"\nbeep = false\n')
    (repo / "profiles/standup.toml").unlink()
    assert cli("build", "configs", "--all-envs").code == 0
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "support")

    merged = git(tmp_path, "merge", "sales", check=False)
    assert merged.returncode == 1 and "CONFLICT (content): Merge conflict in build/dev/manifest.json" in merged.stdout
    assert "<<<<<<<" in (tmp_path / "build/dev/manifest.json").read_text()

    check = cli("check", "configs", "--all-envs")
    assert check.code == 1
    assert "build/dev/manifest.json: has merge conflicts; run confc build, which resolves them, then commit\n" in check.err

    build = cli("build", "configs", "--all-envs")
    assert build.code == 0, build.err
    assert (
        "build/dev: resolved the merge conflicts in manifest.json: every file either side listed was compiled again\n"
        in build.err
    )
    assert cli("check", "configs", "--all-envs").code == 0
    assert not (tmp_path / "build/dev/standup.swml.yaml").exists()  # deleted on one side, still deleted
    assert "max_participants: 20" in (tmp_path / "build/prod/sales.swml.yaml").read_text()
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "merge sales")
    assert git(tmp_path, "status", "--porcelain").stdout == ""


def test_an_artifact_with_conflict_markers_is_rewritten(make_repo: Callable[..., Path], cli: Callable, tmp_path: Path) -> None:
    repo = make_repo({"profiles/p.toml": '[conference]\nname = "p"\n'})
    assert cli("build", "configs", "--env", "dev").code == 0
    artifact = tmp_path / "build/dev/p.swml.yaml"
    manifest = tmp_path / "build/dev/manifest.json"
    text = manifest.read_text()
    manifest.write_text(f"<<<<<<< HEAD\n{text}=======\n{text}>>>>>>> other\n")
    artifact.write_text(f"<<<<<<< HEAD\n{artifact.read_text()}=======\nsomething else\n>>>>>>> other\n")
    (repo / "profiles/p.toml").write_text('[conference]\nname = "p2"\n')
    check = cli("check", "configs", "--env", "dev")
    assert "build/dev/p.swml.yaml: has merge conflicts (profile p); run confc build\n" in check.err
    build = cli("build", "configs", "--env", "dev")
    assert build.code == 0 and "resolved the merge conflicts in manifest.json, p.swml.yaml" in build.err
    assert "name: p2" in artifact.read_text() and "<<<<<<<" not in artifact.read_text()
