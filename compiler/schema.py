"""Every Cerberus schema of confc, as constants, and the validator that reads them.

The profile and environment *file shapes* are checked once per file; the
*resolved* schemas describe a profile after inheritance and interpolation,
following SignalWire's `join_conference` method.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from cerberus import TypeDefinition, Validator
from cerberus.errors import ErrorDefinition

from . import profile_format as fmt
from . import routes, secrets
from .errors import did_you_mean, show
from .profile_format import BEEP_VALUES as BEEP_VALUES
from .profile_format import CALLBACK_EVENTS as CALLBACK_EVENTS
from .profile_format import CODEC as CODEC
from .profile_format import EVENT_TYPES as EVENT_TYPES
from .profile_format import RECORDING_EVENTS as RECORDING_EVENTS
from .profile_format import REGIONS as REGIONS
from .repository import ENV_NAME_PATTERN

SWML_VAR = re.compile(r"^[$%]\{.*\}$", re.DOTALL)
PIN = re.compile(r"[0-9]{1,16}")
PLAY_URL = re.compile(
    r"^(http://.*|https://.*|ring: ?[0-9.]*: ?[a-zA-Z]{2}|say: ?.*|silence: ?[0-9.]*|ring: ?[a-zA-Z]{2})$", re.DOTALL
)

# Every calling method of SignalWire's SWML reference (methods/calling/, its titles).
_CALLING_METHODS = """
ai ai_sidecar amazon_bedrock answer cond connect denoise detect_machine enter_queue execute goto hangup
join_conference join_room label live_transcribe live_translate pay play prompt receive_fax record record_call
request return send_digits send_fax send_sms set sip_refer sleep stop_denoise stop_record_call stop_stream
stop_tap stream switch tap transcribe transcribe_stop transfer unset user_event
"""
SWML_METHODS = frozenset(_CALLING_METHODS.split())
LINE_BREAKS = "\n\r\u2028\u2029"

RULE_NAMES = ("required", "allowed", "forbidden", "min", "max", "minlength", "maxlength", "regex", "type", "secret")
# An empty array is how one might try to take away what a role inherits: that is what unset does.
_EMPTIED = " (to take away what it inherits, unset this key instead)"
RULE_TYPES = ("string", "integer", "boolean", "float", "number", "list", "dict")


class _SwmlVarType(type):
    def __instancecheck__(cls, value: Any) -> bool:
        return isinstance(value, str) and bool(SWML_VAR.match(value))


class SwmlVariable(metaclass=_SwmlVarType):
    """`isinstance(x, SwmlVariable)`: x is a SWML runtime variable, "${...}" or "%{...}"."""


class _ExpressionType(type):
    def __instancecheck__(cls, value: Any) -> bool:
        return isinstance(value, str) and ("{{" in value or "{%" in value)


class Expression(metaclass=_ExpressionType):
    """`isinstance(x, Expression)`: x is a string with a `{{ }}` or `{% %}` for confc to render."""


# A rule of ours whose failure is about a missing value (Cerberus's custom errors carry no rule name).
EXACTLY_ONE_OF = ErrorDefinition(0x7F, "exactly_one_of")
NEITHER = ErrorDefinition(0x7D, "admits")  # a role with neither a pin nor callers
ADMITTING = ("pin", "callers")  # the keys that say who joins as a role: it needs one of them
SEVERAL_OF = ErrorDefinition(0x7C, None)  # more than one of keys that exclude each other; its info names them
# A problem inside SWML methods (a `result`, a switch case); its info carries the path below the field.
SWML_RESULT = ErrorDefinition(0x7E, None)


class ConfcValidator(Validator):  # type: ignore[misc]
    """Cerberus with the few types and rules the SWML domain needs."""

    types_mapping = {
        **Validator.types_mapping,
        # TOML booleans are not integers, whatever Python's bool says.
        "integer": TypeDefinition("integer", (int,), (bool,)),
        "number": TypeDefinition("number", (int, float), (bool,)),
        "swml_var": TypeDefinition("swml_var", (SwmlVariable,), ()),
        "expression": TypeDefinition("expression", (Expression,), ()),
    }

    def _validate_nonblank(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        if constraint and isinstance(value, str) and not value.strip():
            self._error(field, "must not be empty or only whitespace")

    def _validate_one_line(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        # SWML's play URL is one line ("say:TEXT"): SignalWire's schema rejects any line break in it.
        if constraint and isinstance(value, str) and any(c in value for c in LINE_BREAKS):
            self._error(field, "must be one line: SWML plays it as a URL, which cannot hold a line break")

    def _validate_url(self, constraint: str, field: str, value: Any) -> None:
        """{'type': 'string', 'allowed': ['http', 'http_or_var', 'wss']}"""
        if not isinstance(value, str) or (constraint == "http_or_var" and SWML_VAR.match(value)):
            return
        parts = urlsplit(value)
        if constraint == "wss":
            if parts.scheme != "wss" or not parts.netloc or any(c.isspace() for c in value):
                self._error(field, f'must be a wss:// URL like "wss://example.com/stream", got {show(value)}')
            return
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
            hint = " or a SWML variable such as ${...}" if constraint == "http_or_var" else ""
            self._error(field, f'must be an absolute http(s) URL like "https://example.com/path"{hint}, got {show(value)}')

    def _validate_events(self, constraint: Sequence[str], field: str, value: Any) -> None:
        """{'type': 'list'}"""
        if isinstance(value, str):
            items = value.split(" ")
            if not value or "" in items:
                self._error(field, f"must be event names separated by single spaces, got {show(value)}")
                return
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            items = value
        else:
            self._error(field, "must be an array of event names (or one space-separated string)")
            return
        if not items:
            self._error(field, "must name at least one event; leave the key out to get SignalWire's default")
            return
        known = ", ".join(constraint)
        for item in items:
            if item not in constraint:
                self._error(field, f"unknown event {show(item)}; accepted: {known}")
        duplicates = sorted({i for i in items if items.count(i) > 1}, key=str)
        if duplicates:
            self._error(field, f"lists {', '.join(map(show, duplicates))} more than once")

    def _validate_play_url(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        if constraint and isinstance(value, str) and not SWML_VAR.match(value) and not PLAY_URL.match(value):
            self._error(
                field,
                f'must be something SWML can play: "say:TEXT", an http(s) URL, "silence:SECONDS" or "ring:COUNTRY", got {show(value)}',
            )

    def _validate_exactly_one_of(self, constraint: Sequence[str], field: str, value: Any) -> None:
        """{'type': 'list'}"""
        if isinstance(value, Mapping) and sum(key in value for key in constraint) != 1:
            # None of them is a missing value (which a dropped one may explain); several are a mistake as written.
            message = f"must hold exactly one of {' or '.join(constraint)}"
            if any(key in value for key in constraint):
                self._error(field, SEVERAL_OF, message, tuple(key for key in constraint if key in value))
            else:
                self._error(field, EXACTLY_ONE_OF, message)

    def _validate_pins(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        pins = [value] if isinstance(value, (str, Mapping)) else value
        if not constraint:
            return
        wrong = [p for p in pins if isinstance(p, Mapping) and not _secret_reference(p)] if isinstance(pins, list) else []
        if wrong:
            self._error(field, f"a secret PIN is written {_REFERENCE_FORM}, got {', '.join(map(show, wrong))}{_named(wrong)}")
        elif (
            not isinstance(pins, list)
            or not pins
            or not all(isinstance(p, str) and PIN.fullmatch(p) or isinstance(p, Mapping) for p in pins)
        ):
            self._error(
                field,
                "must be a PIN of 1 to 16 digits, written as a string, or a secret reference "
                f'{{ secret = "NAME" }}, or a non-empty array of them, got {show(value)}{_EMPTIED if pins == [] else ""}',
            )
        else:
            shown = [p if isinstance(p, str) else f"secret {p['secret']}" for p in pins]
            twice = sorted({p for p in shown if shown.count(p) > 1})
            if twice:
                self._error(field, f"lists {', '.join(map(show, twice))} more than once")

    def _validate_callers(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        numbers = [value] if isinstance(value, str) else value
        if not constraint:
            return
        if not isinstance(numbers, list) or not numbers or not all(isinstance(n, str) for n in numbers):
            self._error(
                field,
                f'must be a caller number such as "+15551230001", or a non-empty array of them, got {show(value)}'
                + (_EMPTIED if numbers == [] else ""),
            )
            return
        normalised = [routes.caller_number(n) for n in numbers]
        wrong = [show(text) for text, number in zip(numbers, normalised, strict=True) if number is None]
        if wrong:  # every one at once: a list is fixed in one edit
            what = "is not an E.164 caller number" if len(wrong) == 1 else "are not E.164 caller numbers"
            self._error(
                field,
                f'{", ".join(wrong)} {what}: "+", the country code, then the number, '
                '7 to 15 digits in all, such as "+15551230001" (spaces, dashes, dots and parentheses may separate them)',
            )
            return
        twice = sorted({n for n in normalised if n is not None and normalised.count(n) > 1})
        if twice:
            self._error(field, f"lists {', '.join(map(show, twice))} more than once")

    def _validate_admits(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        if constraint and isinstance(value, Mapping) and not set(ADMITTING) & value.keys():
            # Absent keys: a pin dropped as malformed explains this, so it is then not said twice.
            hint = did_you_mean(field, _admitting(self.document, field))  # a role named only in an override: misspelt?
            self._error(field, NEITHER, f"needs a pin, or callers (caller numbers), to say who joins as this role{hint}")

    def _validate_reference(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        if constraint and isinstance(value, Mapping) and not _secret_reference(value):
            self._error(field, f"a secret is written {_REFERENCE_FORM}, got {show(value)}{_named([value])}")

    def _validate_secret(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        items = value if isinstance(value, list) else [value]
        if constraint and not all(_secret_reference(item) for item in items):
            # The message never shows the value: it is the literal the rule wants kept out of git.
            self._error(field, 'must be a secret reference such as { secret = "NAME" }, not a value written in the file')

    def _validate_not_in_role(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        if constraint:
            self._error(field, "all roles join the one conference: set its name in [conference], not in a role")

    def _validate_deploy(self, constraint: str, field: str, value: Any) -> None:
        """{'type': 'string', 'allowed': ['space', 'prefix', 'number']}"""
        check = {"space": routes.space_problem, "prefix": routes.prefix_problem, "number": routes.number_problem}[constraint]
        if isinstance(value, str) and (problem := check(value)):
            self._error(field, problem)

    def _validate_compiles(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        if constraint and isinstance(value, str):
            try:
                re.compile(value)
            except re.error as exc:
                self._error(field, f"not a valid regular expression: {exc}")


_REFERENCE_FORM = '{ secret = "NAME" }, NAME in upper-case letters, digits and _ (the environment variable apply reads it from)'


def _admitting(roles: Mapping[str, Any], besides: str) -> list[str]:
    """The roles of `roles` but `besides` that say who joins as them."""
    return [
        name for name, role in roles.items() if name != besides and isinstance(role, Mapping) and set(ADMITTING) & role.keys()
    ]


def _named(references: Sequence[Any]) -> str:
    """' (did you mean NAME?)' for a reference whose name is a variable's, written otherwise: legal-pin for LEGAL_PIN."""
    written = [ref.get("secret") for ref in references if isinstance(ref, Mapping)]
    names = [name for name in written if isinstance(name, str) and not secrets.NAME.fullmatch(name)]
    if not names or len(names) != len(written):
        return ""  # a reference wrong otherwise (a key beside secret) is told by the form alone
    meant = [re.sub(r"[^A-Z0-9_]", "_", name.strip().upper()) for name in names]
    fits = [show(name) for name in meant if secrets.NAME.fullmatch(name)]
    return f" (did you mean {' and '.join(fits)}?)" if len(fits) == len(names) else ""


def _secret_reference(value: Any) -> bool:
    return secrets.is_reference(value) and bool(secrets.NAME.fullmatch(value["secret"]))


def json_problems(value: Any) -> list[str]:
    """What in a value cannot be written as SWML (dates, NaN, infinities)."""
    if isinstance(value, (datetime, date, time)):
        return [f"a TOML date/time ({value}) has no SWML form; write it as a string"]
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{value} has no SWML form"]
    if isinstance(value, Mapping):
        return [p for item in value.values() for p in json_problems(item)]
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [p for item in value for p in json_problems(item)]
    return []


# The profile format is described once, in profile_format; these are the schemas derived from it.
CONFERENCE = fmt.resolved_rules(fmt.CONFERENCE)
CONFERENCE_KEYS = tuple(fmt.CONFERENCE)  # the order SignalWire documents them in; artifacts follow it
SHARED_CONFERENCE = fmt.resolved_rules(fmt.SHARED_CONFERENCE)  # [conference] of a profile with roles: no join by itself


def _join_structure(key: fmt.Key, rules: tuple[str, ...] = ("dependencies",)) -> dict[str, Any]:
    """Which keys of a join need which (and, within a table such as stream, which it requires)."""
    structure = {rule: key.rules[rule] for rule in rules if rule in key.rules}
    if key.keys is not None:
        nested = {name: _join_structure(sub, ("dependencies", "required")) for name, sub in key.keys.items()}
        structure.update(type="dict", schema=nested)
    return structure


# Which join_conference keys need which, checked on each join a document makes.
JOIN_DEPENDENCIES = {name: _join_structure(key) for name, key in fmt.CONFERENCE.items()}
STREAM = fmt.resolved_rules(fmt.STREAM)
GREETING = fmt.resolved_rules(fmt.GREETING)
ACCESS = fmt.resolved_rules(fmt.ACCESS)
RESOLVED_PROFILE = fmt.resolved_rules(fmt.LAYER)
DESCRIPTIONS = {name: key.text for name, key in fmt.CONFERENCE.items()}

CONFERENCE_SHAPE = fmt.file_rules(fmt.CONFERENCE)
GREETING_SHAPE = fmt.file_rules(fmt.GREETING)
UNSET_FIELD = {"type": "list", "schema": {"type": "string"}}
LAYER_SHAPE = {"unset": UNSET_FIELD, **fmt.file_rules(fmt.LAYER)}
DEFAULTS_SHAPE = {name: LAYER_SHAPE[name] for name, key in fmt.LAYER.items() if fmt.DEFAULTS in key.where}


def profile_file_schema(environments: Sequence[str] | None) -> dict[str, Any]:
    """The shape of a profile file; `[env.NAME]` must name one of `environments` (None: any valid name)."""
    names = {"allowed": list(environments)} if environments is not None else {"regex": ENV_NAME_PATTERN}
    return {
        "extends": {"type": ["string", "list"], "schema": {"type": "string"}},
        "abstract": {"type": "boolean"},
        **LAYER_SHAPE,
        "env": {
            "type": "dict",
            "keysrules": {"type": "string", **names},
            "valuesrules": {"type": "dict", "schema": dict(LAYER_SHAPE)},
        },
    }


_RULE_VALUES = {"type": "list", "schema": {"type": ["string", "integer", "number", "boolean"]}}  # rules compare emitted scalars
RULE_SHAPE = {
    "required": {"type": "boolean"},
    "allowed": _RULE_VALUES,
    "forbidden": _RULE_VALUES,
    "min": {"type": "number"},
    "max": {"type": "number"},
    "minlength": {"type": "integer", "min": 0},
    "maxlength": {"type": "integer", "min": 0},
    "regex": {"type": "string", "compiles": True},
    "type": {"type": ["string", "list"], "allowed": list(RULE_TYPES)},
    "secret": {"type": "boolean"},  # the value must be a secret reference (a PIN kept out of git)
}

DEPLOY = {
    "type": "dict",
    "schema": {
        "space": {"type": "string", "deploy": "space"},
        "prefix": {"type": "string", "deploy": "prefix"},
        "numbers": {
            "type": "dict",
            "keysrules": {"type": "string", "deploy": "number"},
            "valuesrules": {"type": "string", "nonblank": True},
        },
    },
}
ENVIRONMENT_FILE = {
    "description": {"type": "string"},
    "vars": {"type": "dict"},
    "defaults": {
        "type": "dict",
        "schema": DEFAULTS_SHAPE,
    },
    "rules": {"type": "dict", "valuesrules": {"type": "dict", "schema": RULE_SHAPE}},
    "policy": {
        "type": "list",
        "schema": {
            "type": "dict",
            "schema": {
                "description": {"type": "string"},
                "profiles": {"type": "list", "required": True, "minlength": 1, "schema": {"type": "string", "nonblank": True}},
                "allow_empty": {"type": "boolean"},
                "rules": {"type": "dict", "required": True, "valuesrules": {"type": "dict", "schema": RULE_SHAPE}},
            },
        },
    },
    "deploy": DEPLOY,
    "build": {"type": "dict", "schema": {"strict": {"type": "boolean"}}},
}

SETTINGS_FILE = {
    "build": {
        "type": "dict",
        "schema": {
            "out": {"type": "string", "nonblank": True},
            "format": {"type": "string", "allowed": ["yaml", "json"]},
            "strict": {"type": "boolean"},
        },
    },
}
