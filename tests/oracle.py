"""SignalWire's own SWML schema and SDK helper, as an outside check on what confc writes."""

from __future__ import annotations

import copy
import functools
import json
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator

from compiler.schema import CALLBACK_EVENTS, CODEC, EVENT_TYPES, RECORDING_EVENTS, REGIONS


def _space_separated(events: tuple[str, ...]) -> dict[str, Any]:
    one = "|".join(e.replace("-", "\\-") for e in events)
    return {"type": "string", "pattern": f"^({one})( ({one}))*$"}


@functools.cache
def swml_validator() -> Draft202012Validator:
    """The SDK's schema, widened or narrowed only where SignalWire's current reference says more.

    The reference accepts a space-separated list of callback events; the schema accepts
    exactly one event. The reference (June 2026) makes region an enum and adds the two
    *_event_type keys and the stream table, which the schema does not know yet. For those
    keys alone the oracle follows the reference, and it refuses any key it does not know.
    """
    schema = json.loads(files("signalwire").joinpath("schema.json").read_text(encoding="utf-8"))
    schema = copy.deepcopy(schema)
    join = schema["$defs"]["JoinConferenceObject"]
    properties = join["properties"]
    properties["status_callback_event"] = _space_separated(CALLBACK_EVENTS)
    properties["recording_status_callback_event"] = _space_separated(RECORDING_EVENTS)
    properties["region"] = {"enum": list(REGIONS)}
    properties["status_callback_event_type"] = {"enum": list(EVENT_TYPES)}
    properties["recording_status_callback_event_type"] = {"enum": list(EVENT_TYPES)}
    method = {"enum": ["GET", "POST"]}
    flag = {"anyOf": [{"type": "boolean"}, {"$ref": "#/$defs/SWMLVar"}]}
    properties["stream"] = {
        "type": "object",
        "required": ["url"],
        "additionalProperties": False,
        "properties": {
            "url": {"type": "string", "pattern": "^wss://"},
            "name": {"type": "string", "minLength": 1},
            "codec": {"type": "string", "pattern": f"^{CODEC}$"},
            "status_url": {"type": "string", "pattern": "^https?://"},
            "status_url_method": method,
            "realtime": flag,
            "authorization_bearer_token": {"type": "string", "minLength": 1},
            "custom_parameters": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    join["additionalProperties"] = False
    return Draft202012Validator(schema)


def schema_problems(document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in swml_validator().iter_errors(document)]


# What FunctionResult.join_conference leaves out because it is the platform's default.
SDK_DEFAULTS = {
    "muted": False,
    "beep": "true",
    "start_on_enter": True,
    "end_on_exit": False,
    "record": "do-not-record",
    "trim": "trim-silence",
    "status_callback_method": "POST",
    "recording_status_callback_method": "POST",
    "recording_status_callback_event": "completed",
}


def sdk_join_conference(params: dict[str, Any]) -> dict[str, Any]:
    """The join_conference the SDK generates for the same parameters, in object form."""
    from signalwire.core.function_result import FunctionResult

    swml = FunctionResult().join_conference(**params).to_dict()["action"][0]["SWML"]
    (method,) = swml["sections"]["main"]
    generated = method["join_conference"]
    return {"name": generated} if isinstance(generated, str) else generated


def without_defaults(params: dict[str, Any]) -> dict[str, Any]:
    """`params` as the SDK would write them: without defaults, and without what it cannot express.

    The SDK writes start_on_enter only when it is falsy, so a SWML variable there
    (a truthy string) is silently dropped: a limit of the helper, not of SWML.
    """
    kept = {k: v for k, v in params.items() if k not in SDK_DEFAULTS or SDK_DEFAULTS[k] != v}
    if isinstance(kept.get("start_on_enter"), str):
        del kept["start_on_enter"]
    return kept
