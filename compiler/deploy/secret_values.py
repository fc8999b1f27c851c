"""The values of secret PINs, for plan and apply only: from the process environment or a file named on the command line."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import secrets
from ..errors import ConfcError, UsageError
from ..repository import Repository


def referenced(repo: Repository) -> set[str]:
    """Every secret name the profiles reference (files that do not parse are the check's to report)."""
    found: set[str] = set()
    for source in repo.profiles.values():
        try:
            found |= secrets.names_in(source.data)
        except ConfcError:
            continue
    return found


def read_file(path: str) -> dict[str, Any]:
    """A TOML file of NAME = "VALUE" lines; its values are never shown, not even in its own errors."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--secrets {path}: cannot read it ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        raise UsageError(f'--secrets {path}: not a TOML file of NAME = "VALUE" lines') from None
    return data


def resolve(names: Sequence[str], environ: Mapping[str, str], file: Mapping[str, Any]) -> dict[str, str]:
    """Placeholder -> value for each of `names`: the file first, then the environment; every problem together."""
    found: dict[str, str] = {}
    missing, malformed = [], []
    for name in names:
        value = file.get(name, environ.get(name))
        if value is None or value == "":
            missing.append(name)
        elif not isinstance(value, str) or not secrets.VALUE.fullmatch(value):
            malformed.append(name)
        else:
            found[secrets.placeholder(name)] = value
    problems = []
    if missing:
        problems.append(
            f"the secret PIN{'s' if len(missing) > 1 else ''} {', '.join(missing)} {'have' if len(missing) > 1 else 'has'} "
            "no value: set the environment variable of that name, or give --secrets FILE; nothing was sent"
        )
    if malformed:
        problems.append(f"the value of {', '.join(malformed)} is not a PIN of 1 to 16 digits (the value is not shown)")
    if problems:
        raise UsageError("; ".join(problems))
    return found
