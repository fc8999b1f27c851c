"""How a team's CI installs the very confc that wrote its starter repository, pinned.

confc may reach a team from its git repository rather than a package index, so the starter's
workflow must not say `pip install confc`. pip records where a distribution came from
(PEP 610, `direct_url.json`); from it we pin the same commit, or the same release.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from importlib import metadata
from urllib.parse import unquote, urlsplit

Git = Callable[[str, list[str]], str | None]  # (folder, git arguments) -> what git printed, or None


def spec(direct_url: str | None, version: str, git: Git) -> str | None:
    """A pip requirement for this confc: git+URL@COMMIT, or confc==VERSION from an index; None when unknown."""
    if direct_url is None:
        return f"confc=={version}"  # installed from a package index: that release
    try:
        info = json.loads(direct_url)
    except ValueError:
        return None
    url = info.get("url") if isinstance(info, dict) else None
    if not isinstance(url, str):
        return None
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and isinstance(vcs.get("commit_id"), str):
        return f"git+{url}@{vcs['commit_id']}"
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    # Installed from a clone on this machine: pin its remote at the commit it was installed from.
    folder = unquote(parts.path)
    remote, commit = git(folder, ["config", "--get", "remote.origin.url"]), git(folder, ["rev-parse", "HEAD"])
    if not remote or not commit or "://" not in remote and "@" not in remote:
        return None  # a clone of a folder, or none at all: nothing another machine could fetch
    return f"git+{remote if '://' in remote else 'ssh://' + remote.replace(':', '/', 1)}@{commit}"


def run_git(folder: str, arguments: list[str]) -> str | None:
    try:
        done = subprocess.run(["git", "-C", folder, *arguments], capture_output=True, text=True, timeout=10, check=False)  # noqa: S603, S607
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def this_confc() -> str | None:
    """The pip requirement of the confc running now."""
    try:
        distribution = metadata.distribution("confc")
    except metadata.PackageNotFoundError:
        return None
    return spec(distribution.read_text("direct_url.json"), distribution.version, run_git)
