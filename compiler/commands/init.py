"""confc init: a starter profile repository, ready for git, that builds at once; never overwrites anything."""

from __future__ import annotations

import argparse
import os
import sys
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from ..errors import ConfcError, raise_all
from ..install_spec import this_confc

# What DIR gets -> where the package keeps it (package data avoids dot-files and folders named like .github).
STARTER = {
    **{
        f"configs/{rel}": f"configs/{rel}"
        for rel in (
            "environments/dev.toml",
            "environments/staging.toml",
            "environments/prod.toml",
            "profiles/base.toml",
            "profiles/support.toml",
            "profiles/standup.toml",
            "profiles/all-hands.toml",
            "tests/calls.toml",
        )
    },
    ".gitattributes": "gitattributes",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
    ".github/workflows/confc.yml": "workflow.yml",
    "README.md": "README.md",
}


def _starter(rel: str) -> Traversable:
    node = files("compiler").joinpath("starter")
    for part in rel.split("/"):
        node = node.joinpath(part)
    return node


def run(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    shown = args.dir.rstrip("/") or "/"
    taken = [rel for rel in STARTER if os.path.lexists(root / rel)]
    raise_all(
        [
            ConfcError("already exists; confc init writes nothing into a folder that holds its files", file=f"{shown}/{rel}")
            for rel in taken
        ]
    )
    pinned = this_confc()
    install = (pinned or UNKNOWN_SOURCE).encode()
    try:
        for rel, packaged in STARTER.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as handle:  # "x": fail rather than overwrite a file created meanwhile
                handle.write(_starter(packaged).read_bytes().replace(b"@CONFC@", install))
    except OSError as exc:
        raise ConfcError(f"cannot write the starter repository: {exc.strerror or exc}", file=str(exc.filename or shown)) from None
    print(
        f"{shown}: starter repository written ({len(STARTER)} files). Next: confc build {shown}/configs --all-envs",
        file=sys.stderr,
    )
    if pinned is None:
        print(
            f"{shown}/.github/workflows/confc.yml: say where CI installs confc from: this confc was not installed from a "
            "git repository or a package index, so the workflow names a placeholder",
            file=sys.stderr,
        )
    return 0


# What the workflow says when this confc came from nowhere another machine can fetch; pip refuses it, naming it.
UNKNOWN_SOURCE = "git+https://git.example.com/YOUR-ORG/confc@COMMIT"
