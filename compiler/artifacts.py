"""Artifacts on disk: the manifest, atomic writes, stale files and drift.

confc only ever replaces or deletes a file it can prove it wrote: one listed in
the previous manifest of that environment folder. Everything else is left alone.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .errors import ConfcError, raise_all
from .pipeline import Artifact, Compiler

MANIFEST = "manifest.json"
SUFFIXES = (".swml.yaml", ".swml.json")
_TEMP_SUFFIX = ".confc-tmp"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_bytes(env: str, fmt: str, artifacts: Sequence[Artifact], *, complete: bool = True) -> bytes:
    entries = {a.path: {"profile": a.profile, "sha256": sha256(a.content), "inputs": list(a.inputs)} for a in artifacts}
    return _manifest_json(env, fmt, entries, complete)


def _manifest_json(env: str, fmt: str, entries: dict[str, Any], complete: bool) -> bytes:
    manifest = {
        "generator": "confc",
        "version": __version__,
        "env": env,
        "format": fmt,
        "complete": complete,
        "artifacts": dict(sorted(entries.items())),
    }
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass
class EnvPlan:
    """What a build of one environment folder will change, decided before anything is written."""

    env: str
    fmt: str
    folder: Path
    display: str
    artifacts: list[Artifact]
    previous: dict[str, Any]  # path -> entry of the previous manifest
    writes: list[Artifact] = field(default_factory=list)
    removals: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # stale, but edited by hand since confc wrote them
    manifest: bytes = b""
    manifest_changed: bool = False

    def show(self, rel: str) -> str:
        return f"{self.display.rstrip('/')}/{rel}"


def _read_regular(path: Path) -> bytes | None:
    """The bytes of a regular file, None when nothing is there; never follows a link."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise OSError(f"{path} is not a regular file")
    return path.read_bytes()


def _link_inside(folder: Path, rel: str) -> str | None:
    """The first symbolic link on the way from `folder` to `rel`, if any."""
    current = folder
    for part in ("", *rel.split("/")):
        current = current / part if part else current
        if current.is_symlink():
            return str(current)
    return None


def plan(out: Path | str, display_out: str, env: str, fmt: str, artifacts: Sequence[Artifact], *, guard: bool = True) -> EnvPlan:
    """Decide every write and removal for OUT/ENV; raise, writing nothing, if any is unsafe.

    With `guard` off (for `check`), a file in the way is merely stale, not an error.
    """
    folder = Path(out) / env
    result = EnvPlan(env, fmt, folder, f"{display_out.rstrip('/')}/{env}", list(artifacts), _previous(folder, f"{display_out.rstrip('/')}/{env}"))
    errors: list[ConfcError] = []
    wanted = {a.path for a in artifacts}
    for artifact in artifacts:
        target = folder / artifact.path
        link = _link_inside(folder, artifact.path)
        if link:
            errors.append(ConfcError(f"{link} is a symbolic link; confc does not write through links", file=result.show(artifact.path)))
            continue
        try:
            current = _read_regular(target)
        except OSError:
            errors.append(ConfcError("is in the way and is not a regular file; move it away", file=result.show(artifact.path)))
            continue
        if current == artifact.content:
            continue
        if guard and current is not None and artifact.path not in result.previous:
            errors.append(
                ConfcError(
                    "exists but was not written by confc (not in manifest.json); move it away or delete it, then build again",
                    file=result.show(artifact.path),
                )
            )
            continue
        result.writes.append(artifact)
    for rel, entry in sorted(result.previous.items()):
        if rel in wanted or _link_inside(folder, rel):
            continue
        try:
            current = _read_regular(folder / rel)
        except OSError:
            continue
        if current is None:
            continue
        if sha256(current) == entry.get("sha256"):
            result.removals.append(rel)
        else:
            result.kept.append(rel)
    raise_all(errors)
    result.manifest = manifest_bytes(env, fmt, artifacts)
    try:
        result.manifest_changed = _read_regular(folder / MANIFEST) != result.manifest
    except OSError:
        raise ConfcError("is in the way and is not a regular file; move it away", file=result.show(MANIFEST)) from None
    return result


def _previous(folder: Path, display: str) -> dict[str, Any]:
    """The artifacts the last build listed; only these may be replaced or removed."""
    path = folder / MANIFEST
    try:
        raw = _read_regular(path)
    except OSError:
        raw = b"not a file"
    if raw is None:
        return {}
    try:
        manifest = json.loads(raw)
        if manifest.get("generator") != "confc" or not isinstance(manifest.get("artifacts"), dict):
            raise ValueError
    except (ValueError, AttributeError):
        raise ConfcError(
            "is not a confc manifest, so confc cannot tell which files it owns; move it away", file=f"{display}/{MANIFEST}"
        ) from None
    return {rel: entry for rel, entry in manifest["artifacts"].items() if _safe_rel(rel) and isinstance(entry, dict)}


def _safe_rel(rel: str) -> bool:
    # A manifest is data on disk: never let it point outside its folder.
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and ".." not in parts and "" not in parts and rel.endswith(SUFFIXES)


def apply(plan: EnvPlan) -> None:
    """Carry out a plan: interim manifest, artifacts, removals, final manifest."""
    try:
        _clean_temporaries(plan.folder)
        if plan.writes or plan.removals:
            # Until the build finishes, the manifest lists old and new files alike and says
            # it is incomplete: an interrupted build neither lies nor loses track of a file.
            entries = {**plan.previous, **json.loads(plan.manifest)["artifacts"]}
            _write_atomic(plan.folder / MANIFEST, _manifest_json(plan.env, plan.fmt, entries, complete=False))
        for artifact in plan.writes:
            _write_atomic(plan.folder / artifact.path, artifact.content)
        for rel in plan.removals:
            (plan.folder / rel).unlink()
            _prune_empty(plan.folder, (plan.folder / rel).parent)
        if plan.manifest_changed or plan.writes or plan.removals:
            _write_atomic(plan.folder / MANIFEST, plan.manifest)
    except OSError as exc:
        where = exc.filename or plan.folder
        raise ConfcError(f"cannot write the build output: {exc.strerror or exc}", file=str(where)) from None


def _write_atomic(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=_TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _clean_temporaries(folder: Path) -> None:
    """Remove what an interrupted build left: only files carrying confc's temporary suffix."""
    if folder.is_dir() and not folder.is_symlink():
        for temp in folder.rglob(f".*{_TEMP_SUFFIX}"):
            if temp.is_file() and not temp.is_symlink():
                temp.unlink()


def _prune_empty(folder: Path, directory: Path) -> None:
    while directory != folder and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent


def produced_files(folder: Path) -> set[str]:
    """Every artifact-looking file under `folder`, relative to it; links are not followed."""
    found = set()
    if folder.is_dir() and not folder.is_symlink():
        for dirpath, _dirs, files in os.walk(folder):
            for name in files:
                if name.endswith(SUFFIXES):
                    found.add((Path(dirpath) / name).relative_to(folder).as_posix())
    return found


def drift(plan: EnvPlan) -> tuple[list[str], list[str]]:
    """What `check` reports: one line per problem, and a unified diff per stale file."""
    problems: list[str] = []
    diffs: list[str] = []
    for artifact in plan.writes:
        current = _read_regular(plan.folder / artifact.path)
        if current is None:
            problems.append(f"{plan.show(artifact.path)}: missing (profile {artifact.profile}); run confc build")
        else:
            problems.append(f"{plan.show(artifact.path)}: stale (profile {artifact.profile}); run confc build")
            diffs.append(_diff(plan.show(artifact.path), current, artifact.content))
    wanted = {a.path for a in plan.artifacts}
    for rel in sorted(produced_files(plan.folder) - wanted):
        problems.append(f"{plan.show(rel)}: extra: no profile produces it in this environment; remove it or run confc build")
    if plan.manifest_changed and not plan.writes:
        current = _read_regular(plan.folder / MANIFEST) or b""
        problems.append(f"{plan.show(MANIFEST)}: {'stale' if current else 'missing'}; run confc build")
        if current:
            diffs.append(_diff(plan.show(MANIFEST), current, plan.manifest))
    return problems, diffs


def _diff(name: str, old: bytes, new: bytes) -> str:
    lines = difflib.unified_diff(
        old.decode("utf-8", "replace").splitlines(keepends=True),
        new.decode("utf-8", "replace").splitlines(keepends=True),
        fromfile=f"{name} (committed)",
        tofile=f"{name} (built now)",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)



def plans(
    compiler: Compiler,
    envs: Sequence[str],
    out: Path | str,
    display_out: str,
    *,
    guard: bool = True,
    progress: Callable[[int, int], None] | None = None,
    jobs: int = 1,
) -> list[EnvPlan]:
    """Compile every environment, then plan each folder: all errors surface before any write."""
    built = compiler.artifacts(envs, progress=progress, jobs=jobs)
    return [plan(out, display_out, env, compiler.format, [a for a in built if a.env == env], guard=guard) for env in envs]


def build(
    compiler: Compiler,
    envs: Sequence[str],
    out: Path | str,
    display_out: str,
    progress: Callable[[int, int], None] | None = None,
    jobs: int = 1,
) -> list[EnvPlan]:
    """Write the artifacts of `envs` under OUT; nothing is written unless every profile compiles."""
    planned = plans(compiler, envs, out, display_out, progress=progress, jobs=jobs)
    for env_plan in planned:
        apply(env_plan)
    return planned
