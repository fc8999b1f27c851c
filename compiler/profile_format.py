"""The profile format, described once.

Every key a profile may hold is one `Key` below: the rules its resolved value must
follow, the types a file may write there (before `{{ }}` is rendered), the type a
rendered expression takes, its emitted form, where it may appear and what it does.
The file shapes, the resolved schema, the emitted form, the typed fields, the known
key paths, the editor schema and its descriptions are all derived from this tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

CALLBACK_EVENTS = ("start", "end", "join", "leave", "mute", "hold", "modify", "speaker", "announcement")
RECORDING_EVENTS = ("in-progress", "completed", "absent")
BEEP_VALUES = (True, False, "true", "false", "onEnter", "onExit")
REGIONS = ("global", "us", "eu", "ch")
EVENT_TYPES = ("cxml", "laml", "relay")
CODEC = r"(PCMU|PCMA|G722|L16)(@[0-9]+[a-z])*"
ROLE_NAME = r"[a-z][a-z0-9_]{0,31}"
ACCESS_DEFAULTS = {
    "prompt": "Please enter your PIN, then press pound.",
    "retry": "That PIN was not recognised.",
    "no_input": "No PIN was entered.",
    "goodbye": "Goodbye.",
    "attempts": 3,
    "callers": "any",
}
CALLERS = ("any", "listed")  # access.callers: who goes on past the caller-number check
PROFILE, ENV_TABLE, DEFAULTS = "profile", "[env.NAME]", "[defaults]"  # where a top-level key may be written


@dataclass(frozen=True)
class Key:
    """One key of the profile format."""

    rules: Mapping[str, Any]  # Cerberus rules for the resolved value (a table's own rules, without its keys)
    file: Sequence[str] = ("string",)  # the types a file may write here
    text: str = ""  # what it does, in our words: editors show it
    keys: Mapping[str, Key] | None = None  # a table with these keys
    named: Key | None = None  # a table of entries under names of the user's (roles), each this key
    names: Mapping[str, Any] = field(default_factory=dict)  # Cerberus rules for those names
    open: bool = False  # a table whose keys are the user's own (vars)
    typed: str | None = None  # "integer" or "boolean": the type a rendered {{ }} takes here
    emit: Callable[[Any], Any] | None = None  # the emitted form, when it is not the value as written
    settable: bool = True  # a key that unset and --set may name
    where: frozenset[str] = frozenset({PROFILE, ENV_TABLE})  # for top-level keys
    file_rules: Mapping[str, Any] = field(default_factory=dict)  # extra rules on what a file writes


_BOOL_OR_VAR = {"type": ["boolean", "swml_var"]}
_FLAG = ("boolean", "swml_var", "expression")
_TEXT = {"type": "string", "nonblank": True}
_SAID = {**_TEXT, "one_line": True}
_URL = {"type": "string", "url": "http"}
_METHOD = {"type": "string", "allowed": ["GET", "POST"]}


def _words(value: Any) -> Any:
    """An event list as SWML writes it: one space-separated string."""
    return " ".join(value) if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value) else value


def _beep(value: Any) -> Any:
    return ("true" if value else "false") if isinstance(value, bool) else value


STREAM = {
    "url": Key({"type": "string", "required": True, "url": "wss"}, text="The WebSocket to stream to: a wss:// URL. Required."),
    "name": Key(_TEXT, text="A name for the stream."),
    "codec": Key(
        {"type": "string", "regex": CODEC}, text="PCMU, PCMA, G722 or L16, optionally with modifiers such as @24000h or @40i."
    ),
    "status_url": Key(_URL, text="An http(s) URL that receives the stream's status events."),
    "status_url_method": Key({**_METHOD, "dependencies": "status_url"}, text='"GET" or "POST". Needs status_url.'),
    "realtime": Key(_BOOL_OR_VAR, file=_FLAG, typed="boolean", text="Stream in real time."),
    "authorization_bearer_token": Key(
        {"type": ["string", "dict"], "nonblank": True, "reference": True},
        file=("string", "dict"),
        text='A bearer token the WebSocket server expects, or a secret reference { secret = "NAME" } whose value apply '
        "reads from the environment variable NAME.",
    ),
    "custom_parameters": Key(
        {"type": "dict", "keysrules": {"type": "string"}, "valuesrules": {"type": "string"}},
        file=("dict",),
        open=True,
        file_rules={"valuesrules": {"type": "string"}},
        text="Text values sent to the WebSocket server with the stream.",
    ),
}

# The join_conference parameters, in the order SignalWire documents them; artifacts follow it.
CONFERENCE = {
    "name": Key(
        {"type": "string", "required": True, "nonblank": True},
        text="The conference room to join: every call that joins the same name meets in one room. Required.",
    ),
    "muted": Key(
        _BOOL_OR_VAR,
        file=_FLAG,
        typed="boolean",
        text="Join with this participant muted; they still hear the others. SignalWire's default: false.",
    ),
    "beep": Key(
        {"type": ["boolean", "string"], "allowed": list(BEEP_VALUES)},
        file=("boolean", "string"),
        emit=_beep,
        text='When a beep sounds as participants come and go: true (always), false (never), "onEnter" or "onExit". Default: true.',
    ),
    "start_on_enter": Key(
        _BOOL_OR_VAR,
        file=_FLAG,
        typed="boolean",
        text="Start the conference as soon as this participant arrives instead of waiting for more. Default: true.",
    ),
    "end_on_exit": Key(
        _BOOL_OR_VAR,
        file=_FLAG,
        typed="boolean",
        text="End the conference for everyone when this participant leaves. Default: false.",
    ),
    "wait_url": Key(
        {"type": "string", "url": "http_or_var"},
        text="An http(s) URL (or a SWML variable) of a SWML document that SignalWire fetches and runs while the caller waits "
        "for the conference to start; SignalWire plays its own hold music when unset.",
    ),
    "max_participants": Key(
        {"type": ["integer", "swml_var"], "min": 2, "max": 100000},
        file=("integer", "swml_var", "expression"),
        typed="integer",
        text="The most participants the room admits (2 to 100000); once full, further callers cannot join. Default: 100000.",
    ),
    "record": Key(
        {"type": "string", "allowed": ["do-not-record", "record-from-start"]},
        text='Record the conference ("record-from-start") or not ("do-not-record", the default).',
    ),
    "region": Key(
        {"type": "string", "allowed": list(REGIONS)}, text='The region that hosts the conference: "global", "us", "eu" or "ch".'
    ),
    "trim": Key(
        {"type": "string", "allowed": ["trim-silence", "do-not-trim"]},
        text='For recordings: "trim-silence" (the default) removes the silence at the start, "do-not-trim" keeps it.',
    ),
    "coach": Key(
        _TEXT,
        text="The call SID of a participant already connected to this conference, whom this caller coaches. An unknown or ended call makes the join fail.",
    ),
    "status_callback_event": Key(
        {"events": list(CALLBACK_EVENTS), "dependencies": "status_callback"},
        file=("list", "string"),
        emit=_words,
        text="Conference events to report to status_callback: start, end, join, leave, mute, hold, modify, speaker, announcement "
        "(a list, or one space-separated string).",
    ),
    "status_callback": Key(_URL, text="A public http(s) URL that receives a request for each conference status event."),
    "status_callback_method": Key(
        {**_METHOD, "dependencies": "status_callback"}, text='The HTTP method of status callbacks: "GET" or "POST" (the default).'
    ),
    "status_callback_event_type": Key(
        {"type": "string", "allowed": list(EVENT_TYPES), "dependencies": "status_callback"},
        text='The format of the status callback requests: "cxml", "laml" or "relay". Needs status_callback.',
    ),
    "recording_status_callback": Key(_URL, text="A public http(s) URL that receives a request for each recording status event."),
    "recording_status_callback_method": Key(
        {**_METHOD, "dependencies": "recording_status_callback"},
        text='The HTTP method of recording status callbacks: "GET" or "POST" (the default).',
    ),
    "recording_status_callback_event": Key(
        {"events": list(RECORDING_EVENTS), "dependencies": "recording_status_callback"},
        file=("list", "string"),
        emit=_words,
        text="Recording events to report to recording_status_callback: in-progress, completed, absent.",
    ),
    "recording_status_callback_event_type": Key(
        {"type": "string", "allowed": list(EVENT_TYPES), "dependencies": "recording_status_callback"},
        text='The format of the recording status callback requests: "cxml", "laml" or "relay". Needs recording_status_callback.',
    ),
    "stream": Key(
        {"type": "dict"},
        file=("dict",),
        keys=STREAM,
        text="Stream the conference's audio to a WebSocket: url (wss://, required), name, codec (PCMU, PCMA, G722 or L16, with "
        "modifiers such as @24000h), status_url and status_url_method, realtime, authorization_bearer_token, custom_parameters (a table of strings).",
    ),
    "result": Key(
        {"swml_result": True},
        file=("dict", "list"),
        open=True,
        text="What the call does when the conference is over: a switch table (variable, case, default) or a cond array of SWML methods. "
        "return_value holds how the join ended: completed, answered, no-answer, failed or canceled.",
    ),
}

GREETING = {
    "say": Key(_SAID, text="Text to speak."),
    "url": Key(_URL, text="An http(s) URL of audio to play."),
}
ACCESS = {
    "prompt": Key(_SAID, text=f'What the caller hears before each entry. Default: "{ACCESS_DEFAULTS["prompt"]}"'),
    "retry": Key(_SAID, text=f'What the caller hears after a wrong entry. Default: "{ACCESS_DEFAULTS["retry"]}"'),
    "no_input": Key(
        _SAID,
        text=f'What the caller hears after entering nothing, when an entry is left. Default: "{ACCESS_DEFAULTS["no_input"]}"',
    ),
    "goodbye": Key(
        _SAID,
        text=f'What the caller hears after the last wrong entry, before the call ends. Default: "{ACCESS_DEFAULTS["goodbye"]}"',
    ),
    "attempts": Key(
        {"type": "integer", "min": 1, "max": 10},
        file=("integer", "expression"),
        typed="integer",
        text="Entries in all, 1 to 10. Default: 3.",
    ),
    "callers": Key(
        {"type": "string", "allowed": list(CALLERS)},
        text='Who gets past the caller-number check: "any" (the default: an unlisted caller goes on to the PIN '
        'dialogue, or joins as [conference] says when no role has a PIN) or "listed" (an unlisted caller hears '
        "goodbye and the call ends).",
    ),
}
_GREETING_RULES = {"type": "dict", "exactly_one_of": ["say", "url"]}
RECORDING = {
    "notice": Key(
        _SAID,
        text="Text spoken before every join that records (record is not do-not-record), after the greetings.",
    ),
}


def _values_only(key: Key, dropped: frozenset[str] = frozenset({"dependencies"})) -> Key:
    """`key` without what holds for the join a table is part of, not the table alone: its dependencies, and within
    a table (stream) which keys it requires too (a role's stream.name over the profile's stream.url)."""
    keys = None if key.keys is None else {name: _values_only(sub, dropped | {"required"}) for name, sub in key.keys.items()}
    return replace(key, rules={rule: v for rule, v in key.rules.items() if rule not in dropped}, keys=keys)


# With roles, [conference] is what every role shares and a role's conference only what it changes:
# neither is a join. Which keys need which is checked on each role's effective join (SPEC 2a).
SHARED_CONFERENCE = {name: _values_only(key) for name, key in CONFERENCE.items()}
ROLE = {
    "pin": Key(
        {"pins": True},
        file=("string", "list", "dict"),  # what the elements of a list are is the resolved check's to say
        text='The PIN that makes a caller this role: a string of 1 to 16 digits ("0044" is not "44"), a secret reference '
        '{ secret = "NAME" } whose value apply reads from the environment variable NAME, or a list of them.',
    ),
    "callers": Key(
        {"callers": True},
        file=("string", "list"),
        text='The caller numbers that join as this role without the PIN dialogue: E.164 such as "+15551230001" '
        "(spaces, dashes, dots and parentheses are left out), or a list of them. A withheld number never matches.",
    ),
    "description": Key({"type": "string"}, text="Who this role is."),
    "greeting": Key(
        _GREETING_RULES, file=("dict",), keys=GREETING, text="Played once the PIN is accepted: say or url, exactly one."
    ),
    "conference": Key(
        {"type": "dict"},
        file=("dict",),
        keys={"name": Key({"not_in_role": True}, settable=False), **{k: v for k, v in SHARED_CONFERENCE.items() if k != "name"}},
        text="join_conference keys for this role, merged over the profile's [conference] (all roles join the one conference: no name).",
    ),
}

DEFAULT_TEMPLATE = "conference"  # the built-in template, for a profile that names none
# The top level of a profile (and of its [env.NAME] tables, and of an environment's [defaults]).
LAYER = {
    "description": Key({"type": "string"}, text="What this profile is for; templates and {{ profile.description }} can use it."),
    "template": Key(
        {"type": "string"},
        file_rules={"regex": r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*"},
        text=f'The template that renders the SWML document (default "{DEFAULT_TEMPLATE}"; "parts/x" for templates/parts/x.j2).',
    ),
    "vars": Key(
        {"type": "dict"},
        file=("dict",),
        open=True,
        text="Compile-time variables for {{ }} expressions, inherited and overridable.",
    ),
    "greeting": Key(
        _GREETING_RULES,
        file=("dict",),
        keys=GREETING,
        where=frozenset({PROFILE, ENV_TABLE, DEFAULTS}),
        text="Played before joining: say (text to speak) or url (an audio file), exactly one.",
    ),
    "conference": Key(
        {"type": "dict", "required": True},
        file=("dict",),
        keys=CONFERENCE,
        where=frozenset({PROFILE, ENV_TABLE, DEFAULTS}),
        text="The SWML join_conference parameters.",
    ),
    "access": Key(
        {"type": "dict"},
        file=("dict",),
        keys=ACCESS,
        where=frozenset({PROFILE, ENV_TABLE, DEFAULTS}),
        text="The PIN dialogue of a profile with roles: prompt, retry, no_input, goodbye (text to speak) and attempts (1 to 10).",
    ),
    "recording": Key(
        {"type": "dict"},
        file=("dict",),
        keys=RECORDING,
        where=frozenset({PROFILE, ENV_TABLE, DEFAULTS}),
        text="What callers are told of recording: notice, spoken before every join that records.",
    ),
    "roles": Key(
        {"type": "dict"},
        file=("dict",),
        named=Key({"type": "dict", "admits": True}, file=("dict",), keys=ROLE),
        names={"type": "string", "regex": ROLE_NAME, "forbidden": ["main"]},
        text="Who may join, by PIN or caller number: [roles.NAME] with pin (a string of digits, or a list), callers (E.164 numbers), description, greeting and conference (join_conference keys for that role).",
    ),
}
LAYER_KEYS = tuple(LAYER)  # in the order show prints them


def resolved_rules(keys: Mapping[str, Key]) -> dict[str, Any]:
    """The Cerberus schema of a table's resolved values."""
    return _schema(keys, lambda key: dict(key.rules))


def file_rules(keys: Mapping[str, Key]) -> dict[str, Any]:
    """The Cerberus schema of what a file may write in a table (types only: values are checked once resolved)."""
    return _schema(keys, lambda key: {"type": list(key.file), **key.file_rules})


def _schema(keys: Mapping[str, Key], own: Callable[[Key], dict[str, Any]]) -> dict[str, Any]:
    return {name: _rules(key, own) for name, key in keys.items()}


def _rules(key: Key, own: Callable[[Key], dict[str, Any]]) -> dict[str, Any]:
    """A key's own rules (`own`), with those of the keys or named entries beneath it (editors read the descriptions from the Keys)."""
    rules = own(key)
    if key.keys is not None:
        rules["schema"] = _schema(key.keys, own)
    if key.named is not None:
        rules["keysrules"] = dict(key.names)
        rules["valuesrules"] = _rules(key.named, own)
    return rules


def typed_paths(kind: str, keys: Mapping[str, Key] = LAYER, prefix: tuple[str, ...] = ()) -> frozenset[tuple[str, ...]]:
    """Every path whose rendered {{ }} takes `kind`; "*" stands for a name of the user's."""
    found: set[tuple[str, ...]] = set()
    for name, key in keys.items():
        path = (*prefix, name)
        if key.typed == kind:
            found.add(path)
        if key.keys is not None:
            found |= typed_paths(kind, key.keys, path)
        if key.named is not None and key.named.keys is not None:
            found |= typed_paths(kind, key.named.keys, (*path, "*"))
    return frozenset(found)


def is_known_path(path: Sequence[str], keys: Mapping[str, Key] = LAYER) -> bool:
    """Whether a dotted key names something the profile format knows (for unset, --set, rules)."""
    if not path or path[0] not in keys:
        return False
    key, rest = keys[path[0]], tuple(path[1:])
    if not key.settable:
        return False
    if not rest or key.open:
        return True
    if key.keys is not None:
        return is_known_path(rest, key.keys)
    if key.named is not None and re.fullmatch(key.names["regex"], rest[0]):
        return len(rest) == 1 or (key.named.keys is not None and is_known_path(rest[1:], key.named.keys))
    return False


def paths_like(key: str, keys: Mapping[str, Key] = LAYER, prefix: str = "") -> Iterator[str]:
    """Every dotted key of the format a misspelt `key` may mean; beneath a table of names of the user's (roles), the
    keys of the name `key` gives there (roles.guest.conference.muted for roles.guest.x; a rule's roles.* too)."""
    first, _, rest = key.partition(".")
    for name, entry in keys.items():
        if entry.settable:
            yield prefix + name
            more, user_name = (rest, rest.partition(".")[0]) if first == name else ("", "")
            if entry.keys is not None:
                yield from paths_like(more, entry.keys, f"{prefix}{name}.")
            elif entry.named is not None and (user_name == "*" or user_name and re.fullmatch(entry.names["regex"], user_name)):
                yield f"{prefix}{name}.{user_name}"
                yield from paths_like(more.partition(".")[2], entry.named.keys or {}, f"{prefix}{name}.{user_name}.")


def emitted_table(keys: Mapping[str, Key], table: Mapping[str, Any]) -> dict[str, Any]:
    """A table in emitted form: each value as SWML writes it, keys in the format's order."""
    return {name: key.emit(table[name]) if key.emit else table[name] for name, key in keys.items() if name in table}


INTEGER_PATHS = typed_paths("integer")  # a {{ }} rendered at one of these becomes an integer
BOOLEAN_PATHS = typed_paths("boolean")
