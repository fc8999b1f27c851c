"""Merge conflicts in what confc writes: git's markers in a manifest or an artifact, read as both sides.

Two pull requests that touch different profiles both change the manifests. When git
leaves markers in them, every file either side lists is confc's own, and a build
that compiles everything and writes a clean manifest resolves the conflict.
"""

from __future__ import annotations

import re

_MARKER = re.compile(rb"^(<{7}|\|{7}|={7}|>{7})( |$)", re.MULTILINE)
_RUNS = (b"<" * 7, b"|" * 7, b"=" * 7, b">" * 7)  # what every marker starts with


def conflicted(data: bytes) -> bool:
    """Whether `data` holds git's conflict markers."""
    # A substring search is many times quicker than the pattern: most files hold no marker at all.
    return any(marker in data for marker in _RUNS) and bool(_MARKER.search(data))


def sides(data: bytes) -> tuple[bytes, bytes]:
    """The two versions a conflicted file merges: ours and theirs (a diff3 base section is dropped)."""
    ours: list[bytes] = []
    theirs: list[bytes] = []
    state = "both"
    for line in data.splitlines(keepends=True):
        marker = line[:7]
        if marker == b"<" * 7:
            state = "ours"
        elif marker == b"|" * 7:
            state = "base"
        elif marker == b"=" * 7 and state in ("ours", "base"):
            state = "theirs"
        elif marker == b">" * 7 and state == "theirs":
            state = "both"
        else:
            if state in ("both", "ours"):
                ours.append(line)
            if state in ("both", "theirs"):
                theirs.append(line)
    return b"".join(ours), b"".join(theirs)
