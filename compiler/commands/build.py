"""confc build: compile every profile of the chosen environments into OUT/ENV."""

from __future__ import annotations

import argparse
import sys

from .. import artifacts
from .common import progress, choose_envs, open_repo, output_dir, output_format, warn


def run(args: argparse.Namespace) -> int:
    compiler = open_repo(args)
    envs = choose_envs(compiler.repo, args.env, all_envs=args.all_envs, required=True)
    compiler.format = output_format(args, compiler.repo)
    out, shown = output_dir(args, compiler.repo)
    plans = artifacts.build(compiler, envs, out, shown, progress=progress(), jobs=args.jobs)
    warn(compiler.warnings)
    for plan in plans:
        for rel in plan.kept:
            print(f"warning: {plan.show(rel)}: no profile produces it any more, but it was edited since confc wrote it; left in place", file=sys.stderr)
        unchanged = len(plan.artifacts) - len(plan.writes)
        print(f"{plan.display}: {len(plan.writes)} written, {unchanged} unchanged, {len(plan.removals)} removed", file=sys.stderr)
    return 0
