"""Provenance (confc explain): every layer that set or unset a key, lowest first, and the value it ended with."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import profile_format as fmt
from . import secrets
from .errors import ConfcError, UsageError, did_you_mean, did_you_mean_key, raise_all, show
from .layering import MISSING, KeyPath, Layer, Resolution, lookup, touches, variables_named
from .pipeline import Compiler
from .validation import effective_join, emitted


@dataclass(frozen=True)
class Step:
    """One thing one layer did to the key or to something beneath it."""

    layer: Layer
    action: str  # "set" or "unset"
    key: KeyPath
    value: Any  # None for "unset"

    @property
    def line(self) -> int | None:
        if self.action == "unset":
            return self.layer.unset_line(self.key)
        return self.layer.line(self.key)

    @property
    def where(self) -> str:
        return _where(self.layer, self.line)

    def as_json(self) -> dict[str, Any]:
        layer = self.layer.section or ("--set" if self.layer.source is None else "profile")
        return {
            "file": self.layer.file,
            "line": self.line,
            "layer": layer,
            "action": self.action,
            "key": ".".join(self.key),
            "value": self.value,
        }


@dataclass(frozen=True)
class Explanation:
    """What `compiler.explain` returns: every step that touched `key`, lowest layer first."""

    profile: str
    env: str
    key: KeyPath
    steps: tuple[Step, ...]
    final: Any  # MISSING when the key ends unset
    hint: str = ""  # for a key no layer touched: a close key that one does, as ' (did you mean "..."?)'
    elsewhere: tuple[ConfcError, ...] = ()  # problems of the profile's files with keys other than this one
    # For roles.R.conference.K (or .K.X) that R's own table leaves out: the key R's join takes instead, and its value.
    inherited: tuple[KeyPath, Any] | None = None
    uses: tuple[Used, ...] = ()  # the variables the final value's {{ }} names, each where it was set


@dataclass(frozen=True)
class Used:
    """A variable that a `{{ }}` in the final value names, with its value and the layer that set it."""

    name: str  # "vars.queue" or "env.vars.hooks"
    value: Any
    layer: Layer

    @property
    def line(self) -> int | None:
        return self.layer.line(("vars", self.name.rsplit(".", 1)[1]))

    @property
    def where(self) -> str:
        return _where(self.layer, self.line)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "file": self.layer.file, "line": self.line}


def _where(layer: Layer, line: int | None) -> str:
    """FILE:LINE and the part of the file ("[env.prod]"), as explain's columns show a layer's line."""
    location = f"{layer.file}:{line}" if line else layer.file
    return f"{location} {layer.section}".rstrip()


def leaves(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, Any]]:
    """A table as its dotted leaves; any other value (a secret reference too) as itself."""
    if isinstance(value, Mapping) and value and not secrets.is_reference(value):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    else:
        yield path, value


def explain(compiler: Compiler, profile: str, env: str, key: str) -> Explanation:
    """What every layer of `profile` in `env` did to `key`; an error if none touched it."""
    path = tuple(key.split("."))
    if not all(path):
        raise UsageError(f"KEY {show(key)} has an empty part: name a dotted key path such as conference.name")
    # A problem with another key does not change what the layers did to this one: it is shown, not raised.
    resolution, values, problems = compiler.values_despite_problems(profile, env)
    raise_all([p for p in problems if p.key is None or _overlaps(_profile_key(p.key), path)])
    steps: list[Step] = []
    for layer in resolution.layers:
        for action, touched, value in touches(layer, path):
            if action == "unset":
                steps.append(Step(layer, action, touched, None))
            else:
                steps.extend(Step(layer, action, leaf, item) for leaf, item in leaves(value, touched))
    hint = ""
    if not steps:
        written = {".".join(leaf) for layer in resolution.layers for leaf, _ in leaves(layer.data, ())}
        if path[0] == "roles" and path[2:] == ("conference", "name"):
            raise ConfcError(
                "a role sets no conference name: all roles join the one conference, which conference.name names"
                " (explain that key to trace it)",
                key=key,
                profile=profile,
                env=env,
            )
        if not fmt.is_known_path(path):  # a typo, not a key left to its default
            hint = ", and it is not a key of the profile format" + did_you_mean_key(key, written | set(fmt.paths_like(key)))
            raise ConfcError(f"no layer sets or unsets this key{hint}", key=key, profile=profile, env=env)
        roles = values.get("roles")
        if path[0] == "roles" and len(path) > 1 and not (isinstance(roles, Mapping) and path[1] in roles):
            names = sorted(roles) if isinstance(roles, Mapping) else []
            which = f"roles {', '.join(names)}" if names else "no roles"
            raise ConfcError(
                f"the profile has no role {path[1]} in this environment (it has {which}){did_you_mean(path[1], names)}",
                key=key,
                profile=profile,
                env=env,
            )
        hint = did_you_mean_key(key, written, same_table=True) or _default(path, values)
    final = emitted(values)
    uses = tuple(_uses(_in_effect(steps), resolution, values))
    return Explanation(
        profile, env, path, tuple(steps), lookup(final, path), hint, tuple(problems), _inherited(final, path), uses
    )


def _default(path: KeyPath, values: Mapping[str, Any]) -> str:
    """'; confc's default applies: VALUE' for a key left to one confc fills in, where it applies."""
    if path == ("template",):
        return f"; confc's default applies: {show(fmt.DEFAULT_TEMPLATE)}"
    if path[0] == "access" and len(path) == 2 and path[1] in fmt.ACCESS_DEFAULTS and values.get("roles"):
        return f"; confc's default applies: {show(fmt.ACCESS_DEFAULTS[path[1]])}"
    return ""


def _in_effect(steps: Iterable[Step]) -> list[Step]:
    """The steps whose values the key ends with: the last set of each leaf that no later unset removed."""
    standing: dict[KeyPath, Step] = {}
    for step in steps:
        if step.action == "unset":
            standing = {leaf: kept for leaf, kept in standing.items() if leaf[: len(step.key)] != step.key}
        else:
            standing[step.key] = step
    return list(standing.values())


def _uses(steps: Iterable[Step], resolution: Resolution, values: Mapping[str, Any]) -> Iterator[Used]:
    """Each variable the expressions of `steps` name, once, with its value and the layer that set it: a profile's
    vars by the last layer setting it (an environment's [vars] lie beneath), env.vars by the environment's file."""
    seen: set[str] = set()
    environment = next(layer for layer in resolution.layers if layer.section == "[vars]")
    for step in steps:
        if not isinstance(step.value, str) or "{{" not in step.value:
            continue
        for env_prefix, name in variables_named(step.value):
            shown = f"{env_prefix}vars.{name}"
            if shown in seen:
                continue
            seen.add(shown)
            layer = environment if env_prefix else resolution.setter(("vars", name))
            value = lookup(layer.data, ("vars", name)) if env_prefix and layer else lookup(values, ("vars", name))
            if layer is not None and value is not MISSING:  # an undefined one is reported as a problem instead
                yield Used(shown, value, layer)


def _inherited(values: Mapping[str, Any], path: KeyPath) -> tuple[KeyPath, Any] | None:
    """What a role's join takes for roles.R.conference.K (or K.X) when R leaves it out: the profile's conference.K."""
    role = lookup(values, path[:2])
    if len(path) < 4 or path[0] != "roles" or path[2] != "conference" or not isinstance(role, Mapping):
        return None
    if lookup(values, path) is not MISSING or (value := lookup(effective_join(values, role), path[3:])) is MISSING:
        return None
    return ("conference", *path[3:]), value


def _profile_key(key: str) -> KeyPath:
    """A problem's key as a key of the profile: env.NAME.conference.x is conference.x in that environment."""
    parts = tuple(key.split("."))
    return parts[2:] if parts[:1] == ("env",) and len(parts) > 2 else parts


def _overlaps(one: KeyPath, other: KeyPath) -> bool:
    """Whether either key is the other or lies beneath it."""
    shorter = min(len(one), len(other))
    return one[:shorter] == other[:shorter]


def as_json(explanation: Explanation) -> dict[str, Any]:
    """What `explain --format json` prints; `final` is null when the key ends unset."""
    return {
        "key": ".".join(explanation.key),
        "profile": explanation.profile,
        "env": explanation.env,
        "steps": [step.as_json() for step in explanation.steps],
        "final": None if final_is_missing(explanation) else explanation.final,
        **({"note": f"not set by any layer{explanation.hint}"} if not explanation.steps else {}),
        **({"joins_with": _joins_with(explanation.inherited)} if explanation.inherited else {}),
        **({"uses": [used.as_json() for used in explanation.uses]} if explanation.uses else {}),
    }


def _joins_with(inherited: tuple[KeyPath, Any]) -> dict[str, Any]:
    key, value = inherited
    return {"key": ".".join(key), "value": value}


def final_is_missing(explanation: Explanation) -> bool:
    return explanation.final is MISSING
