"""confc init: a starter profile repository, ready for git, that builds at once; never overwrites anything (a README
or .gitattributes of the user's is kept, and the rest is written beside it)."""

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


# Files a new repository often has already (a hosting service offers to create them): the user's stay as they are.
KEPT = (".gitattributes", "README.md")


def run(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    shown = args.dir.rstrip("/") or "/"
    taken = [rel for rel in STARTER if os.path.lexists(root / rel)]
    raise_all(
        [
            ConfcError("already exists; confc init writes nothing into a folder that holds its files", file=f"{shown}/{rel}")
            for rel in taken
            if rel not in KEPT
        ]
    )
    kept = [rel for rel in taken if rel in KEPT]
    pinned = this_confc()
    install = (pinned or UNKNOWN_SOURCE).encode()
    written = {rel: packaged for rel, packaged in STARTER.items() if rel not in kept}
    try:
        for rel, packaged in written.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as handle:  # "x": fail rather than overwrite a file created meanwhile
                handle.write(_starter(packaged).read_bytes().replace(b"@CONFC@", install))
    except OSError as exc:
        raise ConfcError(f"cannot write the starter repository: {exc.strerror or exc}", file=str(exc.filename or shown)) from None
    print(
        f"{shown}: starter repository written ({len(written)} files). Next: confc build {shown}/configs --all-envs",
        file=sys.stderr,
    )
    for rel in kept:
        lacking = _missing_lines(root / rel) if rel == ".gitattributes" else ""
        print(f"{shown}/{rel}: yours, kept as it is{lacking}", file=sys.stderr)
    if pinned is None:
        print(
            f"{shown}/.github/workflows/confc.yml: say where CI installs confc from: this confc was not installed from a "
            "git repository or a package index, so the workflow names a placeholder",
            file=sys.stderr,
        )
    return 0


def _missing_lines(path: Path) -> str:
    """For a kept .gitattributes, the starter's lines it lacks, which keep git from converting confc's line endings."""
    try:
        have = {line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()}
    except OSError:
        have = set()
    ours = [line for line in _starter("gitattributes").read_text().splitlines() if line and not line.startswith("#")]
    lacking = [line for line in ours if line not in have]
    said = " and ".join(f'"{line}"' for line in lacking)
    return (
        f"; add the line{'s' if len(lacking) > 1 else ''} {said} to it, or git may convert confc's line endings"
        if lacking
        else ""
    )


# What the workflow says when this confc came from nowhere another machine can fetch; pip refuses it, naming it.
UNKNOWN_SOURCE = "git+https://git.example.com/YOUR-ORG/confc@COMMIT"
