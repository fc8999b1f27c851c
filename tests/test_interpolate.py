from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import compiler
from compiler.errors import ConfcError

ENV = {
    "environments/prod.toml": """
        description = "Production"
        [vars]
        hooks = "https://hooks.example.com"
        size = 40
    """,
}


def resolve(make_repo: Callable[..., Path], text: str) -> dict:
    repo = make_repo({**ENV, "profiles/team/p.toml": text}, envs=False)
    return compiler.resolve(repo, "team/p", "prod")


def failure(make_repo: Callable[..., Path], text: str) -> str:
    repo = make_repo({**ENV, "profiles/team/p.toml": text}, envs=False)
    with pytest.raises(ConfcError) as caught:
        compiler.resolve(repo, "team/p", "prod")
    return str(caught.value).replace(f"{repo}/", "")


def test_context_holds_env_vars_and_profile(make_repo: Callable[..., Path]) -> None:
    values = resolve(
        make_repo,
        """
        description = "Team {{ vars.team }}"
        [vars]
        team = "blue-{{ env.name }}"
        [conference]
        name = "{{ profile.id }}|{{ env.description }}|{{ vars.team }}|{{ env.vars.size }}|{{ profile.description }}"
        status_callback = "{{ vars.hooks }}/c"
        """,
    )
    assert values["vars"] == {"hooks": "https://hooks.example.com", "size": 40, "team": "blue-prod"}
    assert values["conference"]["name"] == "team/p|Production|blue-prod|40|Team {{ vars.team }}"
    assert values["description"] == "Team blue-prod"


def test_rendered_integers_and_booleans_get_their_type(make_repo: Callable[..., Path]) -> None:
    values = resolve(
        make_repo,
        """
        [conference]
        name = "n"
        max_participants = "{{ vars.size + 10 }}"
        muted = "{{ vars.size > 10 }}"
        end_on_exit = "{{ 'false' }}"
        """,
    )
    assert values["conference"] == {"name": "n", "muted": True, "end_on_exit": False, "max_participants": 50}


def test_swml_variables_and_plain_braces_pass_through(make_repo: Callable[..., Path]) -> None:
    values = resolve(make_repo, '[conference]\nname = "${call.from} %{params.x} { } {#"\n')
    assert values["conference"]["name"] == "${call.from} %{params.x} { } {#"


def test_undefined_name_names_key_and_layer(make_repo: Callable[..., Path]) -> None:
    assert failure(make_repo, '[conference]\nname = "{{ vars.nope }}"\n') == (
        "profiles/team/p.toml:2: conference.name: in {{ }}: vars.nope is not defined in this environment: "
        "add it to [vars] in its file under environments/, or in a profile (profile team/p, env prod)"
    )


def test_vars_see_only_env_and_profile(make_repo: Callable[..., Path]) -> None:
    assert failure(make_repo, '[vars]\na = "x"\nb = "{{ vars.a }}"\n[conference]\nname = "n"\n') == (
        "profiles/team/p.toml:3: vars.b: in {{ }}: vars is not defined here: values in [vars] see only env and profile (profile team/p, env prod)"
    )


def test_a_variable_that_failed_is_reported_once_not_again_where_it_is_used(make_repo: Callable[..., Path]) -> None:
    # The values using it are not called undefined: the variable is there, and its own line is the one to fix.
    text = (
        '[vars]\na = "{{ nope }}"\nb = "ok"\n[conference]\nname = "{{ vars.a }}"\nregion = "{{ vars.a | upper }}-{{ vars.b }}"\n'
    )
    assert failure(make_repo, text) == (
        "profiles/team/p.toml:2: vars.a: in {{ }}: nope is not defined; expressions see env, vars and profile (profile team/p, env prod)"
    )


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("{{ ''.__class__.__mro__ }}", "in {{ }}: not allowed: __class__ of a string is not data"),
        (
            "{{ vars.update({'a': 1}) }}",
            "in {{ }}: vars.update is not defined in this environment: add it to [vars] in its file under environments/, or in a profile",
        ),
        (
            "{{ vars.items }}",
            "in {{ }}: vars.items is not defined in this environment: add it to [vars] in its file under environments/, or in a profile",
        ),
        ("{{ lipsum() }}", "in {{ }}: lipsum is not defined; expressions see env, vars and profile"),
        (
            "{{ ['a', 'b'] | random }}",
            "in {{ }}: there is no random filter: a random pick would make every build differ; choose the value",
        ),
        ("{{ 'a' | shout }}", "in {{ }}: there is no filter named 'shout'"),
        ("{{ range }}", "in {{ }}: not allowed: {{ }} can print values only, not a function"),
        ("{{ 'x' * 100000000 }}", "in {{ }}: too much to compute: the repetition is too large"),
        ("{{ 9 ** 99999 }}", "in {{ }}: too much to compute: the power is too large"),
        ("{{ ((9 ** 999) ** 999) ** 9 }}", "in {{ }}: too much to compute: the power is too large"),
        ("{{ 'x' | center(10 ** 9) }}", "in {{ }}: too much to compute: center asks for too wide a result"),
        ("{{ ('x' * 999999) | replace('x', 'yy') }}", "in {{ }}: too much to compute: replace would build too long a string"),
        ("{{ '%0999999999d' % 1 }}", "in {{ }}: too much to compute: the format asks for too wide a field"),
        (
            # Quick to print, so that the output limit, not the time limit, ends it on the slowest machine too.
            "{% for i in range(100000) %}{{ 'x' * 1000000 }}{% endfor %}",
            "in {{ }}: too much to compute: the output grows past 16,000,000 characters",
        ),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "in {{ }}: too much to compute: it takes longer than 3 seconds",
        ),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "in {{ }}: too much to compute: it recurses too deeply"),
        ("{{ 1 / 0 }}", "in {{ }}: division by zero"),
        (
            "{{ 1 + 'a' }}",
            "in {{ }}: these values cannot be combined this way: unsupported operand type(s) for +: a number and a string",
        ),
        ("{{ 'a' + 1 }}", "in {{ }}: these values cannot be combined this way: a number cannot be added to a string"),
        ("{{ 'a' | replace }}", "in {{ }}: replace needs 2 more arguments: 'old' and 'new'"),
        ("{{ 'a' | replace('a') }}", "in {{ }}: replace needs 1 more argument: 'new'"),
        ("{{ 4 is divisibleby }}", "in {{ }}: divisibleby needs 1 more argument: 'num'"),
        ("{{ unclosed", "in {{ }}: invalid syntax: unexpected end of template, expected 'end of print statement'."),
    ],
)
def test_expressions_run_in_a_sandbox(make_repo: Callable[..., Path], expression: str, message: str) -> None:
    assert (
        failure(make_repo, f'[conference]\nname = "{expression}"\n')
        == f"profiles/team/p.toml:2: conference.name: {message} (profile team/p, env prod)"
    )


def test_output_is_joined_whole_however_many_pieces_it_comes_in() -> None:
    from compiler.sandbox import Overrun, join_bounded

    pieces = ["", "a", "", *([""] * 200), "b", *(["c"] * 300)]
    assert join_bounded(iter(pieces)) == "ab" + "c" * 300
    with pytest.raises(Overrun, match="grows past 10 characters"):
        join_bounded(iter(["x"] * 11), limit=10)
