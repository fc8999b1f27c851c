"""An environment's [deploy] table as the core checks it: the forms of its values, and numbers routed to profiles.

Deploying itself (credentials, the space) lives in the deploy package, which builds on this.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

from .errors import ConfcError, did_you_mean_profile, show
from .repository import SourceFile

DEFAULT_PREFIX = "confc:"
SPACE = "SIGNALWIRE_SPACE"  # the process environment may name the space instead of the file

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*(?::[0-9]{{1,5}})?")
PREFIX = re.compile(r"[A-Za-z0-9:._/-]{1,32}")
# A phone number as people write it (a role's callers, [deploy.numbers]): E.164, with spaces, dots, dashes or
# parentheses between the digits.
_SEPARATOR = "[ .()-]"
CALLER = re.compile(rf"\+{_SEPARATOR}*[1-9](?:{_SEPARATOR}*[0-9]){{6,14}}{_SEPARATOR}*")
_NATIONAL = re.compile(rf"(?:{_SEPARATOR}*[0-9])+{_SEPARATOR}*")  # digits as a phone number, without + and country code


def caller_number(text: str) -> str | None:
    """A caller number as SWML's call.from carries it (E.164), with the separators people write left out; None if it is not one."""
    return re.sub(_SEPARATOR, "", text) if CALLER.fullmatch(text) else None


def national_number(text: str) -> bool:
    """Whether `text` is digits written as a phone number without its + and country code: never what call.from carries."""
    return _NATIONAL.fullmatch(text) is not None


def space_problem(text: str) -> str | None:
    """Why `text` is not a space's host name (optionally :PORT), or None."""
    host, colon, port = text.partition(":")
    if HOST.fullmatch(text) is None or len(host) > 253 or (colon and not 0 < int(port) < 65536):
        return f'must be the space\'s host name, such as "acme.signalwire.com" (optionally with :PORT), got {show(text)}'
    return None


def prefix_problem(text: str) -> str | None:
    if PREFIX.fullmatch(text) is None:
        return f"must be 1 to 32 characters, each a letter, a digit or one of : . _ / -, got {show(text)}"
    return None


def number_problem(text: str) -> str | None:
    if CALLER.fullmatch(text) is None:
        return (
            f'{show(text)} is not an E.164 phone number: "+", the country code, then the number, 7 to 15 digits in all, '
            'such as "+15551230001" (spaces, dashes, dots and parentheses may separate them)'
        )
    return None


def routed_numbers(numbers: Mapping[str, Any]) -> dict[str, str]:
    """Each routed number as E.164 (separators left out) -> the key it is written as; the first of two that are one."""
    found: dict[str, str] = {}
    for written in numbers:
        number = caller_number(written)
        if number is not None:
            found.setdefault(number, written)
    return found


def routing_problems(
    source: SourceFile,
    data: Mapping[str, Any],
    profiles: Collection[str],
    abstract: Callable[[str], bool],
    children: Callable[[str], list[str]] = lambda profile: [],
) -> list[ConfcError]:
    """A number routed to a profile that does not exist or is abstract; only the profiles named are read."""
    deploy = data.get("deploy")
    numbers = deploy.get("numbers") if isinstance(deploy, Mapping) else None
    found = []
    first = routed_numbers(numbers) if isinstance(numbers, Mapping) else {}
    for number, profile in numbers.items() if isinstance(numbers, Mapping) else ():
        e164 = caller_number(number)
        if e164 is not None and first[e164] != number:
            line = source.lines[("deploy", "numbers", first[e164])]
            at = f" (line {line})" if line else ""
            why = f"is {show(first[e164])}{at} written again: a number routes to one profile; keep one of them"
            found.append(number_error(source, number, why))
            continue
        if not isinstance(profile, str):
            continue
        if profile not in profiles:
            why = f"routes to {show(profile)}, which is not a profile{did_you_mean_profile(profile, profiles)}"
        elif abstract(profile):
            why = f"routes to {show(profile)}, which is abstract and has no SWML document; route it to a profile that extends it"
            extending = children(profile)
            why += f" ({', '.join(map(show, extending))})" if extending else ""
        else:
            continue
        found.append(number_error(source, number, why))
    return found


def overlaps(one: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """Whether two [deploy] tables name one space with prefixes one of which starts the other: each environment
    would take the other's scripts for its own, to replace or (with --prune) delete."""
    space, prefix = one.get("space"), one.get("prefix", DEFAULT_PREFIX)
    their_space, their_prefix = other.get("space"), other.get("prefix", DEFAULT_PREFIX)
    if not (
        isinstance(space, str) and isinstance(prefix, str) and isinstance(their_space, str) and isinstance(their_prefix, str)
    ):
        return False
    return space.lower() == their_space.lower() and (prefix.startswith(their_prefix) or their_prefix.startswith(prefix))


def deploy_table(data: Mapping[str, Any]) -> Mapping[str, Any]:
    deploy = data.get("deploy")
    return deploy if isinstance(deploy, Mapping) else {}


def shared_space_problems(environments: Mapping[str, tuple[SourceFile, Mapping[str, Any]]]) -> list[ConfcError]:
    """Each environment that deploys where an earlier one does, under a prefix that overlaps its prefix."""
    found = []
    seen: list[tuple[str, SourceFile, Mapping[str, Any]]] = []
    for env, (source, data) in environments.items():
        deploy = deploy_table(data)
        for other, other_source, other_deploy in seen:
            if overlaps(deploy, other_deploy):
                line = other_source.lines[("deploy", "space")]
                prefix = deploy.get("prefix", DEFAULT_PREFIX)
                theirs = other_deploy.get("prefix", DEFAULT_PREFIX)
                prefixes = (
                    f"the prefix {show(prefix)} names" if theirs == prefix else f"prefixes {show(theirs)} and {show(prefix)} name"
                )
                found.append(
                    ConfcError(
                        f"environment {other} ({other_source.display}{f':{line}' if line else ''}) deploys to this space"
                        f" too, and {prefixes} the same scripts: each environment would replace (or prune) the"
                        f' other\'s; give each a prefix of its own, such as prefix = "confc-{env}:"',
                        file=source.display,
                        line=source.lines[("deploy", "space")],
                        key="deploy.space",
                    )
                )
                break
        seen.append((env, source, deploy))
    return found


def number_error(source: SourceFile, number: str, message: str, env: str | None = None) -> ConfcError:
    """A problem with one entry of [deploy.numbers], at its line."""
    line = source.lines[("deploy", "numbers", number)]
    return ConfcError(message, file=source.display, line=line, key=f'deploy.numbers."{number}"', env=env)
