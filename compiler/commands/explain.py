"""confc explain: every layer that touched KEY, lowest first, then the final value."""

from __future__ import annotations

import argparse
import json
import sys

import compiler

from ..errors import ConfcError, ErrorGroup, raise_all, show
from ..provenance import Explanation, final_is_missing, leaves
from ..provenance import as_json as explanation_json
from .common import no_json_form, overrides


def run(args: argparse.Namespace) -> int:
    result = compiler.explain(args.config_dir, args.profile, args.env, args.key, overrides(args))
    if result.elsewhere:
        # The trace stands, but the user should know the profile does not build as it is.
        print(f"note: {len(result.elsewhere)} problem(s) with other keys; the trace leaves them out:", file=sys.stderr)
        for problem in ErrorGroup(list(result.elsewhere)).diagnostics:
            print(f"  {problem}", file=sys.stderr)
    if args.format == "json":
        # Named by the profile's key, not by where the value stands in the output.
        values = [(step.key, step.value) for step in result.steps] + (
            [] if final_is_missing(result) else [(result.key, result.final)]
        )
        found = dict.fromkeys(problem for key, value in values for problem in no_json_form(value, key))
        raise_all(
            [
                ConfcError(f"{why}; explain it without --format json", key=".".join(path), profile=result.profile, env=result.env)
                for path, why in found
            ]
        )
        print(json.dumps(explanation_json(result), indent=2, ensure_ascii=False))
        return 0
    if not result.steps:  # a key of the format that no layer sets: SignalWire's default, or nothing
        print(f"{args.key} for profile {result.profile}, env {result.env}: not set by any layer{result.hint}")
        _print_inherited(args, result)
        return 0
    print(f"{args.key} for profile {result.profile}, env {result.env}, lowest layer first:")
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
    _print_uses(result)
    _print_inherited(args, result)
    return 0


def _print_uses(result: Explanation) -> None:
    """The variables the final value's {{ }} names: a value set in an environment or another profile shows here."""
    if result.uses:
        print("uses:")
        width = max(len(f"{used.name} = {show(used.value)}") for used in result.uses)
        for used in result.uses:
            print(f"  {f'{used.name} = {show(used.value)}':<{width}}  {used.where}")


def _print_inherited(args: argparse.Namespace, result: Explanation) -> None:
    """Where a role's join takes a key its own conference table leaves out: the profile's conference."""
    if result.inherited:
        key, value = result.inherited
        role, shown = result.key[1], ".".join(key)
        trace = f"confc explain {args.config_dir} {result.profile} {shown} --env {result.env}"
        print(f"role {role} joins with {shown} = {show(value)} from the profile's conference ({trace} traces it)")
