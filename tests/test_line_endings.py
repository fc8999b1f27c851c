"""Line endings: git for Windows converts them on checkout (core.autocrlf), and check compares bytes."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from test_merges import git

ONLY_ENDINGS = (
    "only its line endings differ: CR LF where confc writes LF (git converts them on checkout under core.autocrlf:"
    " keep it from converting confc's output with build/** text eol=lf in .gitattributes, for OUT build/); run confc build"
)


def _crlf(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


@pytest.mark.parametrize("form", ["yaml", "json"])
def test_check_says_when_only_the_line_endings_differ(make_repo: Callable[..., Path], cli: Callable, form: str) -> None:
    make_repo({"profiles/a.toml": '[conference]\nname = "a"\n', "profiles/b.toml": '[conference]\nname = "b"\n'})
    assert cli("build", "configs", "--all-envs", "--format", form).code == 0
    out = Path("build")  # cli runs in tmp_path, where build/ is beside configs/
    _crlf(out / f"dev/a.swml.{form}")
    _crlf(out / "prod/manifest.json")
    (out / f"dev/b.swml.{form}").write_bytes(
        (out / f"dev/b.swml.{form}").read_bytes().replace(b"1.0.0", b"1.0.1").replace(b"\n", b"\r\n")
    )
    run = cli("check", "configs", "--all-envs", "--format", form)
    assert run.code == 1
    assert run.err.splitlines()[:3] == [
        f"build/dev/a.swml.{form}: stale (profile a): {ONLY_ENDINGS}",
        f"build/dev/b.swml.{form}: stale (profile b), and its line endings are CR LF where confc writes LF (git converts"
        " them on checkout under core.autocrlf: keep it from converting confc's output with build/** text eol=lf in"
        " .gitattributes, for OUT build/); run confc build",
        f"build/prod/manifest.json: stale: {ONLY_ENDINGS}",
    ]
    # One diff, of what differs beside the line endings, which it does not show.
    assert run.out.count("+++ ") == 1 and "\r" not in run.out
    assert "1.0.1" in run.out and "1.0.0" in run.out
    # Converted line endings are no edit of confc's output; a changed version is.
    rebuilt = cli("build", "configs", "--all-envs", "--format", form)
    assert rebuilt.code == 0
    assert rebuilt.err.splitlines()[0] == (
        f"build/dev: b.swml.{form}: edited by hand since confc wrote it; replaced with its profile's document"
        " (a change to keep belongs in the profile)"
    )
    assert cli("check", "configs", "--all-envs", "--format", form).code == 0


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_starter_repository_checks_in_a_clone_that_converts_line_endings(cli: Callable, tmp_path: Path) -> None:
    assert cli("init", "origin").code == 0
    assert cli("build", "origin/configs", "--all-envs").code == 0
    git(tmp_path / "origin", "init", "-q")
    git(tmp_path / "origin", "add", "-A")
    git(tmp_path / "origin", "commit", "-qm", "start")
    git(tmp_path, "clone", "-q", "-c", "core.autocrlf=true", "origin", "windows")
    assert b"\r\n" in (tmp_path / "windows/README.md").read_bytes()  # git did convert what it may
    assert b"\r\n" not in (tmp_path / "windows/build/prod/all-hands.swml.yaml").read_bytes()
    run = cli("check", "windows/configs", "--all-envs")
    assert run.code == 0, run


def test_sources_with_crlf_line_endings_build_the_same_bytes(make_repo: Callable[..., Path], cli: Callable) -> None:
    # A Windows checkout without .gitattributes: every source's lines end in CR LF, the manifests came from Linux.
    repo = make_repo(
        {
            "profiles/base.toml": 'abstract = true\n# shared\n[conference]\nbeep = "onEnter"\n',
            "profiles/bridge.toml": 'extends = "base"\ntemplate = "own"\n[conference]\nname = """\nbridge,\nteam."""\n'
            "coach = '''one\ntwo\n'''\n",
            "templates/own.j2": (Path(__file__).parent.parent / "templates/conference.j2").read_text()
            + "{#- a comment\nover lines #}\n",
        }
    )
    assert cli("build", "configs", "--all-envs").code == 0
    for source in [*repo.rglob("*.toml"), *repo.rglob("*.j2")]:
        _crlf(source)
    run = cli("check", "configs", "--all-envs", "--no-cache")
    assert run.code == 0, run
    assert cli("check", "configs", "--all-envs").code == 0
    assert cli("build", "configs", "--all-envs", "--out", "again").code == 0
    for built in Path("build").rglob("*"):
        if built.is_file():
            assert (Path("again") / built.relative_to("build")).read_bytes() == built.read_bytes(), built


def test_an_artifact_git_converted_is_still_confcs_to_remove(make_repo: Callable[..., Path], cli: Callable) -> None:
    repo = make_repo({"profiles/a.toml": '[conference]\nname = "a"\n', "profiles/b.toml": '[conference]\nname = "b"\n'})
    assert cli("build", "configs", "--all-envs").code == 0
    _crlf(Path("build/dev/b.swml.yaml"))
    (repo / "profiles/b.toml").unlink()
    assert "run confc build, which removes it" in cli("check", "configs", "--all-envs").err
    assert cli("build", "configs", "--all-envs").code == 0
    assert not Path("build/dev/b.swml.yaml").exists() and not Path("build/prod/b.swml.yaml").exists()
    # An edit beside the line endings is someone's work: left alone, and said so.
    assert cli("build", "configs", "--all-envs").code == 0
    (repo / "profiles/b.toml").write_text('[conference]\nname = "b"\n')
    assert cli("build", "configs", "--all-envs").code == 0
    edited = Path("build/dev/b.swml.yaml")
    edited.write_bytes(edited.read_bytes().replace(b"name: b", b"name: mine").replace(b"\n", b"\r\n"))
    (repo / "profiles/b.toml").unlink()
    assert cli("build", "configs", "--all-envs").code == 0
    assert b"name: mine" in edited.read_bytes()
