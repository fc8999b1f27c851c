"""confc: compile TOML conference profiles into SignalWire SWML documents.

The library API the commands are built on; heavy modules load on first use,
so `confc --version` stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .artifacts import EnvPlan
    from .pipeline import Compiler

__all__ = ["__version__", "build", "compiler", "resolve"]


def compiler(config_dir: str | os.PathLike[str], overrides: Sequence[str] = (), fmt: str = "yaml") -> Compiler:
    """Read and shape-check CONFIG_DIR; the returned Compiler resolves and renders any profile."""
    from .pipeline import Compiler
    from .repository import load

    return Compiler(load(config_dir), overrides=overrides, fmt=fmt)


def resolve(config_dir: str | os.PathLike[str], profile: str, env: str, overrides: Sequence[str] = ()) -> dict[str, Any]:
    """A profile merged, interpolated and validated for `env`, in emitted form."""
    return dict(compiler(config_dir, overrides).compile(profile, env).values)


def build(
    config_dir: str | os.PathLike[str],
    envs: Sequence[str],
    out: str | os.PathLike[str],
    fmt: str = "yaml",
    overrides: Sequence[str] = (),
) -> list[EnvPlan]:
    """Compile every profile of `envs` into OUT/ENV; nothing is written unless all succeed.

    Artifacts whose inputs are unchanged since the last build are reused, not compiled again.
    """
    from . import artifacts, incremental
    from .repository import load

    plans, _warnings = incremental.plans(load(config_dir, parse=False), envs, out, os.fspath(out), fmt=fmt, overrides=overrides)
    for plan in plans:
        artifacts.apply(plan)
    return plans
