"""The stages chained: resolve, interpolate, validate, render, self-check (one profile, one env)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from . import claims, document, recording, render, roles, secrets, shapes, swml, validation
from .artifacts import Artifact
from .errors import ConfcError, ErrorGroup, raise_all
from .inheritance import Unreadable, parents_of
from .interpolate import Interpolator, env_scope
from .layering import MISSING, KeyPath, Resolution, Resolver, lookup
from .overrides import layer as layer_of_overrides
from .parallel import long_lived, workers
from .repository import Repository, SourceFile
from .routes import routing_problems, shared_space_problems
from .sandbox import Scope, guarded
from .shapes import Checked

FORMATS = ("yaml", "json")


@dataclass(frozen=True)
class Compiled:
    """A profile resolved, interpolated and validated for one environment."""

    resolution: Resolution
    values: Mapping[str, Any]  # in emitted form


class Compiler:
    """Compiles any profile in any environment of one repository, sharing work across them.

    Every file is shape-checked before anything reads it; what is malformed is reported once,
    as a problem of its file, and dropped. A profile is compiled when its file and every
    ancestor's parse; when something beneath it was dropped, only the values it does have are
    checked (a missing value may be missing because it was dropped) and nothing is rendered.
    """

    def __init__(
        self, repo: Repository, overrides: Sequence[str] = (), fmt: str = "yaml", *, scope: Collection[str] | None = None
    ) -> None:
        """`scope`: the CONFIG_DIR-relative files to report problems of (default: all); an incremental build passes what changed."""
        self.repo = repo
        self.format = fmt
        self.scope = scope
        self._checked: dict[str, Checked] = {}
        self._file_checks = shapes.FileChecks(tuple(repo.environments))
        self.resolver = Resolver(repo, self.data, shapes.overrides(layer_of_overrides(overrides), self._file_checks))
        self.interpolator = Interpolator()
        self.renderer = render.Renderer(repo)
        self.warnings: list[ConfcError] = []
        # Cycles and unknown parents are problems of files, reported once, not once per descendant.
        self.inheritance_errors: dict[str, ConfcError] = {}
        self._rules: dict[str, list[validation.Rule]] = {}
        self._env_scopes: dict[str, Scope] = {}
        # The run's checks, each built once and remembering what it checked: gone with the run.
        self._resolved_checks = validation.ResolvedChecks()
        self._method_checks = swml.MethodChecks()

    def checked(self, source: SourceFile) -> Checked:
        """`source` shape-checked, once."""
        found = self._checked.get(source.rel)
        if found is None:
            if source.rel.startswith("profiles/"):
                found = shapes.check_profile(source, self._file_checks, self.repo.profiles)
            else:
                found = shapes.check_environment(source, self._file_checks)
            self._checked[source.rel] = found
        return found

    def data(self, source: SourceFile) -> Mapping[str, Any] | None:
        """What the compiler may read of `source`: its data less anything malformed (None: it does not parse)."""
        return self.checked(source).data

    def file_problems(self) -> list[ConfcError]:
        """The problems of every file in scope, each reported once, whatever depends on it."""
        found: list[ConfcError] = shapes.settings_errors(self.repo) if self.scope is None else []
        for source in (*self.repo.profiles.values(), *self.repo.environments.values()):
            if self.scope is None or source.rel in self.scope:
                found += self.checked(source).problems
        for profile, source in self.repo.profiles.items():
            if (self.scope is None or source.rel in self.scope) and not self._inherits(profile):
                error = self.inheritance_errors[profile]
                if not isinstance(error, Unreadable):
                    found.append(error)
        return found + self._routing_problems()

    def _routing_problems(self) -> list[ConfcError]:
        """Numbers routed to profiles that have no artifact, in every environment (deleting a profile causes them);
        only the profiles the numbers name are parsed, so an incremental build stays incremental."""
        found: list[ConfcError] = []
        for source in self.repo.environments.values():
            found += routing_problems(source, self.data(source) or {}, self.repo.profiles, self.abstract, self.children)
        every = {env: (source, self.data(source) or {}) for env, source in self.repo.environments.items()}
        return found + shared_space_problems(every)

    def children(self, profile: str) -> list[str]:
        """The profiles that extend `profile` directly (parses every profile: for messages only)."""
        return [child for child, source in self.repo.profiles.items() if profile in parents_of(self.data(source) or {})]

    def _inherits(self, profile: str) -> bool:
        """Whether `profile`'s ancestry is sound; a failure is remembered and reported once."""
        if profile not in self.inheritance_errors:
            try:
                self.resolver.inheritance.order(profile)
            except ConfcError as exc:
                self.inheritance_errors[profile] = exc
        return profile not in self.inheritance_errors

    def abstract(self, profile: str) -> bool:
        return (self.data(self.repo.profiles[profile]) or {}).get("abstract") is True

    def buildable(self) -> list[str]:
        """The profiles that get an artifact."""
        return [p for p in self.repo.profiles if not self.abstract(p)]

    def lineage(self, profile: str, env: str) -> list[Checked]:
        """The checked files `profile` is made from in `env`: the environment, each ancestor, itself."""
        files = [self.checked(self.repo.environments[env])]
        if self._inherits(profile):
            files += [self.checked(self.repo.profiles[p]) for p in self.resolver.inheritance.order(profile)]
        return files

    def lineage_problems(self, profile: str, env: str) -> list[ConfcError]:
        """What stands in the way of `profile` in `env` in the files it is made from."""
        found = [problem for checked in self.lineage(profile, env) for problem in checked.problems]
        error = self.inheritance_errors.get(profile)
        if isinstance(error, Unreadable):  # an ancestor that does not parse: its own error says why
            found += [p for s in self.repo.profiles.values() if s.display == error.file for p in self.checked(s).problems]
        elif error is not None:
            found.append(error)
        return found

    def env_context(self, env: str) -> Scope:
        """What `{{ env }}` is in `env`, built once."""
        scope = self._env_scopes.get(env)
        if scope is None:
            data = self.data(self.repo.environments[env]) or {}
            scope = self._env_scopes[env] = env_scope(env, data.get("description", ""), data.get("vars", {}))
        return scope

    def rules(self, env: str) -> list[validation.Rule]:
        if env not in self._rules:
            source = self.repo.environments[env]
            self._rules[env] = validation.env_rules(source, self.data(source) or {})
        return self._rules[env]

    def resolve(self, profile: str, env: str) -> Resolution:
        return self.resolver.resolve(profile, env)

    def values(self, profile: str, env: str) -> tuple[Resolution, dict[str, Any]]:
        """The profile merged and interpolated, before validation; raises what stands in the way."""
        resolution, values, problems = self.values_despite_problems(profile, env)
        raise_all(problems)
        return resolution, values

    def values_despite_problems(self, profile: str, env: str) -> tuple[Resolution, dict[str, Any], list[ConfcError]]:
        """The profile merged and interpolated with each malformed key of its files left out, and
        the problems found; raises only what leaves nothing to merge (a file or ancestry unread)."""
        problems = self.lineage_problems(profile, env)
        if not self._inherits(profile) or any(p.key is None for p in problems):
            raise_all(problems)
        resolution = self.resolve(profile, env)
        values = self.interpolator.interpolate(resolution, self.env_context(env), problems)
        return resolution, values, problems

    def compile(self, profile: str, env: str) -> Compiled:
        """Resolve, interpolate and validate one non-abstract profile; every problem is raised together."""
        raise_all(self.lineage_problems(profile, env))
        with guarded():
            compiled, errors = self.attempt(profile, env)
        raise_all(errors)
        assert compiled is not None  # no errors: a compiled profile
        return compiled

    def attempt(self, profile: str, env: str) -> tuple[Compiled | None, list[ConfcError]]:
        """Every problem of one profile's own values, with the profile compiled when there is none.

        Problems of the files beneath it are the caller's to report (see `lineage_problems`).
        """
        lineage = self.lineage(profile, env)

        def unknowable(path: KeyPath) -> bool:
            """A value may be missing because a malformed one that would have set it was dropped."""
            return any(checked.could_supply(path, env) for checked in lineage)

        errors: list[ConfcError] = []
        resolution = self.resolver.resolve(profile, env, errors)
        # Where layers clash, the value beneath is kept: the clash is the problem to report there.
        failed: set[KeyPath] = {tuple(error.key.split(".")) for error in errors if error.key}
        values = self.interpolator.interpolate(
            resolution, self.env_context(env), errors, failed, complete=not unknowable(("vars",))
        )
        skip: set[KeyPath] = set(failed)
        errors += validation.access_errors(resolution, values)
        if not values.get("roles"):
            values.pop("access", None)
        errors += [resolution.error(message, path) for path, message in claims.problems(values, resolution)]
        for problem in validation.resolved_problems(values, self._resolved_checks):
            if any(problem.path[: len(path)] == path for path in failed):
                continue
            if problem.absent:
                if not failed and not unknowable(problem.path):  # a value that failed to render is reported already
                    if lookup(values, problem.path) is MISSING:
                        errors.append(resolution.missing(problem.message, problem.path))
                    else:  # a role that lost its pin to an unset is told so there, where every profile inheriting it is fixed
                        emptied = resolution.emptied(problem.message, problem.path, problem.beneath)
                        note = resolution.unset_note(problem.path, problem.needs)
                        errors.append(emptied or resolution.error(problem.message + note, problem.path, from_variable=True))
            else:
                message = problem.message + resolution.clash(problem.path, problem.clash)
                errors.append(resolution.error(message, problem.path, from_variable=True))
            skip.add(problem.path)
        values = validation.emitted(values)
        errors += validation.rule_errors(self.rules(env), resolution, values, self.warnings, unknowable=unknowable, skip=skip)
        untold = recording.untold(values)
        if untold and not errors:  # with a problem of its own (a rule's required notice, a wrong record), that is the one to fix
            self.warnings.append(resolution.error(untold[1], untold[0]))
        if errors or failed or not all(checked.sound for checked in lineage):
            return None, errors
        return Compiled(resolution, values), []

    def document(self, compiled: Compiled) -> str:
        """The rendered SWML text, checked to carry the conference table exactly."""
        # A template sees each secret as its placeholder; the values keep the reference, for show, explain and rules.
        resolution = compiled.resolution
        values = secrets.as_placeholders(compiled.values) if resolution.secret_names else compiled.values
        flows, access = roles.template_context(values) if values.get("roles") else ([], roles.NO_ACCESS)
        context = {
            "profile": Scope({"id": resolution.profile, **{k: v for k, v in values.items() if k != "vars"}}, "profile"),
            "env": self.env_context(resolution.env),
            "vars": Scope(values["vars"], "vars"),
            "roles": flows,
            "access": access,
            # The notice of a document without roles, when its join records; each role carries its own.
            "recording": Scope({"notice": None if flows else roles.notice(values)}, "recording"),
        }
        try:
            text = self.renderer.render(values["template"], context, profile=resolution.profile, env=resolution.env)
        except ConfcError as exc:
            if exc.file is None:  # the template itself is missing: blame the layer that named it
                raise resolution.error(exc.message, ("template",)) from None
            raise
        template = self.renderer.filenames.get(values["template"], values["template"])
        where = {"file": template, "profile": resolution.profile, "env": resolution.env}
        try:
            data = self.renderer.parse(text)
        except ValueError as exc:
            raise ConfcError(str(exc), **where) from None
        # The joins and greetings come from values validated already: checking them again would only cost time.
        greetings = [values.get("greeting"), *(flow["greeting"] for flow in flows)]
        notice = recording.notice_url(values)
        trusted = [
            ("join_conference", values["conference"]),
            *(("join_conference", flow["join"]) for flow in flows),
            *(("play", {"url": roles.greeting_url(greeting)}) for greeting in greetings if greeting),
            *([("play", {"url": notice})] if notice else []),
        ]
        model, shape = document.model(data, trusted, self._method_checks)
        if model is None:
            raise ErrorGroup(
                ConfcError(
                    f"the rendered document is not valid SWML: {'.'.join(path) + ': ' if path else ''}{message}",
                    line=self.renderer.line_of(values["template"], _written(data, path)),
                    **where,
                )
                for path, message in shape
            )
        problems = roles.flow_problems(model, values) if values.get("roles") else roles.plain_problems(model, values)
        if problems:
            raise ConfcError("the rendered document does not do what the profile says: " + "; ".join(problems), **where)
        if self.format == "json":
            return render.to_json(data)
        source = self.repo.profiles[resolution.profile].rel
        header = f"# generated by confc from {source} (profile {resolution.profile}, env {resolution.env}); do not edit\n"
        names = sorted(resolution.secret_names)
        if names:  # a reviewer reads which digits stand for which secret; the values never reach git
            shown = ", ".join(f"{secrets.placeholder(name)} is {name}" for name in names)
            header += f"# secrets, whose values confc apply puts in their place: {shown}\n"
        return header + text

    def artifact(self, compiled: Compiled) -> Artifact:
        profile, env = compiled.resolution.profile, compiled.resolution.env
        content = self.document(compiled).encode("utf-8")
        inputs = (
            self.repo.environments[env].rel,
            *(self.repo.profiles[p].rel for p in self.resolver.inheritance.order(profile)),
            *self.renderer.inputs(compiled.values["template"]),
        )
        return Artifact(env, profile, f"{profile}.swml.{self.format}", content, inputs)

    def artifacts(
        self,
        envs: Sequence[str],
        progress: Callable[[int, int], None] | None = None,
        jobs: int | None = None,
        skip: Mapping[str, Collection[str]] | None = None,
    ) -> list[Artifact]:
        """Every artifact of `envs` but those in `skip` (env -> profiles), in a stable order.

        `jobs`: how many processes compile them (default: every core, when there is work enough for each; see
        workers). All problems of all profiles are raised together, in the same order whatever the number of processes.
        """
        skip = skip or {}
        errors = self.file_problems()
        usable = [env for env in envs if self.data(self.repo.environments[env]) is not None]
        # A building block is told by its parse alone: shape-checking it would make an incremental build check every base.
        wanted = [p for p in self.repo.profiles if any(p not in skip.get(e, ()) for e in usable) and not self.repo.abstract(p)]
        chosen = [p for p in wanted if not self.abstract(p) and self._inherits(p)]
        tasks = [(profile, env) for env in usable for profile in chosen if profile not in skip.get(env, ())]
        processes = workers(len(tasks), jobs)
        outcomes = self._in_parallel(tasks, processes) if processes > 1 else map(self._attempt, tasks)
        built: list[Artifact] = []
        with guarded(), long_lived():
            for done, outcome in enumerate(outcomes, start=1):
                if isinstance(outcome, Artifact):
                    built.append(outcome)
                else:
                    errors.extend(outcome)
                if progress is not None:
                    progress(done, len(tasks))
        if errors:
            raise ErrorGroup(errors)
        return built

    def _attempt(self, task: tuple[str, str]) -> Artifact | list[ConfcError]:
        profile, env = task
        try:
            compiled, errors = self.attempt(profile, env)
            if compiled is not None:
                return self.artifact(compiled)
        except ConfcError as exc:
            errors = exc.errors
        return [e.located(profile=profile, env=env) for e in errors]

    def _in_parallel(self, tasks: list[tuple[str, str]], jobs: int) -> Iterator[Artifact | list[ConfcError]]:
        """Compile in `jobs` forked workers; each inherits this compiler, parsed files and all."""
        size = max(1, min(200, len(tasks) // (jobs * 4)))  # small enough to balance, big enough to amortise
        chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
        # Forked, a worker's initializer and its arguments are inherited, not pickled: the compiler is not copied.
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_become_worker, initargs=(self,)) as pool:
            for outcomes, warnings in pool.map(_work, chunks):
                self.warnings.extend(warnings)
                yield from outcomes


def _written(data: Any, path: tuple[str, ...]) -> str:
    """The key a template wrote for the problem at `path`: a method's own name for a problem with the method."""
    for part in path:
        data = (
            data.get(part)
            if isinstance(data, Mapping)
            else data[int(part)]
            if isinstance(data, list) and part.isdigit() and int(part) < len(data)
            else None
        )
    if isinstance(data, Mapping) and len(data) == 1 and path and path[-1].isdigit():
        return str(next(iter(data)))
    return next((part for part in reversed(path) if not part.isdigit()), "")


# What a forked worker compiles with: set once in each worker by its initializer, never in the parent.
_worker: Compiler | None = None


def _become_worker(compiler: Compiler) -> None:
    global _worker
    _worker = compiler


def _work(chunk: list[tuple[str, str]]) -> tuple[list[Artifact | list[ConfcError]], list[ConfcError]]:
    compiler = _worker
    if compiler is None:
        raise RuntimeError("worker started without a compiler")
    compiler.warnings = []
    with guarded():
        return [compiler._attempt(task) for task in chunk], compiler.warnings
