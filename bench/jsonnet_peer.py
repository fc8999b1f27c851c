"""The peer: the benchmark repository expressed as Jsonnet, evaluated by go-jsonnet.

Each profile becomes a function of the environment name that starts from its
parents (`+` with `+:` on every table, so tables merge key by key as in confc),
adds its own top level, then its [env.NAME] table. One snippet per environment
evaluates every non-abstract profile; each result is written as a JSON file.
`{{ }}` values stay literal strings: like the floor, the peer does no interpolation.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path
from typing import Any

LAYER_KEYS = ("description", "template", "vars", "greeting", "conference")


def literal(value: Any) -> str:
    """A TOML value as Jsonnet; a table field merges (`+:`) into what lies beneath, others replace."""
    if isinstance(value, dict):
        fields = (f"{json.dumps(k)}{'+:' if isinstance(v, dict) else ':'} {literal(v)}" for k, v in value.items())
        return "{" + ", ".join(fields) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return json.dumps(value)


def translate(repo: Path, out: Path) -> list[str]:
    """Write lib/ID.libsonnet for every profile; return the non-abstract ids."""
    buildable = []
    for path in sorted((repo / "profiles").rglob("*.toml")):
        profile = path.relative_to(repo / "profiles").with_suffix("").as_posix()
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        parents = data.get("extends", [])
        parents = [parents] if isinstance(parents, str) else parents
        base = " + ".join(f"(import '{p}.libsonnet')(env)" for p in parents) or "{}"
        own = literal({k: data[k] for k in LAYER_KEYS if k in data})
        overrides = " else ".join(
            f"if env == {json.dumps(env)} then {literal({k: t[k] for k in LAYER_KEYS if k in t})}"
            for env, t in data.get("env", {}).items()
        )
        body = f"{base} + {own}" + (f" + ({overrides} else {{}})" if overrides else "")
        target = out / "lib" / f"{profile}.libsonnet"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"function(env) {body}\n", encoding="utf-8")
        if not data.get("abstract", False):
            buildable.append(profile)
    return buildable


def evaluate(repo: Path, lib: Path, buildable: list[str], out: Path) -> None:
    import _gojsonnet  # type: ignore[import-not-found]

    for env_file in sorted((repo / "environments").glob("*.toml")):
        env = env_file.stem
        defaults = literal(tomllib.loads(env_file.read_text(encoding="utf-8")).get("defaults", {}))
        entries = ", ".join(f"{json.dumps(p)}: {defaults} + (import '{p}.libsonnet')({json.dumps(env)})" for p in buildable)
        results = json.loads(_gojsonnet.evaluate_snippet("main.jsonnet", "{" + entries + "}", jpathdir=[str(lib)]))
        for profile, value in results.items():
            target = out / env / f"{profile}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(value), encoding="utf-8")


if __name__ == "__main__":
    repo, work = Path(sys.argv[1]), Path(sys.argv[2])
    if sys.argv[3] == "translate":
        (work / "buildable.json").write_text(json.dumps(translate(repo, work)))
    else:
        evaluate(repo, work / "lib", json.loads((work / "buildable.json").read_text()), Path(sys.argv[4]))
