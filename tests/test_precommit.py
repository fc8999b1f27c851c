"""The pre-commit hooks, run by pre-commit itself against a profile repository in git."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(),
    reason="pre-commit installs hooks from a git repository: needs git and a clone of confc",
)


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def try_repo(repo: Path, hook: str, cache: Path, *, all_files: bool = True) -> subprocess.CompletedProcess[str]:
    # try-repo installs the hooks of ROOT (committed or not) exactly as a `repo: URL, rev: ...` entry would.
    env = {
        **os.environ,
        # Everything pre-commit, virtualenv and pip write stays under the test's folder.
        "PRE_COMMIT_HOME": str(cache),
        "TMPDIR": str(cache.parent),
        "PIP_CACHE_DIR": str(cache / "pip"),
        "VIRTUALENV_OVERRIDE_APP_DATA": str(cache / "virtualenv"),
        "XDG_CACHE_HOME": str(cache / "xdg"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    every = ["--all-files"] if all_files else []  # without it, the hook sees what is staged, as on a commit
    return subprocess.run([*PRE_COMMIT, "try-repo", str(ROOT), hook, *every], cwd=repo, env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit home for the module: the hooks' environment is installed once, not once a test."""
    return tmp_path_factory.mktemp("pre-commit") / "cache"


def test_hooks_pass_on_a_current_repository_and_fail_on_a_stale_one(
    make_repo: Callable[..., Path], cli: Callable, tmp_path: Path, cache: Path
) -> None:
    make_repo({"profiles/standup.toml": '[conference]\nname = "standup"\n'})
    assert cli("build", "configs", "--all-envs").code == 0
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")

    passed = try_repo(tmp_path, "confc-check", cache)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "confc check" in passed.stdout and "Passed" in passed.stdout

    (tmp_path / "configs/profiles/standup.toml").write_text('[conference]\nname = "standup-v2"\n')
    git(tmp_path, "add", "-A")
    stale = try_repo(tmp_path, "confc-check", cache)
    assert stale.returncode == 1
    assert "Failed" in stale.stdout and "build/dev/standup.swml.yaml: stale (profile standup); run confc build" in stale.stdout

    (tmp_path / "configs/profiles/standup.toml").write_text('[conference]\nname = "standup"\nbeep = "loud"\n')
    git(tmp_path, "add", "-A")
    invalid = try_repo(tmp_path, "confc-validate", cache)
    assert invalid.returncode == 1
    assert 'configs/profiles/standup.toml:3: conference.beep: "loud" is not accepted' in invalid.stdout


def test_both_hooks_run_on_a_commit_that_only_deletes_a_profile(
    make_repo: Callable[..., Path], cli: Callable, tmp_path: Path, cache: Path
) -> None:
    make_repo(
        {"profiles/standup.toml": '[conference]\nname = "standup"\n', "profiles/retro.toml": '[conference]\nname = "retro"\n'}
    )
    assert cli("build", "configs", "--all-envs").code == 0
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "profiles")
    git(tmp_path, "rm", "-q", "configs/profiles/retro.toml")  # staged: exactly what the commit would hold

    check = try_repo(tmp_path, "confc-check", cache, all_files=False)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "build/dev/retro.swml.yaml: extra" in check.stdout and "Skipped" not in check.stdout
    validate = try_repo(tmp_path, "confc-validate", cache, all_files=False)
    assert validate.returncode == 0 and "Passed" in validate.stdout, validate.stdout + validate.stderr
