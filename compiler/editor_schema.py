"""JSON Schema (draft 2020-12) for editors, translated from the profile format and the Cerberus schemas the compiler uses.

Taplo and Even Better TOML read JSON Schema; confc's one source of truth is the profile
format (profile_format.py) and its Cerberus schemas. This module translates them rule by
rule, and refuses a rule it does not know, so the two can never drift apart silently.
A value is checked as the compiler checks it once resolved (enums, patterns, ranges,
URLs), and wherever confc renders {{ }} an expression is accepted too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import profile_format as fmt
from . import routes, schema, secrets

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_TYPES = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "number": {"type": "number"},
    "float": {"type": "number"},
    "list": {"type": "array"},
    "dict": {"type": "object"},
    "swml_var": {"type": "string", "pattern": schema.SWML_VAR.pattern, "description": "a SWML variable such as ${...}"},
    "expression": {"type": "string", "pattern": r"\{\{|\{%", "description": "a {{ }} expression confc renders"},
}

# The keys of the profile format describe themselves (profile_format.py); these are the file's own.
PROFILE_KEYS = {
    "extends": "The profile id (or list of ids) this profile inherits from; later parents beat earlier ones.",
    "abstract": "true: a building block for other profiles, which gets no artifact of its own.",
    "unset": 'Dotted keys to remove from what the layers beneath set, such as "conference.wait_url".',
    "env": "Per-environment overrides: [env.NAME] applies only when building environment NAME.",
}
ENVIRONMENT_KEYS = {
    "description": "What this environment is; templates see it as env.description.",
    "vars": "Variables visible to every profile in this environment, beneath each profile's own vars.",
    "defaults": f"Profile-shaped values ({', '.join(n for n, k in fmt.LAYER.items() if fmt.DEFAULTS in k.where)})"
    " beneath every profile in this environment.",
    "rules": 'Policy on resolved keys: "conference.KEY" = { required, allowed, forbidden, min, max, minlength, maxlength, regex, type }.',
    "policy": 'Policy for some profiles only: [[policy]] with profiles (patterns such as "support/*"), an optional description, and rules as in [rules].',
    "deploy": 'Where confc plan and apply deploy: space (host name), prefix of the script names (default "confc:"), and [deploy.numbers] mapping E.164 numbers to profile ids.',
}


def profile() -> dict[str, Any]:
    """The JSON Schema of a profile file."""
    shape = schema.profile_file_schema(None)
    layer = {"unset": _field(schema.UNSET_FIELD), **{name: _editor(key) for name, key in fmt.LAYER.items()}}
    document = _document("confc profile", "A confc conference profile (profiles/**/*.toml).", shape, PROFILE_KEYS)
    document["properties"].update({name: value for name, value in layer.items() if name != "unset"})
    env = document["properties"]["env"]
    env["additionalProperties"] = {"type": "object", "properties": layer, "additionalProperties": False}
    return document


def environment() -> dict[str, Any]:
    """The JSON Schema of an environment file."""
    document = _document(
        "confc environment", "A confc environment (environments/NAME.toml).", schema.ENVIRONMENT_FILE, ENVIRONMENT_KEYS
    )
    defaults = {name: _editor(key) for name, key in fmt.LAYER.items() if fmt.DEFAULTS in key.where}
    document["properties"]["defaults"].update({"properties": defaults, "additionalProperties": False})
    return document


def _editor(key: fmt.Key) -> dict[str, Any]:
    """One key of the profile format: a table's keys, or a value as the compiler accepts it once resolved."""
    if key.keys is not None:
        out: dict[str, Any] = {
            "type": "object",
            "properties": {name: _editor(sub) for name, sub in key.keys.items()},
            "additionalProperties": False,
        }
    elif key.named is not None:
        out = {"type": "object", "propertyNames": _field(key.names), "additionalProperties": _editor(key.named)}
    elif key.open:
        out = _field({"type": list(key.file), **key.file_rules})
    else:
        # What a file may hold before resolution: the literal values that are valid, or a {{ }} to render.
        literal = _field({rule: value for rule, value in key.rules.items() if rule not in ("required", "dependencies")})
        renders = "expression" in key.file or "string" in key.file
        out = {"anyOf": [literal, _TYPES["expression"]]} if renders and "not" not in literal else literal
    return {"description": key.text, **out} if key.text else out


def _document(title: str, description: str, fields: Mapping[str, Any], descriptions: Mapping[str, str]) -> dict[str, Any]:
    translated = _mapping(fields)
    for key, text in descriptions.items():
        translated["properties"][key] = {"description": text, **translated["properties"][key]}
    return {"$schema": DRAFT, "title": title, "description": description, **translated}


def _mapping(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A Cerberus `schema` of a dict: named fields, nothing else."""
    result: dict[str, Any] = {
        "type": "object",
        "properties": {key: _field(rules) for key, rules in fields.items()},
        "additionalProperties": False,
    }
    required = [key for key, rules in fields.items() if rules.get("required")]
    dependent = {key: [rules["dependencies"]] for key, rules in fields.items() if "dependencies" in rules}
    if required:
        result["required"] = required
    if dependent:
        result["dependentRequired"] = dependent
    return result


def _field(rules: Mapping[str, Any]) -> dict[str, Any]:
    """One field's Cerberus rules as JSON Schema keywords (two rules on one keyword both hold, through allOf)."""
    out: dict[str, Any] = {}
    for rule, value in rules.items():
        if rule in ("required", "dependencies"):
            continue  # the enclosing object's required / dependentRequired
        translate = _RULES.get(rule)
        if translate is None:
            raise ValueError(f"no JSON Schema translation for the Cerberus rule {rule!r}")
        for keyword, constraint in translate(value, rules).items():
            if keyword in out and keyword != "description":
                out.setdefault("allOf", []).append({keyword: constraint})
            else:
                out[keyword] = constraint
    return out


def _type(value: Any, rules: Mapping[str, Any]) -> dict[str, Any]:
    alternatives = [_TYPES[name] for name in ([value] if isinstance(value, str) else value)]
    if all(len(alternative) == 1 for alternative in alternatives):
        names = [alternative["type"] for alternative in alternatives]
        return {"type": names[0] if len(names) == 1 else list(dict.fromkeys(names))}
    return {"anyOf": alternatives}


def _types(rules: Mapping[str, Any]) -> list[str]:
    return [rules["type"]] if isinstance(rules.get("type"), str) else list(rules.get("type", []))


def _schema(value: Any, rules: Mapping[str, Any]) -> dict[str, Any]:
    types = [rules.get("type")] if isinstance(rules.get("type"), str) else rules.get("type", [])
    if "dict" in types:
        return _mapping(value)
    return {"items": _field(value)}


def _events(value: Any, rules: Mapping[str, Any]) -> dict[str, Any]:
    names = list(value)
    return {
        "anyOf": [
            {"type": "array", "items": {"enum": names}, "uniqueItems": True},
            {"type": "string", "pattern": rf"^({'|'.join(names)})( ({'|'.join(names)}))*$"},
        ]
    }


_PIN = f"^{schema.PIN.pattern}$"
_SECRET = {
    "type": "object",
    "properties": {"secret": {"type": "string", "pattern": f"^{secrets.NAME.pattern}$"}},
    "required": ["secret"],
    "additionalProperties": False,
}
_DEPLOY_PATTERNS = {
    "space": f"^{routes.HOST.pattern}$",
    "prefix": f"^{routes.PREFIX.pattern}$",
    "number": f"^{routes.CALLER.pattern}$",
}
_URL_PATTERNS = {
    "http": r"^https?://[^\s/]+\S*$",
    "wss": r"^wss://[^\s/]+\S*$",
    "http_or_var": r"^(https?://[^\s/]+\S*|[$%]\{.*\})$",
}
_RULES: dict[str, Any] = {
    "type": _type,
    "schema": _schema,
    "meta": lambda value, rules: {"description": value["description"]},
    "allowed": lambda value, rules: {"enum": list(value)},
    "forbidden": lambda value, rules: {"not": {"enum": list(value)}},
    "min": lambda value, rules: {"minimum": value},
    "minlength": lambda value, rules: {"minItems" if "list" in _types(rules) else "minLength": value},
    "max": lambda value, rules: {"maximum": value},
    "regex": lambda value, rules: {"pattern": f"^(?:{value})$"},  # Cerberus matches the whole value
    "keysrules": lambda value, rules: {"propertyNames": _field(value)},
    "valuesrules": lambda value, rules: {"additionalProperties": _field(value)},
    "nonblank": lambda value, rules: {"pattern": r"\S"},
    "one_line": lambda value, rules: {"pattern": r"^[^\n\r\u2028\u2029]*$"},
    "url": lambda value, rules: (
        {"format": "uri", "pattern": _URL_PATTERNS[value]} if value != "http_or_var" else {"pattern": _URL_PATTERNS[value]}
    ),
    "pins": lambda value, rules: {
        "anyOf": [
            {"type": "string", "pattern": _PIN},
            _SECRET,
            {
                "type": "array",
                "items": {"anyOf": [{"type": "string", "pattern": _PIN}, _SECRET]},
                "minItems": 1,
                "uniqueItems": True,
            },
        ]
    },
    "callers": lambda value, rules: {
        "anyOf": [
            {"type": "string", "pattern": f"^{routes.CALLER.pattern}$"},
            {"type": "array", "items": {"type": "string", "pattern": f"^{routes.CALLER.pattern}$"}, "minItems": 1},
        ]
    },
    "admits": lambda value, rules: {"anyOf": [{"required": ["pin"]}, {"required": ["callers"]}]},
    "secret": lambda value, rules: {},
    "reference": lambda value, rules: {"if": {"type": "object"}, "then": _SECRET},
    "not_in_role": lambda value, rules: {
        "not": {},
        "description": "all roles join the one conference: set its name in [conference]",
    },
    "compiles": lambda value, rules: {"format": "regex"},
    "deploy": lambda value, rules: {"pattern": _DEPLOY_PATTERNS[value]},
    "events": _events,
    "swml_result": lambda value, rules: {"type": ["object", "array"]},
    "exactly_one_of": lambda value, rules: {"oneOf": [{"required": [key]} for key in value]},
}
