"""confc test: call-path tests in the profile repository, their errors, formats and snapshots; and confc graph --flow."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from pathlib import Path

import hypothesis
import pytest
from conftest import Run, write_repo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler import flowgraph

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def example(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    return tmp_path / "configs"


def test_the_example_repository_passes_its_tests(example: Path, cli: Callable[..., Run]) -> None:
    run = cli("test", "configs", "--all-envs")
    assert run.code == 0, run.out
    assert run.out.splitlines()[-1] == "28 passed, 0 failed"
    assert cli("build", "configs", "--all-envs").code == 0
    assert cli("test", "configs", "--artifacts", "build").out.splitlines()[-1] == "28 passed, 0 failed"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b'version: "1.0.0"\n\xff\n', "build/prod/standup.swml.yaml: the committed artifact is not valid UTF-8;"),
        (b"a: [\n", "build/prod/standup.swml.yaml:2: the committed artifact is not valid YAML (did not find expected"),
        (b"a: 1\n", "build/prod/standup.swml.yaml: the committed artifact is not a SWML document: the document must start"),
    ],
)
def test_a_committed_artifact_that_is_not_a_document_is_named_with_how_to_mend_it(
    example: Path, cli: Callable[..., Run], content: bytes, error: str
) -> None:
    assert cli("build", "configs", "--all-envs").code == 0
    (example.parent / "build/prod/standup.swml.yaml").write_bytes(content)
    run = cli("test", "configs", "--artifacts", "build")
    assert run.code == 1, run
    assert run.err.startswith(error), run.err
    assert run.err.rstrip().endswith("run confc build to write it again"), run.err
    assert "Traceback" not in run.err + run.out


@pytest.mark.parametrize(
    ("file", "old", "new", "failing"),
    [
        ("profiles/all-hands.toml", 'pin = "908172"', 'pin = "908173"', {"the host starts the meeting unmuted"}),
        ("profiles/all-hands.toml", "muted = true\n", "muted = false\n", {"an attendee joins muted and waits for the host"}),
        (
            "profiles/standup.toml",
            'say = "Good morning! Joining the {{ vars.team }} standup."',
            'say = "Morning, {{ vars.team }}."',
            {"the standup greets the team, but not in production"},
        ),
    ],
)
def test_one_change_fails_exactly_the_cases_that_depend_on_it(
    example: Path, cli: Callable[..., Run], file: str, old: str, new: str, failing: set[str]
) -> None:
    path = example / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    run = cli("test", "configs", "--format", "json")
    assert run.code == 1
    outcomes = [json.loads(line) for line in run.out.splitlines()]
    assert {o["case"] for o in outcomes if o["status"] == "failed"} == failing
    failed = next(o for o in outcomes if o["status"] == "failed")
    assert failed["file"].startswith("configs/tests/") and failed["line"] and "expected" in failed["message"]


def test_a_pattern_that_selects_no_case_is_a_usage_error(example: Path, cli: Callable[..., Run]) -> None:
    # A typo in CI's -k would otherwise pass on no test at all.
    run = cli("test", "configs", "-k", "atendee joins")
    assert run.code == 2, run
    assert run.err.startswith("confc: error: -k atendee joins: matches no case name (as text in it, in any case, or as a glob)")
    assert '"an attendee joins muted and waits for the host"' in run.err and not run.out
    assert cli("test", "configs", "-k", "an *ee joins*").code == 0


def test_a_failure_names_the_file_line_and_shows_expected_against_got(example: Path, cli: Callable[..., Run]) -> None:
    path = example / "profiles/all-hands.toml"
    path.write_text(path.read_text().replace("muted = true\n", "muted = false\n", 1))
    run = cli("test", "configs", "--env", "prod", "-k", "attendee joins")
    assert run.out.splitlines() == [
        "FAIL  configs/tests/all-hands.toml:20  an attendee joins muted and waits for the host (all-hands, env prod): "
        "expected muted = true, got false",
        "0 passed, 1 failed",
    ]
    github = cli("test", "configs", "--env", "prod", "-k", "attendee joins", "--format", "github")
    assert github.out.splitlines()[0] == (
        "::error file=configs/tests/all-hands.toml,line=20,title=confc test%3A an attendee joins muted and waits for the host::"
        "expected muted = true, got false (all-hands, env prod)"
    )
    junit = ElementTree.fromstring(cli("test", "configs", "--format", "junit").out)
    assert junit.get("tests") == "28" and junit.get("failures") == "2"
    failures = [case.get("name") for case in junit.iter("testcase") if case.find("failure") is not None]
    assert failures == [
        "an attendee joins muted and waits for the host [prod]",
        "an attendee joins muted and waits for the host [staging]",
    ]
    # The file in dots, as JUnit readers split package and class (a path would make "toml" the class).
    assert {case.get("classname") for case in junit.iter("testcase") if case.get("file") == "configs/tests/all-hands.toml"} == {
        "configs.tests.all-hands"
    }


def test_a_role_an_environment_leaves_out_is_an_error_at_the_case_not_a_failure(example: Path, cli: Callable[..., Run]) -> None:
    write_repo(
        example,
        {
            "profiles/line.toml": (
                'extends = "base"\n[conference]\nname = "line"\n[roles.host]\npin = "1"\n[roles.guest]\npin = "2"\n'
                '[env.dev]\nunset = ["roles.guest"]\n'
            ),
            "tests/line.toml": '[[case]]\nname = "a guest joins"\nprofile = "line"\ndigits = ["2"]\n[case.expect]\nrole = "guest"\n',
        },
    )
    assert cli("test", "configs", "--env", "prod", "-k", "guest").code == 0
    run = cli("test", "configs", "-k", "guest")
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        'configs/tests/line.toml:6: expect.role: profile line has no role "guest" in dev (its roles there: host), so no call'
        " joins as it there (env or envs limits a case to the environments it is meant for)\n"
    )
    (example / "tests/line.toml").write_text(
        (example / "tests/line.toml").read_text().replace("digits", 'envs = ["prod", "staging"]\ndigits')
    )
    assert cli("test", "configs", "-k", "guest").code == 0


CASE = '[[case]]\nname = "n"\nprofile = "all-hands"\n'


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            CASE + "colour = 1\n",
            "configs/tests/t.toml:4: case.colour: unknown key; accepted: digits, env, envs, expect, from, name, profile, refused, result, secrets, snapshot",
        ),
        ('[[case]]\nname = 5\nprofile = "all-hands"\n', "configs/tests/t.toml:2: case.name: must be a string, got 5"),
        (
            '[case]\nname = "n"\nprofile = "all-hands"\n',
            "configs/tests/t.toml:1: case: must be an array of tables: write each case as [[case]], not [case]",
        ),
        (
            '[[case]]\nname = "n"\nprofile = "all-hand"\n',
            'configs/tests/t.toml:3: profile: unknown profile "all-hand" (did you mean "all-hands"?)',
        ),
        (
            CASE + 'env = "production"\n',
            'configs/tests/t.toml:4: env: unknown environment "production" (did you mean "prod"?); known: dev, prod, staging',
        ),
        (
            CASE + '[case.expect]\nrole = "hots"\n',
            'configs/tests/t.toml:5: expect.role: profile all-hands has no role "hots" (did you mean "host"?); its roles: host, attendee',
        ),
        (
            CASE + 'digits = ["12x"]\n',
            'configs/tests/t.toml:4: case.digits: must match the pattern "[0-9*#]*" (as a whole), got "12x"',
        ),
        (
            CASE + 'result = "ended"\n',
            'configs/tests/t.toml:4: case.result: "ended" is not accepted; use one of "completed", "answered", "no-answer", "failed", "canceled"',
        ),
        (
            CASE + "[case.expect]\njoin = { mutd = true }\n",
            'configs/tests/t.toml:5: case.expect.join.mutd: unknown key (did you mean "muted"?)',
        ),
        (
            CASE + '[case.expect]\njoin = { stream = { nmae = "x" } }\n',
            'configs/tests/t.toml:5: case.expect.join.stream.nmae: unknown key (did you mean "name"?)',
        ),
        (
            CASE + '[case.expect]\njoin = { stream = "wss://x.example.com" }\n',
            'configs/tests/t.toml:5: case.expect.join.stream: must be a table, got "wss://x.example.com"',
        ),
        (
            '[[case]]\nname = "n"\nprofile = "base"\n',
            "configs/tests/t.toml:3: profile: base is abstract: it has no document to call; name a profile that extends it"
            ' ("all-hands", "board", "incident", "standup", "support/bridge")',
        ),
        (
            CASE + '[case.expect]\nhears = ["Welcome.", "say:Please enter your meeting PIN."]\n',
            'configs/tests/t.toml:5: case.expect.hears: hears takes the text a say: speaks: write "Please enter your meeting PIN."',
        ),
        ("case = [\n", "configs/tests/t.toml:1: invalid TOML"),
    ],
)
def test_every_invalid_test_file_is_an_error_at_its_line(example: Path, cli: Callable[..., Run], text: str, error: str) -> None:
    write_repo(example, {"tests/t.toml": text})
    run = cli("test", "configs")
    assert (run.code, run.out) == (1, "")
    assert run.err.startswith(error), run.err
    assert "Traceback" not in run.err


def test_a_malformed_case_does_not_hide_the_problems_of_the_others(example: Path, cli: Callable[..., Run]) -> None:
    write_repo(example, {"tests/t.toml": CASE + "digits = [1234]\n" + CASE + 'env = "qa"\n'})
    run = cli("test", "configs")
    assert (run.code, run.out) == (1, "")
    assert run.err.splitlines() == [
        'configs/tests/t.toml:4: case.digits: must be a string, got 1234 (in quotes, "1234", it is a string)',
        'configs/tests/t.toml:8: env: unknown environment "qa"; known: dev, prod, staging',
    ]


def test_update_records_a_snapshot_case_and_never_a_hand_written_one(example: Path, cli: Callable[..., Run]) -> None:
    hand_written = (example / "tests/all-hands.toml").read_text()
    write_repo(example, {"tests/snap.toml": CASE + 'env = "prod"\ndigits = ["4456"]\nsnapshot = true\n'})
    assert "no snapshot recorded yet: run confc test --update" in cli("test", "configs", "-k", "n").out
    assert cli("test", "configs", "--update").code == 0
    recorded = (example / "tests/snap.toml").read_text()
    assert '[case.expect]\nrole = "attendee"\n' in recorded and '[case.expect.join]\nname = "all-hands-prod"\n' in recorded
    assert (example / "tests/all-hands.toml").read_text() == hand_written
    assert cli("test", "configs").code == 0
    assert cli("test", "configs", "--update").code == 0 and (example / "tests/snap.toml").read_text() == recorded
    path = example / "profiles/all-hands.toml"
    path.write_text(path.read_text().replace("muted = true\n", "muted = false\n", 1))
    assert cli("test", "configs", "-k", "n", "--env", "prod").code == 1  # the snapshot holds until updated


def test_a_snapshot_of_several_environments_records_what_they_share(example: Path, cli: Callable[..., Run]) -> None:
    # The all-hands is named after its environment and reports to its hooks: those keys cannot hold in both.
    write_repo(example, {"tests/snap.toml": CASE + 'envs = ["staging", "prod"]\ndigits = ["4456"]\nsnapshot = true\n'})
    run = cli("test", "configs", "--update")
    assert run.code == 0
    assert run.err.splitlines()[-1] == (
        'configs/tests/snap.toml: "n": join.name, join.status_callback (differ in envs prod, staging): left out of the snapshot,'
        " which holds in each"
    )
    recorded = (example / "tests/snap.toml").read_text()
    assert 'role = "attendee"' in recorded and "muted = true" in recorded and "name = " not in recorded.split("[case.expect]")[1]
    outcomes = [line.split()[0] for line in cli("test", "configs").out.splitlines() if "tests/snap.toml" in line]
    assert outcomes == ["PASS", "PASS"]
    # Recorded in one of them (--env), it is told where else CI runs it.
    run = cli("test", "configs", "--update", "--env", "prod", "-k", "n")
    assert run.err.splitlines()[-1] == (
        'configs/tests/snap.toml:1: note: "n" was recorded in env prod alone, but it runs in staging too:'
        " --update without --env records what holds in each"
    )


def test_cases_in_a_subfolder_run_too(example: Path, cli: Callable[..., Run]) -> None:
    # A case that is never run passes unseen: tests/lines/*.toml count as tests/*.toml do.
    write_repo(
        example, {"tests/lines/host.toml": CASE + 'env = "prod"\ndigits = ["1"]\nrefused = false\n[case.expect]\nrole = "host"\n'}
    )
    run = cli("test", "configs", "-k", "n", "--env", "prod")
    assert run.code == 1
    assert [line for line in run.out.splitlines() if "tests/lines/" in line] == [
        'FAIL  configs/tests/lines/host.toml:8  n (all-hands, env prod): expected role "host", got no join (the call ended: hangup)'
    ]


def test_update_keeps_a_files_crlf_line_endings(example: Path, cli: Callable[..., Run]) -> None:
    # git for Windows checks a file out with CR LF: what --update writes into it ends its lines so too.
    text = "# mine\n" + CASE + 'env = "prod"\ndigits = ["4456"]\nsnapshot = true\n\n' + CASE.replace('"n"', '"m"')
    (example / "tests/snap.toml").write_bytes(text.replace("\n", "\r\n").encode())
    assert cli("test", "configs", "--update").code == 0
    recorded = (example / "tests/snap.toml").read_bytes()
    assert b'\r\n[case.expect]\r\nrole = "attendee"\r\n' in recorded
    assert recorded.count(b"\n") == recorded.count(b"\r\n")
    assert recorded.startswith(b"# mine\r\n[[case]]\r\n") and recorded.endswith(b'name = "m"\r\nprofile = "all-hands"\r\n')
    assert cli("test", "configs").out.splitlines()[-1].endswith(" passed, 0 failed")


def test_simulate_can_exit_non_zero_when_the_call_does_not_join(example: Path, cli: Callable[..., Run]) -> None:
    base = ["simulate", "configs", "all-hands", "--env", "prod", "--require-join"]
    assert cli(*base, "--digits", "908172").code == 0
    assert cli(*base, "--digits", "1", "--digits", "2", "--digits", "3").code == 1
    assert "--require-join" in cli("simulate", "--help").out


def test_graph_flow_draws_every_branch_and_join(example: Path, cli: Callable[..., Run]) -> None:
    mermaid = cli("graph", "configs", "--flow", "all-hands", "--env", "prod").out
    lines = mermaid.splitlines()
    assert lines[0] == "flowchart TD"
    declared = {line.split("[", 1)[0].strip() for line in lines if line.startswith("    n")}
    edges = [line.strip() for line in lines if "-->" in line]
    for edge in edges:
        source, target = edge.split(" ")[0], edge.split(" ")[-1]
        assert source in declared and target in declared, edge
    for pin in ("908172", "4455", "4456", "4457"):
        assert f'-->|"prompt_value = {pin}"|' in mermaid
    assert mermaid.count('["join_conference all-hands-prod"]') == 2
    # Three attempts, each switch with a default; the first two tell silence from a wrong PIN.
    assert mermaid.count('-->|"default"|') == 3 and '-->|"no case matches"|' not in mermaid
    assert mermaid.count("-->|\"when prompt_result == 'no_input'\"|") == 2 and mermaid.count('-->|"else"|') == 2
    assert cli("graph", "configs", "--flow", "all-hands").code == 2
    dot = cli("graph", "configs", "--flow", "incident", "--env", "prod", "--format", "dot").out
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    checked = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    assert "return_value = completed" in dot


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pins=st.lists(st.text("0123456789", min_size=1, max_size=6), min_size=1, max_size=4, unique=True),
    muted=st.lists(st.booleans(), min_size=4, max_size=4),
    mutation=st.sampled_from(["role", "muted", "hears"]),
)
def test_a_case_from_the_call_passes_and_any_mutation_of_it_fails(
    tmp_path_factory: pytest.TempPathFactory,
    cli: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
    pins: list[str],
    muted: list[bool],
    mutation: str,
) -> None:
    root = tmp_path_factory.mktemp("repo")
    monkeypatch.chdir(root)
    roles = "".join(
        f'[roles.r{i}]\npin = "{pin}"\n[roles.r{i}.conference]\nmuted = {str(muted[i]).lower()}\n' for i, pin in enumerate(pins)
    )
    profile = '[greeting]\nsay = "Hello."\n[conference]\nname = "c"\n' + roles
    cases = "".join(
        f'[[case]]\nname = "r{i}"\nprofile = "p"\ndigits = ["{pin}"]\nsnapshot = true\n\n' for i, pin in enumerate(pins)
    )
    write_repo(root / "configs", {"environments/prod.toml": "", "profiles/p.toml": profile, "tests/t.toml": cases})
    assert cli("test", "configs", "--update").code == 0
    assert cli("test", "configs").code == 0  # the path the simulator took, recorded, holds
    text = (root / "configs/tests/t.toml").read_text()
    first = text.split("[[case]]")[1]
    if mutation == "role":
        changed = first.replace('role = "r0"', 'role = "main"')
    elif mutation == "muted":
        changed = first.replace(f"muted = {str(muted[0]).lower()}", f"muted = {str(not muted[0]).lower()}")
    else:
        changed = first.replace('"Hello."', '"Goodbye."')
    assert changed != first
    (root / "configs/tests/t.toml").write_text(text.replace(first, changed, 1))
    run = cli("test", "configs", "--format", "json")
    outcomes = {json.loads(line)["case"]: json.loads(line)["status"] for line in run.out.splitlines()}
    if mutation == "role":
        assert run.code == 1 and "has no role" in run.err  # naming a role the profile lacks is an error, not a failure
    else:
        assert run.code == 1 and outcomes["r0"] == "failed" and all(s == "passed" for c, s in outcomes.items() if c != "r0")


def test_the_readmes_worked_example_is_a_case_that_passes(example: Path, cli: Callable[..., Run]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```toml\n# configs/tests/all-hands.toml\n", 1)[1].split("```", 1)[0]
    assert block in (ROOT / "configs/tests/all-hands.toml").read_text()
    shutil.rmtree(example / "tests")
    write_repo(example, {"tests/readme.toml": block})
    run = cli("test", "configs", "--env", "prod", "-k", "host")
    assert (run.code, run.out) == (
        0,
        "PASS  configs/tests/readme.toml:1  the host starts the meeting unmuted (all-hands, env prod)\n1 passed, 0 failed\n",
    )


SCREENED_TEMPLATE = """\
version: 1.0.0
sections:
  main:
    - answer: {}
    - switch:
        variable: call.from
        case:
          "+15550100":
            - play:
                url: "say:Leave a message."
            - record:
                beep: true
            - hangup: {}
          "+15550111":
            - transfer:
                dest: "https://desk:s3cret@example.com/after-hours"
        default:
          - play:
              url: "say:Connecting you."
    - join_conference:
        {{ profile.conference | yaml(8) }}
"""
SCREENED_CASES = """\
[[case]]
name = "a screened number leaves a message"
profile = "line"
from = "+15550100"
[case.expect]
hears = ["Leave a message."]
ends = "voicemail"

[[case]]
name = "the night desk's number is handed on"
profile = "line"
from = "+1 555 0111"
[case.expect]
ends = "transferred"

[[case]]
name = "anyone else joins"
profile = "line"
[case.expect]
ends = "joined"
"""


def test_a_case_can_expect_a_voicemail_or_a_transfer(make_repo: Callable[..., Path], cli: Callable[..., Run]) -> None:
    repo = make_repo(
        {
            "profiles/line.toml": 'template = "screened"\n[conference]\nname = "line"\n',
            "templates/screened.j2": SCREENED_TEMPLATE,
            "tests/line.toml": SCREENED_CASES,
        }
    )
    passed = cli("test", "configs", "--env", "dev")
    assert passed.code == 0, passed.out
    assert passed.out.splitlines()[-1] == "3 passed, 0 failed"
    simulated = cli("simulate", "configs", "line", "--env", "dev", "--from", "+15550111")
    assert simulated.out.splitlines()[-1] == "end: transferred to https://example.com/after-hours"
    assert "s3cret" not in simulated.out

    # Each ending is told from the others: swap them and every case fails, at its line.
    swapped = (
        SCREENED_CASES.replace('"voicemail"', '"@1"').replace('"transferred"', '"voicemail"').replace('"joined"', '"transferred"')
    )
    (repo / "tests/line.toml").write_text(swapped.replace('"@1"', '"hung up"'))
    failed = cli("test", "configs", "--env", "dev")
    assert failed.code == 1
    assert failed.out.splitlines() == [
        'FAIL  configs/tests/line.toml:7  a screened number leaves a message (line, env dev): expected the call to end "hung up", got "voicemail"',
        'FAIL  configs/tests/line.toml:14  the night desk\'s number is handed on (line, env dev): expected the call to end "voicemail", got "transferred"',
        'FAIL  configs/tests/line.toml:20  anyone else joins (line, env dev): expected the call to end "transferred", got "joined"',
        "0 passed, 3 failed",
    ]


def _as_mermaid_draws(label: str) -> str:
    """A label's text as Mermaid draws it: its #code; entities, then HTML's."""
    coded = re.sub(r"#(\w+);", lambda m: f"&#{m[1]};" if m[1].isdigit() else f"&{m[1]};", label)
    return html.unescape(coded)


@given(st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r"), max_size=40))
@hypothesis.example('He said "hi" & left: &amp; #9829; #quot; <b>|</b>')
def test_a_mermaid_label_is_drawn_as_the_text_it_stands_for(text: str) -> None:
    label = flowgraph._mermaid_text(text)
    assert not set('"|<>') & set(label)  # nothing that ends a label or starts markup
    assert _as_mermaid_draws(label) == text


def test_a_section_of_any_name_is_a_mermaid_subgraph_of_a_plain_id() -> None:
    # A template names its sections: "a--b" or "x y" as an id would be an edge, or two words, to Mermaid.
    flow = flowgraph.Flow(nodes={"n1": ("main", "answer"), "n2": ('night desk--"b"', "hangup")}, edges=[("n1", "n2", "")])
    assert flowgraph.mermaid(flow).splitlines()[1:7] == [
        '  subgraph s0["section main"]',
        '    n1["answer"]',
        "  end",
        '  subgraph s1["section night desk--#quot;b#quot;"]',
        '    n2["hangup"]',
        "  end",
    ]


def test_a_join_expectation_names_only_the_keys_of_a_table_it_cares_about(
    make_repo: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    from test_roles import STREAMED

    case = '[[case]]\nname = "host"\nprofile = "all-hands"\nenv = "prod"\ndigits = ["908172"]\n'
    make_repo({**STREAMED, "tests/t.toml": case + '[case.expect]\njoin = { stream = { name = "host" } }\n'})
    assert cli("test", "configs").out.splitlines()[-1] == "1 passed, 0 failed"
    make_repo(
        {**STREAMED, "tests/t.toml": case + '[case.expect.join.stream]\nurl = "wss://stream.example.com/prod"\nname = "hots"\n'}
    )
    run = cli("test", "configs")
    assert run.code == 1
    assert run.out.splitlines()[0] == (
        'FAIL  configs/tests/t.toml:8  host (all-hands, env prod): expected stream.name = "hots", got "host"'
    )
