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

from .errors import did_you_mean, show
from .repository import ENV_NAME_PATTERN

SWML_VAR = re.compile(r"^[$%]\{.*\}$", re.DOTALL)
PIN = re.compile(r"[0-9]{1,16}")

SWML_METHODS = frozenset(
    "answer ai amazon_bedrock cond connect denoise enter_queue execute goto label "
    "live_transcribe ai_sidecar live_translate hangup join_room join_conference play "
    "prompt receive_fax record record_call request return send_digits send_fax "
    "send_sms set sleep sip_refer stop_denoise stop_record_call stop_tap switch tap "
    "transfer unset pay detect_machine user_event".split()
)
CALLBACK_EVENTS = ("start", "end", "join", "leave", "mute", "hold", "modify", "speaker", "announcement")
RECORDING_EVENTS = ("in-progress", "completed", "absent")
LINE_BREAKS = "\n\r\u2028\u2029"
BEEP_VALUES = (True, False, "true", "false", "onEnter", "onExit")

REGIONS = ("global", "us", "eu", "ch")
EVENT_TYPES = ("cxml", "laml", "relay")
CODEC = r"(PCMU|PCMA|G722|L16)(@[0-9]+[a-z])*"
# Where a rendered {{ }} takes the type its text spells, as paths under [conference].
INTEGER_FIELDS = frozenset({("max_participants",)})
BOOLEAN_FIELDS = frozenset({("muted",), ("start_on_enter",), ("end_on_exit",), ("stream", "realtime")})
EVENT_FIELDS = frozenset({"status_callback_event", "recording_status_callback_event"})

RULE_NAMES = ("required", "allowed", "forbidden", "min", "max", "minlength", "maxlength", "regex", "type")
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

    def _validate_swml_result(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        from .swml import result_problems  # the SWML methods' own rules use this validator

        if constraint:
            for below, message in result_problems(value):
                self._error(field, SWML_RESULT, message, below)

    def _validate_swml_methods(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        from .swml import methods_problems

        if constraint:
            for below, message in methods_problems(value):
                self._error(field, SWML_RESULT, message, below)

    def _validate_play_url(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        from .swml import PLAY_URL

        if constraint and isinstance(value, str) and not SWML_VAR.match(value) and not PLAY_URL.match(value):
            self._error(field, f'must be something SWML can play: "say:TEXT", an http(s) URL, "silence:SECONDS" or "ring:COUNTRY", got {show(value)}')

    def _validate_exactly_one_of(self, constraint: Sequence[str], field: str, value: Any) -> None:
        """{'type': 'list'}"""
        if isinstance(value, Mapping) and sum(key in value for key in constraint) != 1:
            # None of them is a missing value (which a dropped one may explain); several are a mistake as written.
            message = f"must hold exactly one of {' or '.join(constraint)}"
            if any(key in value for key in constraint):
                self._error(field, message)
            else:
                self._error(field, EXACTLY_ONE_OF, message)

    def _validate_pins(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        pins = [value] if isinstance(value, str) else value
        if not constraint:
            return
        if not isinstance(pins, list) or not pins or not all(isinstance(p, str) and PIN.fullmatch(p) for p in pins):
            self._error(field, f"must be a PIN of 1 to 16 digits, written as a string, or a non-empty array of them, got {show(value)}")
        elif len(set(pins)) != len(pins):
            twice = sorted({p for p in pins if pins.count(p) > 1})
            self._error(field, f"lists {', '.join(map(show, twice))} more than once")

    def _validate_not_in_role(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        if constraint:
            self._error(field, "all roles join the one conference: set its name in [conference], not in a role")

    def _validate_compiles(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        if constraint and isinstance(value, str):
            try:
                re.compile(value)
            except re.error as exc:
                self._error(field, f"not a valid regular expression: {exc}")


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


# What each join_conference parameter does, after SignalWire's SWML reference. Carried in
# Cerberus's `meta` rule, which validation ignores, so `confc schema` can show it to editors.
DESCRIPTIONS = {
    "name": "The conference room to join: every call that joins the same name meets in one room. Required.",
    "muted": "Join with this participant muted; they still hear the others. SignalWire's default: false.",
    "beep": 'When a beep sounds as participants come and go: true (always), false (never), "onEnter" or "onExit". Default: true.',
    "start_on_enter": "Start the conference as soon as this participant arrives instead of waiting for more. Default: true.",
    "end_on_exit": "End the conference for everyone when this participant leaves. Default: false.",
    "wait_url": "An http(s) URL (or a SWML variable) of a SWML document that SignalWire fetches and runs while the caller waits for the conference to start; SignalWire plays its own hold music when unset.",
    "max_participants": "The most participants the room admits (2 to 100000); once full, further callers cannot join. Default: 100000.",
    "record": 'Record the conference ("record-from-start") or not ("do-not-record", the default).',
    "region": 'The region that hosts the conference: "global", "us", "eu" or "ch".',
    "trim": 'For recordings: "trim-silence" (the default) removes the silence at the start, "do-not-trim" keeps it.',
    "coach": "The call SID of a participant already connected to this conference, whom this caller coaches. An unknown or ended call makes the join fail.",
    "status_callback_event": "Conference events to report to status_callback: start, end, join, leave, mute, hold, modify, speaker, announcement (a list, or one space-separated string).",
    "status_callback": "A public http(s) URL that receives a request for each conference status event.",
    "status_callback_method": 'The HTTP method of status callbacks: "GET" or "POST" (the default).',
    "recording_status_callback": "A public http(s) URL that receives a request for each recording status event.",
    "recording_status_callback_method": 'The HTTP method of recording status callbacks: "GET" or "POST" (the default).',
    "recording_status_callback_event": "Recording events to report to recording_status_callback: in-progress, completed, absent.",
    "status_callback_event_type": 'The format of the status callback requests: "cxml", "laml" or "relay". Needs status_callback.',
    "recording_status_callback_event_type": 'The format of the recording status callback requests: "cxml", "laml" or "relay". Needs recording_status_callback.',
    "stream": "Stream the conference's audio to a WebSocket: url (wss://, required), name, codec (PCMU, PCMA, G722 or L16, with modifiers such as @24000h), status_url and status_url_method, realtime, authorization_bearer_token, custom_parameters (a table of strings).",
    "result": "What the call does when the conference is over: a switch table (variable, case, default) or a cond array of SWML methods. return_value holds how the join ended: completed, answered, no-answer, failed or canceled.",
}


def _described(rules: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {key: {**spec, "meta": {"description": DESCRIPTIONS[key]}} for key, spec in rules.items()}


_BOOL_OR_VAR = {"type": ["boolean", "swml_var"]}
_TEXT = {"type": "string", "nonblank": True}
_URL = {"type": "string", "url": "http"}
_METHOD = {"type": "string", "allowed": ["GET", "POST"]}

STREAM = {
    "url": {"type": "string", "required": True, "url": "wss"},
    "name": _TEXT,
    "codec": {"type": "string", "regex": CODEC},
    "status_url": _URL,
    "status_url_method": {**_METHOD, "dependencies": "status_url"},
    "realtime": _BOOL_OR_VAR,
    "authorization_bearer_token": _TEXT,
    "custom_parameters": {"type": "dict", "keysrules": {"type": "string"}, "valuesrules": {"type": "string"}},
}

CONFERENCE = _described({
    "name": {"type": "string", "required": True, "nonblank": True},
    "muted": _BOOL_OR_VAR,
    "beep": {"type": ["boolean", "string"], "allowed": list(BEEP_VALUES)},
    "start_on_enter": _BOOL_OR_VAR,
    "end_on_exit": _BOOL_OR_VAR,
    "wait_url": {"type": "string", "url": "http_or_var"},
    "max_participants": {"type": ["integer", "swml_var"], "min": 2, "max": 100000},
    "record": {"type": "string", "allowed": ["do-not-record", "record-from-start"]},
    "region": {"type": "string", "allowed": list(REGIONS)},
    "trim": {"type": "string", "allowed": ["trim-silence", "do-not-trim"]},
    "coach": _TEXT,
    "status_callback_event": {"events": list(CALLBACK_EVENTS), "dependencies": "status_callback"},
    "status_callback": _URL,
    "status_callback_method": {"type": "string", "allowed": ["GET", "POST"], "dependencies": "status_callback"},
    "status_callback_event_type": {"type": "string", "allowed": list(EVENT_TYPES), "dependencies": "status_callback"},
    "recording_status_callback": _URL,
    "recording_status_callback_method": {
        "type": "string",
        "allowed": ["GET", "POST"],
        "dependencies": "recording_status_callback",
    },
    "recording_status_callback_event": {
        "events": list(RECORDING_EVENTS),
        "dependencies": "recording_status_callback",
    },
    "recording_status_callback_event_type": {
        "type": "string",
        "allowed": list(EVENT_TYPES),
        "dependencies": "recording_status_callback",
    },
    "stream": {"type": "dict", "schema": STREAM},
    "result": {"swml_result": True},
})
# Conference keys in the order SignalWire documents them; artifacts follow it.
CONFERENCE_KEYS = tuple(CONFERENCE)

GREETING = {
    "say": {**_TEXT, "one_line": True},
    "url": _URL,
}

_GREETING = {"type": "dict", "schema": GREETING, "exactly_one_of": ["say", "url"]}
_SAID = {**_TEXT, "one_line": True}

# Roles and the PIN dialogue (SPEC 2a).
ROLE_NAME = r"[a-z][a-z0-9_]{0,31}"
ACCESS_DEFAULTS = {
    "prompt": "Please enter your PIN, then press pound.",
    "retry": "That PIN was not recognised.",
    "goodbye": "Goodbye.",
    "attempts": 3,
}
ACCESS = {"prompt": _SAID, "retry": _SAID, "goodbye": _SAID, "attempts": {"type": "integer", "min": 1, "max": 10}}
ROLE = {
    "pin": {"required": True, "pins": True},
    "description": {"type": "string"},
    "greeting": _GREETING,
    "conference": {"type": "dict", "schema": {"name": {"not_in_role": True}, **{k: v for k, v in CONFERENCE.items() if k != "name"}}},
}
ROLES = {"type": "dict", "keysrules": {"type": "string", "regex": ROLE_NAME, "forbidden": ["main"]}, "valuesrules": {"type": "dict", "schema": ROLE}}

RESOLVED_PROFILE = {
    "description": {"type": "string"},
    "template": {"type": "string"},
    "vars": {"type": "dict"},
    "greeting": _GREETING,
    "conference": {"type": "dict", "schema": CONFERENCE, "required": True},
    "access": {"type": "dict", "schema": ACCESS},
    "roles": ROLES,
}

# File shapes accept a `{{ }}` expression wherever rendering may produce the final type.
_SHAPE_TYPES = {
    "muted": ["boolean", "swml_var", "expression"],
    "beep": ["boolean", "string"],
    "start_on_enter": ["boolean", "swml_var", "expression"],
    "end_on_exit": ["boolean", "swml_var", "expression"],
    "max_participants": ["integer", "swml_var", "expression"],
    "stream": ["dict"],
    "status_callback_event": ["list", "string"],
    "recording_status_callback_event": ["list", "string"],
    "result": ["dict", "list"],
}
STREAM_SHAPE: dict[str, dict[str, Any]] = {key: {"type": ["string"]} for key in STREAM}
STREAM_SHAPE["realtime"] = {"type": ["boolean", "swml_var", "expression"]}
STREAM_SHAPE["custom_parameters"] = {"type": ["dict"], "valuesrules": {"type": "string"}}
CONFERENCE_SHAPE = _described({key: {"type": _SHAPE_TYPES.get(key, ["string"])} for key in CONFERENCE_KEYS})
CONFERENCE_SHAPE["stream"]["schema"] = STREAM_SHAPE
GREETING_SHAPE = {"say": {"type": "string"}, "url": {"type": "string"}}
TEMPLATE_FIELD = {"type": "string", "regex": r"[A-Za-z0-9_][A-Za-z0-9_.-]*"}
UNSET_FIELD = {"type": "list", "schema": {"type": "string"}}

ACCESS_SHAPE = {"prompt": {"type": "string"}, "retry": {"type": "string"}, "goodbye": {"type": "string"}, "attempts": {"type": ["integer", "expression"]}}
ROLE_SHAPE = {
    "pin": {"type": ["string", "list"], "schema": {"type": "string"}},
    "description": {"type": "string"},
    "greeting": {"type": "dict", "schema": GREETING_SHAPE},
    "conference": {"type": "dict", "schema": CONFERENCE_SHAPE},
}
ROLES_SHAPE = {"type": "dict", "keysrules": {"type": "string", "regex": ROLE_NAME, "forbidden": ["main"]}, "valuesrules": {"type": "dict", "schema": ROLE_SHAPE}}

LAYER_SHAPE = {
    "description": {"type": "string"},
    "template": TEMPLATE_FIELD,
    "unset": UNSET_FIELD,
    "vars": {"type": "dict"},
    "greeting": {"type": "dict", "schema": GREETING_SHAPE},
    "conference": {"type": "dict", "schema": CONFERENCE_SHAPE},
    "access": {"type": "dict", "schema": ACCESS_SHAPE},
    "roles": ROLES_SHAPE,
}


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
            "valuesrules": {"type": "dict", "schema": {k: v for k, v in LAYER_SHAPE.items()}},
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
}

ENVIRONMENT_FILE = {
    "description": {"type": "string"},
    "vars": {"type": "dict"},
    "defaults": {
        "type": "dict",
        "schema": {key: LAYER_SHAPE[key] for key in ("greeting", "conference", "access")},
    },
    "rules": {"type": "dict", "valuesrules": {"type": "dict", "schema": RULE_SHAPE}},
}

SETTINGS_FILE = {
    "build": {
        "type": "dict",
        "schema": {"out": {"type": "string", "nonblank": True}, "format": {"type": "string", "allowed": ["yaml", "json"]}},
    },
}


def is_known_path(path: Sequence[str]) -> bool:
    """Whether a dotted key names something the profile format knows (for unset, --set, rules)."""
    if not path:
        return False
    head, rest = path[0], tuple(path[1:])
    if head in ("description", "template"):
        return not rest
    if head == "vars":
        return True
    if head == "greeting":
        return len(rest) <= 1 and (not rest or rest[0] in GREETING)
    if head == "conference":
        return _conference_path(rest)
    if head == "access":
        return len(rest) <= 1 and (not rest or rest[0] in ACCESS)
    if head == "roles":
        if len(rest) <= 1:
            return not rest or bool(re.fullmatch(ROLE_NAME, rest[0]))
        key, below = rest[1], rest[2:]
        if not re.fullmatch(ROLE_NAME, rest[0]):
            return False
        if key in ("pin", "description"):
            return not below
        if key == "greeting":
            return len(below) <= 1 and (not below or below[0] in GREETING)
        return key == "conference" and _conference_path(below) and below[:1] != ("name",)
    return False


def _conference_path(rest: tuple[str, ...]) -> bool:
    if not rest or (rest[0] in CONFERENCE and (len(rest) == 1 or rest[0] == "result")):
        return True
    if rest[0] == "stream" and len(rest) > 1 and rest[1] in STREAM:
        return len(rest) == 2 or (rest[1] == "custom_parameters" and len(rest) == 3)
    return False


KNOWN_PATHS = (
    "description",
    "template",
    "vars",
    "greeting",
    *(f"greeting.{k}" for k in GREETING),
    "conference",
    *(f"conference.{k}" for k in CONFERENCE_KEYS),
    *(f"conference.stream.{k}" for k in STREAM),
    "access",
    *(f"access.{k}" for k in ACCESS),
    "roles",
)
