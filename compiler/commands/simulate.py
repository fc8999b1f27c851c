"""confc simulate: run a profile's document as a caller would, step by step."""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

import compiler

from ..calltests.format import KEYPAD
from ..errors import UsageError
from ..routes import national_number
from ..secrets import NAME, VALUE, without_pins
from .common import overrides


def test_values(given: list[str]) -> dict[str, str]:
    """--secret NAME=DIGITS, each checked; a bad one is named by its position (or its NAME), never shown whole."""
    found = {}
    for number, item in enumerate(given, start=1):
        name, _, value = item.partition("=")
        if not NAME.fullmatch(name) or not VALUE.fullmatch(value):
            which = f"--secret {name}=..." if NAME.fullmatch(name) else f"--secret (entry {number})"
            raise UsageError(f"{which}: write NAME=DIGITS, such as ALLHANDS_HOST_PIN=908172")
        found[name] = value
    return found


def masked(data: Any, values: dict[str, str]) -> Any:
    """`data` (a call as JSON) with each test value of a secret, in its strings, as <NAME>: a PIN tried with
    --secret may be the real one, and a secret's value reaches no output (one shorter than SHORTEST_PIN
    digits is left, as plan leaves it). Numbers are data, never a PIN: they stay as they are."""
    return _masked(data, {value: f"<{name}>" for name, value in values.items()}) if values else data


def _masked(data: Any, standing: dict[str, str]) -> Any:
    if isinstance(data, dict):
        return {_masked(key, standing): _masked(item, standing) for key, item in data.items()}
    if isinstance(data, list):
        return [_masked(item, standing) for item in data]
    return without_pins(data, standing) if isinstance(data, str) else data


def entries(given: list[str]) -> list[str]:
    """--digits, each what a keypad can send: a caller can never enter anything else at a prompt."""
    for number, item in enumerate(given, start=1):
        if not re.fullmatch(KEYPAD, item):
            # Not echoed: an entry may be a PIN mistyped, and PINs stay out of every output.
            raise UsageError(f"--digits (entry {number}): a keypad sends only 0-9, * and #, such as 908172#")
    return given


def caller(given: str | None) -> str | None:
    """--from, which must say something: an empty number is no number SignalWire sends."""
    if given is not None and not given.strip():
        raise UsageError("--from: give the caller's number, such as +15551230001; leave --from out for a withheld number")
    if given is not None and national_number(given):  # no role's callers, all E.164, would ever match it
        raise UsageError(
            f"--from {given}: call.from carries a number in E.164, with + and the country code first, such as"
            " +15551230001; a number without them matches no role's callers"
        )
    return given


def run(args: argparse.Namespace) -> int:
    values = test_values(args.secret or [])
    call = compiler.simulate(
        args.config_dir,
        args.profile,
        args.env,
        entries(args.digits or []),
        args.result,
        overrides(args),
        values,
        caller=caller(args.caller),
    )
    status = 1 if args.require_join and not call.joins else 0
    shown = masked(call.as_json(), values)
    print(json.dumps(shown, indent=2, ensure_ascii=False) if args.format == "json" else _text(shown))
    return status


def _text(call: dict[str, Any]) -> str:
    """A call (as JSON) as lines: each step, each join, how it ended, and digits left over."""
    width = max((len(step["section"]) for step in call["steps"]), default=0)
    lines = [
        f"{number:3}. {step['section']:<{width}}  {step['method']:<15}  {step['did']}"
        for number, step in enumerate(call["steps"], 1)
    ]
    lines += [f"joined in section {j['section']}: {json.dumps(j['conference'], ensure_ascii=False)}" for j in call["joins"]]
    lines.append(f"end: {call['end']}")
    if call["unused_digits"]:  # a caller's entries that no prompt asked for: a wrong PIN count, or a flow that ended early
        lines.append(f"digits not used: {', '.join(map(repr, call['unused_digits']))} (no prompt asked for them)")
    return "\n".join(lines)
