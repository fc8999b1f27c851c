"""Where an environment deploys: the checked [deploy] table, and the credentials from the process environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfcError, UsageError
from ..repository import SourceFile
from ..routes import DEFAULT_PREFIX, SPACE, number_error, routed_numbers, space_problem

PROJECT, TOKEN = "SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN"
LOCAL_HOSTS = ("127.0.0.1", "localhost")  # spoken to over plain HTTP, for testing against a local server


@dataclass(frozen=True)
class Target:
    """One environment's deployment: the space, the script names' prefix, the numbers, the credentials."""

    env: str
    space: str
    prefix: str
    numbers: Mapping[str, str]  # E.164 number -> profile id, in the file's order
    source: SourceFile
    project: str
    token: str = field(repr=False)  # never shown, logged or written
    written: Mapping[str, str] = field(default_factory=dict)  # E.164 number -> its key as the file writes it

    def script_name(self, profile: str) -> str:
        return self.prefix + profile

    def number_error(self, number: str, message: str) -> ConfcError:
        return number_error(self.source, self.written.get(number, number), message, self.env)


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
    written = routed_numbers(deploy.get("numbers", {}))
    return Target(
        env=env,
        space=space,
        prefix=deploy.get("prefix", DEFAULT_PREFIX),
        numbers={number: deploy["numbers"][key] for number, key in written.items()},
        source=source,
        project=environ[PROJECT],
        token=environ[TOKEN],
        written=written,
    )
