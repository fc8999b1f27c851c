"""The choices a build makes about a repository: which environments, which output folder, which format."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import ConfcError, ErrorGroup, UsageError, did_you_mean_name, did_you_mean_profile, raise_all, show
from .repository import Repository


def settings(repo: Repository) -> dict[str, Any]:
    """[build] of confc.toml, checked: out and format are used before anything is compiled."""
    if repo.settings is None:
        return {}
    from .shapes import settings_errors  # Cerberus loads only for a repository that has settings

    raise_all(settings_errors(repo))
    return dict(repo.settings.data.get("build", {}))


def environments(repo: Repository, names: Sequence[str] | None) -> list[str]:
    """The environments named, each checked to exist, without repeats; every one when None."""
    if names is None:
        return list(repo.environments)
    return [check_env(repo, name) for name in dict.fromkeys(names)]


def check_env(repo: Repository, name: str) -> str:
    if name not in repo.environments:
        hint = did_you_mean_name(name, repo.environments)
        raise UsageError(f"unknown environment {show(name)}{hint}; known: {', '.join(repo.environments)}")
    return name


def check_profile(repo: Repository, name: str) -> str:
    if name not in repo.profiles:
        hint = did_you_mean_profile(name, repo.profiles)
        raise UsageError(f"unknown profile {show(name)}{hint}; see confc list {repo.display_root}")
    return name


def output_format(repo: Repository, fmt: str | None) -> str:
    """`fmt` if given, else [build] format, else yaml."""
    return fmt or settings(repo).get("format", "yaml")


def output_dir(repo: Repository, out: str | os.PathLike[str] | None, envs: Sequence[str]) -> tuple[Path, str]:
    """OUT as a path and as messages show it: `out`, else [build] out, else build/ beside CONFIG_DIR;
    refused where OUT/ENV for one of `envs` could not hold artifacts safely."""
    if out is not None:
        folder, shown = Path(out), os.fspath(out)
    else:
        configured = settings(repo).get("out")
        shown = os.path.join(repo.display_root, configured) if configured else os.path.join(repo.display_root, os.pardir, "build")
        shown = os.path.normpath(shown)
        folder = Path(shown)
    problem = _unfit_output(repo, folder, envs)
    if problem is None:
        return folder, shown
    if out is not None:
        raise UsageError(f"--out {shown}: {problem}; choose another folder")
    if repo.settings is not None and configured:
        raise repo.settings.error(f"{shown}: {problem}; choose another folder", "build", "out")
    raise UsageError(f"the default output folder {shown}: {problem}; choose one with --out or [build] out in confc.toml")


# The folders confc reads: artifacts written among them would be read back as inputs on the next run.
INPUT_FOLDERS = ("profiles", "environments", "templates", "tests")


def _unfit_output(repo: Repository, folder: Path, envs: Sequence[str]) -> str | None:
    if folder.exists() and not folder.is_dir():
        return "is a file, not a folder"
    inputs = [(name, os.path.realpath(repo.root / name)) for name in INPUT_FOLDERS]
    for env in envs:
        target = os.path.realpath(folder / env)
        for name, source in inputs:
            if _within(target, source) or _within(source, target):
                return f"its {env}/ folder and CONFIG_DIR's {name}/ overlap, so artifacts would be read back as {name}"
    return None


def _within(path: str, folder: str) -> bool:
    return os.path.commonpath([path, folder]) == folder


def strict_everywhere(repo: Repository, strict: bool) -> bool:
    """--strict, or [build] strict = true in confc.toml: every environment's warnings are errors."""
    return strict or settings(repo).get("strict") is True


def strict_envs(repo: Repository, envs: Sequence[str], strict: bool) -> frozenset[str]:
    """The environments whose warnings are errors: all when strict everywhere, else those whose own file says
    [build] strict = true."""
    if strict_everywhere(repo, strict):
        return frozenset(envs)
    return frozenset(env for env in envs if _says_strict(repo, env))


def _says_strict(repo: Repository, env: str) -> bool:
    try:
        build = repo.environments[env].data.get("build")
    except ConfcError:
        return False  # the file's own error is reported where files are checked
    return isinstance(build, dict) and build.get("strict") is True


def escalate(warnings: Sequence[ConfcError], strict: frozenset[str]) -> list[ConfcError]:
    """The warnings that are errors under `strict`: those found in a strict environment."""
    return [w for w in warnings if (w.env in strict if w.env else bool(strict))]


def as_errors(warnings: Sequence[ConfcError]) -> list[ConfcError]:
    """Warnings made errors, each saying why it is one."""
    return [
        ConfcError(
            f"{w.message} (strict: warnings are errors)", file=w.file, line=w.line, key=w.key, profile=w.profile, env=w.env
        )
        for w in warnings
    ]


def refuse_warnings(warnings: Sequence[ConfcError], strict: frozenset[str]) -> None:
    """Raise the warnings found in strict environments as errors."""
    errors = as_errors(escalate(warnings, strict))
    if errors:
        raise ErrorGroup(errors)
