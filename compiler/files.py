"""Reading files whole, quickly: a buffered file object costs more than the read itself for the
small files a repository and its artifacts are made of."""

from __future__ import annotations

import errno
import os
import re
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


# What the system, version control and editors write beside one's own files, never a name one gives a profile.
_TOOL_FILE = re.compile(
    r"\.(?:gitkeep|keep|gitignore|gitattributes|DS_Store)"  # version control's placeholders and settings, the Finder's
    r"|\..+\.sw[a-p]"  # vim's swap file of a file open in it: .support.toml.swp
    r"|.+~|#.+#|\.#.+"  # a backup; emacs's autosave and lock
    r"|\._.+"  # macOS's resource fork, on a disk that has none
)
_TOOL_FOLDERS = frozenset({".git", ".hg", ".svn", ".idea", ".vscode"})


def kept_by_tools(name: str, *, folder: bool = False) -> bool:
    """Whether a file (or `folder`) is one that the system, version control or an editor keeps beside one's own:
    never a profile, so not read. A hidden file of another name (.support.toml) may be one, and is not passed over."""
    return name in _TOOL_FOLDERS if folder else _TOOL_FILE.fullmatch(name) is not None


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
