"""Checking a table field by field, and a table of roles role by role, finds what Cerberus finds on the whole,
for every profile of a run: what the checks remember never stands for another value."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from compiler import schema, shapes
from compiler.problems import problems
from compiler.swml import validator
from compiler.validation import ResolvedChecks

_VALUES = st.one_of(
    st.sampled_from(["1234", "12a", "", "+15551230001", "555", "onEnter", "loud", "${x}", "https://x.example.com/a"]),
    st.integers(-1, 300),
    st.booleans(),
    st.lists(st.sampled_from(["1", "1", "22", "+15551230002", "x"]), max_size=3),
    st.just({"secret": "HOST_PIN"}),
    st.just({"secret": "lower"}),
)
_CONFERENCE = st.dictionaries(st.sampled_from(["muted", "beep", "name", "max_participants", "bep"]), _VALUES, max_size=3)
_GREETING = st.dictionaries(st.sampled_from(["say", "url", "sai"]), _VALUES, max_size=2)
_ROLE = st.dictionaries(st.sampled_from(["pin", "callers", "description", "pim"]), _VALUES, max_size=3).flatmap(
    lambda role: st.fixed_dictionaries({}, optional={"greeting": _GREETING | _VALUES, "conference": _CONFERENCE | _VALUES}).map(
        lambda extra: {**role, **extra}
    )
)
_ROLES = st.dictionaries(st.sampled_from(["host", "guest", "Bad", "main", "x1"]), _ROLE | _VALUES, min_size=1, max_size=3)


def _found(check: Any, document: dict[str, Any]) -> set[tuple[tuple[str, ...], str]]:
    return {(problem.path, problem.message) for problem in check.problems(document)}


@settings(max_examples=150, deadline=None)
@given(st.lists(_ROLES, min_size=2, max_size=3), st.lists(_VALUES, min_size=3, max_size=3))
def test_a_resolved_profiles_roles_checked_role_by_role_find_what_one_check_finds(
    tables: list[dict[str, Any]], descriptions: list[Any]
) -> None:
    whole = validator(schema.RESOLVED_PROFILE)
    checks = ResolvedChecks()  # one run's: what it remembers of one profile must not leak into the next
    for roles, description in zip(tables, descriptions, strict=False):
        document = {"description": description, "conference": {"name": "bridge"}, "roles": roles}
        assert _found(checks.with_roles, document) == {(p.path, p.message) for p in problems(whole, document)}


@settings(max_examples=150, deadline=None)
@given(st.lists(_ROLES, min_size=2, max_size=3), st.lists(_VALUES, min_size=3, max_size=3))
def test_a_profile_files_roles_checked_role_by_role_find_what_one_check_finds(
    tables: list[dict[str, Any]], descriptions: list[Any]
) -> None:
    whole = validator(schema.profile_file_schema(["dev"]))
    checks = shapes.FileChecks(("dev",))
    for roles, description in zip(tables, descriptions, strict=False):
        document = {"description": description, "roles": roles}
        assert _found(checks.profile, document) == {(p.path, p.message) for p in problems(whole, document)}
