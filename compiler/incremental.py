"""Incremental builds: the previous manifest of each OUT/ENV is the cache.

A manifest records the digest of every file a build read and, per artifact, the
files it was made from and a seal over both. An artifact is reused as it stands
on disk when all of these hold: the same confc version, format, environments,
templates and --set made it; every one of its inputs still has its recorded
digest; its seal holds over them; and the file is still byte for byte what the
manifest says confc wrote. Its profiles are then neither parsed nor rendered.
Everything else is compiled, and every changed file is checked, exactly as a
full build would. `check` trusts the same artifacts, for the same reasons.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import outlock, project
from .artifacts import Artifact, EnvPlan, Previous, plan, read_previous
from .drift import Drift
from .drift import drift as drift_of
from .errors import ConfcError, ErrorGroup, raise_all
from .files import read_regular
from .manifest import Sealer
from .repository import Repository
from .scoping import policy_problems
from .version import __version__

if TYPE_CHECKING:
    from .pipeline import Compiler


def may_reuse(repo: Repository, cache: bool, strict: bool) -> bool:
    """Whether sealed artifacts may stand for a build now: a reused artifact's warnings are not seen
    again, so strictness that no input records (--strict, confc.toml) proves every profile. An
    environment's own [build] strict is in its file, which every artifact of it records."""
    return cache and not project.strict_everywhere(repo, strict)


def stamp(repo: Repository, env: str, fmt: str, overrides: Sequence[str]) -> dict[str, Any]:
    """What every artifact of `env` depends on besides its own files: any change rebuilds them all."""
    return {
        "version": __version__,
        "env": env,
        "format": fmt,
        "environments": list(repo.environments),  # [env.NAME] tables are checked against them
        "overrides": list(overrides),
    }


def sources(repo: Repository, env: str, templates: Mapping[str, str]) -> dict[str, str]:
    """The digest of every file a build of `env` may read, by its input name."""
    found = {source.rel: source.digest for source in repo.profiles.values()}
    found[repo.environments[env].rel] = repo.environments[env].digest
    found.update(templates)
    return found


@dataclass(frozen=True)
class BuildResult:
    """What a build did: one plan per environment folder (written, unchanged, removed), and warnings."""

    plans: list[EnvPlan]
    warnings: list[ConfcError]


@dataclass(frozen=True)
class CheckResult:
    """What check found: every way OUT differs from a build now (empty when current)."""

    plans: list[EnvPlan]
    drift: list[Drift]
    warnings: list[ConfcError]
    out: str  # OUT as messages show it


@dataclass(frozen=True)
class Reuse:
    artifacts: Mapping[str, Artifact]  # profile -> its artifact, read back from disk
    seals: Mapping[str, str]  # path -> the seal of each of them, verified
    unchanged: frozenset[str]  # inputs whose digest is the one the manifest recorded
    changed: frozenset[str]  # inputs it recorded otherwise, or not at all


def reusable(repo: Repository, previous: Previous, folder: Path, stamp: Mapping[str, Any], digests: Mapping[str, str]) -> Reuse:
    """The artifacts of the previous build that this build would write again unchanged."""
    manifest = previous.manifest
    recorded = manifest.get("sources")
    if not previous.complete or not isinstance(recorded, dict) or any(manifest.get(k) != v for k, v in stamp.items()):
        return Reuse({}, {}, frozenset(), frozenset(digests))
    unchanged = frozenset(rel for rel, digest in digests.items() if recorded.get(rel) == digest)
    found: dict[str, Artifact] = {}
    seals: dict[str, str] = {}
    sealer = Sealer(stamp, digests)
    suffix = f".swml.{stamp['format']}"
    for path, entry in previous.entries.items():
        profile, inputs = entry.get("profile"), entry.get("inputs")
        source = repo.profiles.get(profile) if isinstance(profile, str) else None
        if source is None or path != profile + suffix or not _all_in(inputs, unchanged) or source.rel not in inputs:
            continue
        try:
            content = read_regular(f"{folder}/{path}")
        except OSError:
            continue
        if content is None:
            continue
        artifact = Artifact(stamp["env"], profile, path, content, tuple(inputs))
        if artifact.sha256 == entry.get("sha256") and entry.get("seal") == sealer.seal(inputs, artifact.sha256):
            found[profile] = artifact
            seals[path] = entry["seal"]
    return Reuse(found, seals, unchanged, frozenset(digests) - unchanged)


def _all_in(inputs: Any, unchanged: frozenset[str]) -> bool:
    """Whether a manifest entry's `inputs` is a list of names, each of an input that did not change."""
    try:
        return isinstance(inputs, list) and unchanged.issuperset(inputs)
    except TypeError:  # a list or table among them, in a manifest edited by hand
        return False


def plans(
    repo: Repository,
    envs: Sequence[str],
    out: Path | str,
    display_out: str,
    *,
    fmt: str = "yaml",
    overrides: Sequence[str] = (),
    incremental: bool = True,
    guard: bool = True,
    progress: Callable[[int, int], None] | None = None,
    jobs: int | None = None,
) -> tuple[list[EnvPlan], list[ConfcError]]:
    """Compile what is needed for `envs`, then plan each folder; all errors surface before any write.

    Returns the plans and the warnings of what was compiled. Without `incremental`,
    every profile is compiled, as `check` and `validate` do.
    """
    templates = repo.template_digests()
    stamps = {env: stamp(repo, env, fmt, overrides) for env in envs}
    digests = {env: sources(repo, env, templates) for env in envs}
    previous = {env: read_previous(out, display_out, env) for env in envs}
    reuse = {
        env: reusable(repo, previous[env], Path(out) / env, stamps[env], digests[env])
        if incremental
        else Reuse({}, {}, frozenset(), frozenset(digests[env]))
        for env in envs
    }
    # A file is checked again unless a manifest vouches for it and none doubts it (an
    # environment's file is recorded only in its own manifest; other environments are checked).
    vouched = frozenset().union(*(r.unchanged for r in reuse.values())) - frozenset().union(*(r.changed for r in reuse.values()))
    changed = {source.rel for source in (*repo.profiles.values(), *repo.environments.values())} - vouched
    skip = {env: set(reuse[env].artifacts) for env in envs}
    rebuilt = [p for p in repo.profiles if any(p not in skip[env] for env in envs) and not repo.abstract(p)]
    # A profile compiled again is checked again too, so errors read as in a full build.
    scope = changed | {repo.profiles[p].rel for p in rebuilt}
    built: list[Artifact] = []
    warnings: list[ConfcError] = []
    # Whatever is reused: a profile renamed away empties a policy, and a misnamed file is never vouched for.
    problems = [*repo.unread, *policy_problems(repo, envs)]
    if scope:
        compiler = _compiler(repo, overrides, fmt, scope)
        try:
            built = compiler.artifacts(envs, progress=progress, jobs=jobs, skip=skip)
        except ConfcError as exc:
            if exc.exit_code != 1:
                raise
            raise ErrorGroup([*problems, *exc.errors]) from None
        warnings = compiler.warnings
    raise_all(problems)
    planned = []
    for env in envs:
        reused = list(reuse[env].artifacts.values())
        fresh = [a for a in built if a.env == env]
        planned.append(
            plan(
                out,
                display_out,
                env,
                stamps[env],
                digests[env],
                sorted([*reused, *fresh], key=lambda a: a.path),
                previous=previous[env],
                reused=reuse[env].seals,
                guard=guard,
            )
        )
    for env, left in retired(repo, envs, out, display_out):
        planned.append(plan(out, display_out, env, {}, {}, [], previous=left, guard=guard, retired=True))
    return planned, warnings


def retired(repo: Repository, envs: Sequence[str], out: Path | str, display_out: str) -> list[tuple[str, Previous]]:
    """The folders of OUT holding what confc built for an environment the repository no longer has (renamed or
    deleted), each with its manifest. Only a build of every environment looks: one of some leaves the rest alone.

    A folder is taken for one only when its manifest is confc's, says it is of that environment, and was written
    by a build of this repository (it lists one of today's environments beside its own): another repository
    building into the same OUT keeps its folders.
    """
    if set(envs) != set(repo.environments):
        return []
    try:
        names = sorted(os.listdir(out))
    except OSError:
        return []
    found = []
    for name in names:
        folder = os.path.join(out, name)
        if name in repo.environments or os.path.islink(folder) or not os.path.isdir(folder):
            continue
        try:
            left = read_previous(out, display_out, name)
        except ConfcError:
            continue  # not a confc manifest: nothing there is known to be confc's
        recorded = left.manifest.get("environments")
        if left.raw is None or left.manifest.get("env") != name or not isinstance(recorded, list):
            continue
        if set(map(str, recorded)) & set(repo.environments):
            found.append((name, left))
    return found


def _compiler(repo: Repository, overrides: Sequence[str], fmt: str, scope: set[str]) -> Compiler:
    from .pipeline import Compiler  # Jinja, Cerberus and PyYAML load only when something is compiled

    return Compiler(repo, overrides, fmt, scope=scope)


def check(
    repo: Repository,
    envs: Sequence[str] | None = None,
    *,
    out: str | os.PathLike[str] | None = None,
    fmt: str | None = None,
    overrides: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
    strict: bool = False,
    jobs: int | None = None,
    cache: bool = True,
    waiting: Callable[[], None] | None = None,
) -> CheckResult:
    """Compare OUT/ENV with what a build would write now, changing nothing (compiler.check)."""
    chosen = project.environments(repo, envs)
    folder, shown = project.output_dir(repo, out, chosen)
    fmt = project.output_format(repo, fmt)
    # An artifact whose manifest entry is sealed over its unchanged inputs is what a build would write again.
    trust = may_reuse(repo, cache, strict)
    with outlock.turn(folder, waiting, reading=True):
        found, warnings = plans(
            repo,
            chosen,
            folder,
            shown,
            fmt=fmt,
            overrides=overrides,
            incremental=trust,
            guard=False,
            progress=progress,
            jobs=jobs,
        )
        drift = [problem for plan in found for problem in drift_of(plan)]
    project.refuse_warnings(warnings, project.strict_envs(repo, chosen, strict))
    return CheckResult(found, drift, warnings, shown)
