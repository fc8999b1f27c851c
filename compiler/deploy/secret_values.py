"""The values of secret PINs, for plan and apply only: from the process environment or a file named on the command line."""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import secrets
from ..errors import ConfcError, UsageError
from ..repository import Repository, toml_problem


def referenced(repo: Repository) -> tuple[set[str], set[str]]:
    """Every secret name the profiles reference, and those of them that are PINs (files that do not parse are the
    check's to report)."""
    found: set[str] = set()
    pins: set[str] = set()
    for source in repo.profiles.values():
        try:
            data = source.data
        except ConfcError:
            continue
        found |= secrets.names_in(data)
        layers = [data, *(data.get("env") or {}).values()] if isinstance(data.get("env"), Mapping) else [data]
        for layer in layers:
            roles = layer.get("roles") if isinstance(layer, Mapping) else None
            for role in roles.values() if isinstance(roles, Mapping) else ():
                pins |= secrets.names_in(role.get("pin")) if isinstance(role, Mapping) else set()
    return found, pins


def read_file(path: str) -> dict[str, Any]:
    """A TOML file of NAME = "VALUE" lines; its values are never shown, not even in its own errors."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--secrets {path}: cannot read it ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise UsageError(f"--secrets {path}: not valid UTF-8; save it as UTF-8") from None
    if text.startswith("\ufeff"):
        raise UsageError(f"--secrets {path}: starts with a byte order mark; save it as UTF-8 without a BOM")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        _, line = toml_problem(exc, text)  # only where: tomllib's own words may quote a character of a value
        where = f" at line {line}" if line else ""
        raise UsageError(f'--secrets {path}: not a TOML file of NAME = "VALUE" lines{where}') from None


def resolve(
    names: Sequence[str], environ: Mapping[str, str], file: Mapping[str, Any], pins: Collection[str] = ()
) -> dict[str, str]:
    """Placeholder -> value for each of `names`: the file first, then the environment; every problem together.
    The values of `pins` must be PINs; any other is one line of text."""
    found: dict[str, str] = {}
    missing, malformed = [], []
    for name in names:
        value = file.get(name, environ.get(name))
        if value is None or value == "":
            missing.append(name)
        elif not isinstance(value, str) or not (secrets.VALUE.fullmatch(value) if name in pins else value.isprintable()):
            malformed.append(name)
        else:
            found[secrets.placeholder(name)] = value
    problems = []
    if missing:
        problems.append(
            f"the secret{'s' if len(missing) > 1 else ''} {', '.join(missing)} {'have' if len(missing) > 1 else 'has'} "
            "no value: set the environment variable of that name, or give --secrets FILE; nothing was sent"
        )
    if malformed:
        problems.append(
            f"the value of {', '.join(malformed)} is not a PIN of 1 to 16 digits, or for a token one line of text "
            "(the value is not shown)"
        )
    if problems:
        raise UsageError("; ".join(problems))
    return found


def clashes(document: Any, values: Mapping[str, str], names: Collection[str], shown: str) -> list[UsageError]:
    """Where the value of a secret of `names` (`values`: placeholder -> value) is another role's PIN in `document`:
    one of the two roles could never be reached. No value is shown: the other may be a PIN written in a profile."""
    found = []
    for clashing, written in secrets.clashes(document, {name: values[secrets.placeholder(name)] for name in names}):
        said = [f"secret {name}" for name in clashing] + ["a PIN written in the profile"] * written
        found.append(
            UsageError(
                f"{' and '.join(said)} are the same PIN, so one of their roles could never be reached: "
                "give each role PINs of its own (the values are not shown); nothing was sent",
                file=shown,
            )
        )
    return found
