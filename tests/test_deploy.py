"""confc plan and confc apply, end to end through the CLI against a local SignalWire space."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import Run, write_repo
from signalwire_fake import NUMBERS, PROJECT, SCRIPTS, TOKEN, Server, Space

import compiler
from compiler.deploy import space as space_module

ROOT = Path(__file__).resolve().parent.parent

SECRET = "stream-bearer-7b1d2e"
FILES = {
    "environments/dev.toml": """
        [vars]
        hooks = "https://hooks.dev.example.com"
    """,
    "environments/prod.toml": f"""
        [vars]
        hooks = "https://hooks.example.com"
        stream_token = "{SECRET}"

        [deploy]
        space = "acme-prod.signalwire.com"

        [deploy.numbers]
        "+15551230001" = "support"
        "+15551230002" = "standup"
    """,
    "profiles/base.toml": """
        abstract = true
        [conference]
        status_callback = "{{ vars.hooks }}/conference/{{ profile.id }}"
    """,
    "profiles/standup.toml": """
        extends = "base"
        [conference]
        name = "standup"
        max_participants = 30
    """,
    "profiles/support.toml": """
        extends = "base"
        [conference]
        name = "support"
        record = "record-from-start"
        [env.prod.conference.stream]
        url = "wss://stream.example.com/audio"
        authorization_bearer_token = "{{ vars.stream_token }}"
    """,
    "profiles/incident.toml": """
        extends = "base"
        [conference]
        name = "incident"
    """,
}
PROFILES = ("incident", "standup", "support")


class Deploy:
    """The repository, the fake space, and confc run against both, every output checked for the API token."""

    def __init__(self, root: Path, space: Space, cli: Callable[..., Run], waits: list[float]) -> None:
        self.root, self.space, self._cli, self.waits = root, space, cli, waits
        self.configs = root / "configs"

    def __call__(self, *argv: str) -> Run:
        run = self._cli(*argv)
        assert TOKEN not in run.out + run.err, "the API token was printed"
        return run

    def plan(self, *flags: str) -> Run:
        return self("plan", "configs", "--env", "prod", *flags)

    def apply(self, *flags: str) -> Run:
        return self("apply", "configs", "--env", "prod", "--yes", *flags)

    def edit(self, rel: str, text: str | None) -> None:
        """Change the repository and build, as a reviewed commit would."""
        if text is None:
            (self.configs / rel).unlink()
        else:
            write_repo(self.configs, {rel: text})
        assert self("build", "configs", "--env", "prod").code == 0

    def document(self, profile: str) -> object:
        return yaml.safe_load((self.root / "build" / "prod" / f"{profile}.swml.yaml").read_text())


@pytest.fixture
def deploy(tmp_path: Path, cli: Callable[..., Run], signalwire: Server) -> Deploy:
    write_repo(tmp_path / "configs", FILES)
    deployment = Deploy(tmp_path, signalwire.space, cli, signalwire.waits)
    assert deployment("build", "configs", "--env", "prod").code == 0
    signalwire.space.add_number("+15551230001")
    signalwire.space.add_number("+15551230002")
    return deployment


def test_the_example_repository_deploys_as_committed(signalwire: Server, cli: Callable[..., Run]) -> None:
    space = signalwire.space
    for number in ("+15551230001", "+15551230002", "+15551230003"):
        space.add_number(number)
    where = [str(ROOT / "configs"), "--env", "prod", "--out", str(ROOT / "build")]
    assert cli("apply", *where, "--yes").code == 0
    assert space.names() == [
        f"confc:{p}" for p in ("all-hands", "board", "incident", "standup", "support/agent", "support/customer")
    ]
    assert space.routed("+15551230002") == space.by_name("confc:all-hands")["id"]
    again = cli("plan", *where)
    assert again.code == 0 and "No changes" in again.out


def applied(deploy: Deploy) -> None:
    run = deploy.apply()
    assert run.code == 0, run


def test_plan_on_an_empty_space_lists_every_script_and_route_and_changes_nothing(deploy: Deploy) -> None:
    run = deploy.plan()
    assert run.code == 1, run
    for profile in PROFILES:
        assert f"create     confc:{profile}\n" in run.out
    assert "route      +15551230001 -> confc:support\n" in run.out
    assert "route      +15551230002 -> confc:standup\n" in run.out
    assert "Plan: 3 to create, 0 to update, 0 to delete, 2 numbers to route; 0 scripts and 0 numbers unchanged." in run.out
    assert deploy.space.writes() == [] and deploy.space.scripts == {}


def test_apply_creates_routes_and_a_second_run_finds_nothing_to_do(deploy: Deploy) -> None:
    run = deploy.apply()
    assert run.code == 0, run
    assert "created confc:support" in run.err and "routed +15551230001 to confc:support" in run.err
    assert deploy.space.names() == [f"confc:{p}" for p in PROFILES]
    for profile in PROFILES:  # sent as JSON objects, exactly the committed documents
        assert deploy.space.document(f"confc:{profile}") == deploy.document(profile)
    creates = [r for r in deploy.space.writes() if r.path == SCRIPTS]
    assert all(isinstance(r.body["contents"], dict) and set(r.body) == {"name", "contents"} for r in creates)
    assert deploy.space.routed("+15551230001") == deploy.space.by_name("confc:support")["id"]
    assert deploy.space.routed("+15551230002") == deploy.space.by_name("confc:standup")["id"]

    writes = len(deploy.space.writes())
    again = deploy.plan()
    assert again.code == 0, again
    assert "No changes" in again.out
    second = deploy.apply()
    assert second.code == 0 and "Nothing to do." in second.err
    assert len(deploy.space.writes()) == writes


def test_an_edited_profile_is_an_update_with_its_diff(deploy: Deploy) -> None:
    applied(deploy)
    deploy.edit("profiles/standup.toml", FILES["profiles/standup.toml"].replace("30", "45"))
    run = deploy.plan()
    assert run.code == 1
    assert "update     confc:standup\n" in run.out
    assert "-      max_participants: 30\n" in run.out and "+      max_participants: 45\n" in run.out
    assert "+++ build/prod/standup.swml.yaml" in run.out
    applied(deploy)
    (put,) = [r for r in deploy.space.writes() if r.method == "PUT"]
    assert set(put.body) == {"display_name", "contents"} and put.body["display_name"] == "confc:standup"
    assert deploy.space.document("confc:standup") == deploy.document("standup")
    assert deploy.plan().code == 0


def test_the_library_plans_as_the_command_does(deploy: Deploy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(deploy.root)
    found = compiler.plan("configs", "prod")
    assert found.changes and [c.action for c in found.scripts] == ["create"] * 3
    assert [(c.number.number, c.action) for c in found.numbers] == [("+15551230001", "route"), ("+15551230002", "route")]
    assert deploy.space.writes() == []


def test_a_dashboard_edit_shows_up_as_drift_and_formatting_alone_is_no_change(deploy: Deploy) -> None:
    applied(deploy)
    original = deploy.document("standup")
    # The same document, stored the way the Dashboard stores it: a string of JSON, keys in another order.
    reordered = json.dumps({"sections": original["sections"], "version": original["version"]}, indent=4)  # type: ignore[index]
    deploy.space.edit_in_dashboard("confc:standup", reordered)
    assert deploy.plan().code == 0

    deploy.space.edit_in_dashboard("confc:standup", json.dumps({"version": "1.0.0", "sections": {"main": ["hangup"]}}))
    run = deploy.plan("--format", "json")
    assert run.code == 1
    plan = json.loads(run.out)
    (change,) = [s for s in plan["scripts"] if s["action"] == "update"]
    assert change["name"] == "confc:standup" and change["profile"] == "standup"
    assert "-  - hangup\n" in change["diff"] and "+  - join_conference:\n" in change["diff"]
    applied(deploy)
    assert deploy.space.document("confc:standup") == original


def test_a_deleted_profile_is_left_alone_unless_pruned(deploy: Deploy) -> None:
    applied(deploy)
    deploy.edit("profiles/incident.toml", None)
    run = deploy.plan()
    assert run.code == 0, run  # a stale script is no change without --prune
    assert "confc:incident" in run.out and "--prune deletes" in run.out

    pruned = deploy.plan("--prune")
    assert pruned.code == 1 and "delete     confc:incident\n" in pruned.out
    assert deploy.apply().code == 0 and "confc:incident" in deploy.space.names()
    run = deploy.apply("--prune")
    assert run.code == 0 and "Plan: 0 to create, 0 to update, 1 to delete, 0 numbers to route;" in run.out
    assert run.err.splitlines()[-1] == f"Applied 1 change(s) to {deploy.space.host}."  # as many as the plan
    assert "confc:incident" not in deploy.space.names()
    assert deploy.plan("--prune").code == 0


def test_prune_keeps_a_stale_script_a_number_still_routes_to(deploy: Deploy) -> None:
    applied(deploy)
    deploy.space.add_number("+15551239999", routed_to=deploy.space.by_name("confc:incident")["id"])
    deploy.edit("profiles/incident.toml", None)
    run = deploy.plan("--prune", "--format", "json")
    (kept,) = [s for s in json.loads(run.out)["scripts"] if s["name"] == "confc:incident"]
    assert kept["action"] == "kept" and kept["routed_from"] == ["+15551239999"]
    assert run.code == 0
    assert deploy.apply("--prune").code == 0
    assert "confc:incident" in deploy.space.names()


def test_a_script_outside_the_prefix_is_never_touched(deploy: Deploy) -> None:
    foreign = deploy.space.add_script("Legacy IVR", {"version": "1.0.0", "sections": {"main": ["hangup"]}})
    deploy.space.add_script("support", {"version": "1.0.0", "sections": {"main": ["answer"]}})  # no prefix, same id
    applied(deploy)
    assert deploy.apply("--prune").code == 0
    assert {"Legacy IVR", "support"} <= set(deploy.space.names())
    assert not [r for r in deploy.space.writes() if foreign in r.path]


def test_a_number_routed_to_ours_is_unchanged_and_one_routed_elsewhere_needs_force(deploy: Deploy) -> None:
    applied(deploy)
    legacy = deploy.space.add_script("Legacy IVR", {"version": "1.0.0", "sections": {"main": ["hangup"]}})
    deploy.space.numbers[1]["calling_handler_resource_id"] = legacy  # someone routed the standup line by hand
    run = deploy.plan()
    assert run.code == 1
    assert "unchanged  +15551230001 -> confc:support\n" in run.out
    assert (
        f'reroute    +15551230002 -> confc:standup (now "Legacy IVR" ({legacy}); not a confc: script: apply needs --force)'
        in run.out
    )

    writes = len(deploy.space.writes())
    refused = deploy.apply()
    assert refused.code == 1
    assert f'+15551230002 routes now to "Legacy IVR" ({legacy})' in refused.err and "--force" in refused.err
    assert "environments/prod.toml:10:" in refused.err
    assert len(deploy.space.writes()) == writes and deploy.space.routed("+15551230002") == legacy

    assert deploy.apply("--force").code == 0
    assert deploy.space.routed("+15551230002") == deploy.space.by_name("confc:standup")["id"]


def test_a_number_routed_to_another_of_our_scripts_is_rerouted_without_force(deploy: Deploy) -> None:
    applied(deploy)
    deploy.edit("environments/prod.toml", FILES["environments/prod.toml"].replace('= "standup"', '= "incident"'))
    run = deploy.plan()
    assert 'reroute    +15551230002 -> confc:incident (now "confc:standup" (' in run.out
    assert deploy.apply().code == 0
    assert deploy.space.routed("+15551230002") == deploy.space.by_name("confc:incident")["id"]


def test_refused_credentials_exit_3_and_never_show_the_token(deploy: Deploy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNALWIRE_API_TOKEN", "PT-wrong-token")
    run = deploy.plan()
    assert run.code == 3
    assert "refused the credentials" in run.err and "401" in run.err and PROJECT in run.err
    assert "PT-wrong-token" not in run.out + run.err


def test_a_short_token_does_not_garble_the_messages(deploy: Deploy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNALWIRE_API_TOKEN", "t")
    run = deploy.plan()
    assert run.code == 3 and "SignalWire refused the credentials while listing the SWML scripts" in run.err


def test_a_token_without_the_numbers_scope_is_named(deploy: Deploy) -> None:
    deploy.space.forbidden = (NUMBERS,)
    run = deploy.plan()
    assert run.code == 3 and "403 Forbidden" in run.err and "Numbers for phone numbers" in run.err


def test_a_script_deleted_on_the_space_meanwhile_stops_apply(deploy: Deploy) -> None:
    applied(deploy)
    deploy.edit("profiles/standup.toml", FILES["profiles/standup.toml"].replace("30", "45"))
    deploy.space.fail("PUT", SCRIPTS + "/.*", 404, body={"error": "Not Found"})
    run = deploy.apply()
    assert run.code == 3
    assert "SignalWire found nothing to act on while updating confc:standup (404): Not Found" in run.err
    assert "left: update confc:standup\n" in run.err


def test_a_space_that_does_not_answer_in_time_is_given_up_on(deploy: Deploy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(space_module, "TIMEOUT", 0.05)
    deploy.space.delay = 0.5
    run = deploy.plan()
    assert run.code == 3
    assert "could not reach SignalWire" in run.err and "timed out" in run.err and "(5 attempts)" in run.err
    assert deploy.waits == [0.5, 1.0, 2.0, 4.0]


def test_the_installed_script_plans_and_applies(deploy: Deploy) -> None:
    """As CI runs it: the console script, credentials in the environment, no terminal."""
    script = Path(sys.executable).parent / "confc"
    if not script.exists():
        pytest.skip("confc is not installed in this interpreter's environment")

    def confc(*argv: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [script, *argv, "configs", "--env", "prod"],
            cwd=deploy.root,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        assert TOKEN not in done.stdout + done.stderr
        return done

    planned = confc("plan", "--format", "json")
    assert planned.returncode == 1, planned.stderr
    assert [s["action"] for s in json.loads(planned.stdout)["scripts"]] == ["create"] * 3
    refused = confc("apply")
    assert refused.returncode == 2 and "--yes" in refused.stderr and deploy.space.writes() == []
    assert confc("apply", "--yes").returncode == 0
    assert confc("plan").returncode == 0


def test_other_commands_never_import_the_sdk(deploy: Deploy) -> None:
    program = (
        "import sys\n"
        "from compiler.cli import main\n"
        "for argv in (['build', 'configs', '--all-envs'], ['check', 'configs', '--all-envs'], ['validate', 'configs'],"
        " ['list', 'configs'], ['show', 'configs', 'support', '--env', 'prod', '--swml']):\n"
        "    assert main(argv) == 0, argv\n"
        "assert not [m for m in sys.modules if m.startswith('signalwire')]\n"
    )
    done = subprocess.run([sys.executable, "-c", program], cwd=deploy.root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_a_persisting_500_is_retried_with_backoff_then_reported(deploy: Deploy) -> None:
    deploy.space.fail("GET", SCRIPTS, 500, times=99, body={"error": "upstream timeout"})
    run = deploy.plan()
    assert run.code == 3
    assert "SignalWire answered 500 while listing the SWML scripts (5 attempts): upstream timeout" in run.err
    assert deploy.waits == [0.5, 1.0, 2.0, 4.0]


def test_a_429_waits_as_told_then_succeeds(deploy: Deploy) -> None:
    deploy.space.fail("GET", NUMBERS, 429, times=1, headers={"Retry-After": "7"}, body={"error": "Too Many Requests"})
    run = deploy.plan()
    assert run.code == 1, run
    assert deploy.waits == [7.0]


def test_a_429_asking_for_a_long_wait_is_reported_not_waited_out(deploy: Deploy) -> None:
    deploy.space.fail("GET", SCRIPTS, 429, headers={"Retry-After": "3600"}, body={"error": "Too Many Requests"})
    run = deploy.plan()
    assert run.code == 3
    assert "rate limiting requests (429) while listing the SWML scripts, and asks to wait 3600 s: Too Many Requests" in run.err
    assert deploy.waits == []


def test_a_create_is_not_repeated_after_a_5xx(deploy: Deploy) -> None:
    deploy.space.fail("POST", SCRIPTS, 503, times=99)
    run = deploy.apply()
    assert run.code == 3
    assert len([r for r in deploy.space.requests if r.method == "POST"]) == 1
    assert deploy.waits == []


def test_a_refused_document_names_the_script_and_is_not_retried(deploy: Deploy) -> None:
    body = {
        "errors": [
            {
                "type": "validation_error",
                "code": "invalid_parameter_value",
                "message": "contents must be valid SWML JSON",
                "attribute": "contents",
            }
        ]
    }
    deploy.space.fail("POST", SCRIPTS, 422, body=body)
    run = deploy.apply()
    assert run.code == 1
    assert "SignalWire refused creating confc:incident (422): contents: contents must be valid SWML JSON" in run.err
    assert len([r for r in deploy.space.requests if r.method == "POST"]) == 1


def test_a_failure_midway_reports_what_was_done_and_the_next_apply_converges(deploy: Deploy) -> None:
    deploy.space.fail("POST", SCRIPTS, 500, skip=1, times=1, body={"error": "boom"})
    run = deploy.apply()
    assert run.code == 3
    assert "apply stopped: SignalWire answered 500 while creating confc:standup: boom" in run.err
    assert "done: created confc:incident\n" in run.err
    assert "left: create confc:standup; create confc:support; route +15551230001 to confc:support;" in run.err
    assert deploy.space.names() == ["confc:incident"]

    rerun = deploy.apply()
    assert rerun.code == 0, rerun
    assert "unchanged  confc:incident" in rerun.out
    assert deploy.space.names() == [f"confc:{p}" for p in PROFILES]
    assert deploy.plan().code == 0


def test_pages_are_followed_in_either_form(deploy: Deploy) -> None:
    for index in range(5):
        deploy.space.add_script(f"Other {index}", {"version": "1.0.0", "sections": {"main": []}})
    applied(deploy)
    assert deploy.plan().code == 0
    listing = [r for r in deploy.space.requests if r.method == "GET" and r.path == SCRIPTS]
    assert any("page_token" in r.query for r in listing)
    deploy.space.pages_as_list = True
    assert deploy.plan().code == 0


def test_secrets_are_masked_everywhere_unless_asked_for(deploy: Deploy) -> None:
    for form in ("text", "json", "markdown"):
        run = deploy.plan("--format", form)
        assert SECRET not in run.out + run.err
    applied(deploy)
    document = deploy.document("support")
    rotated = json.loads(json.dumps(document).replace(SECRET, "old-bearer-9"))
    deploy.space.edit_in_dashboard("confc:support", rotated)
    for form in ("text", "json", "markdown"):
        run = deploy.plan("--format", form)
        assert run.code == 1  # a changed secret is still an update
        assert SECRET not in run.out and "old-bearer-9" not in run.out
    plan = json.loads(deploy.plan("--format", "json").out)
    (change,) = [s for s in plan["scripts"] if s["action"] == "update"]
    assert change["secret_only"] is True
    shown = deploy.plan("--show-secrets")
    assert (
        f"+        authorization_bearer_token: {SECRET}" in shown.out
        and "-        authorization_bearer_token: old-bearer-9" in shown.out
    )
    assert SECRET not in deploy.apply().out


def test_an_error_that_echoes_a_secret_is_masked(deploy: Deploy) -> None:
    body = {"errors": [{"message": f"stream token {SECRET} is not accepted", "attribute": "contents"}]}
    deploy.space.fail("POST", SCRIPTS, 422, skip=2, body=body)  # the third create is support's
    run = deploy.apply()
    assert run.code == 1
    assert "SignalWire refused creating confc:support (422): contents: stream token *** is not accepted" in run.err
    assert SECRET not in run.out + run.err


def test_a_second_script_of_the_same_name_is_stale(deploy: Deploy) -> None:
    applied(deploy)
    ours = deploy.space.by_name("confc:standup")["id"]
    deploy.space.add_script("confc:standup", {"version": "1.0.0", "sections": {"main": ["hangup"]}})
    run = deploy.plan("--prune")
    assert run.code == 1
    assert "unchanged  confc:standup\n" in run.out and "delete     confc:standup (a second script of that name)" in run.out
    assert deploy.apply("--prune").code == 0
    assert [s["id"] for s in deploy.space.scripts.values() if s["display_name"] == "confc:standup"] == [ours]


def test_markdown_plan_for_a_pull_request(deploy: Deploy) -> None:
    run = deploy.plan("--format", "markdown")
    assert run.out.startswith(f"### confc plan: `prod` → `{deploy.space.host}`\n")
    assert "| create | `confc:support` | `support` |" in run.out
    assert "| route | `+15551230001` | `support` | nothing |" in run.out
    assert run.out.rstrip().endswith(
        "**Plan: 3 to create, 0 to update, 0 to delete, 2 numbers to route; 0 scripts and 0 numbers unchanged.**"
    )
    assert "<summary>call flow of <code>confc:support</code>, what changed marked</summary>" in run.out


def test_the_markdown_plan_draws_a_changed_flow_with_the_change_marked(deploy: Deploy) -> None:
    applied(deploy)
    deploy.edit("profiles/standup.toml", FILES["profiles/standup.toml"] + '        [greeting]\n        say = "Hello, standup."\n')
    run = deploy.plan("--format", "markdown")
    flow = run.out.split("<summary>call flow of <code>confc:standup</code>, what changed marked</summary>", 1)[1]
    flow = flow.split("```mermaid\n", 1)[1].split("```", 1)[0]
    nodes = {line.split("[", 1)[0].strip(): line for line in flow.splitlines() if line.startswith("    n")}
    marked = flow.splitlines()[-1].removeprefix("  class ").removesuffix(" changed").split(",")
    assert [nodes[node].split("[", 1)[1] for node in marked] == ['"play say:Hello, standup."]']


def test_stale_artifacts_are_refused_before_the_space_is_asked(deploy: Deploy) -> None:
    write_repo(deploy.configs, {"profiles/standup.toml": FILES["profiles/standup.toml"].replace("30", "31")})
    for run in (deploy.plan(), deploy.apply()):
        assert run.code == 1
        assert "build/prod/standup.swml.yaml: stale (profile standup)" in run.err
        assert "what ships must be what was reviewed" in run.err
    assert deploy.space.requests == []


def test_a_malformed_deploy_table_is_refused_before_the_space_is_asked(deploy: Deploy) -> None:
    prod = FILES["environments/prod.toml"].replace("[deploy]\n", '[deploy]\n        prefix = "confc prod"\n')
    write_repo(deploy.configs, {"environments/prod.toml": prod})
    run = deploy.plan()
    assert (
        run.code == 1
        and 'deploy.prefix: must be 1 to 32 characters, each a letter, a digit or one of : . _ / -, got "confc prod"' in run.err
    )
    assert deploy.space.requests == []


def test_a_number_the_project_does_not_have_is_an_error_at_its_line(deploy: Deploy) -> None:
    deploy.space.numbers.pop()
    run = deploy.plan()
    assert run.code == 1
    assert (
        'environments/prod.toml:10: deploy.numbers."+15551230002": the project' in run.err
        and "has no phone number +15551230002" in run.err
    )


def test_numbers_may_be_written_as_people_write_them(deploy: Deploy) -> None:
    # As a role's callers may: the route is the E.164 number, and a problem stands at the key as written.
    prod = FILES["environments/prod.toml"].replace('"+15551230002" = "standup"', '"+1 (555) 123-0002" = "standup"')
    deploy.edit("environments/prod.toml", prod)
    applied(deploy)
    assert deploy.space.routed("+15551230002") == deploy.space.by_name("confc:standup")["id"]
    deploy.space.numbers.pop()
    run = deploy.plan()
    assert run.code == 1 and 'prod.toml:10: deploy.numbers."+1 (555) 123-0002": the project' in run.err
    assert "has no phone number +15551230002" in run.err
    write_repo(deploy.configs, {"environments/prod.toml": prod + '    "+1.555.123.0001" = "incident"\n'})
    run = deploy("validate", "configs", "--env", "prod")
    assert run.code == 1 and run.err.splitlines()[0] == (
        'configs/environments/prod.toml:11: deploy.numbers."+1.555.123.0001": is "+15551230001" (line 9) written again:'
        " a number routes to one profile; keep one of them"
    )


def test_two_environments_never_deploy_the_same_scripts(deploy: Deploy, signalwire: Server) -> None:
    # dev names a space of its own; a CI job's SIGNALWIRE_SPACE meant for prod would hand it prod's scripts.
    dev = FILES["environments/dev.toml"] + '[deploy]\nspace = "acme-dev.signalwire.com"\n'
    prod = FILES["environments/prod.toml"].replace("acme-prod.signalwire.com", signalwire.host)
    write_repo(deploy.configs, {"environments/dev.toml": dev, "environments/prod.toml": prod})
    assert deploy("build", "configs", "--all-envs").code == 0
    run = deploy("plan", "configs", "--env", "dev")
    assert (run.code, run.err) == (
        2,
        f"confc: error: SIGNALWIRE_SPACE names {signalwire.host}, where environment prod deploys its scripts under"
        " names this environment's prefix \"confc:\" also gives: applying dev there would replace prod's; unset"
        " SIGNALWIRE_SPACE, or give dev a prefix of its own; nothing was sent\n",
    )
    assert deploy("apply", "configs", "--env", "dev", "--yes").code == 2 and deploy.space.requests == []
    write_repo(deploy.configs, {"environments/dev.toml": dev + 'prefix = "confc-dev:"\n'})
    assert deploy("build", "configs", "--all-envs").code == 0
    assert "create     confc-dev:support" in deploy("plan", "configs", "--env", "dev").out
    # Named in the files, one space and prefixes that overlap ("confc:" starts "confc:dev/") are an error.
    write_repo(
        deploy.configs,
        {
            "environments/dev.toml": FILES["environments/dev.toml"]
            + '[deploy]\nspace = "ACME-prod.signalwire.com"\nprefix = "confc:dev/"\n',
            "environments/prod.toml": FILES["environments/prod.toml"],
        },
    )
    run = deploy("validate", "configs")
    assert run.code == 1 and run.err.splitlines()[0] == (
        "configs/environments/prod.toml:6: deploy.space: environment dev (configs/environments/dev.toml:4) deploys to"
        ' this space too, and prefixes "confc:dev/" and "confc:" name the same scripts: each environment would replace'
        ' (or prune) the other\'s; give each a prefix of its own, such as prefix = "confc-prod:"'
    )
    # An environment file copied from another, [deploy] and all: one prefix, said once.
    write_repo(
        deploy.configs,
        {"environments/dev.toml": FILES["environments/dev.toml"], "environments/qa.toml": FILES["environments/prod.toml"]},
    )
    assert 'and the prefix "confc:" names the same scripts' in deploy("validate", "configs").err


def test_usage_errors_come_before_any_request(deploy: Deploy, monkeypatch: pytest.MonkeyPatch) -> None:
    no_terminal = deploy("apply", "configs", "--env", "prod")
    assert no_terminal.code == 2 and "--yes" in no_terminal.err
    assert deploy("plan", "configs", "--env", "qa").code == 2
    monkeypatch.setenv("SIGNALWIRE_SPACE", "https://acme.signalwire.com")
    wrong = deploy.plan()
    assert wrong.code == 2 and "SIGNALWIRE_SPACE must be the space's host name" in wrong.err
    monkeypatch.delenv("SIGNALWIRE_SPACE")
    nowhere = deploy("plan", "configs", "--env", "dev")
    assert (
        nowhere.code == 2
        and "no space to deploy dev to: set space in the [deploy] table of configs/environments/dev.toml" in nowhere.err
    )
    monkeypatch.delenv("SIGNALWIRE_API_TOKEN")
    missing = deploy.plan()
    assert missing.code == 2 and "SIGNALWIRE_API_TOKEN is not set" in missing.err
    monkeypatch.setitem(sys.modules, "signalwire.rest", None)  # the deploy extra is not installed
    extra = deploy.plan()
    assert extra.code == 2 and "pip install 'confc[deploy]'" in extra.err
    assert deploy.space.requests == []


def test_an_unreachable_space_exits_3(deploy: Deploy, monkeypatch: pytest.MonkeyPatch) -> None:
    closed = Server()
    host = closed.host
    closed.close()
    monkeypatch.setenv("SIGNALWIRE_SPACE", host)
    run = deploy.plan()
    assert run.code == 3 and f"could not reach SignalWire at http://{host}" in run.err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_apply_asks_on_a_terminal(deploy: Deploy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal("no\n"))
    declined = deploy("apply", "configs", "--env", "prod")
    assert declined.code == 1 and "Type yes to go on" in declined.err and "nothing was changed" in declined.err
    assert "create     confc:support" in declined.out and deploy.space.writes() == []
    monkeypatch.setattr(sys, "stdin", Terminal("yes\n"))
    accepted = deploy("apply", "configs", "--env", "prod")
    assert accepted.code == 0 and len(deploy.space.names()) == 3


def test_the_deploy_table_is_validated_with_the_rest(make_repo: Callable[..., Path], cli: Callable[..., Run]) -> None:
    make_repo(
        {
            "environments/prod.toml": """
                [deploy]
                space = "https://acme.signalwire.com"
                prefix = "confc prod:"
                [deploy.numbers]
                "+15551230001" = "standups"
                "+15551230002" = "base"
                "5550100" = "standup"
            """,
            "profiles/base.toml": "abstract = true\n",
            "profiles/standup.toml": 'extends = "base"\n[conference]\nname = "standup"\n',
        }
    )
    run = cli("validate", "configs")
    assert run.code == 1
    assert 'prod.toml:2: deploy.space: must be the space\'s host name, such as "acme.signalwire.com"' in run.err
    assert "prod.toml:3: deploy.prefix: must be 1 to 32 characters" in run.err
    assert (
        'prod.toml:5: deploy.numbers."+15551230001": routes to "standups", which is not a profile (did you mean "standup"?)'
        in run.err
    )
    assert 'prod.toml:6: deploy.numbers."+15551230002": routes to "base", which is abstract' in run.err
    assert 'prod.toml:7: deploy.numbers.5550100: "5550100" is not an E.164 phone number' in run.err
    assert "(spaces, dashes, dots and parentheses may separate them)" in run.err
