"""validate, show, explain, list and init, end to end through the CLI."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

EXPLAINED = {
    "environments/dev.toml": """
        [vars]
        hooks = "https://hooks.example.com"
        [defaults.conference]
        max_participants = 8
    """,
    "environments/prod.toml": "",
    "profiles/base.toml": """
        abstract = true
        [conference]
        max_participants = 10
        wait_url = "https://example.com/hold.mp3"
    """,
    "profiles/left.toml": """
        extends = "base"
        abstract = true
        [conference]
        max_participants = 20
    """,
    "profiles/right.toml": """
        extends = "base"
        abstract = true
        unset = ["conference.max_participants"]
        [conference]
        max_participants = 30
    """,
    "profiles/leaf.toml": """
        extends = ["left", "right"]
        [conference]
        name = "leaf-{{ env.name }}"
        [env.dev]
        unset = ["conference.wait_url"]
    """,
}


def test_explain_shows_every_layer_lowest_first(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(EXPLAINED, envs=False)
    run = cli(
        "explain", "configs", "leaf", "conference.max_participants", "--env", "dev", "--set", "conference.max_participants=40"
    )
    assert (run.code, run.err) == (0, "")
    assert run.out == (
        "conference.max_participants for profile leaf, env dev, lowest layer first:\n"
        "  1. configs/environments/dev.toml:4 [defaults]  conference.max_participants = 8\n"
        "  2. configs/profiles/base.toml:3                conference.max_participants = 10\n"
        "  3. configs/profiles/left.toml:4                conference.max_participants = 20\n"
        "  4. configs/profiles/right.toml:3               unset conference.max_participants\n"
        "  5. configs/profiles/right.toml:5               conference.max_participants = 30\n"
        "  6. --set                                       conference.max_participants = 40\n"
        "final: 40\n"
    )


# A base's value built from variables: one set in the environment, one a parent overrides, one a child's
# [env.prod] overrides after a later parent unset it, and one the expression reads from env.vars beneath a profile's.
USES_VARIABLES = {
    "environments/dev.toml": '[vars]\nhooks = "https://dev.example.com"\nregion = "us"\n',
    "environments/prod.toml": '[vars]\nhooks = "https://example.com"\nregion = "us"\n',
    "profiles/base.toml": (
        'abstract = true\n[vars]\nqueue = "general"\n[conference]\n'
        'status_callback = "{{ vars.hooks }}/{{ vars.queue }}/{{ vars.queue }}?r={{ env.vars.region }}"\n'
    ),
    "profiles/mid.toml": 'abstract = true\nextends = "base"\n[vars]\nqueue = "sales"\nregion = "eu"\n',
    "profiles/line.toml": (
        'extends = "mid"\n[conference]\nname = "line"\n[env.prod]\nunset = ["vars.queue"]\n[env.prod.vars]\nqueue = "vip"\n'
    ),
}


def test_explain_names_where_the_variables_of_an_expression_were_set(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(USES_VARIABLES, envs=False)
    run = cli("explain", "configs", "line", "conference.status_callback", "--env", "prod")
    assert (run.code, run.err) == (0, "")
    assert run.out.splitlines()[-4:] == [
        "uses:",
        '  vars.hooks = "https://example.com"  configs/environments/prod.toml:2 [vars]',
        '  vars.queue = "vip"                  configs/profiles/line.toml:7 [env.prod]',
        '  env.vars.region = "us"              configs/environments/prod.toml:3 [vars]',
    ]
    explained = json.loads(
        cli("explain", "configs", "line", "conference.status_callback", "--env", "dev", "--format", "json").out
    )
    assert explained["final"] == "https://dev.example.com/sales/sales?r=us"
    assert explained["uses"] == [
        {"name": "vars.hooks", "value": "https://dev.example.com", "file": "configs/environments/dev.toml", "line": 2},
        {"name": "vars.queue", "value": "sales", "file": "configs/profiles/mid.toml", "line": 4},
        {"name": "env.vars.region", "value": "us", "file": "configs/environments/dev.toml", "line": 3},
    ]
    # A value written without a variable, or replaced by one that names none, uses nothing.
    plain = cli(
        "explain",
        "configs",
        "line",
        "conference.status_callback",
        "--env",
        "dev",
        "--set",
        "conference.status_callback=https://x.example.com",
    )
    assert "uses:" not in plain.out
    assert "uses" not in json.loads(cli("explain", "configs", "line", "conference.name", "--env", "dev", "--format", "json").out)


def test_explain_a_table_and_an_unset_key(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(EXPLAINED, envs=False)
    run = cli("explain", "configs", "leaf", "conference", "--env", "dev")
    assert run.out == (
        "conference for profile leaf, env dev, lowest layer first:\n"
        "  1. configs/environments/dev.toml:4 [defaults]  conference.max_participants = 8\n"
        "  2. configs/profiles/base.toml:3                conference.max_participants = 10\n"
        '  3. configs/profiles/base.toml:4                conference.wait_url = "https://example.com/hold.mp3"\n'
        "  4. configs/profiles/left.toml:4                conference.max_participants = 20\n"
        "  5. configs/profiles/right.toml:3               unset conference.max_participants\n"
        "  6. configs/profiles/right.toml:5               conference.max_participants = 30\n"
        '  7. configs/profiles/leaf.toml:3                conference.name = "leaf-{{ env.name }}"\n'
        "  8. configs/profiles/leaf.toml:5 [env.dev]      unset conference.wait_url\n"
        "final:\n"
        '  conference.name = "leaf-dev"\n'
        "  conference.max_participants = 30\n"
    )
    run = cli("explain", "configs", "leaf", "conference.wait_url", "--env", "dev")
    assert run.out.splitlines()[-1] == "final: not set"


def test_explain_a_key_no_layer_sets_says_so_and_a_typo_is_an_error(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(EXPLAINED, envs=False)
    run = cli("explain", "configs", "leaf", "conference.max_particpants", "--env", "dev")
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "conference.max_particpants: no layer sets or unsets this key, and it is not a key of the profile format "
        '(did you mean "conference.max_participants"?) (profile leaf, env dev)\n'
    )
    # A key of the format left to SignalWire's default is an answer, not a mistake.
    run = cli("explain", "configs", "leaf", "conference.coach", "--env", "dev")
    assert (run.code, run.out, run.err) == (0, "conference.coach for profile leaf, env dev: not set by any layer\n", "")
    run = cli("explain", "configs", "leaf", "vars.hook", "--env", "dev")
    assert (run.code, run.out) == (0, 'vars.hook for profile leaf, env dev: not set by any layer (did you mean "vars.hooks"?)\n')
    for key in ("", "conference..max_participants", "conference."):
        run = cli("explain", "configs", "leaf", key, "--env", "dev")
        assert (run.code, run.out) == (2, "")
        assert run.err == f'confc: error: KEY "{key}" has an empty part: name a dotted key path such as conference.name\n'
    as_json = json.loads(cli("explain", "configs", "leaf", "conference.coach", "--env", "dev", "--format", "json").out)
    assert as_json == {
        "key": "conference.coach",
        "profile": "leaf",
        "env": "dev",
        "steps": [],
        "final": None,
        "note": "not set by any layer",
    }


def test_explain_and_show_reject_unknown_profiles_and_envs(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(EXPLAINED, envs=False)
    run = cli("explain", "configs", "leaff", "conference", "--env", "dev")
    assert (run.code, run.err) == (2, 'confc: error: unknown profile "leaff" (did you mean "leaf"?); see confc list configs\n')
    run = cli("show", "configs", "leaf", "--env", "dve")
    assert (run.code, run.err) == (2, 'confc: error: unknown environment "dve" (did you mean "dev"?); known: dev, prod\n')
    run = cli("show", "configs", "leaf")
    assert run.code == 2
    assert run.err.endswith("confc: error: the following arguments are required: --env\n")


def test_show_prints_toml_that_loads_back(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(
        {
            "profiles/p.toml": """
                description = "multi\\nline \\"quoted\\""
                [vars]
                x = 1
                [greeting]
                say = "hi: there # not a comment"
                [conference]
                name = "p-{{ env.name }}"
                beep = true
                status_callback = "{{ vars.hooks }}"
                status_callback_event = ["join", "leave"]
                [conference.result]
                variable = "return_value"
                [conference.result.case]
                done = [{ hangup = {} }]
            """
        }
    )
    run = cli("show", "configs", "p", "--env", "prod")
    assert run.code == 0, run.err
    assert tomllib.loads(run.out) == {
        "description": 'multi\nline "quoted"',
        "template": "conference",
        "vars": {"hooks": "https://hooks.example.com", "x": 1},
        "greeting": {"say": "hi: there # not a comment"},
        "conference": {
            "name": "p-prod",
            "beep": "true",
            "status_callback_event": "join leave",
            "status_callback": "https://hooks.example.com",
            "result": {"variable": "return_value", "case": {"done": [{"hangup": {}}]}},
        },
    }
    as_json = cli("show", "configs", "p", "--env", "prod", "--format", "json")
    assert json.loads(as_json.out) == tomllib.loads(run.out)


def test_show_swml_prints_exactly_what_build_writes(make_repo: Callable[..., Path], cli: Callable, tmp_path: Path) -> None:
    make_repo({"profiles/p.toml": '[conference]\nname = "p"\n'})
    shown = cli("show", "configs", "p", "--env", "dev", "--swml")
    assert cli("build", "configs", "--env", "dev").code == 0
    assert shown.out == (tmp_path / "build/dev/p.swml.yaml").read_text()
    shown = cli("show", "configs", "p", "--env", "dev", "--swml", "--format", "json")
    assert cli("build", "configs", "--env", "dev", "--format", "json", "--out", "j").code == 0
    assert shown.out == (tmp_path / "j/dev/p.swml.json").read_text()
    run = cli("show", "configs", "p", "--env", "dev", "--swml", "--format", "toml")
    assert (run.code, run.err) == (2, "confc: error: --swml prints the SWML document: use --format yaml or --format json\n")


def test_validate_reports_everything_and_warns_about_skipped_rules(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(
        {
            "environments/prod.toml": '[vars]\nhooks = "https://h.example.com"\n[rules]\n"conference.max_participants" = { max = 50 }\n',
            "profiles/p.toml": '[conference]\nname = "p"\nmax_participants = "${limit}"\n',
        }
    )
    # --all-envs, which build and check need, says what validate does without it.
    for every in ((), ("--all-envs",)):
        run = cli("validate", "configs", *every)
        assert run.code == 0
        assert run.err == (
            "warning: configs/profiles/p.toml:3: conference.max_participants: rule at configs/environments/prod.toml:4 skipped: "
            '"${limit}" is only known when the call runs (profile p, env prod)\n'
            "configs: 1 profile(s) valid in 2 environment(s): dev, prod\n"
        )
    (Path("configs") / "profiles/q.toml").write_text('[conference]\nname = ""\n')
    run = cli("validate", "configs", "--env", "dev")
    assert run.code == 1
    assert run.err == "configs/profiles/q.toml:2: conference.name: must not be empty or only whitespace (profile q, env dev)\n"


def test_list_prints_profiles_parents_and_environments(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(EXPLAINED, envs=False)
    run = cli("list", "configs")
    assert run.out == (
        "profiles:\n"
        "  base   abstract\n"
        "  leaf   extends left, right\n"
        "  left   abstract; extends base\n"
        "  right  abstract; extends base\n"
        "environments:\n"
        "  dev\n"
        "  prod\n"
    )


def test_init_writes_a_starter_that_builds_and_never_overwrites(cli: Callable, tmp_path: Path) -> None:
    run = cli("init", "fresh")
    assert (run.code, run.err.splitlines()[0]) == (  # then a note on the CI's pin, which depends on how confc was installed
        0,
        "fresh: starter repository written (12 files). Next: confc build fresh/configs --all-envs",
    )
    assert sorted(p.relative_to(tmp_path / "fresh").as_posix() for p in (tmp_path / "fresh").rglob("*") if p.is_file()) == [
        ".gitattributes",
        ".github/workflows/confc.yml",
        ".pre-commit-config.yaml",
        "README.md",
        "configs/environments/dev.toml",
        "configs/environments/prod.toml",
        "configs/environments/staging.toml",
        "configs/profiles/all-hands.toml",
        "configs/profiles/base.toml",
        "configs/profiles/standup.toml",
        "configs/profiles/support.toml",
        "configs/tests/calls.toml",
    ]
    assert cli("build", "fresh/configs", "--all-envs").code == 0
    assert cli("test", "fresh/configs").out.splitlines()[-1] == "17 passed, 0 failed"
    assert "- run: confc test configs --format github" in (tmp_path / "fresh/.github/workflows/confc.yml").read_text()
    assert sorted(p.name for p in (tmp_path / "fresh/build/prod").iterdir()) == [
        "all-hands.swml.yaml",
        "manifest.json",
        "standup.swml.yaml",
        "support.swml.yaml",
    ]
    assert not (tmp_path / "build").exists()  # inside the new repository, not beside it
    assert cli("check", "fresh/configs", "--all-envs").code == 0
    assert "confc check configs --all-envs" in (tmp_path / "fresh/.github/workflows/confc.yml").read_text()
    hooks = yaml.safe_load((tmp_path / "fresh/.pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    assert [(h["id"], h["always_run"], h["pass_filenames"]) for h in hooks] == [
        ("confc-check", True, False),
        ("confc-validate", True, False),
    ]

    mine = tmp_path / "mine"
    (mine / "configs/profiles").mkdir(parents=True)
    (mine / "configs/profiles/support.toml").write_text("# my own\n")
    run = cli("init", "mine")
    assert (run.code, run.err) == (
        1,
        "mine/configs/profiles/support.toml: already exists; confc init writes nothing into a folder that holds its files\n",
    )
    assert (mine / "configs/profiles/support.toml").read_text() == "# my own\n"
    assert sorted(p.relative_to(mine).as_posix() for p in mine.rglob("*")) == [
        "configs",
        "configs/profiles",
        "configs/profiles/support.toml",
    ]


def test_init_keeps_the_readme_and_gitattributes_a_new_repository_has(cli: Callable, tmp_path: Path) -> None:
    # A hosting service creates a repository with a README, and maybe a .gitattributes: init goes ahead beside them.
    ours = tmp_path / "lines"
    ours.mkdir()
    (ours / "README.md").write_text("# Our conference lines\n")
    (ours / ".gitattributes").write_text("*.png binary\nconfigs/** text eol=lf\n")
    run = cli("init", "lines")
    assert (run.code, run.err.splitlines()[:3]) == (
        0,
        [
            "lines: starter repository written (10 files). Next: confc build lines/configs --all-envs",
            'lines/.gitattributes: yours, kept as it is; add the line "build/** text eol=lf" to it, or git may convert'
            " confc's line endings",
            "lines/README.md: yours, kept as it is",
        ],
    )
    assert (ours / "README.md").read_text() == "# Our conference lines\n"
    assert (ours / ".gitattributes").read_text() == "*.png binary\nconfigs/** text eol=lf\n"
    assert cli("build", "lines/configs", "--all-envs").code == 0
    # Everything else it would write is still never overwritten.
    again = cli("init", "lines")
    assert again.code == 1 and "lines/configs/profiles/base.toml: already exists" in again.err
    assert "README.md" not in again.err


def test_the_starters_profiles_do_what_their_comments_say(cli: Callable, tmp_path: Path) -> None:
    assert cli("init", "fresh").code == 0
    caller = json.loads(cli("simulate", "fresh/configs", "support", "--env", "prod", "--format", "json").out)
    (join,) = caller["joins"]
    assert join["conference"]["start_on_enter"] is False  # the caller waits on the lobby for an agent
    assert join["conference"]["wait_url"] == "https://assets.example.com/swml/lobby.json"
    host = json.loads(
        cli("simulate", "fresh/configs", "all-hands", "--env", "prod", "--digits", "908172", "--format", "json").out
    )
    attendee = json.loads(
        cli("simulate", "fresh/configs", "all-hands", "--env", "prod", "--digits", "4455", "--format", "json").out
    )
    assert host["joins"][0]["conference"]["start_on_enter"] is True and host["joins"][0]["conference"]["end_on_exit"] is True
    assert attendee["joins"][0]["conference"]["start_on_enter"] is False and attendee["joins"][0]["conference"]["muted"] is True
    stranger = json.loads(
        cli(
            "simulate",
            "fresh/configs",
            "all-hands",
            "--env",
            "prod",
            "--digits",
            "1",
            "--digits",
            "2",
            "--digits",
            "3",
            "--format",
            "json",
        ).out
    )
    assert (stranger["joins"], stranger["end"], stranger["outcome"]) == ([], "hangup", "hangup")


@pytest.mark.parametrize(
    "command", ["build", "check", "validate", "show", "explain", "simulate", "list", "graph", "schema", "init"]
)
def test_every_command_has_help_with_examples(cli: Callable, command: str) -> None:
    run = cli(command, "--help")
    assert run.code == 0
    assert "examples:\n  confc " + command in run.out
    assert "exit codes: 0 success, 1 invalid input or stale artifacts, 2 usage error" in run.out


def test_every_option_of_every_command_says_what_it_does() -> None:
    from compiler.cli import parser

    commands = next(a for a in parser()._actions if a.dest == "command").choices
    undocumented = [
        f"{name} {option}"
        for name, sub in commands.items()
        for action in sub._actions
        for option in action.option_strings
        if not action.help
    ]
    assert undocumented == []


DID_YOU_MEAN = {
    "profiles/nurse-line/bridge.toml": '[conference]\nname = "b"\n',
    "profiles/base.toml": "abstract = true\n[conference]\nbeep = true\n",
    "profiles/standup.toml": 'extends = "base"\n[conference]\nname = "s"\n',
    "profiles/by-name.toml": 'extends = "bridge"\n[conference]\nname = "x"\n',
    "profiles/by-path.toml": 'extends = "profiles/standup.toml"\n[conference]\nname = "y"\n',
    "profiles/long-env.toml": '[conference]\nname = "z"\n[env.production.conference]\nbeep = false\n',
    "environments/prod.toml": '[deploy.numbers]\n"+15551230001" = "base"\n"+15551230002" = "standup.toml"\n',
}


def test_did_you_mean_knows_how_profiles_and_environments_are_misnamed(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(DID_YOU_MEAN, envs=False)
    run = cli("validate", "configs")
    assert run.err.splitlines() == [
        'configs/environments/prod.toml:2: deploy.numbers."+15551230001": routes to "base", which is abstract and has no SWML '
        'document; route it to a profile that extends it ("standup")',
        'configs/environments/prod.toml:3: deploy.numbers."+15551230002": routes to "standup.toml", which is not a profile '
        '(did you mean "standup"?)',
        'configs/profiles/by-name.toml:1: extends: unknown parent profile "bridge" (did you mean "nurse-line/bridge"?)',
        'configs/profiles/by-path.toml:1: extends: "profiles/standup.toml" is not a profile id (did you mean "standup"?)',
        'configs/profiles/long-env.toml:3: env.production: unknown environment "production" (did you mean "prod"?); known: "prod"',
    ]
    shown = cli("show", "configs", "profiles/standup.toml", "--env", "prod")
    assert (
        shown.err == 'confc: error: unknown profile "profiles/standup.toml" (did you mean "standup"?); see confc list configs\n'
    )
    assert (
        'unknown environment "production" (did you mean "prod"?)' in cli("show", "configs", "standup", "--env", "production").err
    )


def test_unknown_command_is_a_usage_error(cli: Callable) -> None:
    run = cli("biuld", "configs")
    assert run.code == 2
    assert "invalid choice: 'biuld'" in run.err


def test_progress_is_shown_on_a_terminal_only(
    make_repo: Callable[..., Path], cli: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    make_repo({"profiles/p.toml": '[conference]\nname = "p"\n'})
    assert "compiled" not in cli("validate", "configs").err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert "\rconfc: compiled 1/2\rconfc: compiled 2/2" in cli("validate", "configs").err


def test_list_reports_a_broken_repository(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/Bad Name.toml": "", "profiles/ok.toml": 'extends = "missing"\n'})
    run = cli("list", "configs")
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "configs/profiles/Bad Name.toml: not a profile file name: profiles are lower-case ids like teams/sales.toml "
        "(letters a-z, digits, '-' and '_', ending in .toml)\n"
    )
    assert cli("list", "nowhere").code == 2


def test_files_the_system_git_or_an_editor_keeps_beside_profiles_are_no_ones_to_compile(
    make_repo: Callable[..., Path], cli: Callable, tmp_path: Path
) -> None:
    case = '[[case]]\nname = "ok joins"\nprofile = "ok"\n[case.expect]\nends = "joined"\n'
    make_repo(
        {
            "profiles/ok.toml": '[conference]\nname = "ok"\n',
            "profiles/.gitkeep": "",
            "profiles/.DS_Store": "\x00\x01",
            "profiles/.ok.toml.swp": "\x00vim swap",  # the file is open in an editor
            "profiles/ok.toml~": "[conference\n",  # the editor's backup
            "profiles/#ok.toml#": "[conference\n",  # an autosave
            "profiles/.idea/workspace.xml": "<project/>",
            "profiles/._ok.toml": "\x00\x05",  # a resource fork, on a disk that has none
            "environments/.dev.toml.swp": "\x00",
            "tests/calls.toml": case,
            "tests/.calls.toml.swp": "[[case]]\n",
            "tests/.git/cases.toml": "[[case]]\n",
        }
    )
    assert cli("validate", "configs").code == 0
    assert cli("build", "configs", "--all-envs").code == 0
    assert sorted(p.name for p in (tmp_path / "build/dev").iterdir()) == ["manifest.json", "ok.swml.yaml"]
    run = cli("test", "configs", "--env", "dev")
    assert (run.code, run.out.splitlines()[-1]) == (0, "1 passed, 0 failed")
    # Any other name stays an error (SPEC: never silently skipped): a profile saved as .yaml, or hidden, may be one.
    make_repo({"profiles/ok.yaml": "conference:\n  name: ok\n", "profiles/.hidden.toml": '[conference]\nname = "h"\n'})
    err = cli("validate", "configs").err
    assert "configs/profiles/ok.yaml: not a profile file name" in err
    assert "configs/profiles/.hidden.toml: not a profile file name" in err


@pytest.mark.parametrize("command", ["build", "check", "validate"])
def test_a_misnamed_file_hides_no_other_files_problems(
    make_repo: Callable[..., Path], cli: Callable, tmp_path: Path, command: str
) -> None:
    make_repo(
        {
            "profiles/Bad Name.toml": "",
            "profiles/ok.toml": '[conference]\nname = "ok"\n',
            "profiles/wrong.toml": '[conference]\nname = "w"\nmax_participants = 1\n',
        }
    )
    run = cli(command, "configs", "--env", "dev")
    assert (run.code, run.out) == (1, "")
    assert run.err.splitlines() == [
        "configs/profiles/Bad Name.toml: not a profile file name: profiles are lower-case ids like teams/sales.toml "
        "(letters a-z, digits, '-' and '_', ending in .toml)",
        "configs/profiles/wrong.toml:3: conference.max_participants: must be at least 2, got 1 (profile wrong, env dev)",
    ]
    assert not (tmp_path / "build").exists()


def test_list_and_explain_print_json_for_tools(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo(
        {
            "profiles/base.toml": "abstract = true\n[conference]\nmax_participants = 20\n",
            "profiles/p.toml": 'extends = "base"\n[conference]\nname = "p"\n[env.prod]\nunset = [\n  "conference.max_participants",\n]\n',
        }
    )
    listed = json.loads(cli("list", "configs", "--format", "json").out)
    assert listed == {
        "profiles": [
            {"id": "base", "parents": [], "abstract": True, "roles": []},
            {"id": "p", "parents": ["base"], "abstract": False, "roles": []},
        ],
        "environments": [{"name": "dev", "description": "Development"}, {"name": "prod", "description": "Production"}],
    }
    explained = json.loads(cli("explain", "configs", "p", "conference.max_participants", "--env", "prod", "--format", "json").out)
    assert explained == {
        "key": "conference.max_participants",
        "profile": "p",
        "env": "prod",
        "steps": [
            {
                "file": "configs/profiles/base.toml",
                "line": 3,
                "layer": "profile",
                "action": "set",
                "key": "conference.max_participants",
                "value": 20,
            },
            {
                "file": "configs/profiles/p.toml",
                "line": 6,
                "layer": "[env.prod]",
                "action": "unset",
                "key": "conference.max_participants",
                "value": None,
            },
        ],
        "final": None,
    }
    assert (
        json.loads(cli("explain", "configs", "p", "conference.max_participants", "--env", "dev", "--format", "json").out)["final"]
        == 20
    )


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["init", ""], "DIR"),
        (["validate", ""], "CONFIG_DIR"),
        (["build", "configs", "--all-envs", "--out", ""], "--out"),
        (["check", "configs", "--all-envs", "--out", ""], "--out"),
        (["test", "configs", "--artifacts", ""], "--artifacts"),
        (["plan", "configs", "--env", "prod", "--secrets", ""], "--secrets"),
    ],
)
def test_an_empty_path_is_a_usage_error_not_the_current_folder(
    make_repo: Callable[..., Path], cli: Callable, tmp_path: Path, argv: list[str], name: str
) -> None:
    # "" is the current folder to the operating system, while messages would show it as "" or "/".
    make_repo({"profiles/p.toml": '[conference]\nname = "p"\n'})
    before = sorted(tmp_path.rglob("*"))
    run = cli(*argv)
    assert run.code == 2
    assert run.err.endswith(f"confc: error: argument {name}: an empty path names nothing; write . for the current folder\n")
    assert sorted(tmp_path.rglob("*")) == before
