"""The stages chained: resolve, interpolate, validate, render, self-check (one profile, one env)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import yaml

from . import render, validate
from .artifacts import Artifact
from .errors import ConfcError, ErrorGroup, raise_all
from .interpolate import Interpolator
from .repository import Repository
from .layering import Resolution, Resolver

FORMATS = ("yaml", "json")


@dataclass(frozen=True)
class Compiled:
    """A profile resolved, interpolated and validated for one environment."""

    resolution: Resolution
    values: Mapping[str, Any]  # in emitted form


class Compiler:
    """Compiles any profile in any environment of one repository, sharing work across them."""

    def __init__(self, repo: Repository, overrides: Sequence[str] = (), fmt: str = "yaml", *, scope: Collection[str] | None = None) -> None:
        """`scope`: the CONFIG_DIR-relative files to shape-check (default: all); an incremental build passes what changed."""
        self.repo = repo
        self.format = fmt
        self.resolver = Resolver(repo, overrides)
        self.interpolator = Interpolator()
        self.renderer = render.Renderer(repo)
        self.warnings: list[ConfcError] = []
        # Cycles and unknown parents are problems of files, reported once, not once per
        # descendant; the profiles they break are skipped so the rest can still be checked.
        self.inheritance_errors: dict[str, ConfcError] = {}
        for profile, source in repo.profiles.items():
            if scope is None or source.rel in scope:
                self._inherits(profile)
        shape_errors = validate.shape_errors(repo, scope)
        if shape_errors:  # resolving malformed files would only add noise: stop here
            raise ErrorGroup([*shape_errors, *self.inheritance_errors.values()])
        self._rules = {env: validate.env_rules(source) for env, source in repo.environments.items()}

    def _inherits(self, profile: str) -> bool:
        """Whether `profile`'s ancestry is sound; a failure is remembered and reported once."""
        if profile not in self.inheritance_errors:
            try:
                self.resolver.inheritance.order(profile)
            except ConfcError as exc:
                self.inheritance_errors[profile] = exc
        return profile not in self.inheritance_errors

    def env_context(self, env: str) -> dict[str, Any]:
        data = self.repo.environments[env].data
        return {"name": env, "description": data.get("description", ""), "vars": data.get("vars", {})}

    def resolve(self, profile: str, env: str) -> Resolution:
        return self.resolver.resolve(profile, env)

    def values(self, profile: str, env: str) -> tuple[Resolution, dict[str, Any]]:
        """The profile merged and interpolated, before validation."""
        resolution = self.resolve(profile, env)
        return resolution, self.interpolator.interpolate(resolution, self.env_context(env))

    def compile(self, profile: str, env: str) -> Compiled:
        """Resolve, interpolate and validate one non-abstract profile."""
        resolution, values = self.values(profile, env)
        raise_all(validate.resolved_errors(resolution, values))
        values = validate.emitted(values)
        raise_all(validate.rule_errors(self._rules[env], resolution, values, self.warnings))
        return Compiled(resolution, values)

    def document(self, compiled: Compiled) -> str:
        """The rendered SWML text, checked to carry the conference table exactly."""
        resolution, values = compiled.resolution, compiled.values
        context = {
            "profile": {"id": resolution.profile, **{k: v for k, v in values.items() if k != "vars"}},
            "env": self.env_context(resolution.env),
            "vars": values["vars"],
        }
        try:
            text = self.renderer.render(values["template"], context, profile=resolution.profile, env=resolution.env)
        except ConfcError as exc:
            if exc.file is None:  # the template itself is missing: blame the layer that named it
                raise resolution.error(exc.message, ("template",)) from None
            raise
        template = self.renderer.filenames.get(values["template"], values["template"])
        try:
            document = render.parse_yaml(text)
        except yaml.MarkedYAMLError as exc:
            at = f" at line {exc.problem_mark.line + 1} of its output" if exc.problem_mark else ""
            raise ConfcError(f"the template did not produce valid YAML{at}: {exc.problem}", file=template, profile=resolution.profile, env=resolution.env) from None
        except yaml.YAMLError as exc:
            raise ConfcError(f"the template did not produce valid YAML: {exc}", file=template, profile=resolution.profile, env=resolution.env) from None
        problems = render.document_problems(document, values["conference"])
        if problems:
            raise ConfcError("the rendered document is not valid SWML: " + "; ".join(problems), file=template, profile=resolution.profile, env=resolution.env)
        if self.format == "json":
            return render.to_json(document)
        source = self.repo.profiles[resolution.profile].rel
        return f"# generated by confc from {source} (profile {resolution.profile}, env {resolution.env}); do not edit\n{text}"

    def artifact(self, profile: str, env: str) -> Artifact:
        compiled = self.compile(profile, env)
        content = self.document(compiled).encode("utf-8")
        inputs = (
            self.repo.environments[env].rel,
            *(self.repo.profiles[p].rel for p in self.resolver.inheritance.order(profile)),
            *self.renderer.inputs(compiled.values["template"]),
        )
        return Artifact(env, profile, f"{profile}.swml.{self.format}", content, inputs)

    def buildable(self) -> list[str]:
        return [p for p in self.repo.profiles if not self.repo.abstract(p)]

    def artifacts(
        self,
        envs: Sequence[str],
        progress: Callable[[int, int], None] | None = None,
        jobs: int = 1,
        skip: Mapping[str, Collection[str]] | None = None,
    ) -> list[Artifact]:
        """Every artifact of `envs` but those in `skip` (env -> profiles), in a stable order.

        All problems of all profiles are raised together.
        """
        skip = skip or {}
        wanted = [p for p in self.repo.profiles if any(p not in skip.get(env, ()) for env in envs)]
        chosen = [p for p in wanted if not self.repo.abstract(p) and self._inherits(p)]
        tasks = [(profile, env) for env in envs for profile in chosen if profile not in skip.get(env, ())]
        outcomes = self._in_parallel(tasks, jobs) if jobs > 1 and len(tasks) > 1 and _FORK else map(self._attempt, tasks)
        built: list[Artifact] = []
        errors: list[ConfcError] = list(self.inheritance_errors.values())
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
            return self.artifact(profile, env)
        except ConfcError as exc:
            return [e.located(profile=profile, env=env) for e in exc.errors]

    def _in_parallel(self, tasks: list[tuple[str, str]], jobs: int) -> Iterator[Artifact | list[ConfcError]]:
        """Compile in `jobs` forked workers; each inherits this compiler, parsed files and all."""
        global _WORKER
        _WORKER = self
        size = max(1, min(200, len(tasks) // (jobs * 4)))  # small enough to balance, big enough to amortise
        chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            for outcomes, warnings in pool.map(_work, chunks):
                self.warnings.extend(warnings)
                yield from outcomes


_FORK = "fork" in multiprocessing.get_all_start_methods()
_WORKER: Compiler | None = None


def _work(chunk: list[tuple[str, str]]) -> tuple[list[Artifact | list[ConfcError]], list[ConfcError]]:
    compiler = _WORKER
    if compiler is None:
        raise RuntimeError("worker started without a compiler")
    compiler.warnings = []
    return [compiler._attempt(task) for task in chunk], compiler.warnings
