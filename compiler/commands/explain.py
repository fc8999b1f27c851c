"""confc explain: every layer that touched KEY, lowest first, then the final value."""

from __future__ import annotations

import argparse

from ..errors import show
from ..explain import explain, final_is_missing, leaves
from .common import check_env, check_profile, open_repo


def run(args: argparse.Namespace) -> int:
    compiler = open_repo(args)
    profile = check_profile(compiler.repo, args.profile)
    env = check_env(compiler.repo, args.env)
    result = explain(compiler, profile, env, args.key)
    print(f"{args.key} for profile {profile}, env {env}, lowest layer first:")
    width = max(len(step.where) for step in result.steps)
    for number, step in enumerate(result.steps, start=1):
        what = f"unset {'.'.join(step.key)}" if step.action == "unset" else f"{'.'.join(step.key)} = {show(step.value)}"
        print(f"  {number}. {step.where:<{width}}  {what}")
    if final_is_missing(result):
        print("final: not set")
    else:
        final = list(leaves(result.final, result.key))
        if len(final) == 1 and final[0][0] == result.key:
            print(f"final: {show(result.final)}")
        else:
            print("final:")
            for leaf, value in final:
                print(f"  {'.'.join(leaf)} = {show(value)}")
    return 0
