"""confc validate: resolve, validate and render every profile without writing anything."""

from __future__ import annotations

import argparse
import sys

import compiler

from .common import chosen_envs, overrides, progress, reporter


def run(args: argparse.Namespace) -> int:
    found = compiler.validate(
        args.config_dir,
        chosen_envs(args, required=False),
        overrides(args),
        progress=progress(),
        strict=args.strict,
        jobs=args.jobs,
    )
    reporter(args).diagnostics(found.diagnostics)
    if not found.ok:
        return 1
    print(
        f"{args.config_dir}: {found.profiles} profile(s) valid in {len(found.environments)} environment(s): {', '.join(found.environments)}",
        file=sys.stderr,
    )
    return 0
