"""confc check: prove the committed artifacts are what a build would write now."""

from __future__ import annotations

import argparse
import sys

from .. import artifacts, incremental
from ..repository import load
from .common import choose_envs, output_dir, output_format, overrides, progress


def run(args: argparse.Namespace) -> int:
    repo = load(args.config_dir)
    envs = choose_envs(repo, args.env, all_envs=args.all_envs, required=True)
    out, shown = output_dir(args, repo)
    # The proof trusts nothing on disk: every profile is compiled, the cache is not consulted.
    plans, _warnings = incremental.plans(
        repo, envs, out, shown, fmt=output_format(args, repo), overrides=overrides(args), incremental=False, guard=False, progress=progress()
    )
    problems: list[str] = []
    total = 0
    for plan in plans:
        found, diffs = artifacts.drift(plan)
        problems += found
        total += len(plan.artifacts)
        sys.stdout.write("".join(diffs))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s): the artifacts are not current; run confc build", file=sys.stderr)
        return 1
    print(f"{shown}: {total} artifacts in {len(envs)} environment(s) are up to date", file=sys.stderr)
    return 0
