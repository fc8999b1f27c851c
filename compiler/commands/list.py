"""confc list: every profile with its parents, and the environments."""

from __future__ import annotations

import argparse

import compiler

from ..errors import raise_all
from ..layering import parents_of


def run(args: argparse.Namespace) -> int:
    built = compiler.compiler(args.config_dir)
    repo = built.repo
    width = max((len(p) for p in repo.profiles), default=0)
    print("profiles:")
    for profile, source in repo.profiles.items():
        parents = parents_of(built.data(source) or {})
        notes = ["abstract"] if built.abstract(profile) else []
        if parents:
            notes.append("extends " + ", ".join(parents))
        roles = (built.data(source) or {}).get("roles")
        if isinstance(roles, dict) and roles:
            notes.append("roles " + ", ".join(map(str, roles)))
        print(f"  {profile:<{width}}  {'; '.join(notes)}".rstrip())
    width = max(len(e) for e in repo.environments)
    print("environments:")
    for env, source in repo.environments.items():
        print(f"  {env:<{width}}  {(built.data(source) or {}).get('description', '')}".rstrip())
    # What could be listed is listed; the files that could not be read fully are reported too.
    raise_all(built.file_problems())
    return 0
