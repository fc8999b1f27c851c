"""The shape of every file, checked before anything trusts it.

Each profile and environment file is checked on its own. What is malformed is
reported and dropped, and the rest of the file goes on to resolution: one run
reports a file's shape problems and the problems of its values together, and a
broken file never hides the problems of files it does not affect.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import profile_format as fmt
from . import schema
from .errors import ConfcError, UsageError, did_you_mean_key, did_you_mean_profile, dotted, raise_all, show
from .layering import Layer
from .problems import QUOTING_HINT, KeyPath, Problem, problems
from .repository import PROFILE_ID, Repository, SourceFile
from .swml import validator
from .validation import FieldwiseCheck


@dataclass(frozen=True)
class Checked:
    """A file as the compiler may use it: its data with every malformed part dropped."""

    data: Mapping[str, Any] | None  # None: the file could not be read or parsed at all
    problems: tuple[ConfcError, ...] = ()
    dropped: tuple[KeyPath, ...] = ()  # where malformed values were taken out

    @property
    def sound(self) -> bool:
        """Whether the file was read whole: nothing malformed was dropped."""
        return self.data is not None and not self.problems

    def could_supply(self, path: KeyPath, env: str) -> bool:
        """Whether something dropped from this file might have set `path` in `env` (so its absence proves nothing)."""
        for cut in self.dropped:
            if cut[0] == "extends" or cut[-2:] == ("vars", "extends"):  # a parent not read (or misplaced) may set anything
                return True
            if cut[0] == "env":
                if len(cut) < 2 or cut[1] != env:
                    continue  # another environment's table
                cut = cut[2:]
            elif cut[0] == "defaults":
                cut = cut[1:]
            if cut[: len(path)] == path[: len(cut)]:  # the same key, or one above or below it
                return True
        return False


def check_profile(source: SourceFile, checks: FileChecks, profiles: Collection[str] = ()) -> Checked:
    """A profile file against its shape (`profiles` for suggestions)."""
    try:
        data = source.data
    except ConfcError as exc:
        return Checked(None, (exc,))
    found = [_misplaced(_in_the_other_file(problem, environment=False)) for problem in checks.profile.problems(data)]
    found += _unset_problems(data.get("unset"), ("unset",))
    found += _misplaced_in_vars(data.get("vars"), ("vars",))
    for env, layer in _tables(data.get("env")):
        found += _unset_problems(layer.get("unset"), ("env", env, "unset"))
        found += _misplaced_in_vars(layer.get("vars"), ("env", env, "vars"))
    extends = data.get("extends")
    for index, parent in enumerate([extends] if isinstance(extends, str) else extends if isinstance(extends, list) else []):
        if isinstance(parent, str) and not PROFILE_ID.match(parent):
            path = ("extends",) if isinstance(extends, str) else ("extends", str(index))
            hint = did_you_mean_profile(parent, profiles) or ' (like "base" or "teams/sales")'
            found.append(Problem(path, f"{show(parent)} is not a profile id{hint}"))
    return _checked(source, data, found)


_LAYER_ONLY = frozenset({"extends", "abstract", "unset", "template"})  # keys of a profile's top level (or [env.NAME])
_NEVER_VARIABLES = _LAYER_ONLY - {"template"}  # under [vars], always this mistake (a variable may be called template)
_NEVER_PER_ENVIRONMENT = frozenset({"extends", "abstract"})  # the graph of profiles is one for all environments


def _below_header(name: str, table: Sequence[str], read_as: str) -> str:
    """Why a layer's key written below a [table] header is not the layer's, and where it goes."""
    home = f"right below [env.{table[1]}]" if table[0] == "env" else "above the file's first [table]"
    return (
        f"{name} belongs to a profile's top level or an [env.NAME] table; written below the [{'.'.join(table)}] header,"
        f" {read_as}: move it {home}"
    )


def _misplaced(problem: Problem) -> Problem:
    """An unknown key that belongs to a layer, written under a [table] header, which TOML gives it to."""
    *table, name = problem.path
    if not table or name not in _LAYER_ONLY or not problem.message.startswith("unknown key"):
        return problem
    if table[0] == "env" and len(table) == 2:  # right below [env.NAME], where only some of the layer's keys go
        if name not in _NEVER_PER_ENVIRONMENT:
            return problem
        what = "a profile's parents are" if name == "extends" else "whether a profile is abstract is"
        return problem._replace(
            message=f"unknown key: {what} the same in every environment, so {name} is written at the profile's top level;"
            f" [env.{table[1]}] sets values over what it inherits, for {table[1]} alone"
        )
    return problem._replace(message="unknown key: " + _below_header(name, table, "it is read as a key of that table"))


_ENVIRONMENT_ONLY = frozenset(schema.ENVIRONMENT_FILE) - frozenset(fmt.LAYER)  # defaults, rules, policy, deploy, build
_DEFAULTABLE = frozenset(name for name, key in fmt.LAYER.items() if fmt.DEFAULTS in key.where)  # greeting, conference, ...
_PROFILE_ONLY = (frozenset(fmt.LAYER) | _LAYER_ONLY) - frozenset(schema.ENVIRONMENT_FILE)


def _in_the_other_file(problem: Problem, *, environment: bool) -> Problem:
    """A top-level key of the other kind of file: an environment's written in a profile, or a profile's in an
    environment file (the two look alike, and one is often copied from the other)."""
    name = problem.path[0] if len(problem.path) == 1 and problem.message.startswith("unknown key") else ""
    if not environment and name in _ENVIRONMENT_ONLY:
        told = f"{name} belongs in an environment file (environments/NAME.toml), where it applies to every profile"
        if name == "defaults":
            told += "; a profile sets its values itself ([conference], or [env.NAME.conference] for one environment)"
    elif environment and name == "env":
        told = "[env.NAME] tables belong in a profile; an environment file gives every profile values in [defaults.conference]"
    elif environment and name in _DEFAULTABLE:
        told = f"[{name}] is a profile's table; an environment file gives every profile {name} values in [defaults.{name}]"
    elif environment and name == "extends":
        told = "environments do not extend one another: each file holds its own vars, defaults and rules"
    elif environment and name in _PROFILE_ONLY:
        told = f"{name} belongs in a profile (profiles/ID.toml)"
    else:
        return problem
    return problem._replace(message=f"unknown key: {told}")


def _misplaced_in_vars(table: Any, at: KeyPath) -> list[Problem]:
    """A layer's own key written below [vars]: TOML makes it a variable, and the profile silently lacks it."""
    if not isinstance(table, Mapping):
        return []
    read_as = "TOML reads it as a variable, and the profile goes without it"
    return [Problem((*at, key), _below_header(key, at, read_as)) for key in table if key in _NEVER_VARIABLES]


def _on_the_command_line(problem: Problem) -> str:
    """The message, with a file's "in quotes" hint as a shell writes it: --set reads 42 as TOML, an integer."""
    hint = QUOTING_HINT.search(problem.message)
    if hint is None:
        return problem.message
    return problem.message[: hint.start()] + f""" (a string needs TOML's quotes: --set '{".".join(problem.path)}="{hint[1]}"')"""


def overrides(layer: Layer | None, checks: FileChecks) -> Layer | None:
    """The --set layer, if it is shaped as a profile file must be: a value of the wrong shape is a usage error."""
    if layer is not None:
        found = checks.profile.problems(layer.data)
        raise_all([UsageError(f"--set {'.'.join(problem.path)}: {_on_the_command_line(problem)}") for problem in found])
    return layer


def check_environment(source: SourceFile, checks: FileChecks) -> Checked:
    """An environment file against its shape; a rule must name a key of the profile format."""
    try:
        data = source.data
    except ConfcError as exc:
        return Checked(None, (exc,))
    found = [_in_the_other_file(problem, environment=True) for problem in problems(checks.environment, data)]
    policies: list[Any] = data["policy"] if isinstance(data.get("policy"), list) else []
    scopes = [
        (("rules",), data.get("rules")),
        *((("policy", str(i), "rules"), p.get("rules")) for i, p in enumerate(policies) if isinstance(p, Mapping)),
    ]
    for at, tables in scopes:
        for key, _rules in _tables(tables):
            # "roles.*.pin": a rule may name every role at once.
            if not fmt.is_known_path(tuple("role" if i == 1 and part == "*" else part for i, part in enumerate(key.split(".")))):
                found.append(
                    Problem((*at, key), f"rule for an unknown key {show(key)}{did_you_mean_key(key, fmt.paths_like(key))}")
                )
    return _checked(source, data, found)


def settings_errors(repo: Repository) -> list[ConfcError]:
    """Check confc.toml, which every command reads before anything else."""
    if repo.settings is None:
        return []
    return [repo.settings.error(p.message, *p.path) for p in problems(validator(schema.SETTINGS_FILE), repo.settings.data)]


def _checked(source: SourceFile, data: Mapping[str, Any], found: Sequence[Problem]) -> Checked:
    errors = tuple(
        ConfcError(problem.message, file=source.display, line=source.lines[problem.path], key=dotted(_key_of(data, problem.path)))
        for problem in found
    )
    cuts = tuple(problem.path for problem in found)
    return Checked(_without(data, cuts), errors, cuts)


def _key_of(data: Mapping[str, Any], path: KeyPath) -> KeyPath:
    """The key a message names: array indices left out (`extends` for its second element too), table keys kept."""
    key: list[str] = []
    value: Any = data
    for part in path:
        if isinstance(value, list):
            value = value[int(part)] if part.isdigit() and int(part) < len(value) else None
            continue
        key.append(part)
        value = value.get(part) if isinstance(value, Mapping) else None
    return tuple(key)


def _without(data: Mapping[str, Any], paths: Iterable[KeyPath]) -> Mapping[str, Any]:
    """`data` without the values at `paths` (each cut where the file's structure ends); `data` itself is untouched."""
    result: Any = data
    for path in sorted(set(paths), key=lambda p: [(0, int(x)) if x.isdigit() else (1, x) for x in p], reverse=True):
        result = _drop(result, path)
    return result  # type: ignore[no-any-return]


def _drop(value: Any, path: KeyPath) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(value, Mapping) and head in value:
        if not rest or not isinstance(value[head], (Mapping, list)):
            return {k: v for k, v in value.items() if k != head}
        return {**value, head: _drop(value[head], rest)}
    if isinstance(value, list) and head.isdigit() and int(head) < len(value):
        index = int(head)
        if not rest or not isinstance(value[index], (Mapping, list)):
            return value[:index] + value[index + 1 :]
        return [*value[:index], _drop(value[index], rest), *value[index + 1 :]]
    return value


def _tables(value: Any) -> list[tuple[str, Mapping[str, Any]]]:
    if not isinstance(value, Mapping):
        return []
    return [(k, v) for k, v in value.items() if isinstance(v, Mapping)]


def _unset_problems(keys: Any, where: KeyPath) -> list[Problem]:
    if not isinstance(keys, list):
        return []
    return [
        Problem(
            (*where, str(index)),
            f"cannot unset {show(key)}: not a key of the profile format{did_you_mean_key(key, fmt.paths_like(key))}",
        )
        for index, key in enumerate(keys)
        if isinstance(key, str) and not fmt.is_known_path(tuple(key.split(".")))
    ]


class FileChecks:
    """The shape checks of one run's files (`[env.NAME]` must name one of `environments`), built when first needed."""

    def __init__(self, environments: Sequence[str]) -> None:
        self.environments = tuple(environments)

    @functools.cached_property
    def profile(self) -> FieldwiseCheck:
        nested = {"conference": FieldwiseCheck(schema.CONFERENCE_SHAPE), "greeting": FieldwiseCheck(schema.GREETING_SHAPE)}
        rules = schema.profile_file_schema(list(self.environments))
        role = rules["roles"]["valuesrules"]["schema"]
        roles = FieldwiseCheck(role, nested={key: FieldwiseCheck(role[key]["schema"]) for key in ("conference", "greeting")})
        return FieldwiseCheck(rules, nested=nested, each={"roles": roles})

    @functools.cached_property
    def environment(self) -> Any:
        return validator(schema.ENVIRONMENT_FILE)
