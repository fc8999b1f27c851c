"""Nothing is lost: interrupted builds, unwritable folders, and byte-identical output everywhere."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler import outlock
from compiler.artifacts import sha256

ROOT = Path(__file__).resolve().parent.parent


def many_profiles(count: int, flavour: str = "a") -> dict[str, str]:
    return {
        f"profiles/team{i:04d}.toml": f'[conference]\nname = "{flavour}-{i}"\ncoach = "{flavour * 50}"\n' for i in range(count)
    }


def manifest_is_honest(folder: Path) -> None:
    """A complete manifest matches the folder exactly; an incomplete one says so and covers every artifact."""
    manifest = json.loads((folder / "manifest.json").read_text())
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*.swml.yaml")}
    assert on_disk <= set(manifest["artifacts"]), "an artifact the manifest does not own"
    if manifest["complete"]:
        for rel, entry in manifest["artifacts"].items():
            assert sha256((folder / rel).read_bytes()) == entry["sha256"], rel
    for path in on_disk:
        text = (folder / path).read_text()
        assert text.endswith("\n") and "join_conference:" in text, f"truncated artifact {path}"


@pytest.mark.skipif(sys.platform == "win32", reason="builds take turns only where advisory locks exist")
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_build_or_check_of_an_output_folder_a_build_holds_waits_its_turn(
    make_repo: Callable[..., Path], tmp_path: Path, command: str
) -> None:
    repo = make_repo(many_profiles(3))
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "compiler", command, str(repo), "--env", "dev", "--out", str(out)]
    if command == "check":
        subprocess.run([*run[:3], "build", *run[4:]], check=True, env=env, capture_output=True)
        with outlock.turn(out, reading=True):  # checks read side by side
            # A check that waited here would never finish: the timeout turns that hang into a failure.
            assert subprocess.run(run, env=env, capture_output=True, timeout=120).returncode == 0
    before = sorted(out.rglob("*")) if out.exists() else []
    with outlock.turn(out):  # as a build in another process holds it
        process = subprocess.Popen(run, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert process.stderr is not None
        said = process.stderr.readline()  # returns once it says it waits: it cannot go on while the lock is held
        assert said == "confc: another build is writing into the same output folder: waiting for it to finish\n"
        assert process.poll() is None and (sorted(out.rglob("*")) if out.exists() else []) == before
    rest = process.communicate()[1]
    assert process.returncode == 0, rest
    assert ("dev: 3 written, 0 unchanged, 0 removed" if command == "build" else "are up to date") in rest
    manifest_is_honest(out / "dev")


@pytest.mark.skipif(sys.platform == "win32", reason="builds take turns only where advisory locks exist")
def test_a_test_of_committed_artifacts_waits_for_a_build_writing_them(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    repo = make_repo({**many_profiles(1), "tests/t.toml": '[[case]]\nname = "joins"\nprofile = "team0000"\n'})
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "compiler", "build", str(repo), "--all-envs", "--out", str(out)], check=True, env=env)
    run = [sys.executable, "-m", "compiler", "test", str(repo), "--artifacts", str(out)]
    with outlock.turn(out):  # as a build in another process holds it
        process = subprocess.Popen(run, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert process.stderr is not None
        said = process.stderr.readline()  # returns once it says it waits: it cannot go on while the lock is held
        assert said == "confc: another build is writing into the same output folder: waiting for it to finish\n"
        assert process.poll() is None
    out_text, _ = process.communicate()
    assert process.returncode == 0 and out_text.endswith("passed, 0 failed\n"), out_text


@pytest.mark.parametrize("offset", [0.0, 0.01, 0.04])
def test_a_killed_build_leaves_no_truncated_artifact_and_no_lying_manifest(
    make_repo: Callable[..., Path], tmp_path: Path, offset: float
) -> None:
    repo = make_repo(many_profiles(1500, "a"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "compiler", "build", str(repo), "--env", "dev", "--out", str(tmp_path / "out")]
    subprocess.run(command, check=True, env=env, capture_output=True)
    for rel, text in many_profiles(1500, "b").items():
        (repo / rel).write_text(text)
    folder = tmp_path / "out/dev"
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill while the artifacts are being replaced: once the interim manifest is on disk.
    while b'"complete": false' not in (folder / "manifest.json").read_bytes():
        assert process.poll() is None, "the build finished before it could be interrupted"
        time.sleep(0.001)
    time.sleep(offset)
    process.send_signal(signal.SIGKILL)
    process.wait()
    manifest_is_honest(folder)
    assert json.loads((folder / "manifest.json").read_text())["complete"] is False
    finished = subprocess.run(command, env=env, capture_output=True, text=True)
    assert finished.returncode == 0
    assert "edited by hand" not in finished.stderr  # the files the killed build did not reach are no one's edits
    manifest_is_honest(folder)
    assert json.loads((folder / "manifest.json").read_text())["complete"] is True
    assert not list(folder.rglob("*.confc-tmp"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through read-only permissions")
def test_a_read_only_output_folder_is_a_clear_error(make_repo: Callable[..., Path], cli: Callable, tmp_path: Path) -> None:
    make_repo(many_profiles(2))
    (tmp_path / "build").mkdir()
    (tmp_path / "build").chmod(0o555)
    try:
        run = cli("build", "configs", "--env", "dev")
    finally:
        (tmp_path / "build").chmod(0o755)
    assert run.code == 1
    assert run.err == "build/dev: cannot write the build output: Permission denied\n"


@pytest.mark.parametrize(
    ("out", "problem"),
    [
        ("configs/profiles", "its dev/ folder and CONFIG_DIR's profiles/ overlap, so artifacts would be read back as profiles"),
        (
            "configs/templates/x",
            "its dev/ folder and CONFIG_DIR's templates/ overlap, so artifacts would be read back as templates",
        ),
        (".", "its dev/ folder and CONFIG_DIR's profiles/ overlap, so artifacts would be read back as profiles"),
        ("notes.txt", "is a file, not a folder"),
    ],
)
def test_an_output_folder_among_the_inputs_or_a_file_is_refused(
    make_repo: Callable[..., Path], cli: Callable, tmp_path: Path, out: str, problem: str
) -> None:
    make_repo({**many_profiles(2), "environments/configs.toml": ""} if out == "." else many_profiles(2))
    (tmp_path / "notes.txt").write_text("mine\n")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    env = "configs" if out == "." else "dev"
    for command in ("build", "check"):
        run = cli(command, "configs", "--env", env, "--out", out)
        expected = problem.replace("dev/", f"{env}/")
        assert (run.code, run.err) == (2, f"confc: error: --out {out}: {expected}; choose another folder\n")
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_an_output_folder_of_confc_toml_among_the_inputs_is_located_there(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({**many_profiles(2), "confc.toml": '[build]\nout = "profiles"\n'})
    run = cli("build", "configs", "--env", "dev")
    assert (run.code, run.err) == (
        1,
        "configs/confc.toml:2: build.out: configs/profiles: its dev/ folder and CONFIG_DIR's profiles/ overlap,"
        " so artifacts would be read back as profiles; choose another folder\n",
    )


def test_a_file_where_the_default_output_folder_goes_is_refused(
    make_repo: Callable[..., Path], cli: Callable, tmp_path: Path
) -> None:
    make_repo(many_profiles(2))
    (tmp_path / "build").write_text("mine\n")
    run = cli("build", "configs", "--env", "dev")
    assert (run.code, run.err) == (
        2,
        "confc: error: the default output folder build: is a file, not a folder; choose one with --out or [build] out in confc.toml\n",
    )
    assert (tmp_path / "build").read_text() == "mine\n"


def test_a_full_disk_is_a_clear_error(
    make_repo: Callable[..., Path], cli: Callable, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    make_repo(many_profiles(2))
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fd: int, mode: str) -> None:
            self._file = real_fdopen(fd, mode)

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self._file.close()

        def write(self, data: bytes) -> int:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdopen", Full)
    run = cli("build", "configs", "--env", "dev")
    assert (run.code, run.err) == (1, "build/dev: cannot write the build output: No space left on device\n")
    assert [p.name for p in (tmp_path / "build/dev").iterdir()] == []


def test_output_is_identical_across_runs_and_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    for seed in ("0", "1", "12345"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed}
        command = [sys.executable, "-m", "compiler", "build", str(ROOT / "configs"), "--all-envs", "--out", str(out)]
        subprocess.run(command, check=True, env=env, capture_output=True)
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0] == {
        p.relative_to(ROOT / "build").as_posix(): p.read_bytes() for p in sorted((ROOT / "build").rglob("*")) if p.is_file()
    }


def test_an_unwritable_folder_is_a_clear_error_even_for_root(
    make_repo: Callable[..., Path], cli: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_repo(many_profiles(2))

    real_open = os.open

    def refuse(path: str, *args: object, **kwargs: object) -> int:
        if str(path).endswith(".confc-tmp"):  # creating a file in the output folder
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("os.open", refuse)
    run = cli("build", "configs", "--env", "dev")
    assert (run.code, run.err) == (1, "build/dev: cannot write the build output: Permission denied\n")


def test_a_link_that_loops_or_leads_nowhere_is_an_error_at_its_path(make_repo: Callable[..., Path], cli: Callable) -> None:
    repo = make_repo({"profiles/a.toml": '[conference]\nname = "a"\n', "templates/kept.j2": "x\n"})
    (repo / "profiles/loop.toml").symlink_to("loop.toml")
    (repo / "profiles/sub").symlink_to("sub")
    (repo / "environments/gone.toml").symlink_to("nowhere.toml")
    (repo / "templates/conference.j2").symlink_to("conference.j2")
    (repo / "confc.toml").symlink_to("confc.toml")
    for command in (("validate", "configs"), ("build", "configs", "--all-envs"), ("show", "configs", "a", "--env", "dev")):
        run = cli(*command)
        assert (run.code, run.out) == (1, "")
        assert run.err.splitlines() == [
            "configs/confc.toml: symbolic link loop: it leads back to itself; not read",
            "configs/environments/gone.toml: symbolic link to nothing: its target does not exist; not read",
            "configs/profiles/loop.toml: symbolic link loop: it leads back to itself; not read",
            "configs/profiles/sub: symbolic link loop: it leads back to itself; not read",
            "configs/templates/conference.j2: symbolic link loop: it leads back to itself; not read",
        ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_where_a_file_belongs_is_an_error_not_a_wait(make_repo: Callable[..., Path], cli: Callable) -> None:
    # Opening a pipe to read waits for a writer: a run must report it instead of hanging.
    repo = make_repo({"profiles/a.toml": '[conference]\nname = "a"\n'})
    os.mkfifo(repo / "profiles/pipe.toml")
    (repo / "templates").mkdir(exist_ok=True)
    os.mkfifo(repo / "templates/conference.j2")
    not_regular = "not a regular file (a pipe, socket or device?)"
    for command in (("validate", "configs"), ("build", "configs", "--all-envs")):
        run = cli(*command)
        assert (run.code, run.err.splitlines()) == (
            1,
            [
                f"configs/profiles/pipe.toml: cannot read file: {not_regular}",
                f"configs/templates/conference.j2: cannot read template: {not_regular} (profile a, envs dev, prod)",
            ],
        )
    assert not (repo.parent / "build").exists()
