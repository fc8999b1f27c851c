"""One build at a time into one output folder: a second one waits rather than undo the first one's writes,
and a check waits for a build rather than read its half-written output.

Two builds at once (a save hook and a terminal, say) would each plan against the same manifests, and
the second would clear the first one's temporary files as an interrupted build's leftovers. The lock is
an advisory one on the output folder's parent, so it writes nothing: OUT itself may not exist yet. A
process that dies releases it. Where the system has no such locks (Windows), builds are not serialised.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def turn(out: Path, waiting: Callable[[], None] | None = None, *, reading: bool = False) -> Iterator[None]:
    """Hold the lock of `out` for the block: alone, or `reading` beside other readers (check) while no build
    holds it; `waiting` is called once if the block must wait."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    # The nearest folder that exists: every build into OUT locks the same one while OUT's parent exists.
    holder = Path(os.path.realpath(out)).parent
    while not holder.is_dir() and holder != holder.parent:
        holder = holder.parent
    kind = fcntl.LOCK_SH if reading else fcntl.LOCK_EX
    try:
        fd = os.open(holder, os.O_RDONLY)
    except OSError:  # a folder that cannot be opened for reading: build as without locks
        yield
        return
    try:
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(fd, kind)
        yield
    finally:
        os.close(fd)  # closing releases the lock
