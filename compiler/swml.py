"""SWML methods: which exist, and the parameters of the ones confc checks.

The parameter rules follow SignalWire's SWML schema for the methods confc's templates and
conference results use; any other known method passes through unchecked. Problems come back
with the path below the method array they were found in, so messages name the element.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from . import schema
from .errors import did_you_mean, show
from .memo import fingerprint
from .problems import Collect, problems

Found = list[tuple[tuple[str, ...], str]]  # (path below where the check started, message)


class Validator(schema.ConfcValidator):
    """confc's value rules, and SWML's methods wherever a value holds them (a result, a section)."""

    def _validate_swml_result(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        if constraint:
            for below, message in result_problems(value):
                self._error(field, schema.SWML_RESULT, message, below)

    def _validate_swml_methods(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        if constraint:
            for below, message in methods_problems(value):
                self._error(field, schema.SWML_RESULT, message, below)


def validator(rules: Mapping[str, Any]) -> Validator:
    """One reusable validator per schema: building one costs far more than using it."""
    return Validator(dict(rules), error_handler=Collect)


_NUMBER_OR_VAR = {"type": ["number", "swml_var"]}
_INTEGER_OR_VAR = {"type": ["integer", "swml_var"]}
_FLAG = {"type": ["boolean", "swml_var"]}
_TEXT = {"type": "string"}
_TABLE = {"type": "dict"}
_METHODS = {"swml_methods": True}
_SAY = {"say_voice": _TEXT, "say_language": _TEXT, "say_gender": _TEXT}
_VOLUME = {"type": ["number", "swml_var"], "min": -40, "max": 40}

# The parameter table of each checked method whose parameters are a table.
PARAMETERS: dict[str, dict[str, Any]] = {
    "answer": {"max_duration": _INTEGER_OR_VAR, "codecs": _TEXT, "username": _TEXT, "password": _TEXT},
    "play": {
        "url": {"type": "string", "play_url": True},
        "urls": {"type": "list", "schema": {"type": "string", "play_url": True}},
        "auto_answer": _FLAG,
        "volume": _VOLUME,
        **_SAY,
        "status_url": _TEXT,
    },
    "prompt": {
        "play": {"type": ["string", "list"], "required": True, "play_url": True, "schema": {"type": "string", "play_url": True}},
        "volume": {**_VOLUME, "type": "number"},
        **_SAY,
        "max_digits": _INTEGER_OR_VAR,
        "terminators": _TEXT,
        "digit_timeout": _NUMBER_OR_VAR,
        "initial_timeout": _NUMBER_OR_VAR,
        "speech_timeout": _NUMBER_OR_VAR,
        "speech_end_timeout": _NUMBER_OR_VAR,
        "speech_language": _TEXT,
        "speech_hints": {"type": "list", "schema": _TEXT},
        "speech_engine": _TEXT,
        "status_url": _TEXT,
    },
    "goto": {
        "label": {"type": "string", "required": True},
        "when": _TEXT,
        "max": {"type": ["integer", "swml_var"], "min": 1, "max": 100},
    },
    "transfer": {"dest": {"type": "string", "required": True}, "params": _TABLE, "meta": _TABLE},
    "execute": {
        "dest": {"type": "string", "required": True},
        "params": _TABLE,
        "meta": _TABLE,
        "on_return": _METHODS,
        "result": {"swml_result": True},
    },
    "hangup": {"reason": {"type": "string", "allowed": ["hangup", "busy", "decline"]}},
    "record_call": {
        "control_id": _TEXT,
        "stereo": _FLAG,
        "format": {"type": "string", "allowed": ["wav", "mp3", "mp4"]},
        "direction": {"type": "string", "allowed": ["speak", "listen", "both"]},
        "terminators": _TEXT,
        "beep": _FLAG,
        "input_sensitivity": _NUMBER_OR_VAR,
        "initial_timeout": _NUMBER_OR_VAR,
        "end_silence_timeout": _NUMBER_OR_VAR,
        "max_length": _NUMBER_OR_VAR,
        "status_url": _TEXT,
    },
    "stop_record_call": {"control_id": _TEXT},
    "request": {
        "url": {"type": "string", "required": True},
        "method": {"type": "string", "required": True, "allowed": ["GET", "POST", "PUT", "DELETE"]},
        "headers": _TABLE,
        "body": {"type": ["string", "dict"]},
        "timeout": _NUMBER_OR_VAR,
        "connect_timeout": _NUMBER_OR_VAR,
        "save_variables": _FLAG,
    },
    "switch": {
        "variable": {"type": "string", "required": True},
        "case": {"type": "dict", "required": True, "valuesrules": _METHODS},
        "default": _METHODS,
    },
    "set": {},  # any variables: its own keys are the user's
}
_EXTRA = {"play": {"exactly_one_of": ["url", "urls"]}, "set": {}}
CHECKED = frozenset({*PARAMETERS, "label", "return", "unset", "sleep", "cond", "join_conference"})


def methods_problems(methods: Any, trusted: Sequence[tuple[str, Any]] = ()) -> Found:
    """Why `methods` is not an array of SWML methods with the right parameters, element by element.

    A method whose (name, parameters) is among `trusted` (made from values validated already) is not checked again.
    """
    if isinstance(methods, str) or not isinstance(methods, Sequence):
        return [((), "must be an array of SWML methods")]
    found: Found = []
    for index, method in enumerate(methods):
        at = (str(index),)
        if not isinstance(method, Mapping) or len(method) != 1:
            found.append((at, "must be a table with exactly one SWML method"))
            continue
        ((name, params),) = method.items()
        if name not in schema.SWML_METHODS:
            found.append((at, f"unknown SWML method {show(name)}{did_you_mean(str(name), schema.SWML_METHODS)}"))
            continue
        if any(name == known and params == table for known, table in trusted):
            continue
        unwritable = schema.json_problems(params)  # a date or nan: say so, rather than that its type is wrong
        found += [((*at, str(name)), message) for message in unwritable]
        if not unwritable:
            found += [((*at, str(name), *path), message) for path, message in _memo(str(name), params)]
    return found


def method_problems(name: str, params: Any) -> Found:
    """Why `params` are not parameters SignalWire accepts for method `name` (nothing for unchecked methods)."""
    if name == "label":
        return [] if isinstance(params, str) else [((), f"must be the label's name, a string, got {show(params)}")]
    if name == "return":
        return []
    if name == "unset":
        names = [params] if isinstance(params, str) else params
        return (
            []
            if isinstance(names, list) and all(isinstance(n, str) for n in names)
            else [((), "must be a variable name or an array of them")]
        )
    if name == "sleep":
        return _sleep_problems(params)
    if name == "cond":
        return cond_problems(params) if isinstance(params, list) else [((), "must be an array of when/then or else tables")]
    if name == "join_conference":
        return _checked(_join_check(), params, "join_conference")
    if name in PARAMETERS:
        return _checked(_parameter_check(name), params, name)
    return []


def _memo(name: str, params: Any) -> Found:
    """method_problems, each distinct call checked once: documents repeat the same plays and hangups."""
    key = (name, fingerprint(params))
    found = _CHECKED.get(key)
    if found is None:
        if len(_CHECKED) >= 100_000:  # a long-lived process must not grow without bound
            _CHECKED.clear()
        found = _CHECKED[key] = method_problems(name, params)
    return found


_CHECKED: dict[tuple[str, str], Found] = {}


def result_problems(value: Any) -> Found:
    """A conference's or execute's `result`: a switch table or a cond array."""
    if isinstance(value, Mapping):
        return switch_problems(value)
    if isinstance(value, list):
        return cond_problems(value)
    return [((), "must be a switch table (variable, case, default) or a cond array")]


def switch_problems(switch: Mapping[str, Any]) -> Found:
    found: Found = [
        ((str(key),), "unknown key in a switch; accepted: variable, case, default")
        for key in sorted(set(switch) - {"variable", "case", "default"}, key=str)
    ]
    if not isinstance(switch.get("variable"), str):  # SignalWire defaults it; confc asks for it, so a reader knows
        found.append((("variable",), 'must name the variable to switch on, such as "return_value"'))
    case = switch.get("case")
    if not isinstance(case, Mapping):
        found.append((("case",), "must be a table of arrays of SWML methods"))
    else:
        for value, methods in case.items():
            found += [(("case", str(value), *path), message) for path, message in methods_problems(methods)]
    if "default" in switch:
        found += [(("default", *path), message) for path, message in methods_problems(switch["default"])]
    return found


def cond_problems(conds: Sequence[Any]) -> Found:
    found: Found = []
    for index, cond in enumerate(conds):
        at = (str(index),)
        if not isinstance(cond, Mapping) or not ({"when", "then"} <= set(cond) or set(cond) == {"else"}):
            found.append((at, "must be a table with when and then, or with else"))
            continue
        found += [
            ((*at, str(key)), "unknown key in a cond; accepted: when, then, else")
            for key in sorted(set(cond) - {"when", "then", "else"}, key=str)
        ]
        if "when" in cond and not isinstance(cond["when"], str):
            found.append(((*at, "when"), "must be a string"))
        for branch in ("then", "else"):
            if branch in cond:
                found += [((*at, branch, *path), message) for path, message in methods_problems(cond[branch])]
    return found


def _sleep_problems(params: Any) -> Found:
    if isinstance(params, Mapping):
        if set(params) != {"duration"}:
            return [((), "takes exactly one key, duration")]
        params = params["duration"]
    if isinstance(params, str) and schema.SWML_VAR.match(params):
        return []
    if isinstance(params, int) and not isinstance(params, bool) and params >= -1:
        return []
    return [((), f"must be a number of milliseconds (-1: forever) or a SWML variable, got {show(params)}")]


def _checked(check: Any, params: Any, name: str) -> Found:
    if not isinstance(params, Mapping):
        return [((), f"must be a table of {name} parameters, got {show(params)}")]
    # The method's parameters are checked as the value of its one key, so rules on the table apply.
    return [(problem.path[1:], problem.message) for problem in problems(check, {name: params})]


@functools.cache
def _parameter_check(name: str) -> Any:
    rules = {"type": "dict", **({"schema": PARAMETERS[name]} if PARAMETERS[name] else {}), **_EXTRA.get(name, {})}
    return validator({name: rules})


@functools.cache
def _join_check() -> Any:
    # Written as it is sent: no emitted form is made for a join inside a result.
    nested = {
        **schema.CONFERENCE,
        "beep": {"type": "string", "allowed": [v for v in schema.BEEP_VALUES if isinstance(v, str)]},
        "status_callback_event": {**schema.CONFERENCE["status_callback_event"], "type": "string"},
        "recording_status_callback_event": {**schema.CONFERENCE["recording_status_callback_event"], "type": "string"},
    }
    return validator({"join_conference": {"type": "dict", "schema": nested}})
