"""confc show: the resolved profile (TOML, YAML or JSON), or the SWML document build would write."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import Any

import tomli_w

import compiler

from .. import secrets
from ..errors import ConfcError, ErrorGroup, UsageError
from ..profile_format import LAYER_KEYS
from ..project import check_env, check_profile
from ..render import to_yaml
from .common import as_json, overrides

ORDER = LAYER_KEYS


def run(args: argparse.Namespace) -> int:
    fmt = args.format or ("yaml" if args.swml else "toml")
    if args.swml and fmt == "toml":
        raise UsageError("--swml prints the SWML document: use --format yaml or --format json")
    built = compiler.compiler(args.config_dir, overrides(args), fmt="json" if fmt == "json" else "yaml")
    profile = check_profile(built.repo, args.profile)
    env = check_env(built.repo, args.env)
    abstract = built.abstract(profile)
    if args.swml:
        if abstract:
            raise UsageError(f"{profile} is abstract: it has no SWML document; show a profile that extends it")
        sys.stdout.write(built.document(built.compile(profile, env)))
        return 0
    # An abstract profile is shown as merged, unvalidated: it may lack what its children add.
    values = built.values(profile, env)[1] if abstract else built.compile(profile, env).values
    try:
        sys.stdout.write(dump(values, fmt))
    except ConfcError as exc:
        raise ErrorGroup([e.located(profile=profile, env=env) for e in exc.errors]) from None
    return 0


def dump(values: Mapping[str, Any], fmt: str) -> str:
    ordered = {key: values[key] for key in ORDER if key in values}
    if fmt == "json":
        return as_json(ordered, "show it with --format toml or yaml") + "\n"
    if fmt == "yaml":
        return to_yaml(ordered) + "\n"
    return _toml(ordered)


def _toml(values: Mapping[str, Any]) -> str:
    """`values` as TOML, each secret reference written inline as a profile writes it ({ secret = "NAME" }), not
    as a [roles.NAME.pin] table of its own, which is how tomli-w writes every table."""
    marked: dict[str, str] = {}
    nul = False  # a key or string holding a NUL of its own, which a marker could be taken for

    def mark(value: Any) -> Any:
        nonlocal nul
        if secrets.is_reference(value):
            nul = nul or "\x00" in value["secret"]
            token = f"\x00{len(marked)}\x00"
            marked[token] = "{ " + tomli_w.dumps(dict(value)).strip() + " }"
            return token
        if isinstance(value, Mapping):
            nul = nul or any("\x00" in key for key in value)
            return {key: mark(item) for key, item in value.items()}
        if isinstance(value, list):
            return [mark(item) for item in value]
        nul = nul or (isinstance(value, str) and "\x00" in value)
        return value

    marked_values = mark(values)
    if nul:  # printed as tomli-w writes it, tables and all
        return tomli_w.dumps(values)
    text = tomli_w.dumps(marked_values)
    for token, inline in marked.items():
        text = text.replace(tomli_w.dumps({"k": token})[len("k = ") : -1], inline)
    return text
