"""confc's join_conference against SignalWire's schema and SDK for the same parameters."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import schema_problems, sdk_join_conference, without_defaults

import compiler
from compiler.schema import CALLBACK_EVENTS, RECORDING_EVENTS
from compiler.yamlload import parse_yaml

url = st.sampled_from(["https://example.com/hold.mp3", "http://hooks.example.com/x?a=1&b=2"])
swml_var = st.sampled_from(["${call.vars.flag}", "%{params.value}"])
events = st.lists(st.sampled_from(CALLBACK_EVENTS), min_size=1, unique=True)
recording_events = st.lists(st.sampled_from(RECORDING_EVENTS), min_size=1, unique=True)
method = st.sampled_from(["GET", "POST"])

conference = st.fixed_dictionaries(
    {
        "name": st.text(st.characters(min_codepoint=0x20, max_codepoint=0x2FF), min_size=1, max_size=12).filter(
            lambda s: s.strip() and "{" not in s
        )
    },
    optional={
        "muted": st.booleans() | swml_var,
        "beep": st.sampled_from([True, False, "true", "false", "onEnter", "onExit"]),
        "start_on_enter": st.booleans() | swml_var,
        "end_on_exit": st.booleans() | swml_var,
        "wait_url": url | swml_var,
        "max_participants": st.integers(2, 100000) | swml_var,
        "record": st.sampled_from(["do-not-record", "record-from-start"]),
        "region": st.sampled_from(["global", "us", "eu", "ch"]),
        "trim": st.sampled_from(["trim-silence", "do-not-trim"]),
        "coach": st.sampled_from(["CA1234", "${call.headers.coach}"]),
        "status_callback": url,
        "recording_status_callback": url,
    },
)


@st.composite
def conferences(draw: st.DrawFn) -> dict:
    table = draw(conference)
    if "status_callback" in table:
        table.update(
            draw(st.fixed_dictionaries({}, optional={"status_callback_event": events, "status_callback_method": method}))
        )
    if "recording_status_callback" in table:
        table.update(
            draw(
                st.fixed_dictionaries(
                    {}, optional={"recording_status_callback_event": recording_events, "recording_status_callback_method": method}
                )
            )
        )
    return table


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=conferences())
def test_join_conference_matches_the_sdk_and_the_schema(make_repo: Callable[..., Path], table: dict) -> None:
    repo = make_repo({"profiles/p.toml": tomli_w.dumps({"conference": table})})
    (artifact,) = compiler.compiler(repo).artifacts(["dev"])
    document = parse_yaml(artifact.content.decode())
    assert schema_problems(document) == []
    ours = document["sections"]["main"][0]["join_conference"]
    assert without_defaults(ours) == sdk_join_conference(ours)


def test_result_switch_and_cond_pass_the_schema(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {
            "profiles/switch.toml": """
                [conference]
                name = "s"
                [conference.result]
                variable = "return_value"
                default = [{ hangup = {} }]
                [conference.result.case]
                completed = [{ play = { url = "say:bye" } }, { hangup = {} }]
            """,
            "profiles/cond.toml": """
                [conference]
                name = "c"
                result = [
                    { when = "return_value == 'failed'", then = [{ play = { url = "say:sorry" } }] },
                    { else = [{ hangup = {} }] },
                ]
            """,
        }
    )
    for artifact in compiler.compiler(repo).artifacts(["dev", "prod"]):
        assert schema_problems(parse_yaml(artifact.content.decode())) == []


def test_the_oracle_itself_rejects_what_signalwire_rejects() -> None:
    def doc(params: dict) -> dict:
        return {"version": "1.0.0", "sections": {"main": [{"join_conference": params}]}}

    assert schema_problems(doc({"name": "n", "status_callback_event": "join leave"})) == []
    assert schema_problems(doc({"name": "n", "status_callback_event": "join  leave"})) != []
    assert schema_problems(doc({"name": "n", "beep": True})) != []
    assert schema_problems(doc({"name": "n", "max_participants": 1})) != []
    assert schema_problems(doc({"name": "n", "bogus": 1})) != []
    with pytest.raises(ValueError, match="beep"):
        sdk_join_conference({"name": "n", "beep": "loud"})
