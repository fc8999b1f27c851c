"""confc check: prove the committed artifacts are what a build would write now."""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict

from .. import artifacts
from ..pipeline import Artifact
from .common import choose_envs, open_repo, output_dir, output_format


def run(args: argparse.Namespace) -> int:
    compiler = open_repo(args)
    repo = compiler.repo
    envs = choose_envs(repo, args.env, all_envs=args.all_envs, required=True)
    compiler.format = output_format(args, repo)
    out, shown = output_dir(args, repo)
    by_env: dict[str, list[Artifact]] = defaultdict(list)
    for artifact in compiler.artifacts(envs):
        by_env[artifact.env].append(artifact)
    problems: list[str] = []
    for env in envs:
        found, diffs = artifacts.drift(artifacts.plan(out, shown, env, compiler.format, by_env[env], guard=False))
        problems += found
        sys.stdout.write("".join(diffs))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} artifact(s) out of date; run: confc build {repo.display_root} ...", file=sys.stderr)
        return 1
    total = sum(len(v) for v in by_env.values())
    print(f"{shown}: {total} artifacts in {len(envs)} environment(s) are up to date", file=sys.stderr)
    return 0
