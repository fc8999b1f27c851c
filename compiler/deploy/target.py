"""Where an environment deploys: its [deploy] table, checked, and the credentials from the process environment."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfcError, UsageError, did_you_mean_profile, show
from ..repository import SourceFile

DEFAULT_PREFIX = "confc:"
PROJECT, TOKEN, SPACE = "SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN", "SIGNALWIRE_SPACE"

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*(?::[0-9]{{1,5}})?")
PREFIX = re.compile(r"[A-Za-z0-9:._/-]{1,32}")
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
LOCAL_HOSTS = ("127.0.0.1", "localhost")  # spoken to over plain HTTP, for testing against a local server


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
    if E164.fullmatch(text) is None:
        return f'{show(text)} is not an E.164 phone number: "+", the country code, then the number, 7 to 15 digits in all, such as "+15551230001"'
    return None


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
    for number, profile in numbers.items() if isinstance(numbers, Mapping) else ():
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


def number_error(source: SourceFile, number: str, message: str, env: str | None = None) -> ConfcError:
    """A problem with one entry of [deploy.numbers], at its line."""
    line = source.lines[("deploy", "numbers", number)]
    return ConfcError(message, file=source.display, line=line, key=f'deploy.numbers."{number}"', env=env)


@dataclass(frozen=True)
class Target:
    """One environment's deployment: the space, the script names' prefix, the numbers, the credentials."""

    env: str
    space: str
    prefix: str
    numbers: Mapping[str, str]  # E.164 number -> profile id, as the file lists them
    source: SourceFile
    project: str
    token: str = field(repr=False)  # never shown, logged or written

    def script_name(self, profile: str) -> str:
        return self.prefix + profile

    def number_error(self, number: str, message: str) -> ConfcError:
        return number_error(self.source, number, message, self.env)


def target(env: str, source: SourceFile, data: Mapping[str, Any], environ: Mapping[str, str] = os.environ) -> Target:
    """The deployment of `env`; a UsageError names what is missing from the process environment or the file."""
    for name in (PROJECT, TOKEN):
        if not environ.get(name):
            raise UsageError(f"{name} is not set: confc reads SignalWire credentials only from {PROJECT} and {TOKEN}")
    deploy: Mapping[str, Any] = data["deploy"] if isinstance(data.get("deploy"), Mapping) else {}
    space = environ.get(SPACE) or deploy.get("space")
    if not space:
        raise UsageError(f"no space to deploy {env} to: set space in the [deploy] table of {source.display}, or {SPACE}")
    if environ.get(SPACE) and (problem := space_problem(space)):
        raise UsageError(f"{SPACE} {problem}")
    return Target(
        env=env,
        space=space,
        prefix=deploy.get("prefix", DEFAULT_PREFIX),
        numbers=dict(deploy.get("numbers", {})),
        source=source,
        project=environ[PROJECT],
        token=environ[TOKEN],
    )
