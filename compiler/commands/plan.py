"""confc plan: what apply would change on the SignalWire space, from the committed artifacts of one environment."""

from __future__ import annotations

import argparse
import sys

from ..deploy import output
from ..deploy.session import read_plan


def run(args: argparse.Namespace) -> int:
    plan, _space = read_plan(
        args.config_dir, args.env, out=args.out, prune=args.prune, show_secrets=args.show_secrets, secrets_file=args.secrets
    )
    sys.stdout.write(output.render(plan, args.format))
    return 1 if plan.changes else 0
