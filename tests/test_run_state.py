"""A run leaves nothing behind: no module of confc keeps state from one run to the next.

Every cache belongs to the run that fills it (the compiler, its renderer and its checks), so a
long-lived process that runs confc again and again neither grows nor answers from an old run.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import shutil
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import compiler
from compiler import parallel

ROOT = Path(__file__).resolve().parent.parent


def _modules() -> list[types.ModuleType]:
    names = [info.name for info in pkgutil.walk_packages(compiler.__path__, "compiler.") if not info.name.endswith("__main__")]
    return [compiler, *(importlib.import_module(name) for name in names)]


def _state(value: Any) -> Any:
    """What a run could change in a value a module holds: a container's contents, a cache's size, a binding."""
    if isinstance(value, functools._lru_cache_wrapper):
        return ("cache", value.cache_info().currsize)
    if isinstance(value, (dict, list, set, bytearray)):
        return ("contents", repr(value))
    return ("object", id(value))


def _holdings(module: types.ModuleType) -> Iterator[tuple[str, Any]]:
    """Every module-level name confc defines, and the attributes of the classes it defines there."""
    for name, value in vars(module).items():
        if name.startswith("__") or isinstance(value, types.ModuleType):
            continue  # a submodule appears on its package once imported: that is Python's, not a run's
        if getattr(value, "__module__", module.__name__) not in (module.__name__, None) and callable(value):
            continue  # imported from elsewhere (urllib's own caches are the standard library's)
        yield name, _state(value)
        if isinstance(value, type) and value.__module__ == module.__name__:
            for attr, held in vars(value).items():
                if not attr.startswith("__"):
                    yield f"{name}.{attr}", _state(held)


def _snapshot() -> dict[str, Any]:
    return {f"{module.__name__}.{name}": state for module in _modules() for name, state in _holdings(module)}


def test_no_command_leaves_state_in_any_module(cli: Callable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    _modules()  # every module imported before the first snapshot: importing is not running
    before = _snapshot()
    runs = [
        ("build", "configs", "--all-envs", "--out", "one", "--jobs", "1"),
        ("build", "configs", "--all-envs", "--out", "two", "--jobs", "2"),  # forked workers: their state is their own
        ("check", "configs", "--all-envs", "--out", "one", "--no-cache"),
        ("validate", "configs"),
        ("show", "configs", "all-hands", "--env", "prod", "--swml"),
        ("explain", "configs", "standup", "conference.max_participants", "--env", "prod"),
        ("simulate", "configs", "all-hands", "--env", "prod", "--digits", "0000"),
        ("test", "configs", "--all-envs"),
        ("graph", "configs", "--flow", "all-hands", "--env", "prod"),
    ]
    for argv in runs:
        assert cli(*argv).code == 0, argv
    after = _snapshot()
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    assert changed == []
