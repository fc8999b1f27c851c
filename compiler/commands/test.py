"""confc test: run the call-path tests of CONFIG_DIR/tests/**/*.toml; exit 1 when any fails."""

from __future__ import annotations

import argparse
import contextlib
import sys
from dataclasses import replace
from pathlib import Path

import compiler

from .. import outlock, project
from ..calltests import report, snapshot
from ..calltests.expect import Difference
from ..calltests.run import Outcome, cases, run_cases
from ..errors import UsageError, did_you_mean, raise_all, show
from .common import chosen_envs, waiting


def run(args: argparse.Namespace) -> int:
    built = compiler.compiler(args.config_dir)
    envs = project.environments(built.repo, chosen_envs(args, required=False))
    found, errors = cases(built, args.k)
    raise_all(errors)
    if not found:
        every = cases(built)[0] if args.k else []
        if every:  # a pattern that selects nothing is a mistake that would make CI pass on no test at all
            names = [case.name for case in every]
            raise UsageError(
                f"-k {args.k}: matches no case name (as text in it, in any case, or as a glob){did_you_mean(args.k, names)};"
                f" the cases: {', '.join(map(show, names[:5]))}{', ...' if len(names) > 5 else ''}"
            )
        print(f"{args.config_dir}: no test cases: write them in tests/*.toml (or in its subfolders)", file=sys.stderr)
        return 0
    artifacts = Path(args.artifacts) if args.artifacts else None
    # Committed artifacts are read as check reads them: never while a build is replacing them.
    with outlock.turn(artifacts, waiting, reading=True) if artifacts else contextlib.nullcontext():
        outcomes = run_cases(built, found, envs, artifacts)
    if args.update:
        for written, left_out in snapshot.update(outcomes):
            print(f"{written}: the snapshot cases now expect the calls as they are", file=sys.stderr)
            for case in left_out:  # recorded as it was in one environment, it would fail in the others
                print(f"{written}: {case}: left out of the snapshot, which holds in each", file=sys.stderr)
        for line in snapshot.recorded_in_part(outcomes, list(built.repo.environments)):
            print(line, file=sys.stderr)
        return 0
    outcomes = [_unrecorded(o) for o in outcomes]
    sys.stdout.write(report.FORMATS[args.format](outcomes))
    return 1 if any(o.failed for o in outcomes) else 0


def _unrecorded(outcome: Outcome) -> Outcome:
    """A snapshot case with nothing recorded yet fails until --update records it."""
    if outcome.failed or not outcome.case.snapshot or outcome.case.expect:
        return outcome
    return replace(outcome, failed=Difference(("snapshot",), "no snapshot recorded yet: run confc test --update"))
