"""A template of one's own that sends a call nowhere, or never to the join, is an error, said once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from compiler.document import model

PLAIN = '[greeting]\nsay = "Hello."\n[conference]\nname = "daily"\n'
ROLES = '[conference]\nname = "all-hands"\n[roles.host]\npin = "908172"\n[roles.attendee]\npin = "4455"\n'
GREETING = '    - play: {url: {{ ("say:" ~ profile.greeting.say) | yaml }}}\n'


def _template(before_join: str, *, greeted: bool = True) -> str:
    """A template for profiles without roles: the greeting, then `before_join`, then the join."""
    head = "version: 1.0.0\nsections:\n  main:\n" + (GREETING if greeted else "")
    return head + before_join + "    - join_conference:\n        {{ profile.conference | yaml(8) }}\n"


def _problems(sections: dict[str, object]) -> list[tuple[tuple[str, ...], str]]:
    return model({"version": "1.0.0", "sections": sections})[1]


@pytest.mark.parametrize(
    ("method", "key"),
    [("transfer", "dest"), ("execute", "dest")],
)
def test_a_transfer_or_execute_to_a_section_the_document_lacks_is_an_error_at_its_line(
    make_repo: Callable[..., Path], cli: Callable, method: str, key: str
) -> None:
    make_repo(
        {
            "profiles/daily.toml": 'template = "mine"\n' + PLAIN,
            "profiles/weekly.toml": 'template = "mine"\n' + PLAIN.replace("daily", "weekly"),
            "templates/mine.j2": _template(f"    - {method}:\n        {key}: hosts\n") + "  host:\n    - hangup: {}\n",
        }
    )
    run = cli("build", "configs", "--env", "dev")
    assert run.code == 1, run
    assert run.err == (
        f"configs/templates/mine.j2:6: the rendered document is not valid SWML: sections.main.1.{method}.{key}: "
        '"hosts" names no section of this document (its sections: main, host) (did you mean "host"?) '
        "(profiles daily, weekly, env dev)\n"
    )
    assert not Path("build").exists()


def test_a_goto_to_a_label_its_section_lacks_is_an_error() -> None:
    problems = _problems(
        {
            "main": [{"label": "ask"}, {"goto": {"label": "asked", "max": 2}}, {"transfer": {"dest": "other"}}],
            "other": [{"switch": {"variable": "x", "case": {"1": [{"goto": {"label": "ask"}}]}}}],
        }
    )
    assert problems == [
        (
            ("sections", "main", "1", "goto", "label"),
            '"asked" names no label of section main, where a goto jumps (its labels: ask) (did you mean "ask"?)',
        ),
        (
            ("sections", "other", "0", "switch", "case", "1", "0", "goto", "label"),
            '"ask" names no label of section other, where a goto jumps (it has no label)',
        ),
    ]


@pytest.mark.parametrize(
    "dest",
    [
        "https://example.com/next.yaml",
        "http://user:secret@example.com/next",
        "relay:my-app",
        '{"version": "1.0.0", "sections": {"main": [{"hangup": {}}]}}',
        "%{params.next}",
        "section-${prompt_value}",
    ],
)
def test_destinations_signalwire_resolves_elsewhere_are_not_sections(dest: str) -> None:
    assert _problems({"main": [{"execute": {"dest": dest}}, {"transfer": {"dest": dest}}]}) == []


def test_missing_destinations_are_found_inside_every_branch() -> None:
    nowhere = [{"transfer": {"dest": "nowhere"}}]
    problems = _problems(
        {
            "main": [
                {"switch": {"variable": "x", "case": {"1": nowhere}, "default": nowhere}},
                {"cond": [{"when": "x == '1'", "then": nowhere}, {"else": nowhere}]},
                {"execute": {"dest": "main", "on_return": nowhere}},
                {"join_conference": {"name": "c", "result": {"variable": "return_value", "case": {"completed": nowhere}}}},
                {"join_conference": {"name": "c", "result": [{"when": "return_value == 'failed'", "then": nowhere}]}},
            ]
        }
    )
    assert [".".join(path) for path, _ in problems] == [
        "sections.main.0.switch.case.1.0.transfer.dest",
        "sections.main.0.switch.default.0.transfer.dest",
        "sections.main.1.cond.0.then.0.transfer.dest",
        "sections.main.1.cond.1.else.0.transfer.dest",
        "sections.main.2.execute.on_return.0.transfer.dest",
        "sections.main.3.join_conference.result.case.completed.0.transfer.dest",
        "sections.main.4.join_conference.result.0.then.0.transfer.dest",
    ]


def test_a_document_without_roles_that_hangs_up_before_its_join_is_refused(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/daily.toml": 'template = "mine"\n' + PLAIN, "templates/mine.j2": _template("    - hangup: {}\n")})
    run = cli("validate", "configs", "--env", "dev")
    assert run.code == 1, run
    assert run.err == (
        "configs/templates/mine.j2: the rendered document does not do what the profile says: a caller never reaches "
        "the join_conference: the call ends in hangup (last: hung up, in section main) (profile daily, env dev)\n"
    )


@pytest.mark.parametrize(
    ("before_join", "sections"),
    [
        # What the caller enters decides, and the profile says nothing of it: the join is there to reach.
        (
            '    - prompt: {play: "say:Press 1", max_digits: 1}\n'
            "    - cond:\n        - when: prompt_value != '1'\n          then: [{hangup: {}}]\n",
            "",
        ),
        # A method the simulator does not run: the shape of the document is all confc can prove.
        ("    - record_call: {format: mp3}\n", ""),
        ("    - execute: {dest: lobby}\n", "  lobby:\n    - answer: {}\n"),
    ],
)
def test_a_document_without_roles_whose_join_may_be_reached_passes(
    make_repo: Callable[..., Path], cli: Callable, before_join: str, sections: str
) -> None:
    make_repo({"profiles/daily.toml": 'template = "mine"\n' + PLAIN, "templates/mine.j2": _template(before_join) + sections})
    run = cli("validate", "configs", "--env", "dev")
    assert run.code == 0, run


@pytest.mark.parametrize(("intro", "heard"), [(GREETING, True), ("", False)])
def test_a_greeting_played_in_a_section_main_executes_is_heard(
    make_repo: Callable[..., Path], cli: Callable, intro: str, heard: bool
) -> None:
    # The call is what is proven: the greeting need not stand in main itself, but the call must play it.
    template = _template("    - execute: {dest: intro}\n", greeted=False) + "  intro:\n" + intro + "    - return: {}\n"
    make_repo({"profiles/daily.toml": 'template = "mine"\n' + PLAIN, "templates/mine.j2": template})
    run = cli("validate", "configs", "--env", "dev")
    assert run.code == (0 if heard else 1), run
    assert heard or 'a caller does not hear the greeting ("say:Hello.") before joining' in run.err


def _roles_first(step: str) -> str:
    """A template for the roles host and attendee whose main runs only `step`."""
    roles = "".join(f"  {role}:\n    - join_conference: {{name: all-hands}}\n" for role in ("host", "attendee"))
    return f"version: 1.0.0\nsections:\n  main:\n    - {step}\n{roles}"


@pytest.mark.parametrize(
    ("step", "said"),
    [
        # Every PIN, and every wrong one, ends at the hangup before anything of the PIN dialogue.
        (
            "hangup: {}",
            'a caller with PIN "908172" (role host) and a caller with PIN "4455" (role attendee): joins no conference: '
            "the call ends in hangup (last: hung up, in section main); "
            'a caller who enters only "000000" and 4 other calls: is never asked for a PIN: '
            "the call ends in hangup (last: hung up, in section main)",
        ),
        (
            "execute: {dest: 'https://example.com/intro'}",
            "every call confc simulated (7): the simulation stopped: cannot execute to 'https://example.com/intro': "
            "only sections of this document can be simulated (at sections.main.0.execute)",
        ),
    ],
)
def test_calls_of_a_roles_document_that_end_alike_are_said_once(
    make_repo: Callable[..., Path], cli: Callable, step: str, said: str
) -> None:
    make_repo({"profiles/all-hands.toml": 'template = "mine"\n' + ROLES, "templates/mine.j2": _roles_first(step)})
    run = cli("validate", "configs", "--env", "dev")
    assert run.code == 1, run
    assert run.err == (
        f"configs/templates/mine.j2: the rendered document does not do what the profile says: {said} "
        "(profile all-hands, env dev)\n"
    )


def test_the_built_in_template_names_only_sections_it_has(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/all-hands.toml": ROLES, "profiles/daily.toml": PLAIN})
    assert cli("build", "configs", "--env", "dev").code == 0
    for artifact in sorted(Path("build/dev").glob("*.swml.yaml")):
        assert _problems(yaml.safe_load(artifact.read_text())["sections"]) == []


@pytest.mark.parametrize("params", [{"on_return": {"a": 1}}, {"result": {"case": 7}}, {"result": [1, {"then": 5}]}])
def test_parameters_of_a_method_confc_does_not_check_are_not_followed(params: dict[str, object]) -> None:
    # ai, denoise and the rest pass unchecked: what their parameters hold is not SWML to look into.
    assert _problems({"main": [{"ai": {"prompt": {"text": "hi"}, **params}}, {"denoise": params}]}) == []
