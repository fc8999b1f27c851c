from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import compiler
from compiler.errors import ConfcError


def conference_error(make_repo: Callable[..., Path], body: str, env: str = "dev") -> str:
    repo = make_repo({"profiles/p.toml": f'[conference]\nname = "n"\n{body}\n'})
    with pytest.raises(ConfcError) as caught:
        compiler.resolve(repo, "p", env)
    return str(caught.value).replace(f"{repo}/", "")


ACCEPTED = [
    "muted = true",
    'muted = "${call.vars.muted}"',
    "start_on_enter = false",
    'end_on_exit = "%{params.end}"',
    "beep = true",
    'beep = "false"',
    'beep = "onEnter"',
    'beep = "onExit"',
    'wait_url = "https://example.com/hold.mp3"',
    'wait_url = "${hold_music}"',
    "max_participants = 2",
    "max_participants = 100000",
    'max_participants = "${limit}"',
    'max_participants = "{{ 40 + 10 }}"',
    'record = "do-not-record"',
    'record = "record-from-start"',
    'region = "us"',
    'coach = "CA123"',
    'trim = "trim-silence"',
    'trim = "do-not-trim"',
    'status_callback = "http://example.com/s"\nstatus_callback_event = ["start", "end", "join", "leave", "mute", "hold", "modify", "speaker", "announcement"]',
    'status_callback = "https://example.com/s"\nstatus_callback_event = "join leave"\nstatus_callback_method = "GET"',
    'recording_status_callback = "https://example.com/r"\nrecording_status_callback_event = ["in-progress", "completed", "absent"]\nrecording_status_callback_method = "POST"',
    '[conference.result]\nvariable = "return_value"\ndefault = [{ hangup = {} }]\n[conference.result.case]\ncompleted = [{ hangup = {} }]',
    'result = [{ when = "return_value == \'failed\'", then = [{ play = { url = "say:sorry" } }] }, { else = [{ hangup = {} }] }]',
]


@pytest.mark.parametrize("body", ACCEPTED)
def test_every_documented_form_is_accepted(make_repo: Callable[..., Path], body: str) -> None:
    repo = make_repo({"profiles/p.toml": f'[conference]\nname = "n"\n{body}\n'})
    assert compiler.resolve(repo, "p", "dev")["conference"]["name"] == "n"


REJECTED = [
    (
        "muted = \"{{ 'yes' }}\"",
        'p.toml:3: conference.muted: must be a boolean (true or false) or a SWML variable such as ${...}, got "yes"',
    ),
    (
        'beep = "onenter"',
        'p.toml:3: conference.beep: "onenter" is not accepted (did you mean "onEnter"?); '
        'use one of true, false, "true", "false", "onEnter", "onExit"',
    ),
    (
        'wait_url = "ftp://example.com/x"',
        'p.toml:3: conference.wait_url: must be an absolute http(s) URL like "https://example.com/path" or a SWML variable such as ${...}, got "ftp://example.com/x"',
    ),
    (
        'wait_url = "/hold.mp3"',
        'p.toml:3: conference.wait_url: must be an absolute http(s) URL like "https://example.com/path" or a SWML variable such as ${...}, got "/hold.mp3"',
    ),
    ("max_participants = 1", "p.toml:3: conference.max_participants: must be at least 2, got 1"),
    ("max_participants = 100001", "p.toml:3: conference.max_participants: must be at most 100000, got 100001"),
    (
        'max_participants = "{{ 2.5 }}"',
        'p.toml:3: conference.max_participants: must be an integer or a SWML variable such as ${...}, got "2.5"',
    ),
    (
        'record = "always"',
        'p.toml:3: conference.record: "always" is not accepted; use one of "do-not-record", "record-from-start"',
    ),
    ('region = "us-east"', 'p.toml:3: conference.region: "us-east" is not accepted; use one of "global", "us", "eu", "ch"'),
    (
        'status_callback = "https://e.com"\nstatus_callback_event = []',
        "p.toml:4: conference.status_callback_event: must name at least one event; leave the key out to get SignalWire's default",
    ),
    (
        'status_callback_event_type = "relay"',
        "p.toml:3: conference.status_callback_event_type: needs status_callback to be set as well",
    ),
    (
        'recording_status_callback = "https://e.com"\nrecording_status_callback_event_type = "json"',
        'p.toml:4: conference.recording_status_callback_event_type: "json" is not accepted; use one of "cxml", "laml", "relay"',
    ),
    ('stream = { name = "s" }', "p.toml:3: conference.stream.url: is required"),
    (
        'stream = { url = "https://e.com" }',
        'p.toml:3: conference.stream.url: must be a wss:// URL like "wss://example.com/stream", got "https://e.com"',
    ),
    (
        'stream = { url = "wss://e.com", codec = "OPUS" }',
        'p.toml:3: conference.stream.codec: must match the pattern "(PCMU|PCMA|G722|L16)(@[0-9]+[a-z])*" (as a whole), got "OPUS"',
    ),
    (
        'stream = { url = "wss://e.com", status_url_method = "GET" }',
        "p.toml:3: conference.stream.status_url_method: needs status_url to be set as well",
    ),
    ('coach = ""', "p.toml:3: conference.coach: must not be empty or only whitespace"),
    ('trim = "trim"', 'p.toml:3: conference.trim: "trim" is not accepted; use one of "trim-silence", "do-not-trim"'),
    (
        'status_callback = "https://e.com"\nstatus_callback_event = ["join", "join"]',
        'p.toml:4: conference.status_callback_event: lists "join" more than once',
    ),
    (
        'status_callback = "https://e.com"\nstatus_callback_event = ["joined"]',
        'p.toml:4: conference.status_callback_event: unknown event "joined"; accepted: start, end, join, leave, mute, hold, modify, speaker, announcement',
    ),
    (
        'status_callback = "https://e.com"\nstatus_callback_event = "join  leave"',
        'p.toml:4: conference.status_callback_event: must be event names separated by single spaces, got "join  leave"',
    ),
    ('status_callback_event = ["join"]', "p.toml:3: conference.status_callback_event: needs status_callback to be set as well"),
    ('status_callback_method = "GET"', "p.toml:3: conference.status_callback_method: needs status_callback to be set as well"),
    (
        'status_callback = "${hook}"',
        'p.toml:3: conference.status_callback: must be an absolute http(s) URL like "https://example.com/path", got "${hook}"',
    ),
    (
        'status_callback = "https://e.com"\nstatus_callback_method = "PUT"',
        'p.toml:4: conference.status_callback_method: "PUT" is not accepted; use one of "GET", "POST"',
    ),
    (
        'recording_status_callback_event = "completed"',
        "p.toml:3: conference.recording_status_callback_event: needs recording_status_callback to be set as well",
    ),
    (
        'recording_status_callback_method = "POST"',
        "p.toml:3: conference.recording_status_callback_method: needs recording_status_callback to be set as well",
    ),
    (
        'recording_status_callback = "https://e.com"\nrecording_status_callback_event = ["done"]',
        'p.toml:4: conference.recording_status_callback_event: unknown event "done"; accepted: in-progress, completed, absent',
    ),
    (
        '[conference.result]\nvariable = "return_value"',
        "p.toml:3: conference.result.case: must be a table of arrays of SWML methods",
    ),
    (
        "[conference.result]\ncase = {}",
        'p.toml:3: conference.result.variable: must name the variable to switch on, such as "return_value"',
    ),
    (
        '[conference.result]\nvariable = "return_value"\n[conference.result.case]\ndone = [{ hangpu = {} }]',
        'p.toml:6: conference.result.case.done.0: unknown SWML method "hangpu" (did you mean "hangup"?)',
    ),
    (
        '[conference.result]\nvariable = "return_value"\n[conference.result.case]\ndone = [{ hangup = {}, play = {} }]',
        "p.toml:6: conference.result.case.done.0: must be a table with exactly one SWML method",
    ),
    ("result = [{ when = 1, then = [] }]", "p.toml:3: conference.result.0.when: must be a string"),
    ("result = [{ then = [] }]", "p.toml:3: conference.result.0: must be a table with when and then, or with else"),
    (
        '[conference.result]\nvariable = "return_value"\n[conference.result.case]\nat = [{ sleep = 1979-05-27 }]',
        "p.toml:6: conference.result.case.at.0.sleep: a TOML date/time (1979-05-27) has no SWML form; write it as a string",
    ),
]


@pytest.mark.parametrize(("body", "message"), REJECTED)
def test_every_rule_rejects_with_a_located_message(make_repo: Callable[..., Path], body: str, message: str) -> None:
    assert conference_error(make_repo, body) == f"profiles/{message} (profile p, env dev)"


def test_a_greeting_switched_by_a_later_layer_says_the_tables_merged_and_how_to_replace(
    make_repo: Callable[..., Path], cli: Callable
) -> None:
    # say two parents up; url in the leaf's [env.prod], and in a role's greeting over the shared one.
    repo = make_repo(
        {
            "profiles/base.toml": 'abstract = true\n[greeting]\nsay = "Hello."\n',
            "profiles/line.toml": 'abstract = true\nextends = "base"\n[conference]\nname = "line"\n',
            "profiles/p.toml": (
                'extends = "line"\n[env.prod.greeting]\nurl = "https://e.com/a.mp3"\n'
                '[roles.host]\npin = "1234"\n[roles.host.greeting]\nsay = "Host."\n'
                '[env.dev.roles.host.greeting]\nurl = "https://e.com/host.mp3"\n'
            ),
        }
    )
    run = cli("validate", "configs", "--env", "prod")
    assert run.code == 1, run
    assert run.err == (
        "configs/profiles/p.toml:2: greeting: must hold exactly one of say or url: it has say from "
        "configs/profiles/base.toml:3 and url from configs/profiles/p.toml:3, as tables merge key by key; to replace "
        'say, add unset = ["greeting.say"] to [env.prod] (profile p, env prod)\n'
    )
    run = cli("validate", "configs", "--env", "dev")
    assert run.code == 1, run
    assert run.err.startswith(
        "configs/profiles/p.toml:8: roles.host.greeting: must hold exactly one of say or url: it has say from "
        "configs/profiles/p.toml:7 and url from configs/profiles/p.toml:9, as tables merge key by key; to replace say, "
        'add unset = ["roles.host.greeting.say"] to [env.dev] (profile p, env dev)'
    )
    text = (repo / "profiles/p.toml").read_text()
    (repo / "profiles/p.toml").write_text(
        text.replace("[env.prod.greeting]", '[env.prod]\nunset = ["greeting.say"]\n[env.prod.greeting]').replace(
            "[env.dev.roles.host.greeting]", '[env.dev]\nunset = ["roles.host.greeting.say"]\n[env.dev.roles.host.greeting]'
        )
    )
    assert cli("validate", "configs").code == 0


def test_a_greeting_written_with_both_in_one_table_names_no_merge(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/p.toml": '[greeting]\nsay = "hi"\nurl = "https://e.com/a.mp3"\n[conference]\nname = "n"\n'})
    run = cli("validate", "configs", "--env", "dev")
    assert run.err == "configs/profiles/p.toml:1: greeting: must hold exactly one of say or url (profile p, env dev)\n"


def test_name_is_required_for_a_buildable_profile(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({"profiles/p.toml": '[conference]\nregion = "us"\n'})
    with pytest.raises(ConfcError) as caught:
        compiler.resolve(repo, "p", "dev")
    assert str(caught.value) == f"{repo}/profiles/p.toml:1: conference.name: is required (profile p, env dev)"


def test_greeting_holds_exactly_one_of_say_or_url(make_repo: Callable[..., Path]) -> None:
    for greeting, message in [
        ("[greeting]", "greeting: must hold exactly one of say or url"),
        ('[greeting]\nsay = "hi"\nurl = "https://e.com/a.mp3"', "greeting: must hold exactly one of say or url"),
        ('[greeting]\nsay = " "', "greeting.say: must not be empty or only whitespace"),
        (
            '[greeting]\nsay = "two\\nlines"',
            "greeting.say: must be one line: SWML plays it as a URL, which cannot hold a line break",
        ),
        (
            '[greeting]\nurl = "hello.mp3"',
            'greeting.url: must be an absolute http(s) URL like "https://example.com/path", got "hello.mp3"',
        ),
    ]:
        repo = make_repo({"profiles/p.toml": f'{greeting}\n[conference]\nname = "n"\n'})
        with pytest.raises(ConfcError) as caught:
            compiler.resolve(repo, "p", "dev")
        line = 2 if "." in message.split(":")[0] else 1
        assert str(caught.value) == f"{repo}/profiles/p.toml:{line}: {message} (profile p, env dev)"


def test_each_wrongly_typed_value_is_shown_as_written_though_its_type_was_seen_before(
    make_repo: Callable[..., Path], cli: Callable
) -> None:
    make_repo(
        {
            "profiles/a.toml": 'description = 5\n[conference]\nname = "a"\n',
            "profiles/b.toml": 'description = 7\n[conference]\nname = "b"\n',
        }
    )
    run = cli("validate", "configs", "--env", "dev")
    assert run.code == 1
    assert run.err.splitlines() == [
        "configs/profiles/a.toml:1: description: must be a string, got 5",
        "configs/profiles/b.toml:1: description: must be a string, got 7",
    ]


def test_an_inherited_bad_value_is_blamed_on_the_layer_that_set_it(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {
            "profiles/base.toml": 'abstract = true\n[conference]\nrecord = "sometimes"\n',
            "profiles/leaf.toml": 'extends = "base"\n[conference]\nname = "n"\n',
        }
    )
    with pytest.raises(ConfcError) as caught:
        compiler.resolve(repo, "leaf", "dev")
    assert str(caught.value) == (
        f'{repo}/profiles/base.toml:3: conference.record: "sometimes" is not accepted; '
        'use one of "do-not-record", "record-from-start" (profile leaf, env dev)'
    )


FILE_SHAPES = [
    (
        "profiles/p.toml",
        'extend = "base"\n',
        'profiles/p.toml:1: extend: unknown key (did you mean "extends"?); accepted: abstract, access, conference, description, env, extends, greeting, recording, roles, template, unset, vars',
    ),
    (
        "profiles/p.toml",
        '[conference]\nnmae = "x"\n',
        'profiles/p.toml:2: conference.nmae: unknown key (did you mean "name"?); accepted: '
        + ", ".join(
            sorted(
                [
                    "name",
                    "muted",
                    "beep",
                    "start_on_enter",
                    "end_on_exit",
                    "wait_url",
                    "max_participants",
                    "record",
                    "region",
                    "trim",
                    "coach",
                    "status_callback_event",
                    "status_callback",
                    "status_callback_method",
                    "status_callback_event_type",
                    "recording_status_callback",
                    "recording_status_callback_method",
                    "recording_status_callback_event",
                    "recording_status_callback_event_type",
                    "stream",
                    "result",
                ]
            )
        ),
    ),
    (
        "profiles/p.toml",
        '[env.prdo.conference]\nname = "x"\n',
        'profiles/p.toml:1: env.prdo: unknown environment "prdo" (did you mean "prod"?); known: "dev", "prod"',
    ),
    (
        "profiles/p.toml",
        '[conference]\nresult = "hangup"\n',
        'profiles/p.toml:2: conference.result: must be a table or an array, got "hangup"',
    ),
    ("profiles/p.toml", 'abstract = "yes"\n', 'profiles/p.toml:1: abstract: must be a boolean (true or false), got "yes"'),
    (
        "profiles/p.toml",
        '[conference]\nmuted = "yes"\n',
        'profiles/p.toml:2: conference.muted: must be a boolean (true or false) or a SWML variable such as ${...} or a {{ }} expression, got "yes"',
    ),
    (
        "profiles/p.toml",
        "[conference]\nmax_participants = true\n",
        "profiles/p.toml:2: conference.max_participants: must be an integer or a SWML variable such as ${...} or a {{ }} expression, got true",
    ),
    (
        "profiles/p.toml",
        'unset = ["conference.nmae"]\n',
        'profiles/p.toml:1: unset: cannot unset "conference.nmae": not a key of the profile format (did you mean "conference.name"?)',
    ),
    (
        "profiles/p.toml",
        'unset = ["roles.guest.greting"]\n',
        'profiles/p.toml:1: unset: cannot unset "roles.guest.greting": not a key of the profile format (did you mean "roles.guest.greeting"?)',
    ),
    (
        "profiles/p.toml",
        'extends = "../secrets"\n',
        'profiles/p.toml:1: extends: "../secrets" is not a profile id (like "base" or "teams/sales")',
    ),
    (
        "environments/dev.toml",
        '[rules]\n"conference.record" = { check_with = "os.system" }\n',
        'environments/dev.toml:2: rules."conference.record".check_with: unknown key; accepted: allowed, forbidden, max, maxlength, min, minlength, regex, required, secret, type',
    ),
    (
        "environments/dev.toml",
        '[rules]\n"conference.recrod" = { required = true }\n',
        'environments/dev.toml:2: rules."conference.recrod": rule for an unknown key "conference.recrod" (did you mean "conference.record"?)',
    ),
    (
        "environments/dev.toml",
        '[rules]\n"roles.*.conference.mutd" = { allowed = [true] }\n',
        'environments/dev.toml:2: rules."roles.*.conference.mutd": rule for an unknown key "roles.*.conference.mutd" (did you mean "roles.*.conference.muted"?)',
    ),
    (
        "environments/dev.toml",
        '[rules]\n"conference.name" = { regex = "(" }\n',
        'environments/dev.toml:2: rules."conference.name".regex: not a valid regular expression: missing ), unterminated subpattern at position 0',
    ),
    # A quoted key is one key, dots and all: written as [rules] keys are, it is no key of a table of values.
    (
        "profiles/p.toml",
        '"conference.muted" = true\n',
        'profiles/p.toml:1: "conference.muted": unknown key: in quotes it is one key, dots and all'
        " (unquoted, conference.muted is muted of the table conference)",
    ),
    (
        "environments/dev.toml",
        '[defaults.conference]\n"mut ed" = true\n',
        'environments/dev.toml:2: defaults.conference."mut ed": unknown key (did you mean "muted"?); accepted: beep, coach,'
        " end_on_exit, max_participants, muted, name, record, recording_status_callback, recording_status_callback_event,"
        " recording_status_callback_event_type, recording_status_callback_method, region, result, start_on_enter,"
        " status_callback, status_callback_event, status_callback_event_type, status_callback_method, stream, trim, wait_url",
    ),
    (
        "profiles/p.toml",
        '[conference.stream]\nurl = "wss://e.com"\ncustom_parameters = { a = 1 }\n',
        "profiles/p.toml:3: conference.stream.custom_parameters.a: must be a string, got 1",
    ),
    (
        "environments/dev.toml",
        "[defaults]\nvars = {}\n",
        "environments/dev.toml:2: defaults.vars: unknown key; accepted: access, conference, greeting, recording",
    ),
]


@pytest.mark.parametrize(("path", "text", "message"), FILE_SHAPES)
def test_file_shapes(make_repo: Callable[..., Path], path: str, text: str, message: str) -> None:
    repo = make_repo({path: text, "profiles/base.toml": "abstract = true\n"})
    problems = compiler.compiler(repo).file_problems()
    assert "\n".join(map(str, problems)) == f"{repo}/{message}"


def test_all_problems_are_reported_together_and_sorted(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {
            "profiles/b.toml": '[conference]\nname = "n"\nrecord = "x"\n',
            "profiles/a.toml": '[conference]\nname = "n"\ntrim = "x"\n',
        }
    )
    with pytest.raises(ConfcError) as caught:
        compiler.compiler(repo).artifacts(["dev", "prod"])
    lines = str(caught.value).replace(f"{repo}/", "").splitlines()
    assert [line.split(": ")[0] + " " + line.rsplit("(", 1)[1] for line in lines] == [
        "profiles/a.toml:3 profile a, envs dev, prod)",
        "profiles/b.toml:3 profile b, envs dev, prod)",
    ]


RULES_ENV = """
[vars]
hooks = "https://hooks.example.com"
[rules]
"conference.record" = { allowed = ["record-from-start"] }
"conference.status_callback" = { required = true, regex = "https://.*" }
"conference.max_participants" = { max = 100 }
"conference.status_callback_event" = { regex = "[a-z ]*join[a-z ]*" }
"""


def test_environment_rules_apply_to_emitted_values(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {
            "environments/prod.toml": RULES_ENV,
            "profiles/p.toml": """
                [conference]
                name = "n"
                record = "do-not-record"
                max_participants = 500
                status_callback = "http://hooks.example.com"
                status_callback_event = ["start", "leave"]
            """,
        }
    )
    with pytest.raises(ConfcError) as caught:
        compiler.resolve(repo, "p", "prod")
    assert str(caught.value).replace(f"{repo}/", "").splitlines() == [
        'profiles/p.toml:3: conference.record: "do-not-record" is not accepted; use one of "record-from-start" (rule at environments/prod.toml:4) (profile p, env prod)',
        "profiles/p.toml:4: conference.max_participants: must be at most 100, got 500 (rule at environments/prod.toml:6) (profile p, env prod)",
        'profiles/p.toml:5: conference.status_callback: must match the pattern "https://.*" (as a whole), got "http://hooks.example.com" (rule at environments/prod.toml:5) (profile p, env prod)',
        'profiles/p.toml:6: conference.status_callback_event: must match the pattern "[a-z ]*join[a-z ]*" (as a whole), got "start leave" (rule at environments/prod.toml:7) (profile p, env prod)',
    ]


def test_required_rule_and_swml_variables(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {
            "environments/prod.toml": RULES_ENV,
            "profiles/p.toml": '[conference]\nname = "n"\nmax_participants = "${limit}"\n',
        }
    )
    with pytest.raises(ConfcError) as caught:
        compiler.resolve(repo, "p", "prod")
    assert str(caught.value) == (
        f"{repo}/profiles/p.toml:1: conference.status_callback: is required by the rule at {repo}/environments/prod.toml:5 (profile p, env prod)"
    )
    build = compiler.compiler(repo)
    build.compile("p", "dev")
    assert build.warnings == []


def test_a_policy_applies_to_the_profiles_it_names(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(
        {
            "environments/prod.toml": (
                '[[policy]]\ndescription = "Support calls are recorded"\nprofiles = ["support/*"]\n'
                'rules."conference.record" = { required = true, allowed = ["record-from-start"] }\n'
                '\n[[policy]]\nprofiles = ["sales/*", "nobody"]\nrules."conference.muted" = { allowed = [true] }\n'
            ),
            "profiles/support/desk.toml": '[conference]\nname = "desk"\n',
            "profiles/support/vip.toml": (
                '[conference]\nname = "vip"\nrecord = "record-from-start"\n[recording]\nnotice = "Recorded."\n'
            ),
            "profiles/standup.toml": '[conference]\nname = "standup"\n',
        }
    )
    run = cli("validate", "configs")
    assert run.code == 1
    assert run.err == (
        'configs/environments/prod.toml:7: policy.profiles: this policy applies to no profile: none matches "sales/*", "nobody"; '
        "fix the patterns, or say allow_empty = true in the policy if that is intended (env prod)\n"
        'configs/profiles/support/desk.toml:1: conference.record: is required by the rule of the policy "Support calls are recorded" '
        "at configs/environments/prod.toml:4 (profile support/desk, env prod)\n"
    )


def test_a_pattern_that_matches_nothing_is_an_error_though_the_policy_matches_other_profiles(
    make_repo: Callable[..., Path], cli: Callable
) -> None:
    policy = '[[policy]]\nprofiles = ["support/*", "suport/*", "escalations"]\nrules."conference.muted" = { allowed = [true] }\n'
    make_repo({"environments/prod.toml": policy, "profiles/support/desk.toml": '[conference]\nname = "desk"\nmuted = true\n'})
    run = cli("validate", "configs", "--env", "prod")
    assert (run.code, run.err) == (
        1,
        'configs/environments/prod.toml:2: policy.profiles: "suport/*", "escalations" match no profile; '
        "fix the patterns, or say allow_empty = true in the policy if that is intended (env prod)\n",
    )
    make_repo({"environments/prod.toml": policy + "allow_empty = true\n"})
    assert cli("validate", "configs", "--env", "prod").code == 0


# An environment's hook host, used by a base that three profiles extend, and a policy it breaks.
BLAMED = {
    "environments/prod.toml": 'description = "Production"\n\n[vars]\nhooks = "http://hooks.example.com"\n\n[rules]\n'
    '"conference.status_callback" = { regex = "https://.*" }\n',
    "profiles/base.toml": 'abstract = true\n[conference]\nstatus_callback = "{{ vars.hooks }}/conference/{{ profile.id }}"\n',
    **{f"profiles/{p}.toml": f'extends = "base"\n[conference]\nname = "{p}"\n' for p in ("a", "b", "c")},
}
USED = 'it comes from this variable, used in "{{ vars.hooks }}/conference/{{ profile.id }}" at configs/profiles/base.toml:3'


def test_a_bad_value_from_a_variable_is_one_message_at_the_line_that_set_it(
    make_repo: Callable[..., Path], cli: Callable
) -> None:
    make_repo(BLAMED, envs=False)
    run = cli("validate", "configs", "--error-format", "github")
    assert (run.code, run.out.splitlines()) == (
        1,
        [
            "::error file=configs/environments/prod.toml,line=4,title=confc vars.hooks::conference.status_callback must match "
            'the pattern "https://.*" (as a whole) (rule at configs/environments/prod.toml:7): '
            f"{USED} (profiles a, b, c, env prod)"
        ],
    )
    # A profile's own [vars], and --set, are where its value is set.
    make_repo({"profiles/c.toml": 'extends = "base"\n[vars]\nhooks = "http://mine"\n[conference]\nname = "c"\n'}, envs=False)
    assert cli("validate", "configs").err.splitlines()[1] == (
        'configs/profiles/c.toml:3: vars.hooks: conference.status_callback must match the pattern "https://.*" (as a whole) '
        f"(rule at configs/environments/prod.toml:7): {USED} (profile c, env prod)"
    )
    run = cli("build", "configs", "--env", "prod", "--set", "vars.hooks=ftp://hooks")
    assert run.err.splitlines()[0] == (
        '--set: vars.hooks: conference.status_callback must be an absolute http(s) URL like "https://example.com/path": '
        f"{USED} (profiles a, b, c, env prod)"
    )
