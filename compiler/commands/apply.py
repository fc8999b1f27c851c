"""confc apply: carry out the plan on the SignalWire space, after confirmation."""

from __future__ import annotations

import argparse
import sys

from ..deploy import output
from ..deploy.applying import carry_out, forced_problems
from ..deploy.session import read_plan
from ..errors import UsageError, raise_all


def run(args: argparse.Namespace) -> int:
    if not args.yes and not sys.stdin.isatty():
        raise UsageError("apply changes the live space: confirm with --yes when no terminal can ask (as in CI)")
    plan, space = read_plan(args.config_dir, args.env, out=args.out, prune=args.prune, secrets_file=args.secrets)
    sys.stdout.write(output.render(plan, "text"))
    if not plan.changes:
        print("Nothing to do.", file=sys.stderr)
        return 0
    raise_all(forced_problems(plan, args.force))
    if not args.yes and not _confirmed(plan.target.space):
        print("Apply cancelled; nothing was changed.", file=sys.stderr)
        return 1
    changes = carry_out(plan, space, lambda line: print(line, file=sys.stderr, flush=True))
    print(f"Applied {changes} change(s) to {plan.target.space}.", file=sys.stderr)
    return 0


def _confirmed(space: str) -> bool:
    # Asked on stderr, so that the plan on stdout can be piped or kept while a person answers.
    print(f"Apply these changes to {space}? Type yes to go on: ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() == "yes"
