"""The simulator follows SignalWire's SWML reference, method by method (README "How the simulator models SWML")."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from compiler import flowgraph
from compiler.calls import MAX_TRANSFERS, simulate
from compiler.document import Document, methods, model

ALL_HANDS = """\
[conference]
name = "all-hands"

[access]
attempts = 3

[roles.host]
pin = "908172"

[roles.attendee]
pin = "4455"
"""


def _document(text: str) -> Document:
    found, problems = model(yaml.safe_load(textwrap.dedent(text)))
    assert found is not None, problems
    return found


def _played(call: Any) -> list[str]:
    return [step.did.removeprefix("played ") for step in call.steps if step.method == "play"]


@pytest.mark.parametrize(
    ("entry", "value", "result", "terminator"),
    [
        ("1234#", "1234", "match_digits", "#"),
        ("12", "12", "match_digits", ""),  # the digit timeout ends the entry
        ("", "", "no_input", ""),  # silence: the initial timeout
        ("#", "", "no_input", "#"),  # only the terminator: no digits were entered
        ("123456789", "12345", "match_digits", ""),  # max_digits ends the entry
    ],
)
def test_prompt_sets_its_three_variables(entry: str, value: str, result: str, terminator: str) -> None:
    document = _document(
        """\
        version: 1.0.0
        sections:
          main:
            - prompt: {play: "say:PIN", max_digits: 5, terminators: "#"}
            - play: {url: "say:${prompt_value}"}
            - set: {seen: "${prompt_value}/${prompt_result}/${prompt_digit_terminator}"}
            - switch:
                variable: seen
                case: {}
                default: [{hangup: {}}]
        """
    )
    call = simulate(document, [entry])
    assert call.steps[-2].did == "seen is " + repr(f"{value}/{result}/{terminator}") + ": default"


def test_the_built_in_flow_tells_silence_from_a_wrong_pin_and_ends_with_goodbye(
    make_repo: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    make_repo({"profiles/all-hands.toml": ALL_HANDS})
    flags = ["simulate", "configs", "all-hands", "--env", "dev", "--format", "json"]
    run = json.loads(cli(*flags, "--digits", "", "--digits", "0000#", "--digits", "#").out)
    assert [s["did"] for s in run["steps"] if s["method"] == "play"] == [
        "played say:No PIN was entered.",
        "played say:That PIN was not recognised.",
        "played say:Goodbye.",
    ]
    assert run["end"] == "hangup" and run["joins"] == []
    # A full PIN and its # fit in one entry: the # ends it rather than arriving after it.
    host = json.loads(cli(*flags, "--digits", "908172#").out)
    assert [j["section"] for j in host["joins"]] == ["host"]


def test_every_switch_of_the_built_in_flow_has_a_default_and_no_goto_is_left(
    make_repo: Callable[..., Path], cli: Callable
) -> None:
    make_repo({"profiles/all-hands.toml": ALL_HANDS})
    assert cli("build", "configs", "--env", "dev").code == 0
    artifact = (Path("build/dev/all-hands.swml.yaml")).read_text()
    main = yaml.safe_load(artifact)["sections"]["main"]
    switches = [item["switch"] for item in main if "switch" in item]
    prompts = [item["prompt"] for item in main if "prompt" in item]
    assert len(switches) == len(prompts) == 3 and all("default" in s for s in switches)
    assert all(p["max_digits"] == 7 and p["initial_timeout"] == 10 and p["digit_timeout"] == 5 for p in prompts)
    assert "goto" not in artifact and "label" not in artifact


def test_a_switch_that_matches_nothing_and_has_no_default_ends_the_call_in_an_error() -> None:
    document = _document(
        """\
        version: 1.0.0
        sections:
          main:
            - prompt: {play: "say:PIN", max_digits: 4}
            - switch: {variable: prompt_value, case: {"1234": [{hangup: {}}]}}
            - play: {url: "say:never heard"}
        """
    )
    call = simulate(document, ["9999"])
    assert call.end.startswith("error: relay_script_method_no_matching_condition")
    assert _played(call) == []


def test_the_thirty_third_transfer_ends_the_call_in_an_error() -> None:
    document = _document(
        """\
        version: 1.0.0
        sections:
          main:
            - play: {url: "say:again"}
            - transfer: {dest: main}
        """
    )
    call = simulate(document)
    assert call.end.startswith("error: relay_script_too_many_transfers")
    assert len(_played(call)) == MAX_TRANSFERS + 1


def test_a_goto_past_its_max_stops_the_simulation_because_the_reference_does_not_say() -> None:
    document = _document(
        """\
        version: 1.0.0
        sections:
          main:
            - label: top
            - goto: {label: top, max: 2}
        """
    )
    assert simulate(document).end == (
        "stopped: the goto has jumped its max of 2 times: the reference does not say what a call does then"
        " (at sections.main.1.goto)"
    )


def test_set_expands_variables_and_conditions_compare_as_javascript_writes_values() -> None:
    document = _document(
        """\
        version: 1.0.0
        sections:
          main:
            - set: {vip: true, name: "caller ${code}"}
            - cond:
                - when: vip == 'true' && name == 'caller 7'
                  then: [{play: {url: "say:javascript"}}]
                - when: vip == 'True'
                  then: [{play: {url: "say:python"}}]
                - else: [{play: {url: "say:neither"}}]
        """
    )
    # `code` is unset: SWML's ${} of nothing is not simulated, it stops.
    assert simulate(document).end == "stopped: variable code is not set (at sections.main.0.set)"
    set_first = _document(
        """\
        version: 1.0.0
        sections:
          main:
            - set: {code: 7}
            - set: {vip: true, name: "caller ${code}"}
            - cond:
                - when: vip == 'true' && name == 'caller 7'
                  then: [{play: {url: "say:javascript"}}]
                - else: [{play: {url: "say:python"}}]
        """
    )
    assert _played(simulate(set_first)) == ["say:javascript"]


def test_execute_runs_on_return_after_the_section_returns() -> None:
    document = _document(
        """\
        version: 1.0.0
        sections:
          main:
            - execute:
                dest: ask
                on_return: [{play: {url: "say:back"}}]
            - play: {url: "say:after"}
          ask:
            - play: {url: "say:in ask"}
            - return: {}
            - play: {url: "say:never"}
        """
    )
    assert _played(simulate(document)) == ["say:in ask", "say:back", "say:after"]


def test_a_template_that_admits_a_silent_caller_is_refused(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(
        {
            "profiles/all-hands.toml": 'template = "lenient"\n' + ALL_HANDS,
            "templates/lenient.j2": textwrap.dedent(
                """\
                version: 1.0.0
                sections:
                  main:
                {%- for attempt in range(access.attempts) %}
                    - prompt: {play: "say:PIN", max_digits: {{ access.max_digits }}, terminators: "#"}
                    - switch:
                        variable: prompt_value
                        case:
                          "": [{transfer: {dest: host}}]
                {%- for role in roles %}{% for pin in role.pins %}
                          {{ pin | yaml }}: [{transfer: {dest: {{ role.name | yaml }}}}]
                {%- endfor %}{% endfor %}
                        default: [{play: {url: {{ ("say:" ~ (access.goodbye if loop.last else access.retry)) | yaml }}}}]
                {%- endfor %}
                    - hangup: {}
                {%- for role in roles %}
                  {{ role.name | yaml }}:
                    - join_conference:
                        {{ role.join | yaml(8) }}
                    - hangup: {}
                {%- endfor %}
                """
            ),
        }
    )
    run = cli("validate", "configs", "--env", "dev")
    assert run.code == 1 and 'a caller who enters nothing and a caller who enters only "#": joins a conference' in run.err, run


def test_a_transfer_to_a_url_hands_the_call_on_and_shows_no_credentials() -> None:
    call = simulate(
        _document(
            """\
            version: 1.0.0
            sections:
              main:
                - answer: {}
                - transfer:
                    dest: "https://user:s3cret@example.com/next?line=2"
                - hangup: {}
            """
        )
    )
    assert (call.outcome, call.end) == ("transferred", "transferred to https://example.com/next?line=2")
    assert [step.method for step in call.steps] == ["answer", "transfer"]  # nothing after it runs here
    assert "s3cret" not in json.dumps(call.as_json())


def test_record_takes_a_message_and_sets_what_the_reference_says() -> None:
    call = simulate(
        _document(
            """\
            version: 1.0.0
            sections:
              main:
                - play:
                    url: "say:Leave a message after the tone."
                - record:
                    beep: true
                    end_silence_timeout: 3
                - cond:
                    - when: record_result == 'success'
                      then:
                        - play:
                            url: "say:Thank you."
                - hangup: {}
            """
        )
    )
    assert _played(call) == ["say:Leave a message after the tone.", "say:Thank you."]
    assert call.end == "hangup"
    assert [step.method for step in call.steps] == ["play", "record", "cond", "play", "hangup"]


# Random documents of the methods the simulator runs: sections that jump, branch, loop and join anywhere.
_SECTIONS = ["main", "a", "b"]
_leaf = st.one_of(
    st.just({"answer": {}}),
    st.just({"hangup": {}}),
    st.just({"return": {}}),
    st.builds(lambda text: {"play": {"url": f"say:{text}"}}, st.text(max_size=5)),
    st.builds(lambda n: {"prompt": {"play": "say:PIN?", "max_digits": n, "terminators": "#"}}, st.integers(1, 5)),
    st.builds(lambda name: {"join_conference": {"name": name}}, st.sampled_from(["c1", "c2"])),
    st.builds(lambda dest: {"transfer": {"dest": dest}}, st.sampled_from([*_SECTIONS, "nowhere", "https://e.com/x"])),
    st.builds(lambda dest: {"execute": {"dest": dest}}, st.sampled_from([*_SECTIONS, "nowhere"])),
    st.builds(lambda label: {"label": label}, st.sampled_from(["l1", "l2"])),
    st.builds(lambda label, n: {"goto": {"label": label, "max": n}}, st.sampled_from(["l1", "l2", "l3"]), st.integers(1, 3)),
    st.builds(lambda value: {"set": {"x": value}}, st.sampled_from(["1", "${prompt_value}", "%{x}"])),
    st.just({"unset": "x"}),
    # A method confc does not check, holding anything: nothing may look into it as SWML.
    st.builds(
        lambda value: {"denoise": {"result": value, "on_return": value}},
        st.recursive(
            st.none() | st.integers() | st.text(max_size=3),
            lambda inner: st.lists(inner) | st.dictionaries(st.text(max_size=4), inner),
            max_leaves=5,
        ),
    ),
)


def _branching(inner: st.SearchStrategy[list[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    switch = st.builds(
        lambda cases, default: {
            "switch": {"variable": "prompt_value", "case": cases, **({"default": default} if default else {})}
        },
        st.dictionaries(st.sampled_from(["1", "2", "11"]), inner, max_size=2),
        inner,
    )
    cond = st.builds(
        lambda then, other: {"cond": [{"when": "prompt_value == '1' || x != '2'", "then": then}, {"else": other}]}, inner, inner
    )
    returning = st.builds(
        lambda dest, after: {"execute": {"dest": dest, "on_return": after}}, st.sampled_from([*_SECTIONS, "nowhere"]), inner
    )
    result = st.builds(
        lambda cases, branches: {
            "join_conference": {"name": "c1", "result": {"variable": "return_value", "case": cases} if cases else branches}
        },
        st.dictionaries(st.sampled_from(["completed", "failed"]), inner, max_size=2),
        st.lists(st.builds(lambda then: {"when": "return_value == 'failed'", "then": then}, inner), max_size=2),
    )
    return switch | cond | returning | result


_methods = st.recursive(st.lists(_leaf, max_size=4), lambda inner: st.lists(_leaf | _branching(inner), max_size=4), max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(
    sections=st.fixed_dictionaries({"main": _methods}, optional={"a": _methods, "b": _methods}),
    digits=st.lists(st.sampled_from(["1", "2", "11#", "", "#"]), max_size=3),
    result=st.sampled_from([None, "completed", "failed"]),
)
# A join whose result runs the section again records two steps a turn: the limit must hold within a method too.
@example(
    sections={
        "main": [
            {
                "join_conference": {
                    "name": "c1",
                    "result": {"variable": "return_value", "case": {"failed": [{"execute": {"dest": "main"}}]}},
                }
            }
        ]
    },
    digits=[],
    result="failed",
)
def test_any_document_of_these_methods_is_run_and_drawn_to_an_end(
    sections: dict[str, list[Any]], digits: list[str], result: str | None
) -> None:
    found, problems = model({"version": "1.0.0", "sections": sections})
    if found is None:  # a destination the document lacks, which SignalWire fails the call on: the simulator must too
        named = [re.match(r'"([^"]*)" names no (section|label)', message) for _, message in problems]
        assert named and all(named), problems
        assert all(match[1] not in sections for match in named if match and match[2] == "section")
        found = Document({name: methods(items, ("sections", name)) for name, items in sections.items()})
    call = simulate(found, digits, result)
    assert call.end is not None and len(call.steps) <= 10_000
    json.dumps(call.as_json())  # what simulate --format json prints
    graph = flowgraph.flow(found)
    assert flowgraph.mermaid(graph).startswith("flowchart TD\n") and flowgraph.dot(graph).endswith("}\n")


ONE_ATTEMPT = """\
version: 1.0.0
sections:
  main:
    - prompt: {play: "say:PIN", max_digits: {{ access.max_digits }}, terminators: "#"}
    - switch:
        variable: prompt_value
        case:
{%- for role in roles %}{% for pin in role.pins %}
          {{ pin | yaml }}: [{transfer: {dest: {{ role.name | yaml }}}}]
{%- endfor %}{% endfor %}
        default: [{play: {url: {{ ("say:" ~ access.goodbye) | yaml }}}}]
    - hangup: {}
{%- for role in roles %}
  {{ role.name | yaml }}:
    - join_conference:
        {{ role.join | yaml(8) }}
    - hangup: {}
{%- endfor %}
"""


def test_a_template_that_asks_a_wrong_pin_too_few_times_is_refused(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/all-hands.toml": 'template = "once"\n' + ALL_HANDS, "templates/once.j2": ONE_ATTEMPT})
    run = cli("validate", "configs", "--env", "dev")
    assert run.code == 1, run
    assert "the rendered document does not do what the profile says: a caller who enters only " in run.err
    assert (
        'a caller who enters only "000000" and a caller who enters only "000000#" and a caller who enters only "00000#":'
        ' should be asked 3 time(s), hearing "say:That PIN was not recognised.", then "say:That PIN was not recognised.",'
        ' then "say:Goodbye." and be hung up on; asked 1 time(s), hearing "say:Goodbye.", ending in hangup;'
    ) in run.err
    assert 'a caller who enters nothing and a caller who enters only "#": should be asked 3 time(s), hearing' in run.err


LISTED_BRIDGE = '[conference]\nname = "bridge"\n[access]\ncallers = "listed"\n[roles.oncall]\ncallers = "+15551230001"\n'


def _listed_template(first: str, stranger: str) -> str:
    """A template for LISTED_BRIDGE: `first` before the caller ID is looked at, `stranger` for an unlisted number."""
    return f"""\
version: 1.0.0
sections:
  main:{first}
    - switch:
        variable: call.from
        case:
          "+15551230001": [{{transfer: {{dest: oncall}}}}]
        default: [{stranger}]
    - hangup: {{}}
  oncall:
    - join_conference:
        {{{{ roles[0].join | yaml(8) }}}}
"""


@pytest.mark.parametrize(
    ("first", "stranger", "said"),
    [
        # Every caller is asked for digits before the caller ID is looked at.
        (
            '\n    - prompt: {play: "say:PIN", max_digits: 4, terminators: "#"}',
            '{play: {url: {{ ("say:" ~ access.goodbye) | yaml }}}}',
            'never asked for a PIN; asked 1 time(s), hearing "say:Goodbye.", ending in hangup',
        ),
        # Never being asked is right on a listed line: what is wrong is the goodbye it does not hear.
        ("", "{hangup: {}}", "never asked for a PIN; asked 0 time(s), hearing nothing, ending in hangup"),
    ],
)
def test_a_listed_line_whose_template_mistreats_strangers_is_refused(
    make_repo: Callable[..., Path], cli: Callable, first: str, stranger: str, said: str
) -> None:
    make_repo(
        {"profiles/bridge.toml": 'template = "mine"\n' + LISTED_BRIDGE, "templates/mine.j2": _listed_template(first, stranger)}
    )
    run = cli("validate", "configs", "--env", "dev")
    assert run.code == 1, run
    callers = "a caller from +15550100000, which no role lists and a caller who withholds their number"
    assert f'{callers}: should hear "say:Goodbye." and be hung up on, {said}' in run.err
    assert "is never asked for a PIN:" not in run.err
