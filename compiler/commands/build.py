"""confc build: compile every profile of the chosen environments into OUT/ENV."""

from __future__ import annotations

import argparse
import sys

from .. import artifacts, incremental
from ..repository import load
from .common import choose_envs, output_dir, output_format, overrides, progress, warn


def run(args: argparse.Namespace) -> int:
    repo = load(args.config_dir, parse=False)  # files are parsed only when what they feed must be rebuilt
    envs = choose_envs(repo, args.env, all_envs=args.all_envs, required=True)
    out, shown = output_dir(args, repo)
    plans, warnings = incremental.plans(
        repo, envs, out, shown, fmt=output_format(args, repo), overrides=overrides(args), progress=progress(), jobs=args.jobs
    )
    for plan in plans:
        artifacts.apply(plan)
    warn(args, warnings)
    for plan in plans:
        for rel in plan.kept:
            print(f"warning: {plan.show(rel)}: no profile produces it any more, but it was edited since confc wrote it; left in place", file=sys.stderr)
        unchanged = len(plan.artifacts) - len(plan.writes)
        print(f"{plan.display}: {len(plan.writes)} written, {unchanged} unchanged, {len(plan.removals)} removed", file=sys.stderr)
    return 0
