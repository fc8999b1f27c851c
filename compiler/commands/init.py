"""confc init: a starter repository that builds at once; never overwrites anything."""

from __future__ import annotations

import argparse
import os
import sys
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from ..errors import ConfcError, raise_all

STARTER = ("environments/dev.toml", "environments/staging.toml", "environments/prod.toml",
           "profiles/base.toml", "profiles/support.toml", "profiles/standup.toml")


def _starter(rel: str) -> Traversable:
    node = files("compiler").joinpath("starter")
    for part in rel.split("/"):
        node = node.joinpath(part)
    return node


def run(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    shown = args.dir.rstrip("/") or "/"
    taken = [rel for rel in STARTER if os.path.lexists(root / rel)]
    raise_all([ConfcError("already exists; confc init writes nothing into a folder that holds its files", file=f"{shown}/{rel}") for rel in taken])
    try:
        for rel in STARTER:
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as handle:  # "x": fail rather than overwrite a file created meanwhile
                handle.write(_starter(rel).read_bytes())
    except OSError as exc:
        raise ConfcError(f"cannot write the starter repository: {exc.strerror or exc}", file=str(exc.filename or shown)) from None
    print(f"{shown}: starter repository written ({len(STARTER)} files). Next: confc build {shown} --all-envs", file=sys.stderr)
    return 0
