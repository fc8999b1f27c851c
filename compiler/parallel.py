"""How many processes a run compiles in: every core, when the work is large enough to pay for it."""

from __future__ import annotations

import multiprocessing
import os

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
