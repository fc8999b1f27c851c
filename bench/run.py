"""confc's benchmark: one command, ratios against a floor measured in the same run.

    python bench/run.py [--profiles 10000] [--seed 1] [--large]

Prints wall time, microseconds per artifact, peak memory and the ratio to the
floor for: the floor itself, a cold build, a warm no-op rebuild, a rebuild after
touching one leaf and one base with 200 descendants, and a cold build with
--jobs 2; then start-up time, growth with N, and a per-stage breakdown.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from generate import ENVS, generate  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode() if process.stderr else ''}")
    return wall, usage.ru_maxrss / 1024


def confc(*args: str) -> list[str]:
    return [sys.executable, "-m", "compiler", *args]


def row(label: str, wall: float, memory: float, artifacts: int, floor: float, cold: float | None = None) -> None:
    versus_cold = f"{wall / cold:6.3f}x cold" if cold else ""
    print(f"  {label:<28} {wall:8.2f} s {wall * 1e6 / artifacts:8.0f} us/artifact {memory:7.0f} MiB {wall / floor:6.2f}x floor  {versus_cold}")


def touch(path: Path) -> None:
    path.write_text(path.read_text() + "\n# touched\n")


def scenarios(work: Path, profiles: int, seed: int) -> None:
    repo, out = work / "repo", work / "out"
    touched = generate(repo, profiles, seed)
    artifacts = sum(1 for p in (repo / "profiles").rglob("*.toml") if "abstract = true" not in p.read_text()) * len(ENVS)
    print(f"{profiles} profiles, {artifacts} artifacts ({len(ENVS)} environments), Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    floor, floor_memory = measure([sys.executable, str(HERE / "floor.py"), str(repo), str(work / "floor")])
    row("floor", floor, floor_memory, artifacts, floor)
    build = confc("build", str(repo), "--all-envs", "--out", str(out))
    cold, memory = measure(build)
    row("confc cold", cold, memory, artifacts, floor)
    row("confc warm no-op", *measure(build), artifacts, floor, cold)
    touch(repo / touched["leaf"])
    row("confc one leaf touched", *measure(build), artifacts, floor, cold)
    touch(repo / touched["base"])
    row("confc base (200 desc.)", *measure(build), artifacts, floor, cold)
    shutil.rmtree(out)
    row("confc cold --jobs 2", *measure([*build, "--jobs", "2"]), artifacts, floor)


def startup() -> None:
    python = min(measure([sys.executable, "-c", "pass"])[0] for _ in range(5))
    version = min(measure(confc("--version"))[0] for _ in range(5))
    print(f"start-up: confc --version {version * 1000:.0f} ms (bare interpreter {python * 1000:.0f} ms)")


def growth(work: Path, sizes: list[int], seed: int) -> None:
    print("growth (cold build --all-envs):")
    previous = None
    for size in sizes:
        repo = work / f"grow{size}"
        generate(repo, size, seed)
        wall, memory = measure(confc("build", str(repo), "--all-envs", "--out", str(work / f"grow{size}-out")))
        per = wall * 1e6 / size
        trend = f"  x{per / previous:.2f} per profile vs previous" if previous else ""
        print(f"  N={size:<7} {wall:8.2f} s {per:8.0f} us/profile {memory:7.0f} MiB{trend}")
        previous = per
        shutil.rmtree(repo)
        shutil.rmtree(work / f"grow{size}-out")


STAGES = {
    "parse": ("repository.py", "load"),
    "resolve": ("pipeline.py", "resolve"),
    "interpolate": ("interpolate.py", "interpolate"),
    "validate": ("validate.py", "resolved_errors"),
    "rules": ("validate.py", "rule_errors"),
    "render": ("render.py", "render"),
    "self-check": ("render.py", "parse_yaml"),
    "write": ("artifacts.py", "apply"),
}


def breakdown(work: Path, seed: int, profiles: int = 2000) -> None:
    from compiler.cli import main

    repo = work / "stages"
    generate(repo, profiles, seed)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.runcall(main, ["build", str(repo), "--all-envs", "--out", str(work / "stages-out")])
    total = time.perf_counter() - start
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    print(f"per-stage breakdown (in-process, N={profiles}, profiled, total {total:.2f} s):")
    for stage, (file, function) in STAGES.items():
        cumulative = sum(v[3] for (f, _, name), v in stats.items() if f.endswith(f"compiler/{file}") and name == function)
        print(f"  {stage:<12} {cumulative:6.2f} s  {cumulative / total:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--large", action="store_true", help="also measure growth up to 50,000 profiles")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="confc-bench-") as tmp:
        work = Path(tmp)
        scenarios(work, args.profiles, args.seed)
        startup()
        growth(work, [1_000, 5_000, 10_000, *([50_000] if args.large else [])], args.seed)
        breakdown(work, args.seed)


if __name__ == "__main__":
    main()
