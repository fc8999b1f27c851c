"""Random profile trees resolve exactly as a plain reading of SPEC section 4 says."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import compiler

KEYS = ("region", "coach", "wait_url", "record")
VALUES = {
    "region": st.sampled_from(["global", "us", "eu", "ch"]),
    "coach": st.sampled_from(["CA1", "CA2", "CA3"]),
    "wait_url": st.sampled_from(["https://a.example.com/x.mp3", "https://b.example.com/y.mp3"]),
    "record": st.sampled_from(["do-not-record", "record-from-start"]),
}
layer = st.fixed_dictionaries(
    {"unset": st.lists(st.sampled_from(KEYS), unique=True, max_size=2)},
    optional={key: VALUES[key] for key in KEYS},
)


@st.composite
def trees(draw: st.DrawFn) -> dict[str, dict]:
    size = draw(st.integers(1, 7))
    profiles = {}
    for index in range(size):
        parents = draw(st.lists(st.integers(0, index - 1), unique=True, max_size=3)) if index else []
        profiles[f"p{index}"] = {
            "extends": [f"p{p}" for p in parents],
            "top": draw(layer),
            "dev": draw(st.none() | layer),
        }
    return profiles


def model_order(profiles: dict[str, dict], profile: str) -> list[str]:
    """Depth-first, parents left to right, each profile once at its first place, itself last."""
    seen: list[str] = []

    def visit(name: str) -> None:
        for parent in profiles[name]["extends"]:
            visit(parent)
        if name not in seen:
            seen.append(name)

    visit(profile)
    return seen


def model_resolve(profiles: dict[str, dict], defaults: dict, profile: str, env: str) -> dict:
    result = dict(defaults)
    for name in model_order(profiles, profile):
        for table in (profiles[name]["top"], profiles[name][env] if env == "dev" else None):
            if table is None:
                continue
            for key in table["unset"]:
                result.pop(key, None)
            result.update({k: v for k, v in table.items() if k != "unset"})
    return result


def to_toml(spec: dict) -> str:
    def conference(table: dict) -> dict:
        return {k: v for k, v in table.items() if k != "unset"}

    data: dict = {"extends": spec["extends"], "unset": [f"conference.{k}" for k in spec["top"]["unset"]]}
    data["conference"] = {"name": "n", **conference(spec["top"])}
    if spec["dev"] is not None:
        data["env"] = {"dev": {"unset": [f"conference.{k}" for k in spec["dev"]["unset"]], "conference": conference(spec["dev"])}}
    return tomli_w.dumps(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(profiles=trees(), defaults=st.fixed_dictionaries({}, optional={"region": VALUES["region"], "record": VALUES["record"]}))
def test_resolution_matches_the_reference_model(make_repo: Callable[..., Path], profiles: dict, defaults: dict) -> None:
    files = {f"profiles/{name}.toml": to_toml(spec) for name, spec in profiles.items()}
    files["environments/dev.toml"] = tomli_w.dumps({"defaults": {"conference": defaults}})
    files["environments/prod.toml"] = ""
    repo = make_repo(files, envs=False)
    build = compiler.compiler(repo)
    for name in profiles:
        for env in ("dev", "prod"):
            expected = model_resolve(profiles, defaults if env == "dev" else {}, name, env)
            # Every profile sets name = "n", and unsetting it would make it invalid: keep it aside.
            got = dict(build.values(name, env)[1]["conference"])
            got.pop("name", None)
            assert got == expected, (name, env)
