"""Cerberus's errors worded as confc's problems: a key path below the checked value and a message."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from cerberus import errors as cerberus_errors

from . import profile_format as fmt
from . import schema
from .errors import did_you_mean, did_you_mean_name, show

KeyPath = tuple[str, ...]


class Problem(NamedTuple):
    path: KeyPath
    message: str
    absent: bool = False  # about a value that is missing, which a value dropped as malformed may explain
    clash: tuple[str, ...] = ()  # keys of the table at `path` that exclude each other, set together
    needs: tuple[str, ...] = ()  # keys beside `path` it needs, which are not there
    beneath: tuple[str, ...] = ()  # keys of the table at `path`, one of which it needs, none of them there


_ABSENCE_RULES = frozenset({"required", "dependencies", "exactly_one_of", "admits"})

_QUOTING = " (in quotes, {}, it is a string)"  # digits TOML read as an integer, written as a file would quote them
QUOTING_HINT = re.compile(re.escape(_QUOTING).replace(re.escape("{}"), '"(.*)"') + "$")  # that hint, to say it otherwise
_DIGIT_KEYS = frozenset({"pin", "callers", "digits", "from"})  # keys whose strings are digits

_TYPE_NAMES = {
    "boolean": "a boolean (true or false)",
    "integer": "an integer",
    "number": "a number",
    "float": "a float",
    "string": "a string",
    "list": "an array",
    "dict": "a table",
    "swml_var": "a SWML variable such as ${...}",
    "expression": "a {{ }} expression",
}


class Collect(cerberus_errors.BaseErrorHandler):  # type: ignore[misc]
    """Hand back Cerberus's error objects untouched; `problems` words them."""

    def __call__(self, errors: Iterable[Any]) -> list[Any]:
        return list(errors)


def problems(check: Any, document: Mapping[str, Any]) -> list[Problem]:
    """Validate `document` and word every error with its dotted key path."""
    if check.validate(document, normalize=False):
        return []
    found: list[Problem] = []
    _flatten(check.errors, check.schema, found)
    return found


def _flatten(errors: Iterable[Any], root: Mapping[str, Any], into: list[Problem]) -> None:
    for error in errors:
        if error.is_group_error:
            _flatten(error.child_errors, root, into)
        else:
            path = tuple(map(str, error.document_path))
            if error.code == schema.SWML_RESULT.code:
                path += error.info[1]
            clash = tuple(error.info[1]) if error.code == schema.SEVERAL_OF.code else ()
            needs = _needed(error.constraint) if error.rule == "dependencies" else ()
            beneath = schema.ADMITTING if error.code == schema.NEITHER.code else ()
            into.append(Problem(path, _message(error, root), error.rule in _ABSENCE_RULES, clash, needs, beneath))


def _needed(constraint: Any) -> tuple[str, ...]:
    """The keys a dependencies rule names (a key, a list of them, or a table of them with allowed values)."""
    return (constraint,) if isinstance(constraint, str) else tuple(map(str, constraint))


def _message(error: Any, root: Mapping[str, Any]) -> str:
    value, constraint = error.value, error.constraint
    if error.code in (
        cerberus_errors.CUSTOM.code,
        schema.EXACTLY_ONE_OF.code,
        schema.NEITHER.code,
        schema.SEVERAL_OF.code,
        schema.SWML_RESULT.code,
    ):
        return str(error.info[0])
    if error.code == cerberus_errors.UNKNOWN_FIELD.code:
        known = _known_keys(root, error.document_path[:-1])
        name = str(error.document_path[-1])
        parent, _, inner = name.partition(".")
        if inner and parent in known:
            # Written in quotes, as [rules] keys are: in a table of values that is one key, dots and all.
            return f"unknown key: in quotes it is one key, dots and all (unquoted, {name} is {inner} of the table {parent})"
        return f"unknown key{did_you_mean(name, known)}; accepted: {', '.join(known)}"
    if error.rule == "required":
        return "is required"
    if error.rule == "dependencies":
        return f"needs {constraint} to be set as well"
    if error.rule == "type":
        wanted = [constraint] if isinstance(constraint, str) else constraint
        # A PIN or a number written without quotes: TOML reads digits as an integer, which would also lose a leading 0.
        digits = isinstance(value, int) and not isinstance(value, bool) and "string" in wanted
        named = _DIGIT_KEYS & set(map(str, error.document_path[-2:]))
        number = bool(named & {"callers", "from"})  # E.164, which starts with its +
        hint = _QUOTING.format(show(("+" if number else "") + str(value))) if digits and named else ""
        return f"must be {' or '.join(_TYPE_NAMES.get(t, t) for t in wanted)}, got {show(value)}{hint}"
    if error.rule == "allowed":
        choices = ", ".join(show(c) for c in constraint)
        hint = did_you_mean(value, [c for c in constraint if isinstance(c, str)]) if isinstance(value, str) else ""
        if "keysrules" in error.schema_path:
            hint = did_you_mean_name(value, constraint) if isinstance(value, str) else ""
            return f"unknown environment {show(value)}{hint}; known: {choices}"
        return f"{show(value)} is not accepted{hint}; use one of {choices}"
    if "keysrules" in error.schema_path and "roles" in map(str, error.document_path):
        if error.rule == "forbidden":
            return f"a role cannot be called {show(value)}: that is the name of the section every call starts in"
        if error.rule == "regex":
            meant = re.sub(r"[^a-z0-9_]", "_", str(value).strip().lower())  # "Host", "co-host": what was meant
            hint = f" (did you mean {show(meant)}?)" if re.fullmatch(fmt.ROLE_NAME, meant) and meant != "main" else ""
            return (
                f"{show(value)} is not a role name{hint}: use a lower-case letter, then up to 31 lower-case letters, digits or _"
            )
    if error.rule == "forbidden":
        return f"{show(value)} is forbidden"
    if error.rule == "excludes":
        return f"cannot be given with {constraint}: give one of them"
    if error.rule == "min":
        return f"must be at least {show(constraint)}, got {show(value)}"
    if error.rule == "max":
        return f"must be at most {show(constraint)}, got {show(value)}"
    if error.rule == "minlength":
        return f"must have a length of at least {constraint}, got {len(value)}"
    if error.rule == "maxlength":
        return f"must have a length of at most {constraint}, got {len(value)}"
    if error.rule == "regex":
        return f"must match the pattern {show(constraint)} (as a whole), got {show(value)}"
    return f"fails the {error.rule} rule ({show(constraint)}), got {show(value)}"


def _known_keys(root: Mapping[str, Any], path: Sequence[Any]) -> list[str]:
    """The keys a schema accepts at `path`, for "did you mean" and "accepted"."""
    rules: Mapping[str, Any] = {"schema": root}
    for part in path:
        if isinstance(part, int) or str(part).isdigit():  # an element of an array of tables
            rules = rules.get("schema") or {} if rules.get("type") == "list" else rules
            continue
        nested = rules.get("schema") or {}
        rules = (nested.get(part) if part in nested else rules.get("valuesrules")) or {}
    return sorted((rules.get("schema") or {}).keys())
