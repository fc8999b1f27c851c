"""confc validate: resolve, validate and render every profile without writing anything."""

from __future__ import annotations

import argparse
import sys

from .common import progress, choose_envs, open_repo, warn


def run(args: argparse.Namespace) -> int:
    compiler = open_repo(args)
    envs = choose_envs(compiler.repo, args.env, all_envs=False, required=False)
    built = compiler.artifacts(envs, progress=progress())
    warn(args, compiler.warnings)
    profiles = len({a.profile for a in built})
    print(f"{compiler.repo.display_root}: {profiles} profile(s) valid in {len(envs)} environment(s): {', '.join(envs)}", file=sys.stderr)
    return 0
