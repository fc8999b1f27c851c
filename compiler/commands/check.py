"""confc check: prove the committed artifacts are what a build would write now."""

from __future__ import annotations

import argparse
import sys

from .. import artifacts, incremental
from ..repository import load
from .common import choose_envs, output_dir, output_format, overrides, progress, reporter


def run(args: argparse.Namespace) -> int:
    repo = load(args.config_dir)
    envs = choose_envs(repo, args.env, all_envs=args.all_envs, required=True)
    out, shown = output_dir(args, repo)
    # The proof trusts nothing on disk: every profile is compiled, the cache is not consulted.
    plans, _warnings = incremental.plans(
        repo, envs, out, shown, fmt=output_format(args, repo), overrides=overrides(args), incremental=False, guard=False, progress=progress()
    )
    report = reporter(args)
    found = [problem for plan in plans for problem in artifacts.drift(plan)]
    if report.format == "text":
        sys.stdout.write("".join(problem.diff for problem in found if problem.diff))
    for problem in found:
        report.drift(problem.file, problem.message, problem.diff)
    if found:
        print(f"{len(found)} problem(s): the artifacts are not current; run confc build", file=sys.stderr)
        return 1
    total = sum(len(plan.artifacts) for plan in plans)
    print(f"{shown}: {total} artifacts in {len(envs)} environment(s) are up to date", file=sys.stderr)
    return 0
