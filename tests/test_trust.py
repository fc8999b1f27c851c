"""Input that used to crash, hang or mislead: each answered with a located message, where it is fixed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import compiler.sandbox

GOOD = {
    "profiles/base.toml": 'abstract = true\n[conference]\nstatus_callback = "{{ vars.hooks }}/c"\n',
    "profiles/standup.toml": 'extends = "base"\n[conference]\nname = "standup"\n',
}


def test_a_malformed_extends_is_a_located_error_for_every_command(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({**GOOD, "profiles/broken.toml": 'extends = 5\n[conference]\nname = "b"\n'})
    expected = "configs/profiles/broken.toml:1: extends: must be a string or an array, got 5\n"
    assert (cli("validate", "configs").err, cli("validate", "configs").code) == (expected, 1)
    listed = cli("list", "configs")
    assert (listed.code, listed.err) == (1, expected)
    assert "standup" in listed.out  # what can be listed still is
    shown = cli("show", "configs", "standup", "--env", "prod")
    assert (shown.code, shown.err) == (0, "")


def test_show_and_explain_work_beside_unrelated_broken_files(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({**GOOD, "profiles/unparsable.toml": "[conference\n", "profiles/odd.toml": "[conference]\nname = 5\n"})
    explained = cli("explain", "configs", "standup", "conference.status_callback", "--env", "prod")
    assert explained.code == 0 and 'final: "https://hooks.example.com/c"\nuses:\n' in explained.out
    assert cli("show", "configs", "standup", "--env", "prod", "--swml").code == 0
    broken = cli("show", "configs", "odd", "--env", "prod")
    assert (broken.code, broken.err) == (1, "configs/profiles/odd.toml:2: conference.name: must be a string, got 5\n")


def test_explain_traces_a_key_beside_problems_with_other_keys_of_the_same_files(
    make_repo: Callable[..., Path], cli: Callable
) -> None:
    make_repo(
        {
            "profiles/base.toml": GOOD["profiles/base.toml"] + "bepe = true\n",  # two layers below the leaf
            "profiles/mid.toml": 'abstract = true\nextends = "base"\n',
            "profiles/standup.toml": 'extends = "mid"\n[conference]\nname = "standup"\n[env.prod.conference]\nmuted = 3\n',
        }
    )
    run = cli("explain", "configs", "standup", "conference.status_callback", "--env", "prod")
    assert run.code == 0
    assert run.out == (
        "conference.status_callback for profile standup, env prod, lowest layer first:\n"
        '  1. configs/profiles/base.toml:3  conference.status_callback = "{{ vars.hooks }}/c"\n'
        'final: "https://hooks.example.com/c"\n'
        "uses:\n"
        '  vars.hooks = "https://hooks.example.com"  configs/environments/prod.toml:3 [vars]\n'
    )
    assert run.err.splitlines() == [
        "note: 2 problem(s) with other keys; the trace leaves them out:",
        '  configs/profiles/base.toml:4: conference.bepe: unknown key (did you mean "beep"?); accepted: beep, coach, end_on_exit,'
        " max_participants, muted, name, record, recording_status_callback, recording_status_callback_event,"
        " recording_status_callback_event_type, recording_status_callback_method, region, result, start_on_enter,"
        " status_callback, status_callback_event, status_callback_event_type, status_callback_method, stream, trim, wait_url",
        "  configs/profiles/standup.toml:5: env.prod.conference.muted: must be a boolean (true or false) or a SWML variable"
        " such as ${...} or a {{ }} expression, got 3",
    ]
    # A problem with the key explained (or a table holding it) stops the trace: its value was left out.
    for key in ("conference.muted", "conference"):
        stopped = cli("explain", "configs", "standup", key, "--env", "prod")
        assert stopped.code == 1 and stopped.out == ""
        assert "standup.toml:5: env.prod.conference.muted:" in stopped.err and "note:" not in stopped.err


def test_problems_beneath_a_profile_stop_show_and_explain_of_it(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({**GOOD, "profiles/base.toml": "abstract = true\n[conference\n"})
    run = cli("explain", "configs", "standup", "conference.name", "--env", "prod")
    assert (run.code, run.err) == (
        1,
        "configs/profiles/base.toml:2: invalid TOML: Expected ']' at the end of a table declaration\n",
    )


def test_a_value_missing_under_set_is_blamed_on_the_profile(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/p.toml": "# no conference name yet\n[conference]\nbeep = true\n"})
    run = cli("build", "configs", "--env", "dev", "--set", "conference.max_participants=5")
    assert (run.code, run.err) == (1, "configs/profiles/p.toml:2: conference.name: is required (profile p, env dev)\n")
    bad = cli("build", "configs", "--env", "dev", "--set", "conference.name=x", "--set", "conference.beep=loud")
    assert bad.err.startswith('--set: conference.beep: "loud" is not accepted')


def test_an_unset_value_is_blamed_on_the_unset_line(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(
        {
            "profiles/base.toml": 'abstract = true\n[conference]\nname = "n"\n',
            "profiles/p.toml": 'extends = "base"\n\n[env.prod]\nunset = [\n  "greeting",\n  "conference.name",\n]\n',
        }
    )
    run = cli("validate", "configs")
    assert run.err == "configs/profiles/p.toml:6: conference.name: is required (profile p, env prod)\n"


def test_a_new_environment_without_a_variable_is_named_once(make_repo: Callable[..., Path], cli: Callable) -> None:
    repo = make_repo(GOOD)
    (repo / "environments/qa.toml").write_text('description = "QA"\n')
    run = cli("validate", "configs", "--error-format", "json")
    assert run.code == 1
    assert run.out.count("\n") == 1
    assert '"file": "configs/profiles/base.toml", "line": 3, "key": "conference.status_callback"' in run.out
    assert '"envs": ["qa"]' in run.out and "vars.hooks is not defined in this environment" in run.out


def test_show_and_explain_json_name_values_json_cannot_hold(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/p.toml": '[vars]\nday = 1979-05-27\nratio = nan\n[conference]\nname = "p"\n'})
    run = cli("show", "configs", "p", "--env", "dev", "--format", "json")
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "vars.day: a TOML date or time (1979-05-27) has no JSON form; show it with --format toml or yaml (profile p, env dev)\n"
        "vars.ratio: nan has no JSON form; show it with --format toml or yaml (profile p, env dev)\n"
    )
    assert "day = 1979-05-27\nratio = nan\n" in cli("show", "configs", "p", "--env", "dev").out
    # explain's JSON printed NaN (which no JSON reader takes) and a date as a string: both are named instead.
    run = cli("explain", "configs", "p", "vars", "--env", "dev", "--format", "json")
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "vars.day: a TOML date or time (1979-05-27) has no JSON form; explain it without --format json (profile p, env dev)\n"
        "vars.ratio: nan has no JSON form; explain it without --format json (profile p, env dev)\n"
    )
    assert cli("explain", "configs", "p", "vars.ratio", "--env", "dev").out.splitlines()[-1] == "final: nan"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_endless_evaluation_is_stopped_and_reported(
    make_repo: Callable[..., Path], cli: Callable, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    monkeypatch.setattr(compiler.sandbox, "SECONDS", 0.2)
    loop = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    files = {f"profiles/p{i}.toml": f'[conference]\nname = "p{i}"\ncoach = "{loop}"\n' for i in range(3)}
    files["templates/slow.j2"] = loop
    files["profiles/t.toml"] = 'template = "slow"\n[conference]\nname = "t"\n'
    make_repo(files)
    run = cli("build", "configs", "--all-envs", "--jobs", jobs)
    assert run.code == 1
    lines = run.err.splitlines()
    assert [line.split(": ")[0] for line in lines] == [
        "configs/profiles/p0.toml:3",
        "configs/profiles/p1.toml:3",
        "configs/profiles/p2.toml:3",
        "configs/templates/slow.j2:1",
    ]
    assert all("too much to compute: it takes longer than 0.2 seconds" in line for line in lines)
    assert all("envs dev, prod" in line for line in lines)
    # Run out of time once, it is not run again (in any number of processes, the message is one).
    assert lines[-1].endswith(
        "seconds; not run again for the other profiles and environments that use it (profile t, envs dev, prod)"
    )
