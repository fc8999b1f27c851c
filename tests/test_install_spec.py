"""The starter's CI installs the confc that wrote it, pinned, wherever it came from."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.install_spec import spec

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def remote(url: str | None) -> Callable[[str, list[str]], str | None]:
    def git(folder: str, arguments: list[str]) -> str | None:
        assert folder == "/src/confc"
        return url if arguments[0] == "config" else COMMIT

    return git


@pytest.mark.parametrize(
    ("direct_url", "git", "expected"),
    [
        (None, remote(None), "confc==0.1.0"),
        (
            {"url": "https://git.example.org/tools/confc.git", "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
            remote(None),
            f"git+https://git.example.org/tools/confc.git@{COMMIT}",
        ),
        (
            {"url": "file:///src/confc", "dir_info": {}},
            remote("https://git.example.org/tools/confc"),
            f"git+https://git.example.org/tools/confc@{COMMIT}",
        ),
        (
            {"url": "file:///src/confc", "dir_info": {"editable": True}},
            remote("git@git.example.org:tools/confc.git"),
            f"git+ssh://git@git.example.org/tools/confc.git@{COMMIT}",
        ),
        ({"url": "file:///src/confc", "dir_info": {}}, remote("/home/someone/confc"), None),  # nothing CI could fetch
        ({"url": "file:///src/confc", "dir_info": {}}, remote(None), None),
        ({"url": "https://files.example.org/confc-0.1.0.tar.gz", "archive_info": {}}, remote(None), None),
    ],
)
def test_the_pin_names_where_this_confc_came_from(direct_url: dict | None, git: Callable, expected: str | None) -> None:
    assert spec(None if direct_url is None else json.dumps(direct_url), "0.1.0", git) == expected


def test_the_starter_workflow_installs_a_pinned_confc(cli: Callable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("compiler.commands.init.this_confc", lambda: f"git+https://git.example.org/tools/confc@{COMMIT}")
    assert cli("init", "pinned").code == 0
    workflow = (tmp_path / "pinned/.github/workflows/confc.yml").read_text()
    assert f'- run: pip install "git+https://git.example.org/tools/confc@{COMMIT}"\n' in workflow
    monkeypatch.setattr("compiler.commands.init.this_confc", lambda: None)
    run = cli("init", "unknown")
    assert run.code == 0
    assert "unknown/.github/workflows/confc.yml: say where CI installs confc from" in run.err
    assert (
        '- run: pip install "git+https://git.example.com/YOUR-ORG/confc@COMMIT"\n'
        in (tmp_path / "unknown/.github/workflows/confc.yml").read_text()
    )
