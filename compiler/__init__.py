"""confc: compile TOML conference profiles into SignalWire SWML documents.

The library API, which the command line is built on:

    import compiler
    result = compiler.build("configs", ["prod"])          # write build/prod/*.swml.yaml
    stale = compiler.check("configs").drift                # what `confc check` would report
    values = compiler.resolve("configs", "standup", "prod") # one profile, as it will be emitted
    story = compiler.explain("configs", "standup", "prod", "conference.max_participants")
    found = compiler.validate("configs")                   # every problem, as data
    for problem in found.diagnostics:                      # compiler.Diagnostic: file, line, key,
        print(problem)                                     # profiles, envs, severity, message
    changes = compiler.plan("configs", "prod")             # what apply would change on the space

`validate` returns every problem, each once, as frozen Diagnostic records. The other
functions raise compiler.errors.ConfcError (exit code 1) for a problem in the repository,
carrying the same records in its `diagnostics`, and its subclass UsageError (exit code 2)
for an unknown environment or profile. Heavy modules load on first use, so
`confc --version` stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import Diagnostic
from .version import __version__

if TYPE_CHECKING:
    from .calls import Call
    from .deploy.planning import Plan
    from .incremental import BuildResult, CheckResult
    from .pipeline import Compiler
    from .provenance import Explanation

__all__ = [
    "Diagnostic",
    "Validation",
    "__version__",
    "build",
    "check",
    "compiler",
    "explain",
    "plan",
    "resolve",
    "simulate",
    "validate",
]

PathLike = str | os.PathLike[str]
Progress = Callable[[int, int], None]


def build(
    config_dir: PathLike,
    envs: Sequence[str] | None = None,
    *,
    out: PathLike | None = None,
    fmt: str | None = None,
    overrides: Sequence[str] = (),
    jobs: int | None = None,
    progress: Progress | None = None,
    cache: bool = True,
    strict: bool = False,
    waiting: Callable[[], None] | None = None,
) -> BuildResult:
    """Compile `envs` (default: every environment) into OUT/ENV; nothing is written unless all succeed.

    OUT defaults to [build] out of confc.toml, else build/ beside CONFIG_DIR; `fmt` to [build]
    format, else yaml. Artifacts whose inputs are unchanged since the last build are reused,
    unless `cache` is False. Under `strict` (or [build] strict) a warning is an error, and
    nothing is written. `jobs`: processes to compile in (default: every core, when the work
    pays for it); the bytes and the errors are the same whatever it is. One build at a time writes
    into one OUT: another waits for it (from its reading of OUT's manifests on), calling `waiting` first.
    """
    from . import artifacts, incremental, outlock, project
    from .repository import load

    repo = load(config_dir, partial=True)  # files are parsed only when what they feed must be rebuilt
    chosen = project.environments(repo, envs)
    folder, shown = project.output_dir(repo, out, chosen)
    fmt = project.output_format(repo, fmt)
    strict_envs = project.strict_envs(repo, chosen, strict)
    reuse = incremental.may_reuse(repo, cache, strict)
    with outlock.turn(folder, waiting):
        plans, warnings = incremental.plans(
            repo, chosen, folder, shown, fmt=fmt, overrides=overrides, incremental=reuse, progress=progress, jobs=jobs
        )
        warnings = [*warnings, *(kept for plan in plans for kept in plan.kept_warnings())]
        project.refuse_warnings(warnings, strict_envs)
        for plan in plans:
            artifacts.apply(plan)
    return incremental.BuildResult(plans, warnings)


def check(
    config_dir: PathLike,
    envs: Sequence[str] | None = None,
    *,
    out: PathLike | None = None,
    fmt: str | None = None,
    overrides: Sequence[str] = (),
    progress: Progress | None = None,
    strict: bool = False,
    jobs: int | None = None,
    cache: bool = True,
    waiting: Callable[[], None] | None = None,
) -> CheckResult:
    """Compare OUT/ENV with what a build would write now, changing nothing.

    An artifact the manifest vouches for (sealed over inputs that still have their digests, and
    unchanged on disk) is trusted as build reuses it; `cache=False` compiles every profile. Under
    `strict` (or [build] strict) a warning is an error, raised like any other. `jobs` as for build.
    While a build writes into OUT, check waits for it, calling `waiting` first.
    """
    from . import incremental
    from .repository import load

    return incremental.check(
        load(config_dir, partial=True),
        envs,
        out=out,
        fmt=fmt,
        overrides=overrides,
        progress=progress,
        strict=strict,
        jobs=jobs,
        cache=cache,
        waiting=waiting,
    )


class Validation:
    """What `validate` found: every problem (errors and warnings), each once, sorted."""

    def __init__(self, diagnostics: Sequence[Diagnostic], environments: Sequence[str], profiles: int) -> None:
        self.diagnostics = list(diagnostics)
        self.environments = list(environments)
        self.profiles = profiles  # how many profiles were compiled

    @property
    def ok(self) -> bool:
        """No errors (warnings allowed)."""
        return all(d.severity != "error" for d in self.diagnostics)


def validate(
    config_dir: PathLike,
    envs: Sequence[str] | None = None,
    overrides: Sequence[str] = (),
    progress: Progress | None = None,
    *,
    strict: bool = False,
    jobs: int | None = None,
) -> Validation:
    """Resolve, validate and render every profile of `envs` (default: all), writing nothing; every problem as data.

    Under `strict` (or [build] strict) every warning is an error; `jobs` as for build. Raises UsageError (only) when
    CONFIG_DIR, an environment or a --set is unusable as given.
    """
    from . import project
    from .errors import ConfcError, diagnostic, gather
    from .pipeline import Compiler
    from .repository import load

    built = Compiler(load(config_dir, partial=True), overrides=overrides)
    chosen = project.environments(built.repo, envs)
    try:
        compiled = len({artifact.profile for artifact in built.artifacts(chosen, progress=progress, jobs=jobs)})
        errors: list[ConfcError] = []
    except ConfcError as exc:
        if exc.exit_code == 2:
            raise
        compiled, errors = 0, exc.errors
    from .scoping import policy_problems

    errors += [*built.repo.unread, *policy_problems(built.repo, chosen)]
    escalated = project.escalate(built.warnings, project.strict_envs(built.repo, chosen, strict))
    warnings = [diagnostic(w, "warning") for w in built.warnings if w not in escalated]
    found = gather([*(diagnostic(e) for e in [*errors, *project.as_errors(escalated)]), *warnings])
    return Validation(found, chosen, compiled)


def compiler(config_dir: PathLike, overrides: Sequence[str] = (), fmt: str = "yaml") -> Compiler:
    """Read and check all of CONFIG_DIR; the returned Compiler resolves and renders any profile."""
    from .pipeline import Compiler
    from .repository import load

    return Compiler(load(config_dir), overrides=overrides, fmt=fmt)


def resolve(
    config_dir: PathLike, profile: str, env: str, overrides: Sequence[str] = (), *, validate: bool = True
) -> dict[str, Any]:
    """A profile merged and interpolated for `env`; validated and in emitted form unless `validate` is False.

    An abstract profile may lack what its children add: resolve it with validate=False.
    """
    from . import project

    built = compiler(config_dir, overrides)
    profile, env = project.check_profile(built.repo, profile), project.check_env(built.repo, env)
    return dict(built.compile(profile, env).values) if validate else built.values(profile, env)[1]


def explain(config_dir: PathLike, profile: str, env: str, key: str, overrides: Sequence[str] = ()) -> Explanation:
    """Every layer that set or unset `key` (or anything beneath it) for `profile` in `env`, lowest first."""
    from . import project
    from .provenance import explain as explain_key

    built = compiler(config_dir, overrides)
    return explain_key(built, project.check_profile(built.repo, profile), project.check_env(built.repo, env), key)


def simulate(
    config_dir: PathLike,
    profile: str,
    env: str,
    digits: Sequence[str] = (),
    result: str | None = None,
    overrides: Sequence[str] = (),
    secrets: Mapping[str, str] | None = None,
    caller: str | None = None,
) -> Call:
    """Render `profile` for `env` and run it as a caller who enters each of `digits` in turn.

    `result` (completed, answered, no-answer, failed or canceled) is how the conference ends.
    `secrets` gives secret PINs test values (NAME -> digits); unnamed ones are their placeholders.
    `caller` is the caller's number (call.from; E.164, separators allowed); None is a withheld number.
    """
    from . import project
    from .calls import WITHHELD
    from .calls import simulate as run
    from .document import require
    from .errors import UsageError, did_you_mean, raise_all
    from .routes import caller_number
    from .secrets import clashes, with_test_values
    from .yamlload import parse_document

    built = compiler(config_dir, overrides)
    profile, env = project.check_profile(built.repo, profile), project.check_env(built.repo, env)
    if built.abstract(profile):
        raise UsageError(f"{profile} is abstract: it has no SWML document; simulate a profile that extends it")
    compiled = built.compile(profile, env)
    named = compiled.resolution.secret_names
    # A test value for a secret the document does not have would be tried nowhere, and the run would look fine.
    unknown = [
        UsageError(f"--secret {name}=...: {profile} has no secret {name} in {env}{did_you_mean(name, named)}")
        for name in sorted(set(secrets or {}) - named)
    ]
    raise_all(unknown)
    data = parse_document(built.document(compiled))
    # One role would be out of reach, as apply refuses.
    raise_all(
        [
            UsageError(
                f"{' and '.join(f'--secret {name}=...' for name in names)}: a test value that is also another role's PIN leaves one of them out of reach"
            )
            for names, _ in clashes(data, secrets or {})
        ]
    )
    number = WITHHELD if caller is None else caller_number(caller) or caller  # "anonymous" or a SIP address as given
    return run(require(with_test_values(data, secrets or {}), profile=profile, env=env), digits, result, number)


def plan(
    config_dir: PathLike,
    env: str,
    *,
    out: PathLike | None = None,
    prune: bool = False,
    show_secrets: bool = False,
    secrets_file: str | None = None,
) -> Plan:
    """What `confc apply` would change on `env`'s SignalWire space; reads the space, changes nothing.

    Needs the deploy extra and SIGNALWIRE_PROJECT_ID / SIGNALWIRE_API_TOKEN in the environment.
    Raises ConfcError (exit code 1) when the committed artifacts are not current, and its
    subclass SpaceError (exit code 3) when SignalWire cannot be reached or refuses.
    """
    from .deploy.session import read_plan

    out_dir = None if out is None else os.fspath(out)
    return read_plan(config_dir, env, out=out_dir, prune=prune, show_secrets=show_secrets, secrets_file=secrets_file)[0]
