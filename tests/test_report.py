"""--error-format: GitHub annotations and JSON lines for the tools around confc."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

BROKEN = {
    "profiles/p.toml": '[conference]\nname = "p"\nbeep = "loud"\n',
    "profiles/q.toml": '[conference]\nname = "q, 100%: sure"\nwait_url = "ftp://x"\n',
}
BEEP = '"loud" is not accepted; use one of true, false, "true", "false", "onEnter", "onExit"'


def test_github_annotations(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(BROKEN)
    run = cli("validate", "configs", "--env", "dev", "--error-format", "github")
    assert run.code == 1
    assert run.err == ""
    assert run.out.splitlines() == [
        f"::error file=configs/profiles/p.toml,line=3,title=confc conference.beep::{BEEP} (profile p, env dev)",
        "::error file=configs/profiles/q.toml,line=3,title=confc conference.wait_url::"
        'must be an absolute http(s) URL like "https://example.com/path" or a SWML variable such as ${...}, got "ftp://x" (profile q, env dev)',
    ]


def test_github_escapes_what_would_break_a_workflow_command(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/a,b:c%.toml": ""})
    run = cli("validate", "configs", "--env", "dev", "--error-format", "github")
    assert run.code == 1
    assert run.out.startswith("::error file=configs/profiles/a%2Cb%3Ac%25.toml,title=confc::not a profile file name")
    (Path("configs/profiles/a,b:c%.toml")).unlink()
    Path("configs/profiles/x.toml").write_text('[conference]\nname = "x"\nbeep = "100%"\n')
    run = cli("validate", "configs", "--env", "dev", "--error-format", "github")
    assert run.out.startswith('::error file=configs/profiles/x.toml,line=3,title=confc conference.beep::"100%25" is not accepted')


def test_json_lines(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(BROKEN)
    run = cli("build", "configs", "--all-envs", "--error-format", "json")
    assert run.code == 1 and run.err == ""
    objects = [json.loads(line) for line in run.out.splitlines()]
    assert len(objects) == 2  # two profiles, each problem once for both environments
    assert objects[0] == {
        "severity": "error",
        "file": "configs/profiles/p.toml",
        "line": 3,
        "key": "conference.beep",
        "profile": "p",
        "profiles": ["p"],
        "env": None,
        "envs": ["dev", "prod"],
        "message": BEEP,
    }


def test_warnings_are_annotations_too(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(
        {
            "environments/prod.toml": '[rules]\n"conference.max_participants" = { max = 10 }\n',
            "profiles/p.toml": '[conference]\nname = "p"\nmax_participants = "${max}"\n',
        }
    )
    run = cli("validate", "configs", "--env", "prod", "--error-format", "github")
    assert run.code == 0
    assert run.out == (
        "::warning file=configs/profiles/p.toml,line=3,title=confc conference.max_participants::"
        'rule at configs/environments/prod.toml:2 skipped: "${max}" is only known when the call runs (profile p, env prod)\n'
    )


@pytest.mark.parametrize("fmt", ["github", "json"])
def test_check_reports_drift_in_the_chosen_format(
    make_repo: Callable[..., Path], cli: Callable, tmp_path: Path, fmt: str
) -> None:
    repo = make_repo({"profiles/p.toml": '[conference]\nname = "p"\n'})
    assert cli("build", "configs", "--env", "dev").code == 0
    (repo / "profiles/p.toml").write_text('[conference]\nname = "p2"\n')
    run = cli("check", "configs", "--env", "dev", "--error-format", fmt)
    assert run.code == 1
    assert run.err == "1 problem(s): the artifacts are not current; run confc build\n"
    if fmt == "github":
        assert run.out == (
            "::error file=build/dev/p.swml.yaml,title=confc::stale (profile p); run confc build"
            "%0A--- build/dev/p.swml.yaml (committed)%0A+++ build/dev/p.swml.yaml (built now)%0A@@ -3,4 +3,4 @@%0A sections:%0A"
            "   main:%0A     - join_conference:%0A-        name: p%0A+        name: p2\n"
        )
    else:
        (problem,) = [json.loads(line) for line in run.out.splitlines()]
        assert problem["file"] == "build/dev/p.swml.yaml" and problem["message"] == "stale (profile p); run confc build"
        assert (problem["profile"], problem["env"]) == ("p", "dev")
        assert "-        name: p\n+        name: p2\n" in problem["diff"]


def test_usage_errors_stay_text(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/p.toml": '[conference]\nname = "p"\n'})
    run = cli("validate", "configs", "--env", "prdo", "--error-format", "json")
    assert (run.code, run.out) == (2, "")
    assert run.err == 'confc: error: unknown environment "prdo" (did you mean "prod"?); known: dev, prod\n'


def test_an_orphaned_artifact_says_what_removes_it(make_repo: Callable[..., Path], cli: Callable, tmp_path: Path) -> None:
    repo = make_repo({"profiles/p.toml": '[conference]\nname = "p"\n', "profiles/q.toml": '[conference]\nname = "q"\n'})
    assert cli("build", "configs", "--env", "dev").code == 0
    (repo / "profiles/q.toml").unlink()
    run = cli("check", "configs", "--env", "dev")
    assert (
        "build/dev/q.swml.yaml: extra: no profile produces it in this environment any more; run confc build, which removes it\n"
        in run.err
    )
    (tmp_path / "build/dev/q.swml.yaml").write_text("# edited by hand\n")
    run = cli("check", "configs", "--env", "dev")
    assert (
        "build/dev/q.swml.yaml: extra: no profile produces it in this environment, and it is edited since confc wrote it, "
        "so confc build leaves it alone; delete it\n"
    ) in run.err
    (tmp_path / "build/dev/q.swml.yaml").unlink()
    assert cli("build", "configs", "--env", "dev").code == 0
    assert cli("check", "configs", "--env", "dev").code == 0


def test_a_base_that_breaks_many_profiles_names_a_few_and_counts_the_rest(make_repo: Callable[..., Path], cli: Callable) -> None:
    children = {f"profiles/c{n}.toml": f'extends = "base"\n[conference]\nname = "c{n}"\n' for n in range(8)}
    make_repo({"profiles/base.toml": 'abstract = true\n[conference]\nbeep = "loud"\n', **children})
    text = cli("validate", "configs", "--env", "dev")
    assert text.code == 1
    assert text.err.splitlines() == [
        f"configs/profiles/base.toml:3: conference.beep: {BEEP} (profiles c0, c1, c2, c3, c4 and 3 more, env dev)"
    ]
    lines = cli("validate", "configs", "--env", "dev", "--error-format", "json").out.splitlines()
    assert [json.loads(line)["profiles"] for line in lines] == [[f"c{n}" for n in range(8)]]


def test_six_profiles_are_all_named(make_repo: Callable[..., Path], cli: Callable) -> None:
    children = {f"profiles/c{n}.toml": f'extends = "base"\n[conference]\nname = "c{n}"\n' for n in range(6)}
    make_repo({"profiles/base.toml": 'abstract = true\n[conference]\nbeep = "loud"\n', **children})
    assert cli("validate", "configs", "--env", "dev").err.endswith("(profiles c0, c1, c2, c3, c4, c5, env dev)\n")
