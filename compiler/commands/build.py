"""confc build: compile every profile of the chosen environments into OUT/ENV."""

from __future__ import annotations

import argparse
import sys

import compiler

from .common import chosen_envs, overrides, progress, waiting, warn


def run(args: argparse.Namespace) -> int:
    result = compiler.build(
        args.config_dir,
        chosen_envs(args),
        out=args.out,
        fmt=args.format,
        overrides=overrides(args),
        jobs=args.jobs,
        progress=progress(),
        cache=not args.no_cache,
        strict=args.strict,
        waiting=waiting,
    )
    warn(args, result.warnings)
    for plan in result.plans:
        if plan.resolved:
            print(
                f"{plan.display}: resolved the merge conflicts in {', '.join(plan.resolved)}: every file either side listed was compiled again",
                file=sys.stderr,
            )
        if plan.edited:
            it, its = ("it", "its profile's document") if len(plan.edited) == 1 else ("them", "their profiles' documents")
            print(
                f"{plan.display}: {', '.join(plan.edited)}: edited by hand since confc wrote {it}; replaced with {its}"
                " (a change to keep belongs in the profile)",
                file=sys.stderr,
            )
        unchanged = len(plan.artifacts) - len(plan.writes)
        gone = f" (environment {plan.env} no longer exists)" if plan.retired else ""
        if plan.reformatted:
            gone = f" (its {plan.reformatted} artifacts replaced by {plan.stamp['format']})"
        print(
            f"{plan.display}: {len(plan.writes)} written, {unchanged} unchanged, {len(plan.removals)} removed{gone}",
            file=sys.stderr,
        )
    return 0
