"""confc list: every profile with its parents, and the environments."""

from __future__ import annotations

import argparse

import compiler

from ..layering import parents_of


def run(args: argparse.Namespace) -> int:
    repo = compiler.compiler(args.config_dir).repo  # checks every file, so a broken one is reported, not listed
    width = max((len(p) for p in repo.profiles), default=0)
    print("profiles:")
    for profile, source in repo.profiles.items():
        parents = parents_of(source)
        notes = ["abstract"] if repo.abstract(profile) else []
        if parents:
            notes.append("extends " + ", ".join(parents))
        print(f"  {profile:<{width}}  {'; '.join(notes)}".rstrip())
    width = max(len(e) for e in repo.environments)
    print("environments:")
    for env, source in repo.environments.items():
        print(f"  {env:<{width}}  {source.data.get('description', '')}".rstrip())
    return 0
