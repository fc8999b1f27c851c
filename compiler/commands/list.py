"""confc list: every profile with its parents, and the environments."""

from __future__ import annotations

import argparse
import json
from typing import Any

import compiler

from ..errors import ConfcError, raise_all
from ..inheritance import parents_of
from ..pipeline import Compiler


def run(args: argparse.Namespace) -> int:
    built = compiler.compiler(args.config_dir)
    profiles = [
        {
            "id": profile,
            "parents": list(parents_of(data)),
            "abstract": built.abstract(profile),
            "roles": _roles(built, profile, data),
        }
        for profile, source in built.repo.profiles.items()
        for data in [built.data(source) or {}]
    ]
    environments = [
        {"name": env, "description": (built.data(source) or {}).get("description", "")}
        for env, source in built.repo.environments.items()
    ]
    if args.format == "json":
        print(json.dumps({"profiles": profiles, "environments": environments}, indent=2, ensure_ascii=False))
    else:
        _text(profiles, environments)
    # What could be listed is listed; the files that could not be read fully are reported too.
    raise_all(built.file_problems())
    return 0


def _roles(built: Compiler, profile: str, data: Any) -> list[str]:
    """The roles a profile has from its own file and its ancestors, before any environment; its
    file's own, where its ancestry cannot be followed (that problem is reported below)."""
    try:
        roles = built.resolver.inherited(profile).get("roles")
    except ConfcError:
        roles = data.get("roles")
    return [str(name) for name in roles] if isinstance(roles, dict) else []


def _text(profiles: list[dict[str, Any]], environments: list[dict[str, Any]]) -> None:
    width = max((len(p["id"]) for p in profiles), default=0)
    print("profiles:")
    for profile in profiles:
        notes = ["abstract"] if profile["abstract"] else []
        if profile["parents"]:
            notes.append("extends " + ", ".join(profile["parents"]))
        if profile["roles"]:
            notes.append("roles " + ", ".join(profile["roles"]))
        print(f"  {profile['id']:<{width}}  {'; '.join(notes)}".rstrip())
    width = max(len(e["name"]) for e in environments)
    print("environments:")
    for env in environments:
        print(f"  {env['name']:<{width}}  {env['description']}".rstrip())
