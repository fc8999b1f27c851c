"""--set KEY=VALUE: values given on the command line, as the topmost layer of every profile."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from typing import Any

from . import profile_format as fmt
from .errors import UsageError, did_you_mean_key, show
from .layering import KeyPath, Layer


def parse_override(text: str) -> tuple[KeyPath, Any]:
    """`KEY=VALUE` from --set; VALUE is TOML when it parses as TOML, else a plain string."""
    key, sep, raw = text.partition("=")
    path = tuple(key.strip().split("."))
    if not sep or not key.strip():
        raise UsageError(f"--set {text}: expected KEY=VALUE, such as conference.max_participants=50")
    if path == ("vars",):
        raise UsageError(f"--set {text}: vars is a table of variables: set one of them, such as vars.team=ops")
    if not fmt.is_known_path(path):
        hint = did_you_mean_key(key.strip(), fmt.paths_like(key.strip()))
        raise UsageError(f"--set {text}: {show(key.strip())} is not a key of the profile format{hint}")
    try:
        value = tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError:
        value = raw
    return path, value


def layer(overrides: Sequence[str]) -> Layer | None:
    """The --set values as one layer above every file, or None without any."""
    if not overrides:
        return None
    data: dict[str, Any] = {}
    for text in overrides:
        path, value = parse_override(text)
        table = data
        for part in path[:-1]:
            table = table.setdefault(part, {})
            if not isinstance(table, dict):
                raise UsageError(f"--set {text}: {'.'.join(path[:-1])} is already set to a value by another --set")
        table[path[-1]] = value
    return Layer(source=None, base=(), data=data)
