"""What several commands share: reading CONFIG_DIR and choosing environments and output."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfcError, UsageError, did_you_mean, raise_all, show
from ..report import Reporter
from ..repository import Repository, load

if TYPE_CHECKING:
    from ..pipeline import Compiler


def open_repo(args: argparse.Namespace, *, fmt: str = "yaml") -> Compiler:
    """Read and check every file of CONFIG_DIR, ready to compile any profile."""
    from ..pipeline import Compiler

    repo = load(args.config_dir)
    return Compiler(repo, overrides=overrides(args), fmt=fmt)


def overrides(args: argparse.Namespace) -> list[str]:
    return getattr(args, "set", None) or []


def settings(repo: Repository) -> dict[str, str]:
    """[build] of confc.toml, checked: out and format are used before anything is compiled."""
    if repo.settings is None:
        return {}
    from ..validate import settings_errors

    raise_all(settings_errors(repo))
    return dict(repo.settings.data.get("build", {}))


def choose_envs(repo: Repository, names: Sequence[str] | None, *, all_envs: bool, required: bool) -> list[str]:
    """The environments asked for, each checked to exist; all of them when none is named."""
    if all_envs or not names:
        if required and not all_envs:
            raise UsageError("name the environments to build with --env ENV (repeatable) or use --all-envs")
        return list(repo.environments)
    return [check_env(repo, name) for name in dict.fromkeys(names)]


def check_env(repo: Repository, name: str) -> str:
    if name not in repo.environments:
        hint = did_you_mean(name, repo.environments)
        raise UsageError(f"unknown environment {show(name)}{hint}; known: {', '.join(repo.environments)}")
    return name


def check_profile(repo: Repository, name: str) -> str:
    if name not in repo.profiles:
        hint = did_you_mean(name, repo.profiles)
        raise UsageError(f"unknown profile {show(name)}{hint}; see confc list {repo.display_root}")
    return name


def output_format(args: argparse.Namespace, repo: Repository) -> str:
    return args.format or settings(repo).get("format", "yaml")


def output_dir(args: argparse.Namespace, repo: Repository) -> tuple[Path, str]:
    """OUT as a path and as messages show it: --out, else [build] out, else build/ beside CONFIG_DIR."""
    if args.out:
        return Path(args.out), args.out
    configured = settings(repo).get("out")
    shown = os.path.join(repo.display_root, configured) if configured else os.path.join(repo.display_root, os.pardir, "build")
    shown = os.path.normpath(shown)
    return Path(shown), shown


def reporter(args: argparse.Namespace) -> Reporter:
    return Reporter(getattr(args, "error_format", None) or "text")


def warn(args: argparse.Namespace, warnings: Sequence[ConfcError]) -> None:
    report = reporter(args)
    for warning in warnings:
        report.warning(warning)


def progress() -> Callable[[int, int], None] | None:
    """A counter on stderr while compiling, only when stderr is a terminal (never in logs or pipes)."""
    if not sys.stderr.isatty():
        return None
    shown = -1

    def report(done: int, total: int) -> None:
        nonlocal shown
        percent = done * 100 // max(total, 1)
        if percent != shown:
            shown = percent
            end = "\r" + " " * 40 + "\r" if done >= total else ""
            print(f"\rconfc: compiled {done}/{total}{end}", end="", file=sys.stderr, flush=True)

    return report
