"""Caller-ID roles: a listed number joins as its role without the PIN dialogue; access.callers = "listed" refuses the rest."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import one_profile
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.calls import WITHHELD, simulate

# A realistic all-hands: a base sets the callback, hosts are known by number, attendees by PIN.
ALL_HANDS = {
    "profiles/base.toml": ('abstract = true\n[conference]\nstatus_callback = "{{ vars.hooks }}/conference"\nbeep = "onEnter"\n'),
    "profiles/all-hands.toml": """\
extends = "base"

[greeting]
say = "Welcome."

[conference]
name = "all-hands"
muted = true
start_on_enter = false

[roles.host]
callers = ["+1 (555) 123-0001", "+44 20 7946 0000"]
[roles.host.conference]
muted = false
start_on_enter = true
status_callback_event = ["join", "leave"]

[roles.attendee]
pin = "4455"
""",
}


def joined(run_out: str) -> list[dict[str, object]]:
    return [json.loads(line.split(": ", 1)[1]) for line in run_out.splitlines() if line.startswith("joined in section")]


def test_a_listed_number_joins_as_its_role_without_a_pin(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(ALL_HANDS)
    run = cli("simulate", "configs", "all-hands", "--env", "dev", "--from", "+15551230001", "--require-join")
    assert run.code == 0, run.err
    assert "asked for digits" not in run.out
    assert joined(run.out) == [
        {
            "name": "all-hands",
            "muted": False,
            "beep": "onEnter",
            "start_on_enter": True,
            "status_callback": "https://hooks.dev.example.com/conference",
            "status_callback_event": "join leave",
        }
    ]


def test_an_unlisted_or_withheld_number_goes_on_to_the_pins(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(ALL_HANDS)
    for caller in (["--from", "+15559998888"], []):
        run = cli("simulate", "configs", "all-hands", "--env", "dev", *caller, "--digits", "4455")
        assert run.code == 0, run.err
        assert "switch           call.from is" in run.out
        assert [j["muted"] for j in joined(run.out)] == [True]


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_from_is_a_usage_error_not_a_number(make_repo: Callable[..., Path], cli: Callable, empty: str) -> None:
    make_repo(ALL_HANDS)
    run = cli("simulate", "configs", "all-hands", "--env", "dev", "--from", empty, "--digits", "4455")
    assert run.code == 2 and not run.out, run
    assert run.err == (
        "confc: error: --from: give the caller's number, such as +15551230001; leave --from out for a withheld number\n"
    )


@pytest.mark.parametrize("national", ["5551230001", "(555) 123-0001"])
def test_a_number_without_its_country_code_is_a_usage_error(make_repo: Callable[..., Path], cli: Callable, national: str) -> None:
    make_repo(ALL_HANDS)
    run = cli("simulate", "configs", "all-hands", "--env", "dev", "--from", national)
    assert run.code == 2 and not run.out, run
    assert run.err.startswith(f"confc: error: --from {national}: call.from carries a number in E.164")
    # What is no phone number at all (a SIP address) is what call.from carries, and matches no listed number.
    assert cli("simulate", "configs", "all-hands", "--env", "dev", "--from", "sip:alice@example.com").code == 0


def test_numbers_are_written_normalised_and_each_leads_to_its_role(
    make_repo: Callable[..., Path], cli: Callable, tmp_path: Path
) -> None:
    make_repo(ALL_HANDS)
    assert cli("build", "configs", "--env", "dev").code == 0
    artifact = (tmp_path / "build/dev/all-hands.swml.yaml").read_text()
    assert '"+15551230001":\n            - transfer:\n                dest: host' in artifact
    assert '"+442079460000":' in artifact
    assert "variable: call.from" in artifact
    assert "other-callers:\n    - prompt:" in artifact


def test_listed_refuses_every_unlisted_caller_with_the_goodbye(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(
        {
            "profiles/bridge.toml": """\
[conference]
name = "bridge"
[access]
callers = "listed"
goodbye = "This line is for the on-call team only."
[roles.oncall]
callers = "+15551230001"
""",
        }
    )
    listed = cli("simulate", "configs", "bridge", "--env", "dev", "--from", "+15551230001", "--require-join")
    assert listed.code == 0, listed.err
    for caller in (["--from", "+15551230002"], ["--from", "anonymous"], []):
        run = cli("simulate", "configs", "bridge", "--env", "dev", *caller, "--require-join")
        assert run.code == 1
        assert "played say:This line is for the on-call team only." in run.out
        assert "asked for digits" not in run.out and run.out.endswith("end: hangup\n")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[roles.host]\ncallers = "555-0100"\n',
            'p.toml:4: roles.host.callers: "555-0100" is not an E.164 caller number: "+", the country code, then the'
            ' number, 7 to 15 digits in all, such as "+15551230001" (spaces, dashes, dots and parentheses may separate them)',
        ),
        (
            '[roles.host]\ncallers = ["+15551230001", "555-0100", "+1555"]\npin = "1"\n',
            'p.toml:4: roles.host.callers: "555-0100", "+1555" are not E.164 caller numbers: "+", the country code, then'
            ' the number, 7 to 15 digits in all, such as "+15551230001" (spaces, dashes, dots and parentheses may separate them)',
        ),
        (
            "[roles.host]\ncallers = []\n",
            'p.toml:4: roles.host.callers: must be a caller number such as "+15551230001", or a non-empty array of them, got []',
        ),
        (
            "[roles.host]\ncallers = 15551230001\n",
            'p.toml:4: roles.host.callers: must be a string or an array, got 15551230001 (in quotes, "+15551230001", it is a string)',
        ),
        (
            "[roles.host]\npin = 908172\n",
            'p.toml:4: roles.host.pin: must be a string or an array or a table, got 908172 (in quotes, "908172", it is a string)',
        ),
        (
            '[roles.host]\ncallers = ["+1 555 123 0001", "+15551230001"]\npin = "1"\n',
            'p.toml:4: roles.host.callers: lists "+15551230001" more than once',
        ),
        (
            '[roles.host]\ncallers = "+15551230001"\n[roles.guest]\npin = "1"\ncallers = "+1-555-123-0001"\n',
            'p.toml:7: roles.guest.callers: caller "+15551230001" is also a caller of role host (at configs/profiles/p.toml:4): a number must say who the caller is',
        ),
        (
            '[roles.host]\ncallers = "+15551230001"\n',
            "p.toml:3: roles: no role has a PIN, so a caller whose number is not listed has no way in;"
            ' set access.callers = "listed" to refuse them with the goodbye, or give a role a pin',
        ),
        (
            '[access]\ncallers = "listed"\n[roles.host]\npin = "1"\n',
            'p.toml:4: access.callers: is "listed", but no role lists callers, so every call is refused;'
            " list numbers in a role's callers",
        ),
        (
            '[access]\ncallers = "listed"\n[roles.host]\ncallers = "+15551230001"\npin = "1"\n',
            'p.toml:7: roles.host.pin: is never asked for: under access.callers = "listed" only listed numbers get in,'
            " and they join without a PIN; list the role's callers and leave its pin out"
            ' (unset = ["roles.host.pin"]), or set access.callers = "any"',
        ),
        (
            '[access]\ncallers = "everyone"\n[roles.host]\npin = "1"\n',
            'p.toml:4: access.callers: "everyone" is not accepted; use one of "any", "listed"',
        ),
        (
            '[roles.host]\ncallers = []\npin = "1"\n',
            'p.toml:4: roles.host.callers: must be a caller number such as "+15551230001", or a non-empty array of them,'
            " got [] (to take away what it inherits, unset this key instead)",
        ),
        (
            '[roles.host]\npin = []\ncallers = "+15551230001"\n',
            "p.toml:4: roles.host.pin: must be a PIN of 1 to 16 digits, written as a string, or a secret reference"
            ' { secret = "NAME" }, or a non-empty array of them, got [] (to take away what it inherits, unset this key instead)',
        ),
        (
            '[roles.host]\ndescription = "no way in"\n',
            "p.toml:3: roles.host: needs a pin, or callers (caller numbers), to say who joins as this role",
        ),
    ],
)
def test_each_invalid_form_is_an_error_at_its_line_and_nothing_is_written(
    make_repo: Callable[..., Path], cli: Callable, tmp_path: Path, body: str, message: str
) -> None:
    make_repo({"profiles/p.toml": '[conference]\nname = "p"\n' + body})
    run = cli("build", "configs", "--env", "dev")
    assert run.code == 1
    assert run.err.splitlines()[0].startswith(f"configs/profiles/{message}"), run.err
    assert "Traceback" not in run.err
    assert not (tmp_path / "build").exists()


def test_a_line_made_listed_above_its_pins_is_told_to_unset_them_where_it_became_listed(
    make_repo: Callable[..., Path], cli: Callable, tmp_path: Path
) -> None:
    # The PINs are the base's, shared with other lines: the fix is in the environment that made this line "listed".
    make_repo(
        {
            "profiles/base.toml": 'abstract = true\n[conference]\nname = "line"\n[roles.host]\npin = "1234"\n'
            '[roles.guest]\npin = ["5555", "5556"]\n',
            "profiles/open.toml": 'extends = "base"\n',
            "profiles/board.toml": 'extends = "base"\n[roles.host]\ncallers = "+15551230001"\n[env.dev.access]\n'
            'callers = "listed"\n',
        }
    )
    run = cli("validate", "configs", "--env", "dev")
    assert (run.code, run.err.splitlines()) == (
        1,
        [
            'configs/profiles/board.toml:5: access.callers: is "listed": only listed numbers get in, and they join without'
            " a PIN, so the pins of roles host (at configs/profiles/base.toml:5) and guest (at configs/profiles/base.toml:7)"
            ' are never asked for; add unset = ["roles.host.pin", "roles.guest.pin"] to [env.dev], or set'
            ' access.callers = "any" (profile board, env dev)'
        ],
    )
    board = tmp_path / "configs/profiles/board.toml"
    unset = 'unset = ["roles.host.pin", "roles.guest.pin"]\n'
    board.write_text(f'extends = "base"\n[roles.host]\ncallers = "+15551230001"\n{unset}[env.dev.access]\ncallers = "listed"\n')
    assert cli("validate", "configs", "--env", "dev").err.splitlines()[0] == (
        "configs/profiles/board.toml:4: roles.host.unset: unknown key: unset belongs to a profile's top level or an"
        " [env.NAME] table; written below the [roles.host] header, it is read as a key of that table: move it above the"
        " file's first [table]"
    )
    board.write_text(
        f'extends = "base"\n[roles.host]\ncallers = "+15551230001"\n[env.dev]\n{unset}[env.dev.access]\n'
        'callers = "listed"\n[env.dev.roles.guest]\ncallers = "+15551230002"\n'
    )
    assert cli("validate", "configs", "--all-envs").code == 0


def test_a_role_misspelt_in_an_environment_override_is_named_with_the_role_meant(
    make_repo: Callable[..., Path], cli: Callable
) -> None:
    make_repo(
        {
            **ALL_HANDS,
            "profiles/town-hall.toml": 'extends = "all-hands"\n[conference]\nname = "town-hall"\n[env.prod.roles.hots.conference]\nmuted = false\n',
        }
    )
    run = cli("validate", "configs")
    assert run.code == 1
    assert run.err.splitlines() == [
        "configs/profiles/town-hall.toml:4: roles.hots: needs a pin, or callers (caller numbers), to say who joins as this role"
        ' (did you mean "host"?) (profile town-hall, env prod)'
    ]


def test_a_role_left_without_pin_or_callers_by_an_unset_is_told_once_at_the_unset(
    make_repo: Callable[..., Path], cli: Callable
) -> None:
    # The line in the middle unsets the attendee's PIN for prod; the line below it overrides one key of that role there.
    make_repo(
        {
            **ALL_HANDS,
            "profiles/town-hall.toml": 'extends = "all-hands"\n[conference]\nname = "town-hall"\n[env.prod]\nunset = ["roles.attendee.pin"]\n',
            "profiles/town-hall-eu.toml": 'extends = "town-hall"\n[env.prod.roles.attendee.conference]\nmuted = false\n',
        }
    )
    run = cli("validate", "configs", "--all-envs")
    assert run.code == 1
    assert run.err.splitlines() == [
        "configs/profiles/town-hall.toml:5: roles.attendee: needs a pin, or callers (caller numbers), to say who joins as"
        " this role, but [env.prod] unsets roles.attendee.pin (profiles town-hall, town-hall-eu, env prod)"
    ]


def test_callers_inherit_and_an_environment_overrides_them(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(
        {
            **ALL_HANDS,
            "profiles/town-hall.toml": (
                'extends = "all-hands"\n[conference]\nname = "town-hall"\n[env.prod.roles.host]\ncallers = "+15557770000"\n'
            ),
        }
    )
    dev = cli("simulate", "configs", "town-hall", "--env", "dev", "--from", "+15551230001")
    assert [j["muted"] for j in joined(dev.out)] == [False]
    prod = cli("simulate", "configs", "town-hall", "--env", "prod", "--from", "+15551230001", "--require-join")
    assert prod.code == 1 and "asked for digits" in prod.out  # no longer a host in prod: the PIN dialogue
    host = cli("simulate", "configs", "town-hall", "--env", "prod", "--from", "+15557770000")
    assert [j["muted"] for j in joined(host.out)] == [False]
    explained = cli("explain", "configs", "town-hall", "--env", "prod", "roles.host.callers")
    assert explained.code == 0, explained.err
    assert "configs/profiles/town-hall.toml:5" in explained.out and "+15557770000" in explained.out


def test_a_test_case_calls_from_a_number(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(
        {
            **ALL_HANDS,
            "tests/calls.toml": """\
[[case]]
name = "a host calls from their phone"
profile = "all-hands"
from = "+1 555 123 0001"
[case.expect]
role = "host"
join = { muted = false }

[[case]]
name = "a withheld number is asked for a PIN"
profile = "all-hands"
digits = ["4455"]
[case.expect]
role = "attendee"

[[case]]
name = "a bad number"
profile = "all-hands"
from = "0800 FLOWERS"
""",
        }
    )
    run = cli("test", "configs", "--env", "dev")
    assert run.code == 1
    assert run.err.startswith('configs/tests/calls.toml:19: case.from: "0800 FLOWERS" is not an E.164 caller number')
    (Path("configs/tests/calls.toml")).write_text(
        Path("configs/tests/calls.toml").read_text().split('[[case]]\nname = "a bad number"')[0]
    )
    run = cli("test", "configs", "--env", "dev")
    assert run.code == 0, run.out + run.err
    assert "2 passed, 0 failed" in run.out


numbers = st.integers(2_000_000, 2_000_040).map(lambda n: f"+1555{n}")


@settings(max_examples=30, deadline=None)
@given(
    roles=st.lists(
        st.tuples(
            st.lists(numbers, max_size=3, unique=True), st.lists(st.text("0123456789", min_size=1, max_size=4), max_size=2)
        ),
        min_size=1,
        max_size=3,
    ),
    listed=st.booleans(),
    calls=st.lists(st.tuples(numbers | st.just(WITHHELD), st.text("0123456789#", max_size=5)), min_size=1, max_size=6),
)
def test_a_call_from_any_number_reaches_exactly_the_path_the_profile_says(
    roles: list[tuple[list[str], list[str]]], listed: bool, calls: list[tuple[str, str]], tmp_path_factory
) -> None:  # type: ignore[no-untyped-def]
    owner: dict[str, str] = {}  # each number and PIN belongs to the first role that lists it
    pin_owner: dict[str, str] = {}
    body = f'[conference]\nname = "c"\n[access]\ncallers = "{"listed" if listed else "any"}"\nattempts = 1\n'
    for index, (given_numbers, given_pins) in enumerate(roles):
        name = f"r{index}"
        mine = [n for n in given_numbers if owner.setdefault(n, name) == name]
        codes = [] if listed else list(dict.fromkeys(p for p in given_pins if pin_owner.setdefault(p, name) == name))
        if mine or codes:
            body += f"[roles.{name}]\n" + (f"callers = {json.dumps(mine)}\n" if mine else "")
            body += (
                f"pin = {json.dumps(codes)}\n" if codes else ""
            ) + f"[roles.{name}.conference]\nmax_participants = {index + 2}\n"
    if "[roles." not in body or (not owner if listed else owner and not pin_owner):
        return  # a line nobody (or no unlisted caller) can enter is refused before anything is proven: its own tests show it
    document, _ = one_profile(tmp_path_factory.mktemp("callers"), body)
    for caller, entry in calls:
        call = simulate(document, [entry], caller=caller)
        role = owner.get(caller) or (None if listed else pin_owner.get(entry.split("#")[0]))
        sizes = [j.conference.get("max_participants") for j in call.joins]
        assert sizes == ([int(role[1:]) + 2] if role else []), (caller, entry, body)
        assert call.prompts == (0 if listed or caller in owner else 1)
        assert call.end == "hangup"
