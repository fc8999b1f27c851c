"""Reading files whole, quickly: a buffered file object costs more than the read itself for the
small files a repository and its artifacts are made of."""

from __future__ import annotations

import errno
import os
import stat

# Never block on a FIFO someone left in the way: opening one to read waits for a writer.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
# Artifacts are confc's own files: never follow a link to read one.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | _NONBLOCK | getattr(os, "O_BINARY", 0)


def read_bytes(path: str) -> bytes:
    """The bytes of the regular file at `path` (links followed); OSError as open() raises it, or
    one whose strerror says the file is not a regular one."""
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a pipe, socket or device?)", path)
        return _read(fd, info.st_size)
    finally:
        os.close(fd)


def read_regular(path: str | os.PathLike[str]) -> bytes | None:
    """The bytes of a regular file, None when nothing is there; never follows a link."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except FileNotFoundError:
        return None
    except OSError:
        if os.path.islink(path):
            raise OSError(f"{path} is a symbolic link") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a regular file")
        return _read(fd, info.st_size)
    finally:
        os.close(fd)


def kept_by_tools(name: str) -> bool:
    """Whether a file or folder is one that the system, git or an editor keeps beside one's own files, never one
    written as a profile: hidden (.gitkeep, .DS_Store, vim's .x.toml.swp), a backup (x.toml~) or an autosave (#x#)."""
    return name.startswith(".") or name.endswith("~") or (len(name) > 1 and name.startswith("#") and name.endswith("#"))


def as_lf(data: bytes) -> bytes:
    """`data` with CR LF line endings as LF: what git's core.autocrlf converts on checkout, TOML and Jinja read
    alike, and confc writes."""
    return data.replace(b"\r\n", b"\n") if b"\r" in data else data


def _read(fd: int, size: int) -> bytes:
    data = os.read(fd, size + 1)
    if len(data) <= size:
        return data
    chunks = [data]  # it grew while being read: take the rest too
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)
