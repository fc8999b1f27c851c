"""Incremental builds: a change to any input rebuilds exactly what depends on it, and never less."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from compiler import incremental
from compiler.artifacts import sha256
from compiler.pipeline import Compiler

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "profiles/base.toml": 'abstract = true\n[conference]\nstatus_callback = "{{ vars.hooks }}/c"\n',
    "profiles/mixin.toml": 'abstract = true\n[conference]\nregion = "us"\n',
    "profiles/sales.toml": 'extends = ["base", "mixin"]\n[conference]\nname = "sales"\n',
    "profiles/support.toml": 'extends = "base"\ntemplate = "custom"\n[conference]\nname = "support"\n',
    "profiles/teams/ops.toml": '[conference]\nname = "ops"\n',
    "templates/custom.j2": "version: 1.0.0\nsections:\n  main:\n    - answer: {}\n    - join_conference:\n        {{ profile.conference | yaml(8) }}\n",
}


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """Every (profile, env) the build compiles, in order."""
    seen: list[tuple[str, str]] = []
    real = Compiler.attempt

    def spy(self: Compiler, profile: str, env: str) -> object:
        seen.append((profile, env))
        return real(self, profile, env)

    monkeypatch.setattr(Compiler, "attempt", spy)
    yield seen


@pytest.fixture
def built(make_repo: Callable[..., Path], cli: Callable, compiled: list[tuple[str, str]]) -> Path:
    repo = make_repo(FILES)
    assert cli("build", "configs", "--all-envs").code == 0
    assert len(compiled) == 6
    compiled.clear()
    return repo


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def rebuild(cli: Callable, *args: str) -> str:
    run = cli("build", "configs", "--all-envs", *args)
    assert run.code == 0, run.err
    return run.err


def test_nothing_changed_compiles_nothing_and_writes_nothing(built: Path, cli: Callable, compiled: list, tmp_path: Path) -> None:
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (tmp_path / "build").rglob("*") if p.is_file()}
    assert rebuild(cli) == "build/dev: 0 written, 3 unchanged, 0 removed\nbuild/prod: 0 written, 3 unchanged, 0 removed\n"
    assert compiled == []
    assert before == {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (tmp_path / "build").rglob("*") if p.is_file()}


def test_a_comment_in_a_leaf_recompiles_only_that_leaf(built: Path, cli: Callable, compiled: list) -> None:
    (built / "profiles/teams/ops.toml").write_text('# who owns it: ops\n[conference]\nname = "ops"\n')
    (built / "profiles/base.toml").write_text("# shared\n" + FILES["profiles/base.toml"])
    # check names what changed when no artifact did: only the manifest's record of the inputs is stale.
    run = cli("check", "configs", "--env", "dev")
    assert (run.code, run.err.splitlines()[0]) == (
        1,
        "build/dev/manifest.json: stale: profiles/base.toml, profiles/teams/ops.toml changed since the last build,"
        " though no artifact did (it records the digest of every file read); run confc build",
    )
    compiled.clear()
    (built / "profiles/base.toml").write_text(FILES["profiles/base.toml"])
    rebuild(cli)
    assert sorted(compiled) == [("teams/ops", "dev"), ("teams/ops", "prod")]


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        ("profiles/base.toml", ["sales", "support"]),
        ("profiles/mixin.toml", ["sales"]),
        ("profiles/sales.toml", ["sales"]),
        ("templates/custom.j2", ["support"]),
    ],
)
def test_a_change_rebuilds_exactly_its_dependents(
    built: Path, cli: Callable, compiled: list, changed: str, expected: list[str]
) -> None:
    with (built / changed).open("a") as handle:
        handle.write("\n# touched\n" if changed.endswith(".toml") else "{# touched #}\n")
    rebuild(cli)
    assert sorted(compiled) == sorted((profile, env) for profile in expected for env in ("dev", "prod"))


def test_an_environment_file_rebuilds_its_environment_only(built: Path, cli: Callable, compiled: list, tmp_path: Path) -> None:
    (built / "environments/prod.toml").write_text('description = "Production"\n[vars]\nhooks = "https://new.example.com"\n')
    err = rebuild(cli)
    assert sorted(compiled) == [("sales", "prod"), ("support", "prod"), ("teams/ops", "prod")]
    assert err == "build/dev: 0 written, 3 unchanged, 0 removed\nbuild/prod: 2 written, 1 unchanged, 0 removed\n"
    assert b"https://new.example.com/c" in (tmp_path / "build/prod/sales.swml.yaml").read_bytes()


@pytest.mark.parametrize(
    "change",
    [
        "--set",  # a different --set
        "environment added",  # [env.NAME] tables are checked against the environments
        "version",  # another confc
    ],
)
def test_what_every_artifact_depends_on_rebuilds_everything(
    built: Path, cli: Callable, compiled: list, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    args: list[str] = []
    if change == "--set":
        args = ["--set", "conference.region=eu"]
    elif change == "environment added":
        (built / "environments/qa.toml").write_text('[vars]\nhooks = "https://qa.example.com"\n')
    else:
        monkeypatch.setattr(incremental, "__version__", "99.0")
    rebuild(cli, *args)
    assert {profile for profile, _ in compiled} == {"sales", "support", "teams/ops"}
    assert {env for _, env in compiled} >= {"dev", "prod"}
    compiled.clear()
    rebuild(cli, *args)
    assert compiled == []  # and once built, reused again


def test_an_edited_artifact_is_rebuilt(built: Path, cli: Callable, compiled: list, tmp_path: Path) -> None:
    artifact = tmp_path / "build/dev/sales.swml.yaml"
    original = artifact.read_bytes()
    artifact.write_bytes(original.replace(b"sales", b"hacked"))
    (tmp_path / "build/dev/support.swml.yaml").write_text("# a hotfix in the artifact\n")
    assert rebuild(cli).splitlines()[:2] == [
        "build/dev: sales.swml.yaml, support.swml.yaml: edited by hand since confc wrote them; replaced with their"
        " profiles' documents (a change to keep belongs in the profile)",
        "build/dev: 2 written, 1 unchanged, 0 removed",
    ]
    assert sorted(compiled) == [("sales", "dev"), ("support", "dev")]
    assert artifact.read_bytes() == original


def test_an_incomplete_manifest_is_not_trusted(built: Path, cli: Callable, compiled: list, tmp_path: Path) -> None:
    manifest = tmp_path / "build/dev/manifest.json"
    manifest.write_text(manifest.read_text().replace('"complete": true', '"complete": false'))
    rebuild(cli)
    assert sorted(compiled) == [("sales", "dev"), ("support", "dev"), ("teams/ops", "dev")]


def test_a_broken_change_fails_the_build_with_the_full_report(built: Path, cli: Callable, tmp_path: Path) -> None:
    before = outputs(tmp_path / "build")
    (built / "profiles/mixin.toml").write_text('abstract = true\n[conference]\nregion = ""\n')
    (built / "profiles/unused.toml").write_text("abstract = true\nextend = []\n")
    (built / "profiles/base.toml").unlink()
    run = cli("build", "configs", "--all-envs")
    assert run.code == 1
    assert run.err == (
        'configs/profiles/sales.toml:1: extends: unknown parent profile "base"\n'
        'configs/profiles/support.toml:1: extends: unknown parent profile "base"\n'
        'configs/profiles/unused.toml:2: extend: unknown key (did you mean "extends"?); accepted: '
        "abstract, access, conference, description, env, extends, greeting, recording, roles, template, unset, vars\n"
    )
    assert outputs(tmp_path / "build") == before


def test_a_removed_profile_loses_its_artifact(built: Path, cli: Callable, compiled: list, tmp_path: Path) -> None:
    (built / "profiles/teams/ops.toml").unlink()
    assert rebuild(cli) == "build/dev: 0 written, 2 unchanged, 1 removed\nbuild/prod: 0 written, 2 unchanged, 1 removed\n"
    assert compiled == []
    assert "teams/ops.swml.yaml" not in json.loads((tmp_path / "build/dev/manifest.json").read_text())["artifacts"]


EDITS = [
    ("profiles/base.toml", 'abstract = true\n[conference]\nstatus_callback = "{{ vars.hooks }}/v2"\n'),
    ("profiles/mixin.toml", 'abstract = true\n[conference]\nregion = "eu"\nbeep = "onExit"\n'),
    ("profiles/sales.toml", 'extends = ["mixin"]\n[conference]\nname = "sales-{{ env.name }}"\n'),
    ("profiles/support.toml", 'extends = "mixin"\n[conference]\nname = "support"\n'),
    ("profiles/teams/ops.toml", 'extends = "base"\nabstract = true\n'),
    ("profiles/teams/new.toml", 'extends = "teams/ops"\n[conference]\nname = "new"\n'),
    (
        "templates/custom.j2",
        "version: 1.0.0\nsections:\n  main:\n    - join_conference:\n        {{ profile.conference | yaml(8) }}\n",
    ),
    ("environments/dev.toml", 'description = "Dev"\n[vars]\nhooks = "https://dev2.example.com"\n'),
]


# Templates added: one shadowing the built-in, one a computed name picks up (ignore missing: absent until added), one no one uses.
TEMPLATES_ADDED = [
    (
        "templates/conference.j2",
        "version: 1.0.0\nsections:\n  main:\n    - join_conference:\n        {{ profile.conference | yaml(8) }}\n",
    ),
    ("templates/x-extra.j2", "    - answer: {}\n"),
    ("templates/parts/unused.j2", "{# nothing #}\n"),
]
PICKY = {
    "profiles/picky.toml": 'template = "pick"\ndescription = "extra"\n[conference]\nname = "picky"\n',
    "templates/pick.j2": "version: 1.0.0\nsections:\n  main:\n{% include 'x-' ~ profile.description ~ '.j2' ignore missing %}"
    "    - join_conference:\n        {{ profile.conference | yaml(8) }}\n",
}


@pytest.mark.parametrize("seed", range(6))
def test_a_series_of_edits_builds_what_a_fresh_build_builds(built: Path, cli: Callable, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    for path, text in PICKY.items():
        (built / path).write_text(text)
    rebuild(cli)
    for step in range(4):
        for path, text in rng.sample(EDITS + TEMPLATES_ADDED, rng.randint(1, 3)):
            (built / path).parent.mkdir(parents=True, exist_ok=True)
            (built / path).write_text(text.replace("2", str(step)) if rng.random() < 0.5 else text)
        rebuild(cli)
        assert cli("build", "configs", "--all-envs", "--out", f"fresh{seed}-{step}").code == 0
        assert outputs(tmp_path / "build") == outputs(tmp_path / f"fresh{seed}-{step}")


def test_a_warm_build_loads_no_compiler_machinery(built: Path, tmp_path: Path) -> None:
    # Nothing to compile: Jinja, Cerberus and PyYAML are never imported, so a no-op build costs file reads only.
    script = (
        "import sys; from compiler.cli import main; code = main(['build', 'configs', '--all-envs']); "
        "print(code, sorted(m for m in ('jinja2', 'cerberus', 'yaml') if m in sys.modules))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    assert run.stdout == "0 []\n", run.stderr


def test_parallel_incremental_builds_match(built: Path, cli: Callable, compiled: list, tmp_path: Path) -> None:
    (built / "profiles/base.toml").write_text('abstract = true\n[conference]\nstatus_callback = "{{ vars.hooks }}/p"\n')
    assert cli("build", "configs", "--all-envs", "--jobs", "2").code == 0
    assert cli("build", "configs", "--all-envs", "--out", "fresh").code == 0
    assert outputs(tmp_path / "build") == outputs(tmp_path / "fresh")


def test_a_template_a_template_includes_is_an_input_too(
    make_repo: Callable[..., Path], cli: Callable, compiled: list, tmp_path: Path
) -> None:
    head = "version: 1.0.0\nsections:\n  main:\n"
    make_repo(
        {
            "profiles/a.toml": 'template = "main"\n[conference]\nname = "a"\n',
            "profiles/b.toml": 'template = "pick"\ndescription = "part"\n[conference]\nname = "b"\n',
            "profiles/c.toml": '[conference]\nname = "c"\n',
            "templates/main.j2": head + '{% include "part.j2" %}\n',
            "templates/pick.j2": head + "{% include profile.description ~ '.j2' %}\n",  # a computed name
            "templates/part.j2": b"    - join_conference:\n        {{ profile.conference | yaml(8) }}\n",  # bytes: not dedented
        }
    )
    assert cli("build", "configs", "--env", "dev").code == 0
    entries = json.loads((tmp_path / "build/dev/manifest.json").read_text())["artifacts"]
    assert entries["a.swml.yaml"]["inputs"][-2:] == ["templates/main.j2", "templates/part.j2"]
    assert entries["b.swml.yaml"]["inputs"][-5:] == [
        "templates/pick.j2",
        "builtin:conference.j2",
        "templates/main.j2",
        "templates/part.j2",
        "templates:*",  # which templates there are: one added may be the one the computed name picks
    ]
    assert entries["c.swml.yaml"]["inputs"][-1:] == ["builtin:conference.j2"]
    compiled.clear()
    (tmp_path / "configs/templates/part.j2").write_text(
        "    - answer: {}\n    - join_conference:\n        {{ profile.conference | yaml(8) }}\n"
    )
    assert cli("build", "configs", "--env", "dev").code == 0
    assert sorted(compiled) == [("a", "dev"), ("b", "dev")]
    assert b"- answer: {}" in (tmp_path / "build/dev/a.swml.yaml").read_bytes()
    # A new template: only the one that picks by a computed name may use it.
    compiled.clear()
    (tmp_path / "configs/templates/parts").mkdir()
    (tmp_path / "configs/templates/parts/footer.j2").write_text("    - hangup: {}\n")
    assert cli("build", "configs", "--env", "dev").code == 0
    assert compiled == [("b", "dev")]
    # One that shadows a built-in: what used the built-in is made with it now.
    compiled.clear()
    (tmp_path / "configs/templates/conference.j2").write_text(head + "    - answer: {}\n" + "{% include 'part.j2' %}\n")
    assert cli("build", "configs", "--env", "dev").code == 0
    assert sorted(compiled) == [("b", "dev"), ("c", "dev")]
    assert b"- answer: {}" in (tmp_path / "build/dev/c.swml.yaml").read_bytes()


def test_templates_in_subfolders_are_named_by_their_path(
    make_repo: Callable[..., Path], cli: Callable, compiled: list, tmp_path: Path
) -> None:
    make_repo(
        {
            "profiles/a.toml": 'template = "lines/main"\n[greeting]\nsay = "Hi."\n[conference]\nname = "a"\n',
            "templates/lines/main.j2": (
                '{% import "parts/macros.j2" as m %}version: 1.0.0\nsections:\n  main:\n'
                "    - play:\n        url: {{ m.say(profile.greeting.say) }}\n"
                '{% include "parts/join" %}\n'
            ),
            "templates/parts/macros.j2": '{% macro say(text) %}{{ ("say:" ~ text) | yaml }}{% endmacro %}',
            "templates/parts/join.j2": b"    - join_conference:\n        {{ profile.conference | yaml(8) }}\n",
        }
    )
    assert cli("build", "configs", "--env", "dev").code == 0
    assert (
        (tmp_path / "build/dev/a.swml.yaml")
        .read_text()
        .endswith("  main:\n    - play:\n        url: say:Hi.\n    - join_conference:\n        name: a\n\n")
    )
    entries = json.loads((tmp_path / "build/dev/manifest.json").read_text())["artifacts"]
    assert entries["a.swml.yaml"]["inputs"][-3:] == [
        "templates/lines/main.j2",
        "templates/parts/join.j2",
        "templates/parts/macros.j2",
    ]
    compiled.clear()
    (tmp_path / "configs/templates/parts/macros.j2").write_text(
        '{# v2 #}{% macro say(text) %}{{ ("say:" ~ text) | yaml }}{% endmacro %}'
    )
    assert cli("build", "configs", "--env", "dev").code == 0 and compiled == [("a", "dev")]
    # A name that climbs out of templates/ is no template's.
    (tmp_path / "configs/templates/lines/main.j2").write_text('{% include "../profiles/a.toml" %}')
    run = cli("build", "configs", "--env", "dev")
    assert run.code == 1 and 'includes a template that does not exist: "../profiles/a.toml"' in run.err


def test_no_cache_compiles_everything_and_repairs_what_the_cache_cannot_see(
    built: Path, cli: Callable, compiled: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new PyYAML (say) writes other bytes for the same inputs: the cache cannot know, --no-cache rebuilds.
    real = Compiler.document
    monkeypatch.setattr(Compiler, "document", lambda self, c: real(self, c).replace("version: 1.0.0", 'version: "1.0.0"'))
    assert rebuild(cli).startswith("build/dev: 0 written")
    assert compiled == []
    assert rebuild(cli, "--no-cache").startswith("build/dev: 3 written")
    assert len(compiled) == 6
    assert b'version: "1.0.0"' in (tmp_path / "build/dev/sales.swml.yaml").read_bytes()


def test_check_trusts_what_the_manifest_seals_and_no_cache_proves_everything(
    built: Path, cli: Callable, compiled: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("check", "configs", "--all-envs").code == 0
    assert compiled == []
    # What no digest sees (another PyYAML writing other bytes, say) only the full proof finds.
    real = Compiler.document
    monkeypatch.setattr(Compiler, "document", lambda self, c: real(self, c).replace("version: 1.0.0", 'version: "1.0.0"'))
    assert cli("check", "configs", "--all-envs").code == 0
    full = cli("check", "configs", "--all-envs", "--no-cache")
    assert full.code == 1
    assert len(compiled) == 6
    assert "build/dev/sales.swml.yaml: stale (profile sales)" in full.err


def test_check_compiles_what_changed_since_its_seal(built: Path, cli: Callable, compiled: list) -> None:
    (built / "profiles/teams/ops.toml").write_text('[conference]\nname = "ops-bridge"\n')
    run = cli("check", "configs", "--all-envs")
    assert run.code == 1
    assert sorted(compiled) == [("teams/ops", "dev"), ("teams/ops", "prod")]
    assert "+        name: ops-bridge" in run.out
    assert run.err.count("stale (profile teams/ops)") == 2


def test_check_trusts_no_artifact_edited_with_its_manifest_entry(built: Path, cli: Callable, tmp_path: Path) -> None:
    artifact, manifest = tmp_path / "build/dev/sales.swml.yaml", tmp_path / "build/dev/manifest.json"
    edited = artifact.read_bytes().replace(b"name: sales", b"name: hijacked")
    artifact.write_bytes(edited)
    entries = json.loads(manifest.read_bytes())
    old = entries["artifacts"]["sales.swml.yaml"]["sha256"]
    manifest.write_bytes(manifest.read_bytes().replace(old.encode(), sha256(edited).encode()))
    run = cli("check", "configs", "--all-envs")
    assert run.code == 1
    assert "build/dev/sales.swml.yaml: stale (profile sales)" in run.err


def test_check_trusts_no_entry_a_hand_resolved_merge_paired_with_newer_inputs(built: Path, cli: Callable, tmp_path: Path) -> None:
    """One side changed the base (and so sales); a merge kept that side's sources but the other's sales entry and file."""
    artifact, manifest = tmp_path / "build/dev/sales.swml.yaml", tmp_path / "build/dev/manifest.json"
    old_artifact, old_entry = artifact.read_bytes(), _entry_line(manifest.read_text(), "sales.swml.yaml")
    (built / "profiles/base.toml").write_text(FILES["profiles/base.toml"].replace("/c", "/conference"))
    rebuild(cli)
    artifact.write_bytes(old_artifact)
    manifest.write_text(manifest.read_text().replace(_entry_line(manifest.read_text(), "sales.swml.yaml"), old_entry))
    run = cli("check", "configs", "--all-envs")
    assert run.code == 1
    assert "build/dev/sales.swml.yaml: stale (profile sales)" in run.err
    assert "build/dev/support" not in run.err


def test_check_under_strict_everywhere_compiles_everything(built: Path, cli: Callable, compiled: list) -> None:
    assert cli("check", "configs", "--all-envs", "--strict").code == 0
    assert len(compiled) == 6


def _entry_line(manifest: str, path: str) -> str:
    return next(line for line in manifest.splitlines() if line.lstrip().startswith(f'"{path}"'))
