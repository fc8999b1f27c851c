"""Secret PINs: references in the profiles, placeholders in every artifact and output, the values only on the space."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import Run, write_repo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from signalwire_fake import Server

from compiler.secrets import clashes, placeholder

# Neither fits in a local server's address by chance (127.0.0.1:44559 held 4455): one is longer than a port, the
# other below every system's range of ports handed out to listening servers.
HOST_PIN, ATTENDEE_PIN = "908172", "20406"
FILES = {
    "environments/prod.toml": """
        [rules]
        "roles.*.pin" = { secret = true }

        [deploy]
        space = "acme-prod.signalwire.com"

        [deploy.numbers]
        "+15551230002" = "all-hands"
    """,
    "profiles/all-hands.toml": """
        [conference]
        name = "all-hands"
        muted = true
        start_on_enter = false

        [roles.host]
        pin = { secret = "ALLHANDS_HOST_PIN" }
        [roles.host.conference]
        muted = false
        start_on_enter = true

        [roles.attendee]
        pin = [{ secret = "ALLHANDS_PIN" }]
    """,
}
HOST, ATTENDEE = placeholder("ALLHANDS_HOST_PIN"), placeholder("ALLHANDS_PIN")
FILES["tests/calls.toml"] = f"""
    [[case]]
    name = "the host, by the placeholder"
    profile = "all-hands"
    digits = ["{HOST}"]
    [case.expect]
    role = "host"

    [[case]]
    name = "an attendee, by a test value"
    profile = "all-hands"
    digits = ["1212"]
    secrets = {{ ALLHANDS_PIN = "1212" }}
    [case.expect]
    role = "attendee"
"""


@pytest.fixture
def repo(tmp_path: Path, cli: Callable[..., Run]) -> Path:
    configs = write_repo(tmp_path / "configs", FILES)
    assert cli("build", "configs", "--env", "prod").code == 0
    return configs


def serving(signalwire: Server, monkeypatch: pytest.MonkeyPatch, host: str = HOST_PIN, attendee: str = ATTENDEE_PIN) -> None:
    """The space with the number prod routes, and the secrets' values in the environment, as CI sets them."""
    signalwire.space.add_number("+15551230002")
    monkeypatch.setenv("ALLHANDS_HOST_PIN", host)
    monkeypatch.setenv("ALLHANDS_PIN", attendee)


def everything_written(root: Path) -> str:
    return "".join(path.read_text() for path in sorted((root / "build").rglob("*")) if path.is_file())


def test_a_secret_pin_is_its_placeholder_in_every_artifact_and_output(
    repo: Path, cli: Callable[..., Run], tmp_path: Path
) -> None:
    artifact = (tmp_path / "build/prod/all-hands.swml.yaml").read_text()
    assert artifact.splitlines()[1] == (
        f"# secrets, whose values confc apply puts in their place: {HOST} is ALLHANDS_HOST_PIN, {ATTENDEE} is ALLHANDS_PIN"
    )
    assert f'"{HOST}":\n' in artifact and "max_digits: 17" in artifact
    assert cli("check", "configs", "--env", "prod").code == 0
    shown = cli("show", "configs", "all-hands", "--env", "prod")
    assert '[roles.host]\npin = { secret = "ALLHANDS_HOST_PIN" }\n' in shown.out  # as the profile writes it
    # The placeholder runs through the flow like any PIN, and a test value stands in for it where given.
    host = json.loads(cli("simulate", "configs", "all-hands", "--env", "prod", "--digits", HOST, "--format", "json").out)
    assert host["joins"][0]["section"] == "host"
    given_value = ["--secret", f"ALLHANDS_PIN={ATTENDEE_PIN}", "--digits", ATTENDEE_PIN, "--format", "json"]
    attendee = json.loads(cli("simulate", "configs", "all-hands", "--env", "prod", *given_value).out)
    assert attendee["joins"][0]["section"] == "attendee"
    assert cli("simulate", "configs", "all-hands", "--env", "prod", "--secret", "lower=1").code == 2


def test_simulate_names_a_secret_where_its_test_value_would_be_printed(repo: Path, cli: Callable[..., Run]) -> None:
    given = ["--secret", f"ALLHANDS_PIN={ATTENDEE_PIN}", "--digits", ATTENDEE_PIN]
    text = cli("simulate", "configs", "all-hands", "--env", "prod", *given)
    assert "joined in section attendee" in text.out
    assert "the caller entered '<ALLHANDS_PIN>'" in text.out and ATTENDEE_PIN not in text.out
    as_json = cli("simulate", "configs", "all-hands", "--env", "prod", *given, "--format", "json")
    assert json.loads(as_json.out)["joins"][0]["section"] == "attendee" and ATTENDEE_PIN not in as_json.out
    # A number that happens to be written like the value is data, not the PIN: it stays, and the JSON stays JSON.
    same = ["--set", f"conference.max_participants={ATTENDEE_PIN}"]
    sized = json.loads(cli("simulate", "configs", "all-hands", "--env", "prod", *given, *same, "--format", "json").out)
    assert sized["joins"][0]["conference"]["max_participants"] == int(ATTENDEE_PIN)
    assert "<ALLHANDS_PIN>" in json.dumps(sized["steps"]) and ATTENDEE_PIN not in json.dumps(sized["steps"])
    # A test value mistyped is refused by its name, or by its place when no name can be told: never shown.
    for wrong, said in [(f"ALLHANDS_PIN={ATTENDEE_PIN}x", "--secret ALLHANDS_PIN=..."), (ATTENDEE_PIN, "--secret (entry 1)")]:
        refused = cli("simulate", "configs", "all-hands", "--env", "prod", "--secret", wrong)
        assert refused.code == 2 and said in refused.err and ATTENDEE_PIN not in refused.err
    # A test value for a secret the document does not have would be tried nowhere: the run would look fine.
    typo = cli("simulate", "configs", "all-hands", "--env", "prod", "--secret", f"ALLHANDS_PN={ATTENDEE_PIN}", *given)
    assert (typo.code, typo.out) == (2, "")
    assert (
        typo.err
        == 'confc: error: --secret ALLHANDS_PN=...: all-hands has no secret ALLHANDS_PN in prod (did you mean "ALLHANDS_PIN"?)\n'
    )


def test_apply_sends_the_values_and_plan_sees_a_changed_one_without_showing_it(
    repo: Path,
    cli: Callable[..., Run],
    signalwire: Server,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    signalwire.space.add_number("+15551230002")
    missing = cli("apply", "configs", "--env", "prod", "--yes")
    assert missing.code == 2 and signalwire.space.names() == []
    assert missing.err == (
        "confc: error: the secrets ALLHANDS_HOST_PIN, ALLHANDS_PIN have no value: set the environment variable of that "
        "name, or give --secrets FILE; nothing was sent\n"
    )
    monkeypatch.setenv("ALLHANDS_HOST_PIN", HOST_PIN)
    (tmp_path / "pins.toml").write_text(f'ALLHANDS_PIN = "{ATTENDEE_PIN}"\n')
    flags = ["--env", "prod", "--secrets", str(tmp_path / "pins.toml")]
    applied = cli("apply", "configs", *flags, "--yes")
    assert applied.code == 0, applied
    cases = signalwire.space.document("confc:all-hands")["sections"]["main"][2]["switch"]["case"]
    assert sorted(cases) == sorted([HOST_PIN, ATTENDEE_PIN])  # the space holds the values
    assert cli("plan", "configs", *flags).code == 0
    monkeypatch.setenv("ALLHANDS_HOST_PIN", "5121")
    changed = cli("plan", "configs", *flags, "--format", "json")
    assert changed.code == 1
    (script,) = json.loads(changed.out)["scripts"]
    assert (script["action"], script["diff"], script["secret_only"]) == ("update", None, True)
    for run in (
        missing,
        applied,
        changed,
        cli("plan", "configs", *flags, "--format", "markdown"),
        cli("apply", "configs", *flags, "--yes"),
    ):
        assert HOST_PIN not in run.out + run.err and "5121" not in run.out + run.err and ATTENDEE_PIN not in run.out + run.err
    assert signalwire.space.document("confc:all-hands")["sections"]["main"][2]["switch"]["case"].keys() == {"5121", ATTENDEE_PIN}


def test_plan_shows_no_value_of_a_secret_the_repository_no_longer_names(
    repo: Path, cli: Callable[..., Run], signalwire: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Applied with secrets, then the host's secret is replaced by a literal PIN (and its variable dropped from CI):
    # the space still holds the old value, which no mapping of today's secrets can put a placeholder on.
    serving(signalwire, monkeypatch)
    assert cli("apply", "configs", "--env", "prod", "--yes").code == 0
    monkeypatch.delenv("ALLHANDS_HOST_PIN")
    write_repo(repo, {"environments/prod.toml": FILES["environments/prod.toml"].replace('"roles.*.pin" = { secret = true }', "")})
    write_repo(
        repo, {"profiles/all-hands.toml": FILES["profiles/all-hands.toml"].replace('{ secret = "ALLHANDS_HOST_PIN" }', '"7312"')}
    )
    assert cli("build", "configs", "--env", "prod").code == 0
    runs = [cli("plan", "configs", "--env", "prod", "--format", fmt) for fmt in ("text", "json", "markdown")]
    assert [run.code for run in runs] == [1, 1, 1]
    for run in runs:
        assert HOST_PIN not in run.out + run.err and ATTENDEE_PIN not in run.out + run.err
    assert '    -        "<a PIN the artifact does not hold, 1>":\n    +        "7312":\n' in runs[0].out


def test_plan_shows_no_pin_of_a_script_that_is_no_swml_document(
    repo: Path, cli: Callable[..., Run], signalwire: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Edited in the Dashboard into text that is neither JSON nor YAML: it is shown as stored, but for its PINs.
    serving(signalwire, monkeypatch)
    signalwire.space.add_script(
        "confc:all-hands", f"sections: [broken\n  case: {{{HOST_PIN}: https://confc:hunter2@h.example.com"
    )
    run = cli("plan", "configs", "--env", "prod")
    assert run.code == 1, run
    assert HOST_PIN not in run.out + run.err and "hunter2" not in run.out + run.err
    assert "    -  case: {***: https://confc:***@h.example.com\n" in run.out


def test_a_call_flow_picture_names_each_secret_branch_instead_of_its_digits(
    repo: Path, cli: Callable[..., Run], signalwire: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    for form in ("mermaid", "dot"):
        drawn = cli("graph", "configs", "--flow", "all-hands", "--env", "prod", "--format", form).out
        assert "prompt_value = secret ALLHANDS_HOST_PIN" in drawn and "prompt_value = secret ALLHANDS_PIN" in drawn
        assert HOST not in drawn and ATTENDEE not in drawn
    serving(signalwire, monkeypatch)
    markdown = cli("plan", "configs", "--env", "prod", "--format", "markdown").out
    flow = markdown.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert "prompt_value = secret ALLHANDS_HOST_PIN" in flow and HOST not in flow and HOST_PIN not in markdown


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (f'\ufeffALLHANDS_PIN = "{ATTENDEE_PIN}"\n'.encode(), "starts with a byte order mark; save it as UTF-8 without a BOM"),
        (f'ALLHANDS_HOST_PIN = "{HOST_PIN}"\nALLHANDS_PIN = "{ATTENDEE_PIN}\n'.encode(), 'NAME = "VALUE" lines at line 2'),
        (f'ALLHANDS_PIN = "{ATTENDEE_PIN}\xff"\n'.encode("latin-1"), "not valid UTF-8; save it as UTF-8"),
    ],
)
def test_a_secrets_file_that_cannot_be_read_says_why_and_where_without_its_values(
    repo: Path, cli: Callable[..., Run], signalwire: Server, tmp_path: Path, content: bytes, said: str
) -> None:
    (tmp_path / "pins.toml").write_bytes(content)
    run = cli("plan", "configs", "--env", "prod", "--secrets", str(tmp_path / "pins.toml"))
    assert run.code == 2 and said in run.err, run.err
    assert HOST_PIN not in run.err and ATTENDEE_PIN not in run.err


def test_a_policy_can_require_every_pin_to_be_secret(repo: Path, cli: Callable[..., Run]) -> None:
    write_repo(
        repo, {"profiles/all-hands.toml": FILES["profiles/all-hands.toml"].replace('[{ secret = "ALLHANDS_PIN" }]', '["4455"]')}
    )
    run = cli("validate", "configs", "--env", "prod")
    assert (run.code, run.err) == (
        1,
        'configs/profiles/all-hands.toml:13: roles.attendee.pin: must be a secret reference such as { secret = "NAME" }, not a '
        "value written in the file for role attendee (rule at configs/environments/prod.toml:2) (profile all-hands, env prod)\n",
    )


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            '{ secret = "host_pin" }',
            'a secret PIN is written { secret = "NAME" }, NAME in upper-case letters, digits and _ (the environment variable apply reads it from), got { secret = "host_pin" } (did you mean "HOST_PIN"?)',
        ),
        (
            '{ secret = "PIN", digits = 6 }',
            'a secret PIN is written { secret = "NAME" }, NAME in upper-case letters, digits and _ (the environment variable apply reads it from), got {"secret": "PIN", "digits": 6}',
        ),
        ('[{ secret = "PIN" }, { secret = "PIN" }]', 'lists "secret PIN" more than once'),
    ],
)
def test_a_malformed_reference_is_an_error_at_its_line(
    repo: Path, cli: Callable[..., Run], tmp_path: Path, written: str, message: str
) -> None:
    before = everything_written(tmp_path)
    write_repo(
        repo, {"profiles/all-hands.toml": FILES["profiles/all-hands.toml"].replace('{ secret = "ALLHANDS_HOST_PIN" }', written)}
    )
    run = cli("build", "configs", "--env", "prod")
    assert (run.code, run.err.splitlines()[0]) == (
        1,
        f"configs/profiles/all-hands.toml:7: roles.host.pin: {message} (profile all-hands, env prod)",
    )
    assert everything_written(tmp_path) == before


def test_an_environment_replaces_a_literal_pin_with_a_secret_and_the_reverse(tmp_path: Path, cli: Callable[..., Run]) -> None:
    # The natural shape: a PIN everyone knows in dev, a secret in production; and a line whose base keeps
    # its PINs secret, with a literal one for dev. A reference is one value, not a table to merge into.
    write_repo(
        tmp_path / "configs",
        {
            "environments/dev.toml": "",
            "environments/prod.toml": "",
            "profiles/line.toml": """
                abstract = true
                [conference]
                muted = true
                [roles.host]
                pin = "1234"
                [roles.host.conference]
                muted = false
                [roles.guest]
                pin = { secret = "GUEST_PIN" }
            """,
            "profiles/board.toml": """
                extends = "line"
                [conference]
                name = "board"
                [env.prod.roles.host]
                pin = { secret = "BOARD_HOST_PIN" }
                [env.dev.roles.guest]
                pin = ["5678", "5679"]
            """,
        },
    )
    assert cli("build", "configs", "--all-envs").code == 0
    dev, prod = ((tmp_path / f"build/{env}/board.swml.yaml").read_text() for env in ("dev", "prod"))
    assert '"1234":' in dev and '"5678":' in dev and "secret" not in dev.splitlines()[1]
    assert '"1234":' not in prod and f'"{placeholder("BOARD_HOST_PIN")}":' in prod and f'"{placeholder("GUEST_PIN")}":' in prod
    host = json.loads(cli("simulate", "configs", "board", "--env", "dev", "--digits", "1234", "--format", "json").out)
    assert (host["joins"][0]["section"], host["joins"][0]["conference"]["muted"]) == ("host", False)
    explained = cli("explain", "configs", "board", "roles.host.pin", "--env", "prod")
    assert explained.out.splitlines()[2:] == [
        '  2. configs/profiles/board.toml:5 [env.prod]  roles.host.pin = { secret = "BOARD_HOST_PIN" }',
        'final: { secret = "BOARD_HOST_PIN" }',
    ]
    # A reference is still no table to merge a table into.
    write_repo(
        tmp_path / "configs",
        {"profiles/board.toml": 'extends = "line"\n[conference]\nname = "board"\n[roles.guest.pin]\ndigits = 4\n'},
    )
    run = cli("validate", "configs", "--env", "dev")
    assert run.err.splitlines()[0] == (
        'configs/profiles/board.toml:4: roles.guest.pin: a table cannot replace the value { secret = "GUEST_PIN" } set below;'
        " unset it first (profile board, env dev)"
    )


def test_two_roles_with_one_secret_are_named_by_it(repo: Path, cli: Callable[..., Run]) -> None:
    write_repo(repo, {"profiles/all-hands.toml": FILES["profiles/all-hands.toml"].replace("ALLHANDS_PIN", "ALLHANDS_HOST_PIN")})
    assert "roles.attendee.pin: PIN secret ALLHANDS_HOST_PIN is also a PIN of role host" in cli("validate", "configs").err


@pytest.fixture
def secret_space(signalwire: Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    signalwire.space.add_number("+15551230002")
    yield signalwire


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(st.text("0123456789", min_size=6, max_size=16), min_size=2, max_size=2, unique=True).filter(
        lambda pair: all(v not in p for v in pair for p in (HOST, ATTENDEE))
    )
)
def test_no_secret_value_reaches_any_output_or_file(
    values: list[str],
    tmp_path_factory: pytest.TempPathFactory,
    cli: Callable[..., Run],
    secret_space: Server,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path_factory.mktemp("repo")
    monkeypatch.chdir(root)
    write_repo(root / "configs", FILES)
    monkeypatch.setenv("ALLHANDS_HOST_PIN", values[0])
    monkeypatch.setenv("ALLHANDS_PIN", values[1])
    env = ["--env", "prod"]
    runs = [cli("build", "configs", *env, "--error-format", fmt) for fmt in ("text", "json", "github")]
    runs += [cli("check", "configs", *env, "--error-format", fmt) for fmt in ("text", "json", "github")]
    runs += [cli("validate", "configs", *env), cli("list", "configs", "--format", "json")]
    runs += [cli("show", "configs", "all-hands", *env, *flags) for flags in ([], ["--swml"], ["--format", "json"])]
    runs += [cli("explain", "configs", "all-hands", "roles", *env, "--format", fmt) for fmt in ("text", "json")]
    runs += [cli("simulate", "configs", "all-hands", *env, "--digits", HOST, "--format", fmt) for fmt in ("text", "json")]
    runs += [cli("test", "configs", *env, "--format", fmt) for fmt in ("text", "github", "json", "junit")]
    runs += [cli("plan", "configs", *env, "--format", fmt) for fmt in ("text", "json", "markdown")]
    runs += [cli("apply", "configs", *env, "--yes"), cli("plan", "configs", *env, "--show-secrets")]
    assert [run.code for run in runs][-2:] == [0, 0]  # applied, then nothing left to change
    written = everything_written(root)
    for value in values:
        for run in runs:
            assert value not in run.out + run.err, (value, run)
        assert value not in written
    sent = secret_space.space.document("confc:all-hands")["sections"]["main"][2]["switch"]["case"]
    assert sorted(sent) == sorted(values)


STREAMED = (
    FILES["profiles/all-hands.toml"]
    + """
        [conference.stream]
        url = "wss://stream.example.com/audio"
        authorization_bearer_token = { secret = "STREAM_TOKEN" }
"""
)
TOKEN_VALUE = "Bearer-7b1d2e-secret"


def test_a_bearer_token_can_be_secret_too(
    cli: Callable[..., Run], signalwire: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_repo(tmp_path / "configs", {**FILES, "profiles/all-hands.toml": STREAMED})
    assert cli("build", "configs", "--env", "prod").code == 0
    artifact = (tmp_path / "build/prod/all-hands.swml.yaml").read_text()
    assert f'authorization_bearer_token: "{placeholder("STREAM_TOKEN")}"' in artifact
    assert f"{placeholder('STREAM_TOKEN')} is STREAM_TOKEN" in artifact.splitlines()[1]
    serving(signalwire, monkeypatch)
    monkeypatch.setenv("STREAM_TOKEN", "two\nlines")
    refused = cli("apply", "configs", "--env", "prod", "--yes")
    assert (refused.code, signalwire.space.names()) == (2, [])
    assert "the value of STREAM_TOKEN is not a PIN of 1 to 16 digits, or for a token one line of text" in refused.err
    monkeypatch.setenv("STREAM_TOKEN", TOKEN_VALUE)
    runs = [cli("apply", "configs", "--env", "prod", "--yes")]
    monkeypatch.setenv("STREAM_TOKEN", TOKEN_VALUE + "-rotated")
    runs += [cli("plan", "configs", "--env", "prod", "--format", fmt) for fmt in ("text", "json", "markdown")]
    assert [run.code for run in runs] == [0, 1, 1, 1]
    assert json.loads(runs[2].out)["scripts"][0]["secret_only"] is True
    assert all(TOKEN_VALUE not in run.out + run.err for run in runs)
    joined = signalwire.space.document("confc:all-hands")["sections"]["host"][0]["join_conference"]
    assert joined["stream"]["authorization_bearer_token"] == TOKEN_VALUE
    assert TOKEN_VALUE not in everything_written(tmp_path)
    write_repo(tmp_path / "configs", {"profiles/all-hands.toml": STREAMED.replace('"STREAM_TOKEN" }', '"token" }')})
    bad = cli("validate", "configs")
    assert 'conference.stream.authorization_bearer_token: a secret is written { secret = "NAME" }' in bad.err


def test_a_secret_inside_a_url_reaches_only_the_space(
    cli: Callable[..., Run], signalwire: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    hook = 'status_callback = "https://confc:{{ secret.HOOK_KEY }}@hooks.example.com/conference"\n'
    write_repo(
        tmp_path / "configs",
        {
            **FILES,
            "profiles/all-hands.toml": FILES["profiles/all-hands.toml"].replace(
                'name = "all-hands"\n', f'name = "all-hands"\n        {hook}', 1
            ),
        },
    )
    assert cli("build", "configs", "--env", "prod").code == 0
    artifact = (tmp_path / "build/prod/all-hands.swml.yaml").read_text()
    assert f"https://confc:{placeholder('HOOK_KEY')}@hooks.example.com/conference" in artifact
    signalwire.space.add_number("+15551230002")
    for name, value in (("ALLHANDS_HOST_PIN", HOST_PIN), ("ALLHANDS_PIN", ATTENDEE_PIN), ("HOOK_KEY", "s3cr3t-hook-key")):
        monkeypatch.setenv(name, value)
    runs = [cli("apply", "configs", "--env", "prod", "--yes")]
    joined = signalwire.space.document("confc:all-hands")["sections"]["host"][0]["join_conference"]
    assert joined["status_callback"] == "https://confc:s3cr3t-hook-key@hooks.example.com/conference"
    monkeypatch.setenv("HOOK_KEY", "rotated-hook-key")
    runs += [cli("plan", "configs", "--env", "prod", "--format", fmt) for fmt in ("text", "json", "markdown")]
    runs.append(cli("plan", "configs", "--env", "prod", "--show-secrets"))
    assert [run.code for run in runs] == [0, 1, 1, 1, 1]
    for run in runs:
        assert "s3cr3t-hook-key" not in run.out + run.err and "rotated-hook-key" not in run.out + run.err
    assert json.loads(runs[2].out)["scripts"][0]["secret_only"] is True  # a rotated secret: a change, with nothing to show


def test_a_case_giving_a_value_to_a_secret_the_document_lacks_is_an_error_at_its_line(
    repo: Path, cli: Callable[..., Run]
) -> None:
    assert cli("test", "configs", "--env", "prod").out.splitlines()[-1] == "2 passed, 0 failed"
    cases = repo / "tests/calls.toml"
    cases.write_text(cases.read_text().replace("secrets = { ALLHANDS_PIN", "secrets = { ALLHANDS_PN"))
    run = cli("test", "configs", "--env", "prod")
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "configs/tests/calls.toml:12: case.secrets.ALLHANDS_PN: all-hands has no secret ALLHANDS_PN in prod, so its "
        "value would be tried nowhere (env or envs limits a case to the environments it is meant for)\n"
    )


def test_a_case_for_every_environment_may_give_a_secret_that_only_one_of_them_has(
    tmp_path: Path, cli: Callable[..., Run]
) -> None:
    files = {
        "environments/dev.toml": "",
        "environments/prod.toml": "",
        "profiles/board.toml": """
            [conference]
            name = "board"
            [roles.host]
            pin = "1234"
            [env.prod.roles.host]
            pin = { secret = "BOARD_HOST_PIN" }
        """,
        "tests/calls.toml": """
            [[case]]
            name = "the host joins with the PIN, which production keeps secret"
            profile = "board"
            digits = ["1234"]
            secrets = { BOARD_HOST_PIN = "1234" }
            [case.expect]
            role = "host"
        """,
    }
    write_repo(tmp_path / "configs", files)
    run = cli("test", "configs")
    assert (run.code, run.out.splitlines()[-1]) == (0, "2 passed, 0 failed")
    # Named in no environment the case runs in, it is a mistake: the value would be tried nowhere.
    write_repo(tmp_path / "configs", {"tests/calls.toml": files["tests/calls.toml"].replace("{ BOARD_HOST_PIN", "{ BOARD_HOST")})
    run = cli("test", "configs")
    assert (run.code, run.err) == (
        1,
        "configs/tests/calls.toml:5: case.secrets.BOARD_HOST: board has no secret BOARD_HOST in dev, prod, so its value"
        " would be tried nowhere (env or envs limits a case to the environments it is meant for)\n",
    )


def test_a_secret_whose_value_is_another_roles_pin_is_refused_before_anything_is_sent(
    repo: Path, cli: Callable[..., Run], signalwire: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both PINs would be one key of the PIN switch: one role could never be reached, and a guest might be let in as host.
    serving(signalwire, monkeypatch, host=ATTENDEE_PIN)
    for command in ("plan", "apply"):
        run = cli(command, "configs", "--env", "prod", *(["--yes"] if command == "apply" else []))
        assert (run.code, run.out) == (2, "")
        assert run.err == (
            "confc: error: build/prod/all-hands.swml.yaml: secret ALLHANDS_PIN and secret ALLHANDS_HOST_PIN are the same "
            "PIN, so one of their roles could never be reached: give each role PINs of its own (the values are not "
            "shown); nothing was sent\n"
        )
    assert signalwire.space.names() == []
    # simulate and confc test refuse such a test value too: the call they prove would not be the one deployed.
    run = cli(
        "simulate",
        "configs",
        "all-hands",
        "--env",
        "prod",
        "--secret",
        f"ALLHANDS_HOST_PIN={HOST_PIN}",
        "--secret",
        f"ALLHANDS_PIN={HOST_PIN}",
    )
    assert (run.code, run.out) == (2, "")
    assert run.err == (
        "confc: error: --secret ALLHANDS_PIN=... and --secret ALLHANDS_HOST_PIN=...: a test value that is also another "
        "role's PIN leaves one of them out of reach\n"
    )
    assert HOST_PIN not in run.err
    cases = repo / "tests/calls.toml"
    cases.write_text(cases.read_text().replace('digits = ["1212"]', f'digits = ["{HOST}"]').replace('"1212" }', f'"{HOST}" }}'))
    run = cli("test", "configs", "--env", "prod")
    assert (run.code, run.err) == (
        1,
        "configs/tests/calls.toml:12: case.secrets.ALLHANDS_PIN: the test value of ALLHANDS_PIN is also another role's "
        "PIN in prod, which leaves one of them out of reach\n",
    )


@given(
    pins=st.dictionaries(st.sampled_from(["A", "B", "C"]), st.sampled_from(["1111", "2222", "3333"]), min_size=1),
    literal=st.sampled_from(["1111", "4444"]),
)
def test_clashes_finds_exactly_the_values_that_make_two_roles_one_key(pins: dict[str, str], literal: str) -> None:
    # A PIN switch as the built-in flow writes it: one case per PIN, each to its own role's section.
    case = {placeholder(name): [{"transfer": {"dest": name}}] for name in pins}
    case[literal] = [{"transfer": {"dest": "literal"}}]
    found = clashes({"switch": {"case": case}}, pins)
    values = [*pins.values(), literal]
    assert bool(found) == (len(set(values)) < len(values))
    for names, written in found:
        assert written == (1 if literal in {pins[name] for name in names} else 0)
        assert len({pins[name] for name in names} | ({literal} if written else set())) == 1


@given(text=st.text(max_size=12))
def test_show_writes_each_secret_reference_inline_and_every_value_as_it_is(text: str) -> None:
    from compiler.commands.show import dump

    values = {
        "vars": {"note": text},
        "roles": {"host": {"pin": {"secret": "HOST_PIN"}}, "guest": {"pin": [{"secret": "A"}, "1234", {"secret": "B"}]}},
    }
    shown = dump(values, "toml")
    assert tomllib.loads(shown) == values  # whatever a string holds, a NUL of its own included
    if "\x00" not in text:
        assert 'pin = { secret = "HOST_PIN" }' in shown and '{ secret = "B" }' in shown
