"""The three places validation happens: resolved profiles, roles' joins, and an environment's rules."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import profile_format as fmt
from . import schema
from .errors import ConfcError, dotted, show
from .layering import MISSING, Resolution, lookup
from .memo import fingerprint
from .problems import KeyPath, Problem, problems
from .repository import SourceFile
from .scoping import applies
from .swml import validator


class FieldwiseCheck:
    """Cerberus on a mapping, one field at a time, each distinct field value checked once.

    Thousands of resolved profiles share most of their values (an inherited URL, a region), so
    memoizing per field turns validation from the slowest stage into a lookup. Which keys are
    present (required, dependencies, unknown keys) is checked on its own, once per set of keys.
    """

    _STRUCTURE_RULES = ("required", "dependencies")

    def __init__(
        self,
        rules: Mapping[str, Any],
        nested: Mapping[str, FieldwiseCheck] | None = None,
        each: Mapping[str, FieldwiseCheck] | None = None,
    ) -> None:
        """`nested`: the check of a table field's own keys; `each`: the check of every value of a table of
        tables (its valuesrules' schema), so a role's table is checked key by key like any other."""
        self._nested = dict(nested or {})
        self._each = dict(each or {})
        structure = {key: {r: v for r, v in spec.items() if r in self._STRUCTURE_RULES} for key, spec in rules.items()}
        self._structure = validator(structure)
        self._rules = dict(rules)
        self._fields: dict[tuple[str, bool], Any] = {}  # a field's validator (whole or shape), built when first used
        # A field checked for a plain Python type alone passes once per type, not once per value.
        self._by_type = {key for key, spec in rules.items() if _plain_type_only(self._value_rules(key, spec))}
        self._memo: dict[tuple[str, Any], list[Problem]] = {}

    def _value_rules(self, key: str, spec: Mapping[str, Any]) -> dict[str, Any]:
        dropped = {*self._STRUCTURE_RULES, *(("schema",) if key in self._nested else ())}
        return {rule: value for rule, value in spec.items() if rule not in dropped}

    def problems(self, document: Mapping[str, Any]) -> list[Problem]:
        found = self._cached(("", tuple(document)), lambda: problems(self._structure, dict.fromkeys(document, True)))
        for key, value in document.items():
            nested, each = self._nested.get(key), self._each.get(key)
            if nested is not None and isinstance(value, Mapping):
                found += [problem._replace(path=(key, *problem.path)) for problem in nested.problems(value)]
            elif each is not None and isinstance(value, Mapping) and all(isinstance(item, Mapping) for item in value.values()):
                # The table's names and each value's keys (valuesrules without its schema), then each value.
                shape = {name: dict.fromkeys(item, True) for name, item in value.items()}
                found += self._cached(
                    ("shape " + key, fingerprint(shape)), functools.partial(self._field_problems, key, shape, True)
                )
                for name, item in value.items():
                    found += [p._replace(path=(key, str(name), *p.path)) for p in each.problems(item)]
            elif key in self._rules:
                check = functools.partial(self._field_problems, key, value)
                by_type = self._cached((key, type(value).__name__), check) if key in self._by_type else None
                # A type that passes passes for every value; a message about a wrong one shows the value.
                found += by_type if by_type == [] else self._cached((key, fingerprint(value)), check)
        return found

    def _field_problems(self, key: str, value: Any, shape: bool = False) -> list[Problem]:
        check = self._fields.get((key, shape))
        if check is None:
            rules = self._value_rules(key, self._rules[key])
            if shape:
                rules["valuesrules"] = {rule: v for rule, v in rules["valuesrules"].items() if rule != "schema"}
            check = self._fields[key, shape] = validator({key: rules})
        return problems(check, {key: value})

    def _cached(self, key: tuple[str, Any], check: Callable[[], list[Problem]]) -> list[Problem]:
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = check()
        return list(found)


def _plain_type_only(rules: Mapping[str, Any]) -> bool:
    types = [rules.get("type")] if isinstance(rules.get("type"), str) else rules.get("type") or []
    return set(rules) <= {"type", "meta"} and bool(types) and set(types) <= _PLAIN_TYPES


_PLAIN_TYPES = {"string", "integer", "boolean", "number", "float", "list", "dict"}  # decided by the Python type alone


class ResolvedChecks:
    """The checks of resolved profiles for one run: built when first needed, remembering what they checked."""

    @functools.cached_property
    def plain(self) -> FieldwiseCheck:
        return FieldwiseCheck(schema.RESOLVED_PROFILE, nested={"conference": FieldwiseCheck(schema.CONFERENCE)})

    @functools.cached_property
    def with_roles(self) -> FieldwiseCheck:
        # Each role key by key: its PINs make every roles table unique, but its join and greeting are shared.
        role = schema.RESOLVED_PROFILE["roles"]["valuesrules"]["schema"]
        roles = FieldwiseCheck(role, nested={"conference": FieldwiseCheck(role["conference"]["schema"])})
        return FieldwiseCheck(
            schema.RESOLVED_PROFILE,
            nested={"conference": FieldwiseCheck(schema.SHARED_CONFERENCE)},
            each={"roles": roles},
        )

    @functools.cached_property
    def join(self) -> FieldwiseCheck:
        return FieldwiseCheck(schema.JOIN_DEPENDENCIES)


def resolved_problems(values: Mapping[str, Any], checks: ResolvedChecks) -> list[Problem]:
    """Check an interpolated, non-abstract profile against the SWML rules of SPEC section 5.

    With roles, what one key of a join needs of another is checked on each role's effective
    join, where an inherited `status_callback` meets a role's `status_callback_event`.
    """
    roles = values.get("roles")
    if not isinstance(roles, Mapping) or not roles:
        return checks.plain.problems(values)
    found = checks.with_roles.problems(values)
    if isinstance(values.get("conference"), Mapping):
        found += _join_problems(values["conference"], roles, checks.join)
    return found


def effective_join(values: Mapping[str, Any], role: Mapping[str, Any]) -> dict[str, Any]:
    """A role's effective join table: the profile's conference with the role's merged over it, as layers merge."""
    shared, own = values.get("conference", {}), role.get("conference", {})
    merged = _merged(shared, own if isinstance(own, Mapping) else {})
    return {key: merged[key] for key in schema.CONFERENCE_KEYS if key in merged}


def _merged(below: Mapping[str, Any], above: Mapping[str, Any]) -> dict[str, Any]:
    """`above` over `below`: tables key by key, recursively; every other value replaces (SPEC 3's merging)."""
    result = dict(below)
    for key, value in above.items():
        under = result.get(key)
        result[key] = _merged(under, value) if isinstance(under, Mapping) and isinstance(value, Mapping) else value
    return result


def _join_problems(shared: Mapping[str, Any], roles: Mapping[str, Any], join: FieldwiseCheck) -> list[Problem]:
    """What keys of each role's join need of each other; a problem shared by several roles is one, naming them."""
    whose: dict[Problem, list[str]] = {}
    for name, role in roles.items():
        if not isinstance(role, Mapping):
            continue
        own = role.get("conference")
        own = own if isinstance(own, Mapping) else {}
        for problem in join.problems(_keys_of(effective_join({"conference": shared}, role))):
            # At the role's table where it writes the key, or the table an absent key belongs in; else the shared one.
            written = lookup(own, problem.path) is not MISSING or (
                problem.absent and len(problem.path) > 1 and lookup(own, problem.path[:-1]) is not MISSING
            )
            path = ("roles", name, "conference", *problem.path) if written else ("conference", *problem.path)
            whose.setdefault(problem._replace(path=path), []).append(name)
    found = []
    for problem, names in whose.items():
        if problem.path[0] == "conference":  # the shared table: whose join lacks it, as policy messages say
            problem = problem._replace(message=f"{problem.message} for role{'s' if len(names) > 1 else ''} {', '.join(names)}")
        found.append(problem)
    return found


def _keys_of(join: Mapping[str, Any]) -> dict[str, Any]:
    """Which keys a join has, a table's (stream's) as a table of its keys: what the join check reads."""
    return {key: dict.fromkeys(value, True) if isinstance(value, Mapping) else True for key, value in join.items()}


def records(join: Mapping[str, Any]) -> bool:
    """Whether a join may record: any record value but do-not-record (a ${variable} might say record-from-start)."""
    return bool(join.get("record", "do-not-record") != "do-not-record")


def recorded_roles(values: Mapping[str, Any]) -> list[str]:
    """The roles whose effective join records."""
    return [name for name, role in (values.get("roles") or {}).items() if records(effective_join(values, role))]


def is_recorded(values: Mapping[str, Any]) -> bool:
    """Whether any join the document makes records."""
    if values.get("roles"):
        return bool(recorded_roles(values))
    return isinstance(values.get("conference"), Mapping) and records(values["conference"])


def emitted(values: Mapping[str, Any]) -> dict[str, Any]:
    """The profile as artifacts carry it: beep as a string, event lists space-separated, keys in SWML order."""
    result = dict(values)
    if isinstance(values.get("conference"), Mapping):
        result["conference"] = emitted_conference(values["conference"])
    roles = values.get("roles")
    if isinstance(roles, Mapping):
        result["roles"] = {
            name: {**role, "conference": emitted_conference(role["conference"])}
            if isinstance(role, Mapping) and isinstance(role.get("conference"), Mapping)
            else role
            for name, role in roles.items()
        }
    return result


def emitted_conference(conference: Mapping[str, Any]) -> dict[str, Any]:
    return fmt.emitted_table(fmt.CONFERENCE, conference)


@dataclass(frozen=True)
class Rule:
    """One rule of an environment file (of `[rules]`, or of a `[[policy]]`), ready to apply."""

    source: SourceFile
    key: str
    required: bool
    check: schema.ConfcValidator | None  # the other rules, applied to a known value
    at: KeyPath = ("rules",)  # where its table is in the file
    profiles: tuple[str, ...] | None = None  # a [[policy]]'s patterns over profile ids; None: every profile
    policy: str = ""  # the [[policy]]'s description
    _memo: dict[str, list[str]] = field(default_factory=dict, compare=False, repr=False)

    def applies_to(self, profile: str) -> bool:
        return self.profiles is None or applies(self.profiles, profile)

    def messages(self, value: Any) -> list[str]:
        """Why `value` breaks this rule; each distinct value is checked once."""
        if self.check is None:
            return []
        key = fingerprint(value)
        if key not in self._memo:
            try:
                self._memo[key] = [problem.message for problem in problems(self.check, {"value": value})]
            except TypeError:  # min/max/allowed written for another kind of value than this one
                self._memo[key] = [f"cannot be compared with the rule's values, got {show(value)}"]
        return self._memo[key]

    @property
    def where(self) -> str:
        line = self.source.line(*self.at, self.key)
        return f"{self.source.display}:{line}" if line else self.source.display

    @property
    def label(self) -> str:
        """How messages name it: "rule at FILE:LINE", with its policy's description when it has one."""
        return f"rule at {self.where}" if not self.policy else f'rule of the policy "{self.policy}" at {self.where}'


def env_rules(source: SourceFile, data: Mapping[str, Any]) -> list[Rule]:
    """The rules of one environment file, from its `data` as the shape check left it: [rules], then each [[policy]]."""
    scopes: list[tuple[KeyPath, Mapping[str, Any], tuple[str, ...] | None, str]] = [
        (("rules",), data.get("rules") or {}, None, "")
    ]
    for index, policy in enumerate(data.get("policy") or []):
        scopes.append(
            (
                ("policy", str(index), "rules"),
                policy.get("rules") or {},
                tuple(policy.get("profiles") or ()),
                policy.get("description", ""),
            )
        )
    rules = []
    for at, tables, profiles, description in scopes:
        for key, table in tables.items():
            others = {name: value for name, value in table.items() if name != "required"}
            check = validator({"value": others}) if others else None
            rules.append(Rule(source, key, bool(table.get("required", False)), check, at, profiles, description))
    return rules


def rule_errors(
    rules: Sequence[Rule],
    resolution: Resolution,
    values: Mapping[str, Any],
    warnings: list[ConfcError],
    *,
    unknowable: Callable[[KeyPath], bool] = lambda path: False,
    skip: Collection[KeyPath] = (),
) -> list[ConfcError]:
    """Apply an environment's policy rules to the emitted values of one profile.

    A rule on conference.KEY checks every join the document makes: with roles, each role's
    effective join table, so no role escapes a policy. A missing value is not reported where
    `unknowable` (a malformed value that might have set it was dropped); keys in `skip` already
    have a problem of their own.
    """
    found = []
    roles = values.get("roles") or {}
    for rule in rules:
        path = tuple(rule.key.split("."))
        if not rule.applies_to(resolution.profile) or (path == ("recording", "notice") and not is_recorded(values)):
            continue  # a notice is asked of the profiles whose joins record, and of no others
        # Where the value is read (a table, a path in it), where it is written, whose join it is.
        targets: list[tuple[Mapping[str, Any], KeyPath, KeyPath, str | None]]
        if path[:1] == ("roles",) and len(path) > 2 and (path[1] == "*" or path[1] in roles):
            # A role's key; its conference keys as the role joins, inherited from the profile's conference or its own.
            targets = [_role_target(values, name, path[2:]) for name in (roles if path[1] == "*" else [path[1]])]
        elif path[0] == "conference" and roles:  # every join the document makes: each role's
            targets = [_role_target(values, name, path) for name in roles]
        else:
            targets = [(values, path, path, None)]
        # The same problem in several roles (an inherited value, say) is one message naming them all.
        outcomes: dict[tuple[str, KeyPath, str], list[str]] = {}
        for table, read, written, role in targets:
            if written in skip or path in skip:
                continue
            value = lookup(table, read)
            if value is MISSING:
                if rule.required and not unknowable(path):
                    # Said of the key to add: a role's own, or the conference every role's join takes it from.
                    outcomes.setdefault(("missing", written, ""), []).extend([role] if role else [])
            elif rule.check is not None and isinstance(value, str) and schema.SWML_VAR.match(value):
                outcomes.setdefault(("skipped", written, show(value)), []).extend([role] if role else [])
            elif rule.check is not None:
                for message in rule.messages(value):
                    outcomes.setdefault(("broken", written, message), []).extend([role] if role else [])
        for (kind, written, text), names in outcomes.items():
            whose = f" for role{'s' if len(names) > 1 else ''} {', '.join(names)}" if names else ""
            if kind == "missing":
                found.append(resolution.missing(f"is required{whose} by the {rule.label}", written))
            elif kind == "skipped":
                warnings.append(
                    resolution.error(f"{rule.label} skipped{whose}: {text} is only known when the call runs", written)
                )
            else:
                found.append(resolution.error(f"{text}{whose} ({rule.label})", written, from_variable=True))
    return found


def _role_target(values: Mapping[str, Any], name: str, key: KeyPath) -> tuple[Mapping[str, Any], KeyPath, KeyPath, str | None]:
    """Where a rule on role `name`'s `key` reads its value and where that value is written: a conference key as
    the role joins (SPEC: the effective join), at the role's own key if it sets one, else the profile's conference."""
    role = values["roles"][name]
    if key[:1] != ("conference",) or len(key) < 2:
        return values, ("roles", name, *key), ("roles", name, *key), name
    own = lookup(role, key) is not MISSING
    return {"conference": effective_join(values, role)}, key, ("roles", name, *key) if own else key, name


def access_errors(resolution: Resolution, values: Mapping[str, Any]) -> list[ConfcError]:
    """[access] written for a profile that ends up with no roles: a dialogue with no PIN to enter."""
    if "access" not in values or values.get("roles"):
        return []
    # An environment's [defaults] may give every profile access; it applies to those with roles only.
    written = [layer for layer in resolution.layers if "access" in layer.data and layer.section != "[defaults]"]
    where = {"profile": resolution.profile, "env": resolution.env}
    unsetting = [layer for layer in resolution.layers for key in layer.unset if key[:1] == ("roles",)]
    if written and unsetting and resolution.place(unsetting[-1]) > resolution.place(written[0]):
        # The roles were there and a layer took them away (a line without PINs in dev): that is where to fix it.
        layer, key = unsetting[-1], next(key for key in unsetting[-1].unset if key[:1] == ("roles",))
        message = f'access needs roles, and this unset of {dotted(key)} leaves none: unset "access" here too'
        return [ConfcError(message, file=layer.file, line=layer.unset_line(key), key="unset", **where)]
    message = "access needs roles: the PIN dialogue asks for the PIN of a role; add [roles.NAME] with a pin, or remove [access]"
    return [layer.error(message, ("access",), **where) for layer in written[-1:]]
