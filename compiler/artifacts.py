"""Artifacts on disk: the manifest, atomic writes, stale files and drift.

confc only ever replaces or deletes a file it can prove it wrote: one listed in
the previous manifest of that environment folder. Everything else is left alone.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import merges
from .errors import ConfcError, raise_all
from .files import as_lf, read_regular
from .manifest import Sealer, manifest_json, sha256

MANIFEST = "manifest.json"
SUFFIXES = (".swml.yaml", ".swml.json")
_TEMP_SUFFIX = ".confc-tmp"


@dataclass(frozen=True)
class Artifact:
    """One rendered SWML document, with what it was made from."""

    env: str
    profile: str
    path: str  # relative to OUT/ENV
    content: bytes
    inputs: tuple[str, ...]  # CONFIG_DIR-relative paths, or builtin:NAME.j2

    @functools.cached_property
    def sha256(self) -> str:
        return sha256(self.content)


def _entries(sealer: Sealer, artifacts: Sequence[Artifact], sealed: Mapping[str, str]) -> dict[str, Any]:
    """Each artifact's manifest entry: what confc wrote there, from what, and the seal over both
    (`sealed`: the seals verified already, of artifacts reused as they stand)."""
    return {
        a.path: {
            "profile": a.profile,
            "sha256": a.sha256,
            "inputs": list(a.inputs),
            "seal": sealed.get(a.path) or sealer.seal(a.inputs, a.sha256),
        }
        for a in artifacts
    }


@dataclass(frozen=True)
class Previous:
    """The manifest the last build left in OUT/ENV, read before anything is compiled."""

    manifest: Mapping[str, Any]  # empty when there is none
    entries: Mapping[str, Any]  # path -> entry, only paths that stay inside the folder
    raw: bytes | None = None  # the file as it is on disk, None when there is none
    conflicted: bool = False  # git left merge conflict markers in it: entries are what either side lists

    @property
    def complete(self) -> bool:
        """Whether the build that wrote it finished: an interrupted one says it did not."""
        return self.manifest.get("complete") is True


@dataclass
class EnvPlan:
    """What a build of one environment folder will change, decided before anything is written."""

    env: str
    folder: Path
    display: str
    artifacts: list[Artifact]
    previous: Mapping[str, Any]  # path -> entry of the previous manifest
    previous_complete: bool
    stamp: Mapping[str, Any]
    sources: Mapping[str, str]
    writes: list[Artifact] = field(default_factory=list)
    removals: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # stale, but edited by hand since confc wrote them
    resolved: list[str] = field(default_factory=list)  # files with merge conflict markers this build rewrites
    edited: list[str] = field(default_factory=list)  # artifacts edited by hand since confc wrote them, this build rewrites
    entries: Mapping[str, Any] = field(default_factory=dict)  # path -> the manifest entry of each artifact
    manifest: bytes = b""
    manifest_changed: bool = False
    retired: bool = False  # the folder of an environment the repository no longer has: everything confc wrote goes
    previous_manifest: Mapping[str, Any] = field(default_factory=dict)  # as read, before anything was compiled

    def show(self, rel: str) -> str:
        return f"{self.display.rstrip('/')}/{rel}"

    @property
    def reformatted(self) -> str | None:
        """The other format this folder's artifacts were built in, when this build writes them in a new one."""
        was = self.previous_manifest.get("format")  # the format its artifacts were written in
        return was if self.previous and isinstance(was, str) and was != self.stamp.get("format") and not self.retired else None

    @property
    def retired_why(self) -> str:
        return f"environment {self.env} no longer exists (no environments/{self.env}.toml)"

    def gone(self, otherwise: str) -> str:
        """Why a file of this folder is not produced: its environment is gone, or else `otherwise` (of its profile)."""
        return self.retired_why if self.retired else otherwise

    def kept_warnings(self) -> list[ConfcError]:
        """A warning for each stale artifact left in place because it was edited by hand."""
        return [
            ConfcError(
                f"{self.gone('no profile produces it any more')}, but it was edited since confc wrote it;"
                " left in place (delete it if it is not needed)",
                file=self.show(rel),
                env=self.env,
            )
            for rel in self.kept
        ]


class _Way:
    """Finds what stands on the way to a file: a symbolic link, or a file where a folder belongs. Each folder is
    looked at once per plan."""

    LINK = "is a symbolic link, and confc does not write through links; move it away"
    FILE = "is a file where confc needs a folder for the artifacts beneath it; move it away"

    def __init__(self, folder: Path) -> None:
        self._folder = os.fspath(folder)
        self._plain: set[str] = set()

    def blocked(self, rel: str, *, itself: bool = True) -> tuple[str, str] | None:
        """The first link or file on the way from the folder to `rel` (and `rel` itself if a link), and why."""
        *folders, name = rel.split("/")
        current = self._folder
        for part in ("", *folders):
            current = f"{current}/{part}" if part else current
            if current not in self._plain:
                if os.path.islink(current):
                    return current, self.LINK
                if os.path.lexists(current) and not os.path.isdir(current):
                    return current, self.FILE
                self._plain.add(current)  # the same answer for every file beneath it
        path = f"{current}/{name}"
        return (path, self.LINK) if itself and os.path.islink(path) else None


def plan(
    out: Path | str,
    display_out: str,
    env: str,
    stamp: Mapping[str, Any],
    sources: Mapping[str, str],
    artifacts: Sequence[Artifact],
    *,
    previous: Previous | None = None,
    reused: Mapping[str, str] | None = None,
    guard: bool = True,
    retired: bool = False,
) -> EnvPlan:
    """Decide every write and removal for OUT/ENV; raise, writing nothing, if any is unsafe.

    `reused` names artifacts already known to be on disk as they are, each with its seal,
    verified; with `guard` off (for `check`), a file in the way is merely stale, not an error.
    A `retired` folder (of an environment no longer there) has no artifacts, and loses its manifest.
    """
    reused = reused or {}
    folder = Path(out) / env
    display = f"{display_out.rstrip('/')}/{env}"
    previous = previous or read_previous(out, display_out, env)
    result = EnvPlan(env, folder, display, list(artifacts), previous.entries, previous.complete, stamp, sources, retired=retired)
    result.previous_manifest = previous.manifest
    if previous.conflicted:
        result.resolved.append(MANIFEST)
    way = _Way(folder)
    errors: list[ConfcError] = []
    wanted = {a.path for a in artifacts}
    in_the_way: set[str] = set()  # each once, however many artifacts lie beneath it
    for artifact in artifacts:
        known = artifact.path in reused  # read back as a regular file already: only its folders are left to look at
        blocked = way.blocked(artifact.path, itself=not known)
        if blocked:
            path, why = blocked
            if path not in in_the_way:
                in_the_way.add(path)
                inner = os.path.relpath(path, folder)
                errors.append(ConfcError(why, file=result.display if inner == "." else result.show(Path(inner).as_posix())))
            continue
        if known:
            continue
        try:
            on_disk = read_regular(folder / artifact.path)
        except OSError:
            errors.append(ConfcError("is in the way and is not a regular file; move it away", file=result.show(artifact.path)))
            continue
        if on_disk == artifact.content:
            continue
        listed = result.previous.get(artifact.path)
        if on_disk is not None and listed is not None:
            if merges.conflicted(on_disk):
                result.resolved.append(artifact.path)
            elif previous.complete and not owned(listed, on_disk):
                # Replaced all the same: the profile says what it holds. (An interrupted build's manifest lists what
                # it was about to write, so a file it did not reach would look edited.)
                result.edited.append(artifact.path)
        if guard and on_disk is not None and artifact.path not in result.previous:
            errors.append(
                ConfcError(
                    "exists but was not written by confc (not in manifest.json); move it away or delete it, then build again",
                    file=result.show(artifact.path),
                )
            )
            continue
        result.writes.append(artifact)
    for rel, entry in sorted(result.previous.items()):
        if rel in wanted or way.blocked(rel):
            continue
        try:
            on_disk = read_regular(folder / rel)
        except OSError:
            continue
        if on_disk is None:
            continue
        if owned(entry, on_disk):
            result.removals.append(rel)
        else:
            result.kept.append(rel)
    raise_all(errors)
    if retired:
        # Removed, with the folder once nothing else is left in it; but while a file edited by hand stays, so does a
        # manifest listing it alone, and every later build and check still says it is there.
        result.manifest = _listing_only(previous.manifest, result.kept) if result.kept else b""
        result.manifest_changed = previous.raw != result.manifest
        return result
    # The manifest of OUT/ENV: what confc owns there, and every input digest (the incremental cache).
    result.entries = _entries(Sealer(stamp, sources), artifacts, reused)
    result.manifest = manifest_json(stamp, sources, result.entries, complete=True)
    result.manifest_changed = previous.raw != result.manifest
    return result


def _listing_only(manifest: Mapping[str, Any], kept: Sequence[str]) -> bytes:
    """`manifest` as confc writes it, listing only the artifacts of `kept`."""
    stamp = {"version": None, "format": None}  # a manifest edited by hand may lack them
    stamp.update((key, value) for key, value in manifest.items() if key not in ("generator", "complete", "sources", "artifacts"))
    sources = manifest.get("sources")
    entries = {rel: manifest["artifacts"][rel] for rel in kept}
    return manifest_json(stamp, sources if isinstance(sources, dict) else {}, entries, complete=True)


def read_previous(out: Path | str, display_out: str, env: str) -> Previous:
    """The artifacts the last build listed in OUT/ENV; only these may be replaced or removed."""
    display = f"{display_out.rstrip('/')}/{env}/{MANIFEST}"
    try:
        raw = read_regular(Path(out) / env / MANIFEST)
    except NotADirectoryError:
        raise ConfcError(_Way.FILE, file=f"{display_out.rstrip('/')}/{env}") from None
    except OSError:
        raw = b"not a file"
    if raw is None:
        return Previous({}, {}, None)
    if merges.conflicted(raw):
        # Every file either side of the merge lists is confc's own; nothing in it is trusted as a cache.
        ours, theirs = (_parse_manifest(side, display) for side in merges.sides(raw))
        entries = {rel: {**entry, "also": []} for rel, entry in {**_entries_of(theirs), **_entries_of(ours)}.items()}
        for rel, entry in _entries_of(theirs).items():
            entries[rel]["also"] = [entry.get("sha256")]
        return Previous({**ours, "complete": False}, entries, raw, conflicted=True)
    manifest = _parse_manifest(raw, display)
    return Previous(manifest, _entries_of(manifest), raw)


def _parse_manifest(raw: bytes, display: str) -> dict[str, Any]:
    try:
        manifest = json.loads(raw)
        if manifest.get("generator") != "confc" or not isinstance(manifest.get("artifacts"), dict):
            raise ValueError
    except (ValueError, AttributeError):
        raise ConfcError(
            "is not a confc manifest, so confc cannot tell which files it owns; move it away", file=display
        ) from None
    return manifest  # type: ignore[no-any-return]


def _entries_of(manifest: Mapping[str, Any]) -> dict[str, Any]:
    return {rel: entry for rel, entry in manifest["artifacts"].items() if _safe_rel(rel) and isinstance(entry, dict)}


def owned(entry: Mapping[str, Any], on_disk: bytes) -> bool:
    """Whether a listed file is still as confc wrote it (as either side of a merge wrote it, or conflicted by the
    merge), its line endings as git may have converted them on checkout (core.autocrlf) or not."""
    written = {entry.get("sha256"), *entry.get("also", ())}
    if sha256(on_disk) in written or (b"\r\n" in on_disk and sha256(as_lf(on_disk)) in written):
        return True
    return "also" in entry and merges.conflicted(on_disk)


def _safe_rel(rel: str) -> bool:
    # A manifest is data on disk: never let it point outside its folder.
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and ".." not in parts and "" not in parts and rel.endswith(SUFFIXES)


def apply(plan: EnvPlan) -> None:
    """Carry out a plan: interim manifest, artifacts, removals, final manifest."""
    try:
        _clean_temporaries(plan.folder, deep=not plan.previous_complete)
        if plan.retired:
            _retire(plan)
            return
        writer = AtomicWriter()
        if plan.writes or plan.removals:
            # Until the build finishes, the manifest lists old and new files alike and says
            # it is incomplete: an interrupted build neither lies nor loses track of a file.
            interim = {**plan.previous, **plan.entries}
            writer.write(plan.folder / MANIFEST, manifest_json(plan.stamp, plan.sources, interim, complete=False))
        for artifact in plan.writes:
            writer.write(plan.folder / artifact.path, artifact.content)
        for rel in plan.removals:
            (plan.folder / rel).unlink()
            _prune_empty(plan.folder, (plan.folder / rel).parent)
        if plan.manifest_changed or plan.writes or plan.removals:
            writer.write(plan.folder / MANIFEST, plan.manifest)
    except OSError as exc:
        where = exc.filename or plan.folder
        raise ConfcError(f"cannot write the build output: {exc.strerror or exc}", file=str(where)) from None


def _retire(plan: EnvPlan) -> None:
    """Remove what confc wrote for an environment no longer there; the manifest goes last, so an interrupted
    removal is finished by the next build (it stays, listing them alone, while files edited by hand are left)."""
    for rel in plan.removals:
        (plan.folder / rel).unlink()
        _prune_empty(plan.folder, (plan.folder / rel).parent)
    if plan.manifest and plan.manifest_changed:
        AtomicWriter().write(plan.folder / MANIFEST, plan.manifest)
    elif not plan.manifest:
        for rel in plan.previous:  # the folders of files deleted by hand since
            _prune_empty(plan.folder, (plan.folder / rel).parent)
        (plan.folder / MANIFEST).unlink(missing_ok=True)
        _prune_empty(plan.folder.parent, plan.folder)


class AtomicWriter:
    """Writes each file beside its target, then renames it into place: no reader ever sees half a file."""

    def __init__(self) -> None:
        self._folders: set[Path] = set()  # made (or found) already: one mkdir per folder, not per file

    def _make(self, folder: Path) -> None:
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)

    def write(self, path: Path, content: bytes) -> None:
        self._make(path.parent)
        temp = path.with_name(f".{path.name}.{os.getpid()}{_TEMP_SUFFIX}")
        # O_EXCL never follows a link planted at the temporary name; mode 0o666 lets the umask decide.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(temp, flags, 0o666)
        except FileExistsError:  # left by a killed build of a process with the same id
            os.unlink(temp)
            fd = os.open(temp, flags, 0o666)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise


def _clean_temporaries(folder: Path, *, deep: bool) -> None:
    """Remove what an interrupted build left: only files carrying confc's temporary suffix.

    Artifacts are only written while the manifest says the build is incomplete, so a complete
    manifest leaves just its own temporary to look for, beside it.
    """
    if folder.is_dir() and not folder.is_symlink():
        for dirpath, _dirs, files in os.walk(folder) if deep else [(os.fspath(folder), [], os.listdir(folder))]:
            for name in files:
                temp = Path(dirpath) / name
                if name.startswith(".") and name.endswith(_TEMP_SUFFIX) and temp.is_file() and not temp.is_symlink():
                    temp.unlink()


def _prune_empty(folder: Path, directory: Path) -> None:
    while directory != folder and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent
