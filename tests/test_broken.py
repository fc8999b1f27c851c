"""A corpus of broken repositories: each fails cleanly, names the file and key, writes nothing."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "broken"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_broken_repository(case: str, cli: Callable, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    shutil.copytree(CORPUS / case, tmp_path / "configs", symlinks=True)
    (tmp_path / "configs/expected.txt").unlink()
    if request.config.getoption("--update-golden"):
        first = cli("validate", "configs")
        (CORPUS / case / "expected.txt").write_text(f"{first.code}\n{first.err}", encoding="utf-8")
    code, message = (CORPUS / case / "expected.txt").read_text(encoding="utf-8").split("\n", 1)

    run = cli("validate", "configs")
    assert (run.code, run.err) == (int(code), message)
    assert "Traceback" not in run.err and run.out == ""
    assert all(line.startswith("configs/") for line in message.splitlines() if line[0] != " ")

    build = cli("build", "configs", "--all-envs")
    assert (build.code, build.err) == (int(code), message)  # the incremental build checks as much as validate
    assert not (tmp_path / "build").exists()


def test_a_very_deep_inheritance_chain_is_refused(make_repo: Callable[..., Path], cli: Callable) -> None:
    files = {f"profiles/p{i}.toml": f'extends = "p{i + 1}"\n' for i in range(2000)}
    files["profiles/p2000.toml"] = 'abstract = true\n[conference]\nname = "deep"\n'
    make_repo(files)
    run = cli("validate", "configs")
    assert (run.code, run.err) == (
        1,
        "configs/profiles/p1936.toml:1: extends: inheritance is deeper than 64 levels; flatten the chain\n",
    )


def test_a_wide_repository_with_one_bad_profile_reports_only_it(make_repo: Callable[..., Path], cli: Callable) -> None:
    files = {f"profiles/team{i}.toml": f'[conference]\nname = "t{i}"\n' for i in range(300)}
    files["profiles/team7.toml"] = '[conference]\nname = "t7"\nbeep = "loud"\n'
    make_repo(files)
    run = cli("validate", "configs")
    assert run.code == 1
    assert run.err.count("\n") == 1  # once, for dev and prod
    assert run.err.startswith('configs/profiles/team7.toml:3: conference.beep: "loud" is not accepted')
