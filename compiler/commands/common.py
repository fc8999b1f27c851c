"""What several commands share: reading their common options, reporting, progress."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from ..errors import ConfcError, UsageError
from ..report import Reporter


def overrides(args: argparse.Namespace) -> list[str]:
    return getattr(args, "set", None) or []


def chosen_envs(args: argparse.Namespace) -> list[str] | None:
    """--env ENV... or --all-envs (None: every environment); build and check insist on one of them."""
    if args.all_envs:
        return None
    if not args.env:
        raise UsageError("name the environments to build with --env ENV (repeatable) or use --all-envs")
    return list(args.env)


def reporter(args: argparse.Namespace) -> Reporter:
    return Reporter(getattr(args, "error_format", None) or "text")


def warn(args: argparse.Namespace, warnings: Sequence[ConfcError]) -> None:
    reporter(args).warnings(warnings)


def progress() -> Callable[[int, int], None] | None:
    """A counter on stderr while compiling, only when stderr is a terminal (never in logs or pipes)."""
    if not sys.stderr.isatty():
        return None
    shown = -1

    def report(done: int, total: int) -> None:
        nonlocal shown
        percent = done * 100 // max(total, 1)
        if percent != shown:
            shown = percent
            end = "\r" + " " * 40 + "\r" if done >= total else ""
            print(f"\rconfc: compiled {done}/{total}{end}", end="", file=sys.stderr, flush=True)

    return report
