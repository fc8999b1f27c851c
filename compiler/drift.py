"""What `check` finds: every way OUT/ENV differs from what a build would write now, and what resolves it."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .artifacts import MANIFEST, SUFFIXES, EnvPlan, owned
from .files import as_lf, read_regular


def produced_files(folder: Path) -> set[str]:
    """Every artifact-looking file under `folder`, relative to it; links are not followed."""
    found = set()
    if folder.is_dir() and not folder.is_symlink():
        for dirpath, _dirs, files in os.walk(folder):
            for name in files:
                if name.endswith(SUFFIXES):
                    found.add((Path(dirpath) / name).relative_to(folder).as_posix())
    return found


@dataclass(frozen=True)
class Drift:
    """One way OUT/ENV differs from what a build would write now."""

    file: str  # as messages show it
    message: str  # what is wrong, then what resolves it
    diff: str | None = None  # unified diff, for a stale file
    profile: str | None = None
    env: str | None = None


def drift(plan: EnvPlan) -> list[Drift]:
    """What `check` reports for one environment folder, each with the command or action that resolves it."""
    found: list[Drift] = []
    if plan.retired:
        extra = [Drift(plan.show(rel), _extra(plan, rel), None, None, plan.env) for rel in sorted(produced_files(plan.folder))]
        steps = ["run confc build --all-envs, which removes what confc wrote there"] if plan.removals or not plan.kept else []
        steps += ["it lists the files edited by hand above, and goes with them once they are deleted"] if plan.kept else []
        why = f"extra: {plan.retired_why}; {'; '.join(steps)}"
        return [*extra, Drift(plan.show(MANIFEST), why, None, None, plan.env)]
    if plan.reformatted:
        # Every artifact is then missing in one format and extra in the other: one line says why, and what is meant.
        was, now = plan.reformatted, plan.stamp["format"]
        message = (
            f"built with --format {was} (its manifest says so) and checked as {now}, so none of its {len(plan.previous)} "
            f'artifacts is what a build writes: check with --format {was}, or set [build] format = "{was}" in confc.toml;'
            f" a build with --format {now} replaces them"
        )
        return [Drift(plan.display, message, None, None, plan.env)]
    for artifact in plan.writes:
        current = read_regular(plan.folder / artifact.path)
        shown = plan.show(artifact.path)
        if current is None:
            found.append(Drift(shown, f"missing (profile {artifact.profile}); run confc build", None, artifact.profile, plan.env))
        else:
            state = "has merge conflicts" if artifact.path in plan.resolved else "stale"
            diff, endings = _compared(shown, current, artifact.content)
            message = f"{state} (profile {artifact.profile}){endings}; run confc build"
            found.append(Drift(shown, message, diff, artifact.profile, plan.env))
    built_with = plan.previous_manifest.get("overrides")
    if plan.writes and isinstance(built_with, list) and built_with != plan.stamp.get("overrides"):
        # Every artifact a --set reached differs: the diffs show how, this line says why.
        found.append(Drift(plan.display, _other_overrides(built_with, plan.stamp.get("overrides") or []), None, None, plan.env))
    wanted = {a.path for a in plan.artifacts}
    for rel in sorted(produced_files(plan.folder) - wanted):
        found.append(Drift(plan.show(rel), _extra(plan, rel), None, None, plan.env))
    if MANIFEST in plan.resolved or (plan.manifest_changed and not plan.writes):
        current = read_regular(plan.folder / MANIFEST) or b""
        shown = plan.show(MANIFEST)
        if MANIFEST in plan.resolved:
            found.append(
                Drift(shown, "has merge conflicts; run confc build, which resolves them, then commit", None, None, plan.env)
            )
        elif current:
            diff, endings = _compared(shown, current, plan.manifest)
            found.append(Drift(shown, f"stale{endings or _inputs_changed(plan)}; run confc build", diff, None, plan.env))
        else:
            found.append(Drift(shown, "missing; run confc build", None, None, plan.env))
    return found


def _other_overrides(was: list[Any], now: list[Any]) -> str:
    def said(overrides: list[Any]) -> str:
        return " ".join(f"--set {item}" for item in overrides) if overrides else "no --set"

    return f"built with {said(was)} (its manifest says so) and checked with {said(now)}; a build with {said(now)} replaces them"


def _inputs_changed(plan: EnvPlan) -> str:
    """Which files read changed since the manifest was written, when no artifact did (a comment, a new base)."""
    recorded = plan.previous_manifest.get("sources")
    if not isinstance(recorded, dict):
        return ""
    changed = sorted(path for path in {*recorded, *plan.sources} if recorded.get(path) != plan.sources.get(path))
    if not changed:
        return ""
    shown = ", ".join(changed[:_SHOWN]) + (f" and {len(changed) - _SHOWN} more" if len(changed) > _SHOWN else "")
    return f": {shown} changed since the last build, though no artifact did (it records the digest of every file read)"


_SHOWN = 5  # files named in one message; the diff shows the rest


def _extra(plan: EnvPlan, rel: str) -> str:
    """Why an artifact no profile produces is there, and what removes it: build only removes what it wrote, unedited."""
    entry = plan.previous.get(rel)
    try:
        on_disk = read_regular(plan.folder / rel)
    except OSError:
        on_disk = None
    if entry is not None and on_disk is not None and owned(entry, on_disk):
        gone = plan.gone("no profile produces it in this environment any more")
        return f"extra: {gone}; run confc build{' --all-envs' if plan.retired else ''}, which removes it"
    why = "edited since confc wrote it" if entry is not None else "not written by confc (not in manifest.json)"
    return f"extra: {plan.gone('no profile produces it in this environment')}, and it is {why}, so confc build leaves it alone; delete it"


# git converts line endings on checkout under core.autocrlf (the default of git for Windows): a file confc
# wrote with LF then differs on every line, in a way a diff does not show.
CRLF = (
    "CR LF where confc writes LF (git converts them on checkout under core.autocrlf: keep it from converting"
    " confc's output with build/** text eol=lf in .gitattributes, for OUT build/)"
)


def _compared(name: str, committed: bytes, built: bytes) -> tuple[str | None, str]:
    """The diff of a stale file, and what to say of its line endings (or "") when they are CR LF."""
    if b"\r\n" not in committed or b"\r\n" in built:
        return _diff(name, committed, built), ""
    as_written = as_lf(committed)
    if as_written == built:
        return None, f": only its line endings differ: {CRLF}"
    return _diff(name, as_written, built), f", and its line endings are {CRLF}"


def _diff(name: str, old: bytes, new: bytes) -> str:
    lines = difflib.unified_diff(
        old.decode("utf-8", "replace").splitlines(keepends=True),
        new.decode("utf-8", "replace").splitlines(keepends=True),
        fromfile=f"{name} (committed)",
        tofile=f"{name} (built now)",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
