"""Whatever a space holds, one apply makes it match the repository, touches nothing foreign, and the next plan is empty."""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import write_repo
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from signalwire_fake import NUMBERS as NUMBERS_PATH
from signalwire_fake import PROJECT, SCRIPTS, TOKEN, Server

from compiler.cli import main
from compiler.deploy import space as space_module
from compiler.deploy.applying import carry_out
from compiler.deploy.planning import Local, plan
from compiler.deploy.space import Space
from compiler.deploy.target import Target
from compiler.repository import load

PROFILES = ("alpha", "bravo", "charlie", "team/delta")
PREFIX = "confc:"
NUMBERS = ("+15550000001", "+15550000002", "+15550000003")


def document(say: str) -> dict[str, Any]:
    return {"version": "1.0.0", "sections": {"main": ["answer", {"play": {"url": f"say:{say}"}}, "hangup"]}}


says = st.sampled_from(["hello", "welcome", "goodbye"])
remote_script = st.tuples(
    st.sampled_from([*(PREFIX + p for p in PROFILES), PREFIX + "gone", "Legacy IVR", "confc-other:alpha"]),
    says,
    st.booleans(),  # stored as a string of JSON, as the Dashboard does
)
space_states = st.fixed_dictionaries(
    {
        "locals": st.dictionaries(st.sampled_from(PROFILES), says, min_size=1),
        "remote": st.lists(remote_script, max_size=6),
        # each number: the profile it should ring (an index into locals), and what it routes to now (an index into remote, or None)
        "numbers": st.lists(st.tuples(st.integers(0, 3), st.none() | st.integers(0, 5)), max_size=3),
        "extra_number_routes_to": st.none() | st.integers(0, 5),  # a number the file does not list
    }
)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = write_repo(tmp_path_factory.mktemp("repo"), {"environments/prod.toml": "[deploy]\n", "profiles/a.toml": ""})
    return load(root).environments["prod"]


@settings(
    max_examples=int(os.environ.get("CONFC_FUZZ_EXAMPLES", "60")),
    derandomize="CONFC_FUZZ_RANDOM" not in os.environ,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(state=space_states)
def test_one_apply_converges_and_leaves_what_is_not_ours(
    state: dict[str, Any], server: Server, source: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(space_module, "sleep", lambda seconds: None)
    fake = server.space
    fake.scripts.clear()
    fake.numbers.clear()
    fake.requests.clear()
    ids = [
        fake.add_script(name, json.dumps(document(say)) if as_text else document(say)) for name, say, as_text in state["remote"]
    ]
    wanted = sorted(state["locals"])
    routes = {}
    for (profile_index, current), number in zip(state["numbers"], NUMBERS, strict=False):
        routed = ids[current] if current is not None and current < len(ids) else None
        fake.add_number(number, routed_to=routed)
        routes[number] = wanted[profile_index % len(wanted)]
    extra = state["extra_number_routes_to"]
    if extra is not None and extra < len(ids):
        fake.add_number("+15559999999", routed_to=ids[extra])
    foreign_before = {
        rid: json.dumps(s, sort_keys=True) for rid, s in fake.scripts.items() if not s["display_name"].startswith(PREFIX)
    }

    target = Target("prod", server.host, PREFIX, routes, source, PROJECT, TOKEN)
    locals_ = [Local(p, f"build/prod/{p}.swml.yaml", document(state["locals"][p]), "yaml") for p in wanted]
    first = plan(target, locals_, Space(target), prune=True)
    note(f"first plan: {[(c.action, c.name) for c in first.scripts]} {[(c.action, c.number.number) for c in first.numbers]}")
    carry_out(first, Space(target), lambda line: None)

    second = plan(target, locals_, Space(target), prune=True)
    assert not second.changes, [(c.action, c.name) for c in second.scripts]
    chosen = {c.name: c.script.id for c in second.scripts if c.action == "unchanged" and c.script is not None}
    for profile in wanted:
        contents = fake.scripts[chosen[PREFIX + profile]]["swml_script"]["contents"]
        assert (json.loads(contents) if isinstance(contents, str) else contents) == document(state["locals"][profile])
    for number, profile in routes.items():
        assert fake.routed(number) == chosen[PREFIX + profile]
    foreign_after = {rid: json.dumps(fake.scripts[rid], sort_keys=True) for rid in foreign_before if rid in fake.scripts}
    assert foreign_after == foreign_before  # never changed, never deleted
    unlisted = [n["calling_handler_resource_id"] for n in fake.numbers if n["number"] not in routes]
    assert all(rid is None or rid in fake.scripts for rid in unlisted)  # nothing a number still routes to is deleted
    routed_now = {n["calling_handler_resource_id"] for n in fake.numbers}
    for rid, script in fake.scripts.items():
        if script["display_name"].startswith(PREFIX) and rid not in chosen.values():
            assert rid in routed_now  # a stale script (or a second of a name) survives only while a number routes to it


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "data",
                    "links",
                    "next",
                    "id",
                    "number",
                    "display_name",
                    "swml_script",
                    "contents",
                    "calling_handler_resource_id",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("answers")
    write_repo(
        root / "configs",
        {
            "environments/prod.toml": '[deploy]\nspace = "example.signalwire.com"\n[deploy.numbers]\n"+15551230001" = "standup"\n',
            "profiles/standup.toml": '[conference]\nname = "standup"\n',
            "profiles/support.toml": '[conference]\nname = "support"\n',
        },
    )
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["build", str(root / "configs"), "--env", "prod"]) == 0
    return root


@settings(
    max_examples=int(os.environ.get("CONFC_FUZZ_EXAMPLES", "60")),
    derandomize="CONFC_FUZZ_RANDOM" not in os.environ,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    request=st.sampled_from(
        [("GET", SCRIPTS), ("GET", NUMBERS_PATH), ("POST", SCRIPTS), ("PUT", SCRIPTS + "/.*"), ("POST", ".*/phone_routes")]
    ),
    status=st.sampled_from([200, 201, 204, 400, 404, 409, 418, 503]),
    body=json_values,
    command=st.sampled_from(["plan", "apply"]),
)
def test_whatever_the_space_answers_confc_reports_it_and_never_crashes(
    request: tuple[str, str],
    status: int,
    body: Any,
    command: str,
    server: Server,
    built: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(space_module, "sleep", lambda seconds: None)
    monkeypatch.setenv("SIGNALWIRE_PROJECT_ID", PROJECT)
    monkeypatch.setenv("SIGNALWIRE_API_TOKEN", TOKEN)
    monkeypatch.setenv("SIGNALWIRE_SPACE", server.host)
    fake = server.space
    fake.scripts.clear()
    fake.numbers.clear()
    fake.faults.clear()
    fake.add_number("+15551230001")
    fake.add_script("confc:gone", document("hello"))  # a create (support), an update and a delete to make
    fake.add_script("confc:standup", document("hello"))
    fake.fail(*request, status, times=99, body=body)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([command, str(built / "configs"), "--env", "prod", "--prune", *(["--yes"] if command == "apply" else [])])
    note(err.getvalue())
    assert code in (0, 1, 3), err.getvalue()
    assert "internal error" not in err.getvalue() and "Traceback" not in err.getvalue()
    assert TOKEN not in out.getvalue() + err.getvalue()
