"""How a run uses the machine: every core, when the work is large enough to pay for it, and a
garbage collector that does not rescan what lives for the whole run."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections.abc import Iterator

_FORK = "fork" in multiprocessing.get_all_start_methods()
# Measured cold (bench/run.py, "jobs by size"): two processes only beat one past about 150 artifacts.
WORTH_A_PROCESS = 80


def cores() -> int:
    """The cores this process may run on (its affinity, where the platform reports it)."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def workers(tasks: int, jobs: int | None) -> int:
    """How many processes compile `tasks` artifacts: `jobs` when given, else one per core that has
    at least WORTH_A_PROCESS artifacts to compile; one where processes cannot be forked."""
    if not _FORK or tasks < 2:
        return 1
    if jobs is not None:
        return min(jobs, tasks)
    return max(1, min(cores(), tasks // WORTH_A_PROCESS))


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """Leave what is alive now (the parsed repository, the libraries, the run's validators) out of
    the garbage collector's scans until the block ends.

    A cold build allocates millions of short-lived objects; every full collection would otherwise
    walk the whole repository again (measured: a fifth of a build with roles). Forked workers
    inherit the frozen objects, which also spares their pages from copy-on-write. Where someone
    froze objects already, theirs is the say: nothing is frozen or unfrozen.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
