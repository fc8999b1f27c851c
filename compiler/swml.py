"""SWML methods: which exist, and the parameters of the ones confc checks.

The parameter rules follow SignalWire's SWML schema for the methods confc's templates and
conference results use; any other known method passes through unchecked. Problems come back
with the path below the method array they were found in, so messages name the element.
"""

from __future__ import annotations

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
            for below, message in self._methods().result(value):
                self._error(field, schema.SWML_RESULT, message, below)

    def _validate_swml_methods(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        if constraint:
            for below, message in self._methods().methods(value):
                self._error(field, schema.SWML_RESULT, message, below)

    def _methods(self) -> MethodChecks:
        checks: MethodChecks = self._config["method_checks"]  # child validators share their parent's config
        return checks


def validator(rules: Mapping[str, Any]) -> Validator:
    """A reusable validator of `rules`, with SWML methods nested in values checked by checks of its own."""
    return MethodChecks().validator(rules)


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


class MethodChecks:
    """SWML methods checked for one owner (a run, or one validator): each method's validator built
    once, and each distinct call checked once, since documents repeat the same plays and hangups."""

    def __init__(self) -> None:
        self._validators: dict[str, Validator] = {}
        self._found: dict[tuple[str, str], Found] = {}

    def validator(self, rules: Mapping[str, Any]) -> Validator:
        """A validator of `rules` whose nested SWML methods are checked by this owner."""
        return Validator(dict(rules), error_handler=Collect, method_checks=self)

    def methods(self, methods: Any, trusted: Sequence[tuple[str, Any]] = ()) -> Found:
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
            found += [((*at, str(name), *path), message) for path, message in self.method(str(name), params)]
        return found

    def method(self, name: str, params: Any) -> Found:
        """Why `params` are not parameters SignalWire accepts for method `name` (nothing for unchecked methods)."""
        key = (name, fingerprint(params))
        found = self._found.get(key)
        if found is None:
            unwritable = schema.json_problems(params)  # a date or nan: say so, rather than that its type is wrong
            found = self._found[key] = [((), message) for message in unwritable] if unwritable else self._method(name, params)
        return found

    def _method(self, name: str, params: Any) -> Found:
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
            return self.cond(params) if isinstance(params, list) else [((), "must be an array of when/then or else tables")]
        if name in PARAMETERS or name == "join_conference":
            found = _checked(self._parameters(name), params, name)
            return found + _untexted_cases(params) if name == "switch" and isinstance(params, Mapping) else found
        return []

    def _parameters(self, name: str) -> Validator:
        check = self._validators.get(name)
        if check is None:
            check = self._validators[name] = self.validator({name: _parameter_rules(name)})
        return check

    def result(self, value: Any) -> Found:
        """A conference's or execute's `result`: a switch table or a cond array."""
        if isinstance(value, Mapping):
            return self.switch(value)
        if isinstance(value, list):
            return self.cond(value)
        return [((), "must be a switch table (variable, case, default) or a cond array")]

    def switch(self, switch: Mapping[str, Any]) -> Found:
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
            found += _untexted_cases(switch)
            for value, methods in case.items():
                found += [(("case", str(value), *path), message) for path, message in self.methods(methods)]
        if "default" in switch:
            found += [(("default", *path), message) for path, message in self.methods(switch["default"])]
        return found

    def cond(self, conds: Sequence[Any]) -> Found:
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
                    found += [((*at, branch, *path), message) for path, message in self.methods(cond[branch])]
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


def _parameter_rules(name: str) -> dict[str, Any]:
    if name != "join_conference":
        return {"type": "dict", **({"schema": PARAMETERS[name]} if PARAMETERS[name] else {}), **_EXTRA.get(name, {})}
    # Written as it is sent: no emitted form is made for a join inside a result.
    nested = {
        **schema.CONFERENCE,
        "beep": {"type": "string", "allowed": [v for v in schema.BEEP_VALUES if isinstance(v, str)]},
        "status_callback_event": {**schema.CONFERENCE["status_callback_event"], "type": "string"},
        "recording_status_callback_event": {**schema.CONFERENCE["recording_status_callback_event"], "type": "string"},
    }
    return {"type": "dict", "schema": nested}


def _untexted_cases(switch: Mapping[str, Any]) -> Found:
    """A switch's cases that are not text: unquoted, a PIN's 0044 reads as 36 here, as 44 in YAML 1.2, never "0044"."""
    case = switch.get("case")
    return [
        (("case", str(value)), f"a case must be text, and this one reads as {show(value)}: quote it as written")
        for value in (case if isinstance(case, Mapping) else ())
        if not isinstance(value, str)
    ]
