"""A defect in confc is reported as a file the user can send, not a traceback on the terminal."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.commands import build
from compiler.crash import redacted


def test_an_internal_error_names_a_new_file_holding_its_traceback(
    make_repo: Callable[..., Path], cli: Callable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_repo({"profiles/standup.toml": '[conference]\nname = "standup"\n'})
    crashes = tmp_path / "tmp"
    crashes.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(crashes))

    def broken(args: object) -> int:
        raise KeyError("resolution")

    monkeypatch.setattr(build, "run", broken)
    before = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    run = cli("build", "configs", "--env", "dev", "--set", "roles.host.pin=908172")
    assert run.code == 70 and run.out == ""
    [report] = crashes.iterdir()
    assert run.err == (
        f"confc: internal error (KeyError: 'resolution'); the traceback is in {report}: please report it with that\n"
    )
    text = report.read_text()
    assert "command: confc build configs --env dev --set ***\n" in text
    assert "Traceback (most recent call last):" in text and "in broken" in text and "KeyError: 'resolution'" in text
    assert "908172" not in text
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file() and crashes not in p.parents) == before


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["simulate", "c", "p", "--digits", "1234#", "--env", "dev"], ["simulate", "c", "p", "--digits", "***", "--env", "dev"]),
        (["simulate", "--secret=HOST=55", "--digits=9"], ["simulate", "--secret=***", "--digits=***"]),
        (["build", "c", "--set", "--set"], ["build", "c", "--set", "***"]),
        (["build", "c", "--out", "o"], ["build", "c", "--out", "o"]),
    ],
)
def test_values_that_may_be_pins_never_reach_the_report(argv: list[str], shown: list[str]) -> None:
    assert redacted(argv) == shown
