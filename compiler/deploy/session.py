"""What plan and apply share: the checks before anything is asked of SignalWire, then the plan itself."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .. import incremental, project, routes, secrets
from ..errors import ConfcError, ErrorGroup, UsageError, raise_all, show
from ..incremental import CheckResult
from ..repository import load
from ..routes import SPACE
from ..yamlload import parse_document
from . import secret_values
from .planning import Local, Plan, plan
from .space import Space, sdk
from .target import Target, target


def read_plan(
    config_dir: str | os.PathLike[str],
    env: str,
    *,
    out: str | None = None,
    prune: bool = False,
    show_secrets: bool = False,
    environ: Mapping[str, str] = os.environ,
    secrets_file: str | None = None,
) -> tuple[Plan, Space]:
    """Plan deploying `env`: usage first (the SDK, the environment, the credentials), then the proof that the
    committed artifacts are current, then the space, read and compared. Nothing is changed."""
    rest = sdk()
    from ..pipeline import Compiler  # Jinja, Cerberus and PyYAML load only when something is compiled

    built = Compiler(load(config_dir))
    env = project.check_env(built.repo, env)
    source = built.repo.environments[env]
    data = built.data(source) or {}
    deployment = target(env, source, data, environ)
    others = {name: built.data(other) or {} for name, other in built.repo.environments.items() if name != env}
    _not_another_environments_space(deployment, data, others, environ)
    checked = incremental.check(built.repo, [env], out=out)
    if checked.drift:
        raise _not_reviewed(checked, env, built.repo.display_root)
    committed = _committed(checked)
    # Secrets are put in place before the space is asked anything: a missing one stops the run here.
    names, pin_names = secret_values.referenced(built.repo)
    needed = secrets.used((local.document for local in committed), names)
    given = secret_values.read_file(secrets_file) if secrets_file else {}
    values = secret_values.resolve(needed, environ, given, pin_names)
    raise_all([clash for local in committed for clash in secret_values.clashes(local.document, values, needed, local.shown)])
    committed = [
        replace(local, sent=secrets.replaced(local.document, values, within=True)) if values else local for local in committed
    ]
    space = Space(deployment, rest)
    unsent = {value: placeholder for placeholder, value in values.items()}
    return plan(deployment, committed, space, prune=prune, show_secrets=show_secrets, placeholders=unsent, names=needed), space


def _not_another_environments_space(
    deployment: Target, data: Mapping[str, Any], others: Mapping[str, Mapping[str, Any]], environ: Mapping[str, str]
) -> None:
    """SIGNALWIRE_SPACE may name any space, but not one another environment deploys to under the same scripts' names:
    this environment's documents would replace that one's (a CI job's variable meant for production, say)."""
    if not environ.get(SPACE):
        return
    mine = {**routes.deploy_table(data), "space": deployment.space}
    for name, other in others.items():
        if routes.overlaps(mine, routes.deploy_table(other)):
            raise UsageError(
                f"{SPACE} names {deployment.space}, where environment {name} deploys its scripts under names this"
                f" environment's prefix {show(deployment.prefix)} also gives: applying {deployment.env} there would"
                f" replace {name}'s; unset {SPACE}, or give {deployment.env} a prefix of its own; nothing was sent"
            )


def _not_reviewed(checked: CheckResult, env: str, root: str) -> ConfcError:
    found = [ConfcError(d.message, file=d.file, profile=d.profile, env=d.env) for d in checked.drift]
    found.append(
        ConfcError(
            f"the committed artifacts of {env} are not current, and what ships must be what was reviewed: "
            f"run confc build {root} --env {env}, review the change and commit it, then deploy",
            file=os.path.join(checked.out, env),
            env=env,
        )
    )
    return ErrorGroup(found)


def _committed(checked: CheckResult) -> list[Local]:
    """Every artifact of the environment as committed: `check` has just proved each file is byte for byte what a build writes."""
    (folder,) = checked.plans
    found = []
    for artifact in sorted(folder.artifacts, key=lambda a: a.profile):
        text = artifact.content.decode("utf-8")
        fmt = "json" if artifact.path.endswith(".json") else "yaml"
        document = json.loads(text) if fmt == "json" else parse_document(text)
        found.append(Local(artifact.profile, folder.show(artifact.path), document, fmt))
    return found
