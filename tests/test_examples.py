"""The example repository in configs/: golden SWML, committed artifacts current, installed CLI."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import compiler
from compiler.cli import main

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
GOLDEN = Path(__file__).resolve().parent / "golden"


def test_golden_json_artifacts(request: pytest.FixtureRequest) -> None:
    """Every artifact of the example, in JSON, byte for byte (pytest --update-golden rewrites them)."""
    built = compiler.compiler(CONFIGS, fmt="json").artifacts(["dev", "staging", "prod"])
    produced = {f"{a.env}/{a.path}": a.content for a in built}
    if request.config.getoption("--update-golden"):
        for rel, content in produced.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(content)
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in GOLDEN.rglob("*.swml.json")}
    assert sorted(produced) == sorted(expected)
    for rel, content in produced.items():
        assert content.decode() == expected[rel].decode(), rel


def test_committed_artifacts_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(CONFIGS), "--all-envs", "--out", str(ROOT / "build")])
    assert code == 0, capsys.readouterr()


def test_the_example_has_what_the_readme_promises() -> None:
    build = compiler.compiler(CONFIGS)
    assert sorted(build.buildable()) == ["all-hands", "board", "incident", "standup", "support/agent", "support/customer"]
    agent = build.compile("support/agent", "prod").values["conference"]
    customer = build.compile("support/customer", "prod").values["conference"]
    assert (agent["start_on_enter"], agent["end_on_exit"]) == (True, True)
    assert (customer["start_on_enter"], customer["end_on_exit"]) == (False, False)
    assert agent["name"] == customer["name"] == "support-tier1-prod"
    assert customer["wait_url"] == "https://assets.example.com/audio/support-lobby.json"
    assert build.compile("incident", "prod").values["conference"]["result"]["variable"] == "return_value"
    hooks = {env: build.compile("standup", env).values["conference"]["status_callback"] for env in ("dev", "staging", "prod")}
    assert len(set(hooks.values())) == 3


# The README's sections whose transcripts (`$ confc ...` and what it printed) are of the example as committed;
# the others show a repository of another shape (a template of one's own, mistakes) or a space to deploy to.
TRANSCRIBED = ("Commands", "Call-path tests")


def readme_transcripts() -> list[tuple[str, list[str]]]:
    """Each command of TRANSCRIBED's code blocks that runs on the example as it is, with the lines it printed."""
    sections = re.split(r"^## ", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.M)
    found: list[tuple[str, list[str]]] = []
    for section in sections:
        if not section.startswith(TRANSCRIBED):
            continue
        for block in re.findall(r"^```[a-z]*\n(.*?)^```", section, flags=re.S | re.M):
            for command, printed in re.findall(r"^\$ (confc [^\n]*)\n((?:(?!\$ )[^\n]*\n)*)", block, flags=re.M):
                if "#" not in command:  # "# with ... in [env.prod]": a repository changed first
                    found.append((command, printed.splitlines()))
    return found


@pytest.mark.parametrize(("command", "printed"), readme_transcripts(), ids=lambda value: value if isinstance(value, str) else "")
def test_the_readme_shows_what_confc_prints_on_the_example(
    command: str, printed: list[str], cli: Callable, tmp_path: Path
) -> None:
    shutil.copytree(CONFIGS, tmp_path / "configs")
    shutil.copytree(ROOT / "build", tmp_path / "build")
    run = cli(*shlex.split(command)[1:])
    assert (run.out + run.err).splitlines() == printed


def test_the_readme_transcribes_every_read_only_command() -> None:
    # Guards the extraction above: a change of the README's layout must not quietly leave transcripts untested.
    commands = {shlex.split(command)[1] for command, _ in readme_transcripts()}
    assert commands == {"build", "check", "validate", "show", "explain", "list", "simulate", "test"}


def test_the_all_hands_does_what_its_comments_say() -> None:
    host = compiler.simulate(CONFIGS, "all-hands", "prod", ["908172"])
    attendee = compiler.simulate(CONFIGS, "all-hands", "prod", ["4457#"])
    ((hosted,), (attended,)) = (host.joins, attendee.joins)
    assert (hosted.conference["start_on_enter"], hosted.conference["end_on_exit"], hosted.conference["muted"]) == (
        True,
        True,
        False,
    )
    assert (attended.conference["start_on_enter"], attended.conference["muted"]) == (False, True)  # waits for the host, muted
    assert "end_on_exit" not in attended.conference
    assert hosted.conference["name"] == attended.conference["name"] == "all-hands-prod"
    strangers = compiler.simulate(CONFIGS, "all-hands", "prod", ["1", "2", "3"])
    assert (strangers.joins, strangers.end, strangers.prompts) == ((), "hangup", 3)
    assert compiler.simulate(CONFIGS, "all-hands", "dev", ["1"]).joins[0].section == "host"  # dev's short PINs


def installed_confc() -> Path:
    script = Path(sys.executable).parent / "confc"
    if not script.exists():
        pytest.skip("confc is not installed in this interpreter's environment")
    return script


def test_installed_script_builds_from_any_directory(tmp_path: Path) -> None:
    confc = installed_confc()
    version = subprocess.run([confc, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout == f"confc {compiler.__version__}\n"
    run = subprocess.run(
        [confc, "build", str(CONFIGS), "--env", "prod", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out/prod/support/customer.swml.yaml").read_bytes() == (
        ROOT / "build/prod/support/customer.swml.yaml"
    ).read_bytes()


def test_installed_script_reports_errors_without_a_traceback(tmp_path: Path) -> None:
    confc = installed_confc()
    (tmp_path / "profiles").mkdir()
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments/dev.toml").write_text("[vars\n")
    run = subprocess.run([confc, "check", str(tmp_path), "--all-envs"], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr == f"{tmp_path}/environments/dev.toml:1: invalid TOML: Expected ']' at the end of a table declaration\n"
