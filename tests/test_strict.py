"""Warnings that can fail CI: --strict and [build] strict, warnings in every command and format, empty policies."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

# A rule that a SWML variable escapes: confc cannot know the value, so it warns.
SKIPPED_RULE = {
    "environments/prod.toml": '[rules]\n"conference.max_participants" = { max = 50 }\n',
    "profiles/line.toml": '[conference]\nname = "line"\nmax_participants = "${call.vars.max}"\n',
}
WARNING = (
    "configs/profiles/line.toml:3: conference.max_participants: rule at configs/environments/prod.toml:2 skipped: "
    '"${call.vars.max}" is only known when the call runs'
)


@pytest.mark.parametrize("command", ["validate", "build", "check"])
def test_a_warning_is_reported_by_every_command_and_fails_under_strict(
    make_repo: Callable[..., Path], cli: Callable, tmp_path: Path, command: str
) -> None:
    make_repo(SKIPPED_RULE)
    # build and check report the warnings of what they compile: --no-cache compiles every profile each time.
    envs = ["--env", "prod", *(["--no-cache"] if command != "validate" else [])]
    if command == "check":
        assert cli("build", "configs", "--env", "prod").code == 0
    plain = cli(command, "configs", *envs)
    assert plain.code == 0
    assert f"warning: {WARNING} (profile line, env prod)" in plain.err.splitlines()
    annotated = cli(command, "configs", *envs, "--error-format", "github")
    assert annotated.code == 0
    assert annotated.out.startswith("::warning file=configs/profiles/line.toml,line=3,title=confc conference.max_participants::")
    as_json = [json.loads(line) for line in cli(command, "configs", *envs, "--error-format", "json").out.splitlines()]
    assert [entry["severity"] for entry in as_json] == ["warning"]

    if command == "build":
        (tmp_path / "build/prod/line.swml.yaml").unlink()
    strict = cli(command, "configs", *envs, "--strict", "--error-format", "github")
    assert strict.code == 1
    assert strict.out.startswith("::error file=configs/profiles/line.toml,line=3,title=confc conference.max_participants::")
    assert "(strict: warnings are errors)" in strict.out
    if command == "build":
        assert not (tmp_path / "build/prod/line.swml.yaml").exists()  # a strict build that fails writes nothing


@pytest.mark.parametrize(
    "setting",
    [
        ("confc.toml", "[build]\nstrict = true\n"),
        ("environments/prod.toml", SKIPPED_RULE["environments/prod.toml"] + "[build]\nstrict = true\n"),
    ],
)
def test_build_strict_in_a_file_is_the_flag(make_repo: Callable[..., Path], cli: Callable, setting: tuple[str, str]) -> None:
    make_repo({**SKIPPED_RULE, setting[0]: setting[1]})
    for command in ("validate", "build"):
        run = cli(command, "configs", "--env", "prod")
        assert run.code == 1
        assert f"{WARNING} (strict: warnings are errors) (profile line, env prod)" in run.err.splitlines()
    # In an environment file it is that environment's: dev keeps its warnings as warnings.
    if setting[0].startswith("environments/"):
        make_repo({**SKIPPED_RULE, setting[0]: setting[1], "environments/dev.toml": SKIPPED_RULE["environments/prod.toml"]})
        run = cli("validate", "configs")
        assert run.code == 1
        assert run.err.splitlines()[:2] == [
            f"warning: {WARNING.replace('prod.toml', 'dev.toml')} (profile line, env dev)",
            f"{WARNING} (strict: warnings are errors) (profile line, env prod)",
        ]


def test_strict_must_be_a_boolean(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({**SKIPPED_RULE, "confc.toml": '[build]\nstrict = "yes"\n'})
    run = cli("validate", "configs")
    assert (run.code, run.err) == (1, 'configs/confc.toml:2: build.strict: must be a boolean (true or false), got "yes"\n')


EMPTY_POLICY = """
[[policy]]
description = "Nurse lines are recorded"
profiles = ["nurseline/*"]
rules."conference.record" = { required = true }
"""
EMPTY = (
    'configs/environments/prod.toml:3: policy.profiles: this policy applies to no profile: none matches "nurseline/*"; '
    "fix the patterns, or say allow_empty = true in the policy if that is intended (env prod)"
)


@pytest.mark.parametrize("command", ["validate", "build", "check"])
def test_a_policy_that_applies_to_no_profile_is_an_error(
    make_repo: Callable[..., Path], cli: Callable, tmp_path: Path, command: str
) -> None:
    make_repo({"environments/prod.toml": EMPTY_POLICY, "profiles/nurse-line/bridge.toml": '[conference]\nname = "n"\n'})
    run = cli(command, "configs", "--env", "prod", "--error-format", "github")
    assert run.code == 1
    assert run.out.startswith(
        "::error file=configs/environments/prod.toml,line=3,title=confc policy.profiles::this policy applies"
    )
    assert not (tmp_path / "build").exists()
    make_repo({"environments/prod.toml": EMPTY_POLICY.replace("profiles =", "allow_empty = true\nprofiles =")})
    allowed = cli("validate", "configs", "--env", "prod", "--strict")
    assert (allowed.code, allowed.err.splitlines()[0]) == (0, "configs: 1 profile(s) valid in 1 environment(s): prod")


def test_a_policy_left_empty_by_a_deleted_profile_fails_even_a_build_that_reuses_everything(
    make_repo: Callable[..., Path], cli: Callable
) -> None:
    repo = make_repo(
        {
            "environments/prod.toml": EMPTY_POLICY,
            "profiles/nurseline/bridge.toml": '[conference]\nname = "n"\nrecord = "record-from-start"\n',
            "profiles/standup.toml": '[conference]\nname = "s"\n',
        }
    )
    assert cli("build", "configs", "--env", "prod").code == 0
    (repo / "profiles/nurseline/bridge.toml").unlink()
    run = cli("build", "configs", "--env", "prod")
    assert (run.code, run.err.splitlines()[0]) == (1, EMPTY)
    # An abstract profile is checked by no policy: matching only one is matching none.
    (repo / "profiles/nurseline/bridge.toml").write_text('abstract = true\n[conference]\nname = "n"\n')
    assert cli("build", "configs", "--env", "prod").err.splitlines()[0] == EMPTY
