"""The floor: the least any Python tool can do for this job, for comparison with confc.

Read and parse every file once, deep-merge each profile over its ancestors per
environment, json.dumps the result, write one file per profile per environment.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path
from typing import Any


def merge(below: dict[str, Any], above: dict[str, Any]) -> dict[str, Any]:
    out = dict(below)
    for key, value in above.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def resolved(
    profiles: dict[str, Any], env: str, env_data: dict[str, Any], cache: dict[str, dict[str, Any]], name: str
) -> dict[str, Any]:
    """A plain deep merge of a profile's ancestors, then itself, then its [env.ENV] table."""
    if name not in cache:
        data = profiles[name]
        parents = data.get("extends", [])
        result: dict[str, Any] = {"conference": env_data.get("defaults", {}).get("conference", {})}
        for parent in [parents] if isinstance(parents, str) else parents:
            result = merge(result, resolved(profiles, env, env_data, cache, parent))
        own = {k: v for k, v in data.items() if k not in ("extends", "abstract", "env")}
        result = merge(merge(result, own), data.get("env", {}).get(env, {}))
        cache[name] = result
    return cache[name]


def main(repo: Path, out: Path) -> None:
    profiles = {
        p.relative_to(repo / "profiles").with_suffix("").as_posix(): tomllib.loads(p.read_text())
        for p in sorted((repo / "profiles").rglob("*.toml"))
    }
    envs = {p.stem: tomllib.loads(p.read_text()) for p in sorted((repo / "environments").glob("*.toml"))}
    for env, env_data in envs.items():
        cache: dict[str, dict[str, Any]] = {}
        for name, data in profiles.items():
            if data.get("abstract"):
                continue
            target = out / env / f"{name}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(resolved(profiles, env, env_data, cache, name), default=str))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
