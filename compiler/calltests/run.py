"""Running the cases: each against the document build would write (or the committed artifact), in each environment."""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import secrets
from ..calls import Call, simulate
from ..document import model, require
from ..errors import ConfcError, did_you_mean, did_you_mean_name, did_you_mean_profile, raise_all, show
from ..files import kept_by_tools, read_regular
from ..pipeline import Compiler
from ..repository import SourceFile, read_source
from ..yamlload import NotYaml, parse_document
from . import format as test_format
from .expect import Difference, difference
from .format import Case


@dataclass(frozen=True)
class Outcome:
    case: Case
    env: str
    call: Call
    failed: Difference | None

    @property
    def line(self) -> int | None:
        return self.case.line(*self.failed.path) if self.failed else self.case.line()


def test_files(compiler: Compiler) -> list[SourceFile]:
    """CONFIG_DIR/tests/**/*.toml, in path order: a case kept in a subfolder must run, not pass unseen."""
    root = compiler.repo.root / "tests"
    if not root.is_dir():
        return []
    names = []
    for folder, folders, files in os.walk(root):  # links to folders are not followed: one may lead back up
        folders[:] = [name for name in folders if not kept_by_tools(name, folder=True)]
        names += [
            Path(os.path.relpath(os.path.join(folder, name), root)).as_posix()
            for name in files
            if name.endswith(".toml") and not kept_by_tools(name) and os.path.isfile(os.path.join(folder, name))
        ]
    names.sort()
    return [read_source(compiler.repo.root, compiler.repo.display_root, f"tests/{name}") for name in names]


def cases(compiler: Compiler, pattern: str | None = None) -> tuple[list[Case], list[ConfcError]]:
    """Every case of every test file (those whose name matches `pattern`), with the problems of the files."""
    found: list[Case] = []
    errors: list[ConfcError] = []
    for source in test_files(compiler):
        read, problems = test_format.read(source)
        errors += problems
        found += [case for case in read if pattern is None or _selected(case.name, pattern)]
    for case in found:
        errors += _unknown_names(compiler, case)
    return found, errors


def _selected(name: str, pattern: str) -> bool:
    return pattern.lower() in name.lower() or fnmatch.fnmatchcase(name, pattern)


def _unknown_names(compiler: Compiler, case: Case) -> list[ConfcError]:
    """What a case names that the repository does not have: an error at its line, not a failure."""
    repo = compiler.repo
    if case.profile not in repo.profiles:
        return [case.error(f"unknown profile {show(case.profile)}{did_you_mean_profile(case.profile, repo.profiles)}", "profile")]
    if compiler.abstract(case.profile):
        extending = compiler.children(case.profile)
        listed = f" ({', '.join(map(show, extending))})" if extending else ""
        return [
            case.error(
                f"{case.profile} is abstract: it has no document to call; name a profile that extends it{listed}", "profile"
            )
        ]
    errors = []
    for index, env in enumerate(case.envs or ()):
        if env not in repo.environments:
            where = ("env",) if "env" in _written(case) else ("envs", str(index))
            known = ", ".join(repo.environments)
            errors.append(
                case.error(f"unknown environment {show(env)}{did_you_mean_name(env, repo.environments)}; known: {known}", *where)
            )
    role = case.expect.get("role")
    if role is not None:
        declared = _roles(compiler, case)
        if role not in declared:
            hint = did_you_mean(role, declared)
            accepted = f"its roles: {', '.join(declared)}" if declared else "it has no roles"
            errors.append(case.error(f"profile {case.profile} has no role {show(role)}{hint}; {accepted}", "expect", "role"))
    return errors


def _written(case: Case) -> dict[str, object]:
    data = case.source.data["case"][case.index]
    return dict(data) if isinstance(data, dict) else {}


def _roles(compiler: Compiler, case: Case) -> list[str]:
    """The roles the profile declares in any environment of the case (its layers may add or unset some)."""
    names: dict[str, None] = {}
    for env in case.envs or tuple(compiler.repo.environments):
        if env in compiler.repo.environments:
            names.update(dict.fromkeys(_roles_in(compiler, case.profile, env) or ()))
    return list(names)


def _roles_in(compiler: Compiler, profile: str, env: str) -> list[str] | None:
    """The roles `profile` has in `env`; None when its values cannot be had (the profile's own problem, which
    compiling its document reports)."""
    try:
        _, values = compiler.values(profile, env)
    except ConfcError:
        return None
    return list(values.get("roles") or {})


def document_data(compiler: Compiler, profile: str, env: str, artifacts: Path | None) -> Any:
    """The SWML document of `profile` in `env`, parsed: compiled now, or as committed under `artifacts`."""
    if artifacts is None:
        return parse_document(compiler.document(compiler.compile(profile, env)))
    return _committed(artifacts, env, profile)


def _committed(artifacts: Path, env: str, profile: str) -> object:
    for suffix in ("yaml", "json"):
        shown = os.path.join(str(artifacts), env, f"{profile}.swml.{suffix}")
        try:
            raw = read_regular(shown)
        except OSError as exc:
            raise ConfcError(f"cannot read the committed artifact: {exc.strerror or exc}", file=shown) from None
        if raw is not None:
            return _parsed(raw, suffix, shown)
    shown = os.path.join(str(artifacts), env, f"{profile}.swml.yaml")
    raise ConfcError("no committed artifact: run confc build and commit it, then test", file=shown, profile=profile, env=env)


def _parsed(raw: bytes, suffix: str, shown: str) -> object:
    """A committed artifact as data; one that is not a document confc writes is named, with how to mend it."""
    mend = "run confc build to write it again"
    line = None
    try:
        text = raw.decode("utf-8")
        data = json.loads(text) if suffix == "json" else parse_document(text)
    except UnicodeDecodeError:
        reason = "is not valid UTF-8"
    except json.JSONDecodeError as exc:
        reason, line = f"is not valid JSON ({exc.msg})", exc.lineno
    except NotYaml as exc:
        reason, line = f"is not valid YAML ({exc.problem})", exc.line
    else:
        problems = model(data)[1]
        if not problems:
            return data
        reason = "is not a SWML document: " + "; ".join(message for _, message in problems)
    raise ConfcError(f"the committed artifact {reason}; {mend}", file=shown, line=line)


def run_cases(compiler: Compiler, found: Sequence[Case], envs: Sequence[str], artifacts: Path | None = None) -> list[Outcome]:
    """Every case in each of `envs` it covers; a document that cannot be had raises, naming the profile."""
    outcomes = []
    unknown: list[ConfcError] = []
    rendered: dict[tuple[str, str], Any] = {}  # cases share documents: each is compiled (or read) once
    roles: dict[tuple[str, str], list[str] | None] = {}
    for case in found:
        ran: dict[str, Any] = {}  # env -> the document the case ran on there
        for env in envs:
            if case.envs is not None and env not in case.envs:
                continue
            key = (case.profile, env)
            if key not in rendered:
                rendered[key] = document_data(compiler, case.profile, env, artifacts)
            if "role" in case.expect and key not in roles:
                roles[key] = _roles_in(compiler, case.profile, env)
            ran[env] = rendered[key]
            unknown += _clashes(case, env, rendered[key]) + _absent_role(case, env, roles.get(key))
            document = require(secrets.with_test_values(rendered[key], case.secrets), profile=case.profile, env=env)
            call = simulate(document, case.digits, case.result, case.caller)
            outcomes.append(Outcome(case, env, call, difference(case, call)))
        unknown += _untried(case, ran)
    raise_all(unknown)
    return outcomes


def _absent_role(case: Case, env: str, roles: list[str] | None) -> list[ConfcError]:
    """A role the case expects that is not among `roles`, the profile's roles in `env` (an [env.NAME] unset it):
    no call can join as it there, so the case would fail whatever the profile does."""
    role = case.expect.get("role")
    if role is None or roles is None or role in roles:
        return []
    has = f"its roles there: {', '.join(roles)}" if roles else "it has no roles there"
    return [
        case.error(
            f"profile {case.profile} has no role {show(role)} in {env} ({has}), so no call joins as it there "
            "(env or envs limits a case to the environments it is meant for)",
            "expect",
            "role",
        )
    ]


def _untried(case: Case, ran: Mapping[str, Any]) -> list[ConfcError]:
    """A test value for a secret that no document the case ran on has is tried nowhere: the case would prove nothing.
    One that some of them have is fine (a case for every environment, whose PIN is a secret in prod alone)."""
    missing = sorted(set(case.secrets) - set(secrets.used(ran.values(), case.secrets))) if ran else []
    return [
        _at_secret(
            case,
            name,
            f"{case.profile} has no secret {name} in {', '.join(ran)}, so its value would be tried nowhere "
            "(env or envs limits a case to the environments it is meant for)",
        )
        for name in missing
    ]


def _clashes(case: Case, env: str, document: Any) -> list[ConfcError]:
    """A test value that is another role's PIN leaves a role out of reach: the case would prove nothing."""
    clashing = {name for names, _ in secrets.clashes(document, case.secrets) for name in names}
    return [
        _at_secret(
            case, name, f"the test value of {name} is also another role's PIN in {env}, which leaves one of them out of reach"
        )
        for name in sorted(clashing)
    ]


def _at_secret(case: Case, name: str, message: str) -> ConfcError:
    line = case.source.lines[("case", str(case.index), "secrets", name)]
    return ConfcError(message, file=case.source.display, line=line, key=f"case.secrets.{name}")
