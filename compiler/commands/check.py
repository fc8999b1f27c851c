"""confc check: prove the committed artifacts are what a build would write now."""

from __future__ import annotations

import argparse
import sys

from .. import artifacts
from .common import progress, choose_envs, open_repo, output_dir, output_format


def run(args: argparse.Namespace) -> int:
    compiler = open_repo(args)
    envs = choose_envs(compiler.repo, args.env, all_envs=args.all_envs, required=True)
    compiler.format = output_format(args, compiler.repo)
    out, shown = output_dir(args, compiler.repo)
    problems: list[str] = []
    total = 0
    for plan in artifacts.plans(compiler, envs, out, shown, guard=False, progress=progress()):
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
