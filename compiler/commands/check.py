"""confc check: prove the committed artifacts are what a build would write now."""

from __future__ import annotations

import argparse
import sys

import compiler

from .common import chosen_envs, overrides, progress, reporter, waiting


def run(args: argparse.Namespace) -> int:
    result = compiler.check(
        args.config_dir,
        chosen_envs(args),
        out=args.out,
        fmt=args.format,
        overrides=overrides(args),
        progress=progress(),
        strict=args.strict,
        jobs=args.jobs,
        cache=not args.no_cache,
        waiting=waiting,
    )
    report = reporter(args)
    report.warnings(result.warnings)
    if report.format == "text":
        sys.stdout.write("".join(problem.diff for problem in result.drift if problem.diff))
    for problem in result.drift:
        report.drift(problem)
    if result.drift:
        other = sorted({plan.reformatted for plan in result.plans if plan.reformatted})
        fix = f"check with --format {' or '.join(other)}, or run confc build" if other else "run confc build"
        print(f"{len(result.drift)} problem(s): the artifacts are not current; {fix}", file=sys.stderr)
        return 1
    total = sum(len(plan.artifacts) for plan in result.plans)
    # No retired folder is counted: check reports at least its manifest, so none is left when all is current.
    print(f"{result.out}: {total} artifacts in {len(result.plans)} environment(s) are up to date", file=sys.stderr)
    return 0
