"""confc simulate: run a profile's document as a caller would, step by step."""

from __future__ import annotations

import argparse
import json
import re

import compiler

from ..calltests.format import KEYPAD
from ..errors import UsageError
from ..secrets import NAME, VALUE
from .common import overrides


def test_values(given: list[str]) -> dict[str, str]:
    """--secret NAME=DIGITS, each checked."""
    found = {}
    for item in given:
        name, _, value = item.partition("=")
        if not NAME.fullmatch(name) or not VALUE.fullmatch(value):
            raise UsageError(f"--secret {item}: write NAME=DIGITS, such as ALLHANDS_HOST_PIN=908172")
        found[name] = value
    return found


def entries(given: list[str]) -> list[str]:
    """--digits, each what a keypad can send: a caller can never enter anything else at a prompt."""
    for number, item in enumerate(given, start=1):
        if not re.fullmatch(KEYPAD, item):
            # Not echoed: an entry may be a PIN mistyped, and PINs stay out of every output.
            raise UsageError(f"--digits (entry {number}): a keypad sends only 0-9, * and #, such as 908172#")
    return given


def run(args: argparse.Namespace) -> int:
    call = compiler.simulate(
        args.config_dir,
        args.profile,
        args.env,
        entries(args.digits or []),
        args.result,
        overrides(args),
        test_values(args.secret or []),
        caller=args.caller,
    )
    status = 1 if args.require_join and not call.joins else 0
    if args.format == "json":
        print(json.dumps(call.as_json(), indent=2, ensure_ascii=False))
        return status
    width = max((len(step.section) for step in call.steps), default=0)
    for number, step in enumerate(call.steps, start=1):
        print(f"{number:3}. {step.section:<{width}}  {step.method:<15}  {step.did}")
    for join in call.joins:
        print(f"joined in section {join.section}: {json.dumps(dict(join.conference), ensure_ascii=False)}")
    print(f"end: {call.end}")
    if call.unused:  # a caller's entries that no prompt asked for: a wrong PIN count, or a flow that ended early
        print(f"digits not used: {', '.join(map(repr, call.unused))} (no prompt asked for them)")
    return status
