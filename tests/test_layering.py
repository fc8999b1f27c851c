from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import compiler
from compiler.errors import ConfcError, UsageError
from compiler.overrides import parse_override
from compiler.pipeline import Compiler
from compiler.repository import load


def order(repo: Path, profile: str) -> list[str]:
    return list(Compiler(load(repo)).resolver.inheritance.order(profile))


def profile(name: str, extends: list[str] | None = None, body: str = "") -> dict[str, str]:
    head = f"extends = {extends!r}\n".replace("'", '"') if extends else ""
    return {f"profiles/{name}.toml": head + "abstract = true\n" + body}


def test_diamond_applies_a_shared_ancestor_once_at_its_first_position(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {
            **profile("base"),
            **profile("support", ["base"]),
            **profile("standup", ["base"]),
            **profile("sales", ["support", "standup"]),
        }
    )
    assert order(repo, "sales") == ["base", "support", "standup", "sales"]


def test_parents_come_before_children_whatever_the_extends_order(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({**profile("base"), **profile("support", ["base"]), **profile("x", ["support", "base"])})
    assert order(repo, "x") == ["base", "support", "x"]


LAYERED = {
    "environments/dev.toml": """
        [vars]
        who = "env"
        [defaults.conference]
        region = "global"
        max_participants = 5
    """,
    "environments/prod.toml": '[vars]\nwho = "prod-env"\n',
    "profiles/base.toml": """
        abstract = true
        description = "base description"
        [conference]
        name = "base"
        region = "us"
        [env.dev.conference]
        region = "eu"
    """,
    "profiles/left.toml": """
        extends = "base"
        abstract = true
        [conference]
        region = "ch"
        coach = "left"
    """,
    "profiles/right.toml": """
        extends = "base"
        abstract = true
        [conference]
        coach = "right"
    """,
    "profiles/leaf.toml": """
        extends = ["left", "right"]
        [conference]
        name = "leaf-{{ vars.who }}"
        [env.dev.conference]
        trim = "do-not-trim"
    """,
}


def test_layers_merge_lowest_first(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(LAYERED, envs=False)
    values = compiler.resolve(repo, "leaf", "dev")
    assert values["conference"] == {
        "name": "leaf-env",
        "max_participants": 5,
        "region": "ch",
        "trim": "do-not-trim",
        "coach": "right",
    }
    assert values["description"] == "base description"
    assert values["template"] == "conference"


def test_set_overrides_every_layer_and_parses_toml(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(LAYERED, envs=False)
    values = compiler.resolve(repo, "leaf", "dev", ["conference.max_participants=50", "conference.region=eu"])
    assert values["conference"]["max_participants"] == 50
    assert values["conference"]["region"] == "eu"


def test_env_tables_apply_only_in_their_environment(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(LAYERED, envs=False)
    assert compiler.resolve(repo, "leaf", "prod")["conference"] == {"name": "leaf-prod-env", "region": "ch", "coach": "right"}


def test_unset_removes_from_lower_layers_and_a_later_layer_may_set_again(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {
            "profiles/base.toml": """
                abstract = true
                [greeting]
                say = "hello"
                [conference]
                name = "n"
                wait_url = "https://example.com/wait.mp3"
                record = "record-from-start"
            """,
            "profiles/quiet.toml": """
                extends = "base"
                unset = ["greeting", "conference.wait_url", "conference.record", "conference.coach"]
                [conference]
                record = "do-not-record"
            """,
        }
    )
    values = compiler.resolve(repo, "quiet", "dev")
    assert "greeting" not in values
    assert values["conference"] == {"name": "n", "record": "do-not-record"}


def test_unset_is_not_inherited_but_its_effect_is(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {
            "profiles/base.toml": 'abstract = true\n[conference]\nname = "n"\ncoach = "c"\n',
            "profiles/mid.toml": 'extends = "base"\nabstract = true\nunset = ["conference.coach"]\n',
            "profiles/leaf.toml": 'extends = "mid"\n',
        }
    )
    assert compiler.resolve(repo, "leaf", "dev")["conference"] == {"name": "n"}


def test_abstract_is_not_inherited(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {"profiles/base.toml": 'abstract = true\n[conference]\nname = "n"\n', "profiles/leaf.toml": 'extends = "base"\n'}
    )
    assert compiler.compiler(repo).buildable() == ["leaf"]


def test_replacing_a_table_with_a_value_is_an_error(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {
            "profiles/base.toml": 'abstract = true\n[conference]\nname = "n"\n[conference.result]\nvariable = "return_value"\n',
            "profiles/leaf.toml": 'extends = "base"\n[conference]\nresult = [{ else = [{ hangup = {} }] }]\n',
        }
    )
    with pytest.raises(ConfcError) as caught:
        compiler.resolve(repo, "leaf", "dev")
    assert str(caught.value) == (
        f"{repo}/profiles/leaf.toml:3: conference.result: "
        '[{"else": [{"hangup": {}}]}] cannot replace a table set below; unset it first (profile leaf, env dev)'
    )


def test_cycle_is_reported_as_the_whole_path(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({"profiles/a.toml": 'extends = "b"\n', "profiles/b.toml": 'extends = "a"\n'})
    with pytest.raises(ConfcError) as caught:
        compiler.compiler(repo).artifacts(["dev", "prod"])
    assert str(caught.value) == f"{repo}/profiles/b.toml:1: extends: inheritance cycle: a -> b -> a"


def test_unknown_parent_suggests_a_close_one(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({"profiles/base.toml": "abstract = true\n", "profiles/leaf.toml": '# a leaf\nextends = ["bsae"]\n'})
    with pytest.raises(ConfcError) as caught:
        compiler.compiler(repo).artifacts(["dev", "prod"])
    assert str(caught.value) == f'{repo}/profiles/leaf.toml:2: extends: unknown parent profile "bsae" (did you mean "base"?)'


def test_set_value_falls_back_to_a_string() -> None:
    assert parse_override("conference.name=a b") == (("conference", "name"), "a b")
    assert parse_override('conference.name="x"') == (("conference", "name"), "x")
    assert parse_override("conference.muted=true") == (("conference", "muted"), True)


def test_set_of_an_unknown_key_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as caught:
        parse_override("conference.nmae=x")
    assert (
        str(caught.value)
        == '--set conference.nmae=x: "conference.nmae" is not a key of the profile format (did you mean "conference.name"?)'
    )


def test_a_layers_key_written_below_a_table_header_is_told_where_it_belongs(
    make_repo: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    # TOML gives a key to the last [table] above it: below [vars] it would be a variable, and the profile extend nothing.
    make_repo(
        {
            "profiles/base.toml": 'abstract = true\n[conference]\nbeep = "onEnter"\n',
            "profiles/a.toml": '[vars]\nteam = "a"\nextends = "base"\n[conference]\nname = "a"\nunset = ["beep"]\n'
            '[env.dev.greeting]\nsay = "Hi."\nabstract = true\n',
        }
    )
    run = cli("validate", "configs")
    assert (run.code, run.err.splitlines()) == (
        1,
        [
            "configs/profiles/a.toml:3: vars.extends: extends belongs to a profile's top level or an [env.NAME] table;"
            " written below the [vars] header, TOML reads it as a variable, and the profile goes without it: move it"
            " above the file's first [table]",
            "configs/profiles/a.toml:6: conference.unset: unknown key: unset belongs to a profile's top level or an"
            " [env.NAME] table; written below the [conference] header, it is read as a key of that table: move it above"
            " the file's first [table]",
            "configs/profiles/a.toml:9: env.dev.greeting.abstract: unknown key: abstract belongs to a profile's top level"
            " or an [env.NAME] table; written below the [env.dev.greeting] header, it is read as a key of that table:"
            " move it right below [env.dev]",
        ],
    )


def test_an_extends_written_below_vars_is_the_one_error_of_its_profile(
    make_repo: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    # What the parent would have supplied (a callback a rule requires) is not reported missing as well.
    make_repo(
        {
            "environments/dev.toml": '[rules]\n"conference.status_callback" = { required = true }\n',
            "profiles/base.toml": 'abstract = true\n[conference]\nstatus_callback = "https://hooks.example.com/c"\n',
            "profiles/a.toml": '[vars]\nextends = "base"\n[conference]\nname = "a"\n',
        }
    )
    run = cli("validate", "configs")
    assert (run.code, [line.split(": ")[1] for line in run.err.splitlines()]) == (1, ["vars.extends"])


def test_set_of_a_value_of_the_wrong_shape_is_a_usage_error_naming_every_one(
    make_repo: Callable[..., Path], cli: Callable[..., Any]
) -> None:
    # Files are shape-checked before anything trusts them; --set values must be too, or a role's checks meet an int.
    make_repo({"profiles/a.toml": '[conference]\nname = "a"\n'})
    run = cli("show", "configs", "a", "--env", "dev", "--set", "roles.host.pin=1234", "--set", "greeting=1", "--set", "vars=1")
    assert (run.code, run.out) == (2, "")
    assert run.err == "confc: error: --set vars=1: vars is a table of variables: set one of them, such as vars.team=ops\n"
    run = cli("build", "configs", "--all-envs", "--set", "roles.host.pin=1234", "--set", "greeting=1")
    assert (run.code, run.out) == (2, "")
    assert run.err.splitlines() == [
        "confc: error: --set greeting: must be a table, got 1",
        "confc: error: --set roles.host.pin: must be a string or an array or a table, got 1234"
        " (a string needs TOML's quotes: --set 'roles.host.pin=\"1234\"')",
    ]
    assert not Path("build").exists()  # cli runs where the repository is
