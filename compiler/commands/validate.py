"""confc validate: resolve, validate and render every profile without writing anything."""

from __future__ import annotations

import argparse
import sys

import compiler

from ..project import environments
from .common import progress, warn


def run(args: argparse.Namespace) -> int:
    built = compiler.compiler(args.config_dir)
    envs = environments(built.repo, args.env or None)
    artifacts = built.artifacts(envs, progress=progress())
    warn(args, built.warnings)
    profiles = len({a.profile for a in artifacts})
    print(f"{built.repo.display_root}: {profiles} profile(s) valid in {len(envs)} environment(s): {', '.join(envs)}", file=sys.stderr)
    return 0
