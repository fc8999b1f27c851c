"""Roles and the PIN dialogue: the language, the flow the built-in template compiles, and its proof."""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import one_profile
from hypothesis import given, settings
from hypothesis import strategies as st

import compiler
from compiler.calls import simulate

ALL_HANDS = """
    [greeting]
    say = "Welcome to the all-hands."

    [conference]
    name = "all-hands-{{ env.name }}"
    muted = true
    start_on_enter = false

    [access]
    prompt = "Please enter your meeting PIN, then press pound."
    attempts = 2

    [roles.host]
    pin = "908172"
    [roles.host.greeting]
    say = "Welcome, host."
    [roles.host.conference]
    muted = false
    start_on_enter = true
    end_on_exit = true

    [roles.attendee]
    pin = ["4455", "0044"]

    [env.prod.roles.attendee.conference]
    beep = false
"""


def test_simulate_a_host_an_attendee_and_a_stranger(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/all-hands.toml": ALL_HANDS})
    host = cli("simulate", "configs", "all-hands", "--env", "prod", "--digits", "908172")
    assert (host.code, host.err) == (0, "")
    assert host.out == textwrap.dedent(
        """\
          1. main  answer           answered
          2. main  play             played say:Welcome to the all-hands.
          3. main  prompt           asked for digits; the caller entered '908172': prompt_value = '908172', prompt_result = match_digits
          4. main  switch           prompt_value is '908172': case '908172'
          5. main  transfer         transferred to section host
          6. host  play             played say:Welcome, host.
          7. host  join_conference  joined conference 'all-hands-prod'
          8. host  hangup           hung up
        joined in section host: {"name": "all-hands-prod", "muted": false, "start_on_enter": true, "end_on_exit": true}
        end: hangup
        """
    )
    attendee = json.loads(cli("simulate", "configs", "all-hands", "--env", "prod", "--digits", "0044#", "--format", "json").out)
    assert attendee["joins"] == [
        {"section": "attendee", "conference": {"name": "all-hands-prod", "muted": True, "beep": "false", "start_on_enter": False}}
    ]
    assert attendee["end"] == "hangup"
    assert {"section", "method"} <= set(attendee["steps"][0])
    stranger = json.loads(
        cli("simulate", "configs", "all-hands", "--env", "dev", "--digits", "44", "--digits", "123", "--format", "json").out
    )
    assert stranger["joins"] == [] and stranger["end"] == "hangup"
    assert [s["did"] for s in stranger["steps"] if s["method"] == "play"] == [
        "played say:Welcome to the all-hands.",
        "played say:That PIN was not recognised.",
        "played say:Goodbye.",
    ]


def test_list_names_the_roles_a_profile_declares(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/all-hands.toml": ALL_HANDS})
    assert cli("list", "configs").out.splitlines()[1] == "  all-hands  roles host, attendee"


def test_list_names_the_roles_a_profile_inherits_and_leaves_out_those_it_unsets(
    make_repo: Callable[..., Path], cli: Callable
) -> None:
    make_repo(
        {
            "profiles/all-hands.toml": ALL_HANDS,
            "profiles/town-hall.toml": 'extends = "all-hands"\n[roles.host.conference]\nmuted = true\n',
            "profiles/briefing.toml": 'extends = "town-hall"\nunset = ["roles.attendee"]\n[roles.press]\npin = "777"\n',
        }
    )
    listed = json.loads(cli("list", "configs", "--format", "json").out)
    assert {p["id"]: p["roles"] for p in listed["profiles"]} == {
        "all-hands": ["host", "attendee"],
        "briefing": ["host", "press"],
        "town-hall": ["host", "attendee"],
    }


def test_a_pin_is_compared_as_a_string(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/all-hands.toml": ALL_HANDS})
    run = json.loads(
        cli("simulate", "configs", "all-hands", "--env", "dev", "--digits", "44", "--digits", "44", "--format", "json").out
    )
    assert run["joins"] == []  # "44" is not "0044"


def test_roles_merge_unset_and_inherit_like_every_table(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {
            "profiles/base.toml": "abstract = true\n" + textwrap.dedent(ALL_HANDS),
            "profiles/board.toml": 'extends = "base"\nunset = ["roles.attendee"]\n[roles.host]\npin = "{{ 1000 + 234 }}"\n',
        }
    )
    values = compiler.resolve(repo, "board", "prod")
    assert list(values["roles"]) == ["host"]
    assert values["roles"]["host"]["pin"] == "1234"
    assert values["roles"]["host"]["conference"] == {"muted": False, "start_on_enter": True, "end_on_exit": True}
    story = compiler.explain(repo, "board", "prod", "roles.host.pin")
    assert [step.value for step in story.steps] == ["908172", "{{ 1000 + 234 }}"] and story.final == "1234"


def test_access_from_an_environment_applies_to_profiles_with_roles_only(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(
        {
            "environments/dev.toml": '[defaults.access]\nattempts = 1\ngoodbye = "Bye."\n',
            "profiles/plain.toml": '[conference]\nname = "plain"\n',
            "profiles/all-hands.toml": ALL_HANDS,
        }
    )
    assert cli("validate", "configs", "--env", "dev").code == 0
    run = json.loads(cli("simulate", "configs", "all-hands", "--env", "dev", "--digits", "9", "--format", "json").out)
    methods = [s["method"] for s in run["steps"]]
    assert methods.count("prompt") == 2 and methods[-3:] == ["switch", "play", "hangup"]  # attempts = 2 in the profile beats 1
    assert "Bye." in run["steps"][-2]["did"]


def test_simulate_takes_only_what_a_keypad_sends_and_never_echoes_it(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/all-hands.toml": ALL_HANDS})
    run = cli("simulate", "configs", "all-hands", "--env", "prod", "--digits", "4455", "--digits", "90817 2")
    assert (run.code, run.out) == (2, "")
    assert run.err == "confc: error: --digits (entry 2): a keypad sends only 0-9, * and #, such as 908172#\n"


def test_a_policy_checks_every_roles_join(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(
        {"environments/prod.toml": '[rules]\n"conference.muted" = { allowed = [true] }\n', "profiles/all-hands.toml": ALL_HANDS}
    )
    run = cli("validate", "configs", "--env", "prod")
    assert run.err == (
        "configs/profiles/all-hands.toml:18: roles.host.conference.muted: false is not accepted; use one of true for role host "
        "(rule at configs/environments/prod.toml:2) (profile all-hands, env prod)\n"
    )


def test_calls_that_go_wrong_alike_are_one_problem(make_repo: Callable[..., Path], cli: Callable) -> None:
    # The role's greeting is left out: each of the host's calls (its PIN, its phone, its PIN from a withheld number)
    # misses it the same way, and is named in one problem.
    template = (Path(compiler.__file__).parent.parent / "templates/conference.j2").read_text()
    make_repo(
        {
            "profiles/all-hands.toml": ALL_HANDS.replace('pin = "908172"', 'pin = "908172"\n    callers = "+15551230001"'),
            "templates/conference.j2": template.replace("{%- if role.greeting %}", "{%- if false %}"),
        }
    )
    run = cli("validate", "configs", "--env", "dev")
    assert (run.code, run.err) == (
        1,
        "configs/templates/conference.j2: the rendered document does not do what the profile says: a caller from"
        ' +15551230001 (role host) and a caller with PIN "908172" (role host) and a caller who withholds their number,'
        ' with PIN "908172" (role host): does not hear the greeting ("say:Welcome to the all-hands."), then the role\'s'
        ' greeting ("say:Welcome, host.") before joining'
        " (profile all-hands, env dev)\n",
    )


def test_a_template_that_breaks_the_flow_names_the_role_and_the_key(make_repo: Callable[..., Path], cli: Callable) -> None:
    template = (Path(compiler.__file__).parent.parent / "templates/conference.j2").read_text()
    make_repo(
        {
            "profiles/all-hands.toml": ALL_HANDS,
            "templates/conference.j2": template.replace("{{ role.join | yaml(8) }}", "{{ profile.conference | yaml(8) }}"),
        }
    )
    run = cli("validate", "configs", "--env", "dev")
    assert run.code == 1
    assert run.err == (
        "configs/templates/conference.j2: the rendered document does not do what the profile says: "
        'a caller with PIN "908172" (role host): joins with muted = true instead of false; start_on_enter = false instead of true; '
        "no end_on_exit (the role's is true) (profile all-hands, env dev)\n"
    )


def test_a_template_that_ignores_the_greeting_is_refused(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(
        {
            "profiles/p.toml": '[greeting]\nsay = "Hello"\n[conference]\nname = "p"\n',
            "templates/conference.j2": "version: 1.0.0\nsections:\n  main:\n    - join_conference:\n        {{ profile.conference | yaml(8) }}\n",
        }
    )
    run = cli("validate", "configs", "--env", "dev")
    assert run.err == (
        "configs/templates/conference.j2: the rendered document does not do what the profile says: "
        'a caller does not hear the greeting ("say:Hello") before joining (profile p, env dev)\n'
    )


def test_a_misspelled_method_or_parameter_in_a_template_is_found_on_its_line(
    make_repo: Callable[..., Path], cli: Callable, tmp_path: Path
) -> None:
    make_repo(
        {
            "profiles/p.toml": '[conference]\nname = "p"\n',
            "templates/conference.j2": (
                'version: 1.0.0\nsections:\n  main:\n    - prompt:\n        play: "say:PIN?"\n        max_digit: 4\n'
                "    - join_conference:\n        {{ profile.conference | yaml(8) }}\n    - hangpu: {}\n"
            ),
        }
    )
    run = cli("validate", "configs", "--env", "dev")
    assert run.err == (
        "configs/templates/conference.j2:6: the rendered document is not valid SWML: sections.main.0.prompt.max_digit: "
        'unknown key (did you mean "max_digits"?); accepted: digit_timeout, initial_timeout, max_digits, play, say_gender, say_language, '
        "say_voice, speech_end_timeout, speech_engine, speech_hints, speech_language, speech_timeout, status_url, terminators, volume (profile p, env dev)\n"
        'configs/templates/conference.j2:9: the rendered document is not valid SWML: sections.main.2: unknown SWML method "hangpu" '
        '(did you mean "hangup"?) (profile p, env dev)\n'
    )
    # A problem of the whole document has no key path to name.
    (tmp_path / "configs/templates/conference.j2").write_text("[]\n")
    run = cli("validate", "configs", "--env", "dev")
    assert run.err == (
        "configs/templates/conference.j2: the rendered document is not valid SWML: the document must start with "
        'version: "1.0.0" (profile p, env dev)\n'
    )


def test_a_profile_without_roles_keeps_its_artifact(make_repo: Callable[..., Path], cli: Callable, tmp_path: Path) -> None:
    make_repo({"profiles/p.toml": '[greeting]\nsay = "Hi"\n[conference]\nname = "p"\n'})
    assert cli("build", "configs", "--env", "dev").code == 0
    assert (tmp_path / "build/dev/p.swml.yaml").read_text().split("\n", 1)[1] == (
        "version: 1.0.0\nsections:\n  main:\n    - play:\n        url: say:Hi\n    - join_conference:\n        name: p\n"
    )


pins = st.text("0123456789", min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(
    roles=st.dictionaries(
        st.sampled_from(["host", "attendee", "guest", "cohost"]),
        st.lists(pins, min_size=1, max_size=3, unique=True),
        min_size=1,
        max_size=4,
    ),
    attempts=st.integers(1, 10),
    muted=st.booleans(),
)
def test_every_pin_reaches_its_roles_join_and_wrong_pins_hang_up(
    roles: dict[str, list[str]], attempts: int, muted: bool, tmp_path_factory
) -> None:  # type: ignore[no-untyped-def]
    taken: set[str] = set()
    roles = {name: [p for p in codes if not (p in taken or taken.add(p))] for name, codes in roles.items()}  # type: ignore[func-returns-value]
    roles = {name: codes for name, codes in roles.items() if codes}
    body = f'[conference]\nname = "c"\nmuted = {str(muted).lower()}\n[access]\nattempts = {attempts}\n'
    for index, (name, codes) in enumerate(roles.items()):
        body += f"[roles.{name}]\npin = {json.dumps(codes)}\n[roles.{name}.conference]\nmax_participants = {index + 2}\n"
    repo = tmp_path_factory.mktemp("roles")
    document, values = one_profile(repo, body)
    for index, (name, codes) in enumerate(roles.items()):
        for pin in codes:
            call = simulate(document, [pin])
            assert [dict(j.conference) for j in call.joins] == [{"name": "c", "muted": muted, "max_participants": index + 2}], (
                name,
                pin,
            )
            assert call.end == "hangup"
    wrong = next(str(n) for n in range(10**6) if str(n) not in {p for codes in roles.values() for p in codes})
    call = compiler.simulate(repo, "p", "dev", [wrong] * (attempts + 2))
    assert (call.joins, call.end, call.prompts) == ((), "hangup", attempts)
    assert values["access"] == {"attempts": attempts}


def test_the_readme_template_example_builds_and_does_what_it_says(tmp_path: Path, cli: Callable) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    template = readme.split("```jinja\n", 1)[1].split("```", 1)[0]
    assert template.startswith("{#- templates/announced.j2")
    repo = tmp_path / "configs"
    shutil.copytree(Path(__file__).resolve().parent.parent / "configs", repo)
    (repo / "templates").mkdir()
    (repo / "templates/announced.j2").write_text(template, encoding="utf-8")
    profile = repo / "profiles/all-hands.toml"
    profile.write_text(
        profile.read_text().replace(
            'description = "Company all-hands"\n',
            'description = "Company all-hands"\ntemplate = "announced"\n[vars]\nrecording_notice = "This meeting is recorded."\n',
        )
    )
    assert cli("validate", "configs").code == 0
    run = json.loads(cli("simulate", "configs", "all-hands", "--env", "prod", "--digits", "4455", "--format", "json").out)
    assert [s["did"] for s in run["steps"] if s["method"] == "play"][:2] == [
        "played say:Welcome to the all-hands.",
        "played say:This meeting is recorded.",
    ]
    assert [j["section"] for j in run["joins"]] == ["attendee"]


def test_the_simulator_stops_at_what_it_cannot_run_and_names_it(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(
        {
            "profiles/p.toml": (
                '[conference]\nname = "p"\n[conference.result]\nvariable = "return_value"\n'
                '[conference.result.case]\nfailed = [{ request = { url = "https://e.com/page", method = "POST" } }, { hangup = {} }]\n'
            )
        }
    )
    run = json.loads(cli("simulate", "configs", "p", "--env", "dev", "--result", "failed", "--format", "json").out)
    assert (
        run["end"]
        == "stopped: cannot simulate the request method (at sections.main.0.join_conference.result.case.failed.0.request)"
    )
    assert (
        json.loads(cli("simulate", "configs", "p", "--env", "dev", "--result", "completed", "--format", "json").out)["end"]
        == "error: relay_script_method_no_matching_condition (a switch matched no case and has no default)"
    )  # a result is a switch, and SignalWire ends a switch that matches nothing and has no default with this error
    assert cli("simulate", "configs", "p", "--env", "dev", "--result", "lost").code == 2
    # Without a result the conference has not ended: the caller is in it, not at the end of the document.
    waiting = cli("simulate", "configs", "p", "--env", "dev")
    assert waiting.out.splitlines()[-2:] == [
        'joined in section main: {"name": "p", "result": {"variable": "return_value", "case": {"failed": [{"request": {"url": "https://e.com/page", "method": "POST"}}, {"hangup": {}}]}}}',
        "end: still in the conference",
    ]


def test_simulate_reports_the_digits_no_prompt_asked_for(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/all-hands.toml": ALL_HANDS})
    run = cli("simulate", "configs", "all-hands", "--env", "prod", "--digits", "908172", "--digits", "4455")
    assert run.out.splitlines()[-2:] == ["end: hangup", "digits not used: '4455' (no prompt asked for them)"]
    as_json = json.loads(cli("simulate", "configs", "all-hands", "--env", "prod", "--digits", "4455", "--format", "json").out)
    assert as_json["unused_digits"] == []
    entries = ["--digits", "1", "--digits", "2", "--digits", "3", "--format", "json"]
    plain = json.loads(cli("simulate", "configs", "all-hands", "--env", "prod", *entries).out)
    assert plain["unused_digits"] == ["3"]  # attempts = 2: the third entry is never asked for


def test_show_and_explain_a_role_through_the_command_line(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/all-hands.toml": ALL_HANDS})
    shown = cli("show", "configs", "all-hands", "--env", "prod")
    assert '[roles.attendee]\npin = [\n    "4455",\n    "0044",\n]\n\n[roles.attendee.conference]\nbeep = "false"\n' in shown.out
    explained = cli("explain", "configs", "all-hands", "roles.attendee.conference.beep", "--env", "prod")
    assert explained.out.splitlines()[1:] == [
        "  1. configs/profiles/all-hands.toml:26 [env.prod]  roles.attendee.conference.beep = false",
        'final: "false"',
    ]
    # A key the role leaves to the profile's conference: the trace is the role's, and says where its join takes it.
    explained = cli("explain", "configs", "all-hands", "roles.attendee.conference.muted", "--env", "prod")
    assert (explained.code, explained.out) == (
        0,
        "roles.attendee.conference.muted for profile all-hands, env prod: not set by any layer\n"
        "role attendee joins with conference.muted = true from the profile's conference"
        " (confc explain configs all-hands conference.muted --env prod traces it)\n",
    )
    # A dialogue key left to confc says what it is: the prompt the caller hears again after a wrong PIN.
    explained = cli("explain", "configs", "all-hands", "access.retry", "--env", "prod")
    assert explained.out == (
        "access.retry for profile all-hands, env prod: not set by any layer;"
        ' confc\'s default applies: "That PIN was not recognised."\n'
    )
    as_json = json.loads(
        cli("explain", "configs", "all-hands", "roles.attendee.conference.beep", "--env", "dev", "--format", "json").out
    )
    assert (as_json["steps"], as_json["final"], "joins_with" in as_json) == ([], None, False)  # SignalWire's default
    as_json = json.loads(
        cli("explain", "configs", "all-hands", "roles.attendee.conference.start_on_enter", "--env", "dev", "--format", "json").out
    )
    assert as_json["joins_with"] == {"key": "conference.start_on_enter", "value": False}
    assert "joins with" not in cli("explain", "configs", "all-hands", "roles.host.conference.muted", "--env", "prod").out
    # A role the profile does not have is a mistake, not a key left unset.
    run = cli("explain", "configs", "all-hands", "roles.atendee.conference.muted", "--env", "prod")
    assert (run.code, run.err) == (
        1,
        "roles.atendee.conference.muted: the profile has no role atendee in this environment (it has roles attendee, host)"
        ' (did you mean "attendee"?) (profile all-hands, env prod)\n',
    )
    # A misspelt key of a role is matched among that role's keys, not another role's or the shared table's.
    run = cli("explain", "configs", "all-hands", "roles.attendee.conference.mutd", "--env", "prod")
    assert (run.code, run.err) == (
        1,
        "roles.attendee.conference.mutd: no layer sets or unsets this key, and it is not a key of the profile format"
        ' (did you mean "roles.attendee.conference.muted"?) (profile all-hands, env prod)\n',
    )
    run = cli("explain", "configs", "all-hands", "roles.attendee.conference.name", "--env", "prod")
    assert (run.code, run.err) == (
        1,
        "roles.attendee.conference.name: a role sets no conference name: all roles join the one conference, which"
        " conference.name names (explain that key to trace it) (profile all-hands, env prod)\n",
    )
    run = cli("build", "configs", "--env", "prod", "--set", "roles.host.conference.end_on_exti=false")
    assert (run.code, run.err.splitlines()[-1]) == (
        2,
        'confc: error: --set roles.host.conference.end_on_exti=false: "roles.host.conference.end_on_exti" is not a key'
        ' of the profile format (did you mean "roles.host.conference.end_on_exit"?)',
    )
    make_repo({"profiles/all-hands.toml": ALL_HANDS, "profiles/plain.toml": '[conference]\nname = "plain"\n'})
    run = cli("explain", "configs", "plain", "roles.host", "--env", "prod")
    assert (run.code, run.err) == (
        1,
        "roles.host: the profile has no role host in this environment (it has no roles) (profile plain, env prod)\n",
    )


def test_a_policy_broken_alike_in_every_role_is_one_message(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(
        {
            "environments/prod.toml": '[rules]\n"conference.start_on_enter" = { allowed = [true] }\n',
            "profiles/all-hands.toml": ALL_HANDS,
        }
    )
    run = cli("validate", "configs", "--env", "prod")
    assert run.err == (
        "configs/profiles/all-hands.toml:7: conference.start_on_enter: false is not accepted; use one of true for role attendee "
        "(rule at configs/environments/prod.toml:2) (profile all-hands, env prod)\n"
    )
    make_repo(
        {
            "environments/prod.toml": '[rules]\n"conference.muted" = { required = true, allowed = [false] }\n',
            "profiles/all-hands.toml": ALL_HANDS,
        }
    )
    assert "false is not accepted; use one of false for role attendee" not in cli("validate", "configs", "--env", "prod").err
    make_repo(
        {"environments/prod.toml": '[rules]\n"conference.region" = { required = true }\n', "profiles/all-hands.toml": ALL_HANDS}
    )
    assert cli("validate", "configs", "--env", "prod").err == (
        "configs/profiles/all-hands.toml:4: conference.region: is required for roles host, attendee by the rule at "
        "configs/environments/prod.toml:2 (profile all-hands, env prod)\n"
    )


# The shape real repositories have: hooks set per environment, a callback in a base two parents up,
# and roles that change only the keys they care about.
INHERITED = {
    "profiles/base.toml": """
        abstract = true
        [conference]
        status_callback = "{{ vars.hooks }}/conference"
    """,
    "profiles/meeting.toml": """
        abstract = true
        extends = "base"
        [conference]
        muted = true
        start_on_enter = false
    """,
    "profiles/all-hands.toml": """
        extends = "meeting"
        [conference]
        name = "all-hands-{{ env.name }}"
        [roles.host]
        pin = "908172"
        [roles.host.conference]
        muted = false
        start_on_enter = true
        [roles.attendee]
        pin = "4455"
        [roles.attendee.conference]
        status_callback_event = ["join", "leave"]
        [env.prod.roles.attendee.conference]
        beep = false
    """,
}


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        # Inherited from base two parents up, through the profile's conference: the role joins with it.
        ('"roles.attendee.conference.status_callback" = { required = true, regex = "https://.*" }', ""),
        ('"roles.*.conference.muted" = { required = true }', ""),
        (
            '"roles.attendee.conference.muted" = { allowed = [false] }',
            "configs/profiles/meeting.toml:4: conference.muted: true is not accepted; use one of false for role attendee",
        ),
        (
            '"roles.*.conference.status_callback" = { regex = "https://hooks.internal/.*" }',
            "configs/environments/prod.toml:2: vars.hooks: conference.status_callback must match the pattern"
            ' "https://hooks.internal/.*" (as a whole) for roles host, attendee (rule at configs/environments/prod.toml:5):'
            ' it comes from this variable, used in "{{ vars.hooks }}/conference" at configs/profiles/base.toml:3',
        ),
        (
            '"roles.*.conference.wait_url" = { required = true }',
            "configs/profiles/all-hands.toml:2: conference.wait_url: is required for roles host, attendee",
        ),
        (
            '"roles.attendee.conference.beep" = { allowed = ["onEnter"] }',
            'configs/profiles/all-hands.toml:14: roles.attendee.conference.beep: "false" is not accepted; use one of "onEnter"'
            " for role attendee",
        ),
    ],
)
def test_a_rule_on_a_roles_conference_key_checks_the_join_the_role_makes(
    make_repo: Callable[..., Path], cli: Callable, rule: str, said: str
) -> None:
    make_repo({**INHERITED, "environments/prod.toml": f'[vars]\nhooks = "https://hooks.example.com"\n\n[rules]\n{rule}\n'})
    run = cli("validate", "configs", "--env", "prod")
    assert run.code == (1 if said else 0), run.err
    assert run.err.startswith(said or "configs: 1 profile(s) valid"), run.err
    assert len(run.err.splitlines()) == 1  # one message, whichever roles it holds for


def test_a_roles_join_has_what_it_inherits(make_repo: Callable[..., Path], cli: Callable, tmp_path: Path) -> None:
    make_repo(INHERITED)
    assert cli("validate", "configs").code == 0
    assert cli("build", "configs", "--all-envs").code == 0
    assert (tmp_path / "build/prod/all-hands.swml.yaml").is_file()
    joins = {
        pin: json.loads(cli("simulate", "configs", "all-hands", "--env", "prod", "--digits", pin, "--format", "json").out)[
            "joins"
        ]
        for pin in ("908172", "4455")
    }
    assert joins == {
        "908172": [
            {
                "section": "host",
                "conference": {
                    "name": "all-hands-prod",
                    "muted": False,
                    "start_on_enter": True,
                    "status_callback": "https://hooks.example.com/conference",
                },
            }
        ],
        "4455": [
            {
                "section": "attendee",
                "conference": {
                    "name": "all-hands-prod",
                    "muted": True,
                    "beep": "false",
                    "start_on_enter": False,
                    "status_callback_event": "join leave",
                    "status_callback": "https://hooks.example.com/conference",
                },
            }
        ],
    }
    assert cli("explain", "configs", "all-hands", "roles.attendee.conference.beep", "--env", "prod").code == 0


def test_what_a_join_needs_is_reported_where_it_is_missing(make_repo: Callable[..., Path], cli: Callable, tmp_path: Path) -> None:
    make_repo(
        {
            **INHERITED,
            "profiles/base.toml": '[conference]\nname = "base"\nstatus_callback_method = "POST"\n',
            "profiles/all-hands.toml": INHERITED["profiles/all-hands.toml"].replace(
                "start_on_enter = true", 'start_on_enter = true\n    status_callback = "https://h.example.com"'
            )
            + '    [roles.host.conference.stream]\n    url = "wss://s.example.com"\n    status_url_method = "GET"\n',
        }
    )
    run = cli("build", "configs", "--env", "prod")
    assert run.code == 1 and not (tmp_path / "build").exists()
    assert run.err.splitlines() == [
        "configs/profiles/all-hands.toml:13: roles.attendee.conference.status_callback_event: needs status_callback to be set as well (profile all-hands, env prod)",
        "configs/profiles/all-hands.toml:18: roles.host.conference.stream.status_url_method: needs status_url to be set as well (profile all-hands, env prod)",
        "configs/profiles/base.toml:3: conference.status_callback_method: needs status_callback to be set as well for role attendee (profile all-hands, env prod)",
        # Without roles, [conference] is the join: base, a profile of its own, breaks the same rule by itself.
        "configs/profiles/base.toml:3: conference.status_callback_method: needs status_callback to be set as well (profile base, env prod)",
    ]


def test_a_key_a_join_needs_that_an_environment_unsets_names_the_unset(
    make_repo: Callable[..., Path], cli: Callable, tmp_path: Path
) -> None:
    # The callback two parents up, unset in dev by the parent between; the attendee sets its own events.
    make_repo(
        {
            "profiles/base.toml": 'abstract = true\n[conference]\nstatus_callback = "https://h.example.com"\n',
            "profiles/quiet.toml": (
                'abstract = true\nextends = "base"\n\n[env.dev]\nunset = [\n    "conference.status_callback",\n]\n'
            ),
            "profiles/all-hands.toml": (
                'extends = "quiet"\n[conference]\nname = "all-hands"\n[roles.host]\npin = "1234"\n'
                '[roles.attendee]\npin = "5678"\n[roles.attendee.conference]\nstatus_callback_event = ["join"]\n'
            ),
        }
    )
    assert cli("validate", "configs", "--env", "prod").code == 0
    run = cli("validate", "configs", "--env", "dev")
    assert run.code == 1
    assert run.err.splitlines() == [
        "configs/profiles/all-hands.toml:9: roles.attendee.conference.status_callback_event: needs status_callback to be set"
        " as well (configs/profiles/quiet.toml:6 unsets conference.status_callback in [env.dev]) (profile all-hands, env dev)"
    ]


def test_an_environment_that_unsets_the_roles_is_told_to_unset_access_there_too(
    make_repo: Callable[..., Path], cli: Callable
) -> None:
    # The line's parent asks for PINs; dev takes the roles away in the leaf, and the inherited [access] is left over.
    make_repo(
        {
            "profiles/line.toml": 'abstract = true\n[access]\nattempts = 2\n[roles.host]\npin = "1234"\n',
            "profiles/all-hands.toml": 'extends = "line"\n[conference]\nname = "a"\n\n[env.dev]\nunset = ["roles"]\n',
        }
    )
    run = cli("validate", "configs", "--env", "dev")
    assert (run.code, run.err) == (
        1,
        'configs/profiles/all-hands.toml:6: unset: access needs roles, and this unset of roles leaves none: unset "access"'
        " here too (profile all-hands, env dev)\n",
    )
    make_repo(
        {"profiles/all-hands.toml": 'extends = "line"\n[conference]\nname = "a"\n\n[env.dev]\nunset = ["roles", "access"]\n'}
    )
    assert cli("validate", "configs", "--env", "dev").code == 0


def test_a_pin_two_roles_share_names_where_the_other_role_got_it(make_repo: Callable[..., Path], cli: Callable) -> None:
    # The host's PIN is a variable two files away: set in the staging environment, used in a parent's role.
    make_repo(
        {
            "environments/dev.toml": '[vars]\nhost_pin = "11"\n',
            "environments/staging.toml": '[vars]\nhost_pin = "22"\n',
            "profiles/common.toml": 'abstract = true\n[conference]\nname = "line"\n\n[roles.host]\npin = "{{ env.vars.host_pin }}"\n',
            "profiles/sales.toml": 'extends = "common"\n\n[roles.guest]\npin = "22"\n',
        },
        envs=False,
    )
    run = cli("validate", "configs")
    assert run.code == 1
    assert run.err.splitlines() == [
        'configs/profiles/sales.toml:4: roles.guest.pin: PIN "22" is also a PIN of role host (at configs/profiles/common.toml:6,'
        " from vars.host_pin at configs/environments/staging.toml:2): a PIN must say who the caller is (profile sales, env staging)"
    ]


# A table inside the join (stream) merges key by key, recursively, as every layer does (SPEC 3): a role that
# names its own stream keeps the url its profile inherits two parents up.
STREAMED = {
    "profiles/base.toml": """
        abstract = true
        [conference.stream]
        url = "wss://stream.example.com/{{ env.name }}"
        status_url = "https://hooks.example.com/stream"
    """,
    "profiles/meeting.toml": 'abstract = true\nextends = "base"\n[conference.stream]\nname = "meeting"\n',
    "profiles/all-hands.toml": """
        extends = "meeting"
        [conference]
        name = "all-hands"
        [roles.host]
        pin = "908172"
        [roles.host.conference.stream]
        name = "host"
        status_url_method = "POST"
        [roles.attendee]
        pin = "4455"
        [env.prod.roles.attendee.conference.stream.custom_parameters]
        seat = "attendee"
    """,
}


def test_a_roles_stream_merges_over_the_one_it_inherits(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(STREAMED)
    assert cli("build", "configs", "--all-envs").code == 0

    def stream(pin: str) -> object:
        call = json.loads(cli("simulate", "configs", "all-hands", "--env", "prod", "--digits", pin, "--format", "json").out)
        return call["joins"][0]["conference"]["stream"]

    shared = {"url": "wss://stream.example.com/prod", "status_url": "https://hooks.example.com/stream"}
    assert stream("908172") == {**shared, "name": "host", "status_url_method": "POST"}
    assert stream("4455") == {**shared, "name": "meeting", "custom_parameters": {"seat": "attendee"}}
    explained = cli("explain", "configs", "all-hands", "roles.host.conference.stream.url", "--env", "prod").out
    assert explained.splitlines()[-1] == (
        'role host joins with conference.stream.url = "wss://stream.example.com/prod" from the profile\'s conference'
        " (confc explain configs all-hands conference.stream.url --env prod traces it)"
    )
    # A policy on a key of the stream reads every role's effective join.
    make_repo({**STREAMED, "environments/prod.toml": '[rules]\n"conference.stream.name" = { allowed = ["meeting"] }\n'})
    run = cli("validate", "configs", "--env", "prod")
    assert (run.code, run.err) == (
        1,
        'configs/profiles/all-hands.toml:7: roles.host.conference.stream.name: "host" is not accepted; use one of "meeting"'
        " for role host (rule at configs/environments/prod.toml:2) (profile all-hands, env prod)\n",
    )


@pytest.mark.parametrize(
    ("shared", "host", "message"),
    [
        ("", 'name = "x"', "configs/profiles/p.toml:5: roles.host.conference.stream.url: is required"),
        (
            'name = "s"',
            'url = "wss://a.example.com"',
            "configs/profiles/p.toml:3: conference.stream.url: is required for role guest",
        ),
        (
            'url = "wss://a.example.com"',
            'status_url_method = "POST"',
            "configs/profiles/p.toml:8: roles.host.conference.stream.status_url_method: needs status_url to be set as well",
        ),
        ('name = "s"', "", "configs/profiles/p.toml:3: conference.stream.url: is required for roles host, guest"),
    ],
)
def test_what_a_stream_requires_holds_for_each_roles_join(
    make_repo: Callable[..., Path], cli: Callable, shared: str, host: str, message: str
) -> None:
    stream = f"[conference.stream]\n{shared}\n" if shared else ""
    own = f"[roles.host.conference.stream]\n{host}\n" if host else ""
    profile = f'[conference]\nname = "p"\n{stream}[roles.host]\npin = "1234"\n{own}[roles.guest]\npin = "5678"\n'
    make_repo({"profiles/p.toml": profile})
    run = cli("validate", "configs", "--env", "dev")
    assert (run.code, run.err) == (1, f"{message} (profile p, env dev)\n"), profile
