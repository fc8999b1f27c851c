"""[recording] notice: spoken before every join that records, inherited and overridden like every table."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

BASE = """\
abstract = true
[conference]
record = "record-from-start"
[recording]
notice = "This call is recorded."
"""

BRIDGE = """\
extends = "base"
[greeting]
say = "Welcome."
[conference]
name = "bridge"
[env.prod.recording]
notice = "This call is recorded for quality."
"""

LINE = """\
extends = "base"
[conference]
name = "line"
[roles.host]
pin = "11"
[roles.host.greeting]
say = "Hello, host."
[roles.guest]
pin = "22"
[roles.guest.conference]   # one key of the inherited table
record = "do-not-record"
"""


def _played(cli: Callable[..., Any], profile: str, env: str, *digits: str) -> list[str]:
    flags = [arg for digit in digits for arg in ("--digits", digit)]
    run = json.loads(cli("simulate", "configs", profile, "--env", env, *flags, "--format", "json").out)
    return [step["did"].removeprefix("played ") for step in run["steps"] if step["method"] == "play"]


def test_the_notice_follows_the_greeting_and_an_environment_rewords_it(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/base.toml": BASE, "profiles/bridge.toml": BRIDGE})
    assert cli("build", "configs", "--env", "dev").code == 0
    assert _played(cli, "bridge", "dev") == ["say:Welcome.", "say:This call is recorded."]
    assert _played(cli, "bridge", "prod") == ["say:Welcome.", "say:This call is recorded for quality."]
    main = yaml.safe_load(Path("build/dev/bridge.swml.yaml").read_text())["sections"]["main"]
    assert [next(iter(m)) for m in main] == ["play", "play", "join_conference"]
    explained = cli("explain", "configs", "bridge", "recording.notice", "--env", "prod")
    assert [line.split() for line in explained.out.splitlines()[1:]] == [
        ["1.", "configs/profiles/base.toml:5", "recording.notice", "=", '"This', "call", "is", 'recorded."'],
        [
            "2.",
            "configs/profiles/bridge.toml:7",
            "[env.prod]",
            "recording.notice",
            "=",
            '"This',
            "call",
            "is",
            "recorded",
            "for",
            'quality."',
        ],
        ["final:", '"This', "call", "is", "recorded", "for", 'quality."'],
    ]


def test_only_the_roles_whose_join_records_hear_the_notice(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/base.toml": BASE, "profiles/line.toml": LINE})
    run = cli("validate", "configs", "--strict")
    assert (run.code, run.err) == (0, "configs: 1 profile(s) valid in 2 environment(s): dev, prod\n"), run  # no warning
    assert _played(cli, "line", "dev", "11") == ["say:Hello, host.", "say:This call is recorded."]
    assert _played(cli, "line", "dev", "22") == []


def test_a_join_that_records_unannounced_warns_and_a_rule_makes_it_an_error(
    make_repo: Callable[..., Path], cli: Callable
) -> None:
    make_repo(
        {
            "profiles/bridge.toml": '[conference]\nname = "bridge"\nrecord = "record-from-start"\n',
            "profiles/quiet.toml": '[conference]\nname = "quiet"\n',
        }
    )
    warned = cli("validate", "configs", "--env", "dev")
    assert warned.code == 0
    assert warned.err == (
        "warning: configs/profiles/bridge.toml:3: conference.record: the join is recorded, but no recording.notice tells the "
        'caller so; set [recording] notice = "This call is recorded." (a rule recording.notice = { required = true } makes '
        "this an error) (profile bridge, env dev)\nconfigs: 2 profile(s) valid in 1 environment(s): dev\n"
    )
    assert cli("build", "configs", "--env", "dev", "--strict").code == 1 and not Path("build").exists()
    Path("configs/environments/prod.toml").write_text('[rules]\n"recording.notice" = { required = true }\n')
    refused = cli("build", "configs", "--env", "prod")
    assert refused.code == 1 and not Path("build").exists()
    # The quiet bridge records nothing: the rule asks it for no notice. One problem, once: no warning beside the error.
    assert refused.err == (
        "configs/profiles/bridge.toml: recording.notice: is required by the rule at configs/environments/prod.toml:2 "
        "(profile bridge, env prod)\n"
    )


def test_each_invalid_notice_is_located_and_nothing_is_written(make_repo: Callable[..., Path], cli: Callable) -> None:
    for written, message in [
        ("notice = 5", "recording.notice: must be a string, got 5"),
        ('notise = "x"', 'recording.notise: unknown key (did you mean "notice"?)'),
        ('notice = "a\\nb"', "recording.notice: "),
    ]:
        make_repo({"profiles/bridge.toml": f'[conference]\nname = "bridge"\n[recording]\n{written}\n'})
        run = cli("build", "configs", "--env", "dev")
        assert run.code == 1 and "Traceback" not in run.err, run
        assert run.err.startswith(f"configs/profiles/bridge.toml:4: {message}"), run.err
        assert not Path("build").exists()


def test_a_template_that_drops_the_notice_is_refused(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(
        {
            "profiles/base.toml": BASE,
            "profiles/bridge.toml": 'template = "plain"\n' + BRIDGE,
            "templates/plain.j2": "version: 1.0.0\nsections:\n  main:\n    - join_conference:\n        {{ profile.conference | yaml(8) }}\n",
        }
    )
    run = cli("validate", "configs", "--env", "dev")
    assert run.code == 1
    assert (
        'a caller does not hear the greeting ("say:Welcome."), then the recording notice'
        ' ("say:This call is recorded.") before joining'
    ) in run.err
