"""confc show: the resolved profile (TOML, YAML or JSON), or the SWML document build would write."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import Any

import tomli_w

import compiler

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
    return tomli_w.dumps(ordered)
