"""The library API the command line is built on: build, check, resolve, explain."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import compiler
from compiler.errors import ConfcError, UsageError

FILES = {
    "profiles/base.toml": "abstract = true\n[conference]\nmax_participants = 20\n",
    "profiles/standup.toml": 'extends = "base"\n[conference]\nname = "standup-{{ env.name }}"\n[env.prod.conference]\nmax_participants = 60\n',
}


@pytest.fixture
def repo(make_repo: Callable[..., Path]) -> Path:
    return make_repo(FILES)


def test_build_then_check(repo: Path, tmp_path: Path) -> None:
    result = compiler.build(repo, ["prod"], out=tmp_path / "out")
    (plan,) = result.plans
    assert (plan.env, [a.path for a in plan.writes], result.warnings) == ("prod", ["standup.swml.yaml"], [])
    assert b"name: standup-prod" in (tmp_path / "out/prod/standup.swml.yaml").read_bytes()
    assert compiler.check(repo, ["prod"], out=tmp_path / "out").drift == []
    assert [d.message for d in compiler.check(repo, out=tmp_path / "out").drift] == ["missing (profile standup); run confc build"]


def test_build_defaults_to_every_environment_beside_the_repository(repo: Path, tmp_path: Path) -> None:
    assert [plan.env for plan in compiler.build(repo).plans] == ["dev", "prod"]
    assert sorted(p.name for p in (tmp_path / "build").iterdir()) == ["dev", "prod"]


def test_resolve_and_explain(repo: Path) -> None:
    assert compiler.resolve(repo, "standup", "prod")["conference"] == {"name": "standup-prod", "max_participants": 60}
    story = compiler.explain(repo, "standup", "prod", "conference.max_participants")
    assert [(step.layer.file.rsplit("/", 1)[-1], step.value) for step in story.steps] == [("base.toml", 20), ("standup.toml", 60)]
    assert story.final == 60
    assert callable(compiler.explain)  # no submodule of the same name shadows the function
    assert compiler.resolve(repo, "base", "dev", validate=False)["conference"] == {"max_participants": 20}


def test_errors_are_confc_errors(repo: Path) -> None:
    with pytest.raises(UsageError, match='unknown environment "qa"'):
        compiler.build(repo, ["qa"])
    with pytest.raises(UsageError, match='unknown profile "standups"'):
        compiler.explain(repo, "standups", "prod", "conference")
    with pytest.raises(UsageError, match='unknown profile "standups"'):
        compiler.resolve(repo, "standups", "prod")
    (repo / "profiles/standup.toml").write_text('[conference]\nname = ""\n')
    with pytest.raises(ConfcError, match="must not be empty"):
        compiler.resolve(repo, "standup", "dev")


def test_the_package_declares_its_types() -> None:
    assert (Path(compiler.__file__).parent / "py.typed").is_file()


def test_validate_returns_every_problem_as_data(repo: Path) -> None:
    (repo / "profiles/standup.toml").write_text('extends = "base"\nextend = "x"\n[conference]\nname = "s"\nbeep = "loud"\n')
    (repo / "profiles/other.toml").write_text('[conference]\nname = "o"\nmax_participants = 1\n')
    found = compiler.validate(repo)
    assert not found.ok
    assert [(d.file.rsplit("/", 1)[-1], d.line, d.key, d.profiles, d.envs, d.severity) for d in found.diagnostics] == [
        ("other.toml", 3, "conference.max_participants", ("other",), ("dev", "prod"), "error"),
        ("standup.toml", 2, "extend", (), (), "error"),
        ("standup.toml", 5, "conference.beep", ("standup",), ("dev", "prod"), "error"),
    ]
    assert isinstance(found.diagnostics[0], compiler.Diagnostic)
    with pytest.raises(ConfcError) as caught:
        compiler.build(repo)
    assert caught.value.diagnostics == [d for d in found.diagnostics]


def test_the_namespace_exports_only_the_api() -> None:
    assert sorted(compiler.__all__) == [
        "Diagnostic",
        "Validation",
        "__version__",
        "build",
        "check",
        "compiler",
        "explain",
        "plan",
        "resolve",
        "simulate",
        "validate",
    ]
    assert callable(compiler.validate)  # no submodule of the same name shadows the function
