"""What several commands share: reading their common options, reporting, progress."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, time
from typing import Any

from ..errors import ConfcError, UsageError, raise_all
from ..report import Reporter


def overrides(args: argparse.Namespace) -> list[str]:
    return getattr(args, "set", None) or []


def chosen_envs(args: argparse.Namespace, *, required: bool = True) -> list[str] | None:
    """--env ENV... or --all-envs (None: every environment); build and check insist on one of them, validate and
    test take every environment without either."""
    if args.all_envs and args.env:
        # Which one was meant is not ours to guess: a build of every environment is not a build of one.
        raise UsageError("--all-envs and --env each say which environments to use: give one of them")
    if args.all_envs or not (args.env or required):
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


def as_json(value: Any, instead: str) -> str:
    """`value` as indented JSON; each part JSON has no form for is an error at its key, saying `instead`."""
    raise_all([ConfcError(f"{problem}; {instead}", key=".".join(path)) for path, problem in no_json_form(value, ())])
    return json.dumps(value, indent=2, ensure_ascii=False)


def no_json_form(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    """Where a value holds what JSON cannot: TOML dates and times, nan and inf."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from no_json_form(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from no_json_form(item, (*path, str(index)))
    elif isinstance(value, (date, time)):
        yield path, f"a TOML date or time ({value.isoformat()}) has no JSON form"
    elif isinstance(value, float) and not math.isfinite(value):
        yield path, f"{value} has no JSON form"


def waiting() -> None:
    """Said when a build or check waits for another build writing into the same output folder."""
    print("confc: another build is writing into the same output folder: waiting for it to finish", file=sys.stderr, flush=True)
