"""Line numbers for TOML keys: tomllib reports none, so scan the text for them.

The scanner understands just enough TOML to be exact about where a key is
written: table headers, dotted and quoted keys, and values spanning lines
(multi-line strings, arrays, inline tables) that must not be mistaken for keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

KeyPath = tuple[str, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def _read_key(text: str, pos: int) -> tuple[KeyPath, int] | None:
    """Parse a (dotted, possibly quoted) key at `pos`; return it and the end position."""
    parts: list[str] = []
    while True:
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos >= len(text):
            return None
        char = text[pos]
        if char == '"':
            end = pos + 1
            chunk = []
            while end < len(text) and text[end] != '"':
                if text[end] == "\\" and end + 1 < len(text):
                    esc = text[end + 1]
                    if esc in _ESCAPES:
                        chunk.append(_ESCAPES[esc])
                        end += 2
                        continue
                    if esc in "uU":
                        width = 4 if esc == "u" else 8
                        chunk.append(chr(int(text[end + 2 : end + 2 + width], 16)))
                        end += 2 + width
                        continue
                chunk.append(text[end])
                end += 1
            parts.append("".join(chunk))
            pos = end + 1
        elif char == "'":
            end = text.find("'", pos + 1)
            if end < 0:
                return None
            parts.append(text[pos + 1 : end])
            pos = end + 1
        else:
            match = _BARE.match(text, pos)
            if not match:
                return None
            parts.append(match.group())
            pos = match.end()
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos < len(text) and text[pos] == ".":
            pos += 1
            continue
        return tuple(parts), pos


class _ValueScanner:
    """Tracks whether we are inside a value that continues onto the next line."""

    def __init__(self) -> None:
        self.depth = 0  # open [ and { brackets
        self.multiline: str | None = None  # the delimiter of an open multi-line string

    @property
    def open(self) -> bool:
        return self.depth > 0 or self.multiline is not None

    def feed(self, text: str, pos: int = 0) -> None:
        while pos < len(text):
            if self.multiline:
                end = text.find(self.multiline, pos)
                if end < 0:
                    return
                if self.multiline == '"""' and _escaped(text, end):
                    pos = end + 1
                    continue
                # A closing delimiter may be followed by up to two more quotes.
                pos = end + 3
                while pos < len(text) and text[pos] == self.multiline[0]:
                    pos += 1
                self.multiline = None
                continue
            char = text[pos]
            if char == "#":
                return
            if text.startswith('"""', pos) or text.startswith("'''", pos):
                self.multiline = text[pos : pos + 3]
                pos += 3
            elif char in "\"'":
                pos = _skip_string(text, pos)
            elif char in "[{":
                self.depth += 1
                pos += 1
            elif char in "]}":
                self.depth = max(0, self.depth - 1)
                pos += 1
            else:
                pos += 1


def _escaped(text: str, pos: int) -> bool:
    backslashes = 0
    while pos - backslashes - 1 >= 0 and text[pos - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _skip_string(text: str, pos: int) -> int:
    quote = text[pos]
    end = pos + 1
    while end < len(text):
        if text[end] == quote and (quote == "'" or not _escaped(text, end)):
            return end + 1
        end += 1
    return end


class KeyLines:
    """Maps key paths to the 1-based line that writes them."""

    def __init__(self, lines: Mapping[KeyPath, int]) -> None:
        self._lines = dict(lines)

    def __getitem__(self, path: KeyPath) -> int | None:
        """The line of `path`, or of its nearest written ancestor."""
        path = tuple(path)
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None

    def exact(self, path: KeyPath) -> int | None:
        return self._lines.get(tuple(path))


def _in_arrays(path: KeyPath, arrays: Mapping[KeyPath, int]) -> KeyPath:
    """`path` with the index of the last element after each array of tables it passes through."""
    resolved: KeyPath = ()
    for part in path:
        resolved += (part,)
        if resolved in arrays:
            resolved += (str(arrays[resolved]),)
    return resolved


def key_lines(text: str) -> KeyLines:
    """Scan TOML source text and locate every key and table header in it."""
    found: dict[KeyPath, int] = {}
    table: KeyPath = ()
    arrays: dict[KeyPath, int] = {}  # each [[array]] of tables -> the index of its last element
    value = _ValueScanner()
    for number, line in enumerate(text.splitlines(), start=1):
        if value.open:
            value.feed(line)
            continue
        stripped = line.lstrip()
        if stripped.startswith("["):
            array = stripped.startswith("[[")
            parsed = _read_key(stripped, 2 if array else 1)
            if parsed:
                table = _in_arrays(parsed[0][:-1] if array else parsed[0], arrays)
                if array:
                    table += parsed[0][-1:]
                    arrays[table] = arrays.get(table, -1) + 1
                for size in range(1, len(table) + 1):  # [a.b.c] also defines a and a.b
                    found.setdefault(table[:size], number)
                if array:  # each element of an array of tables is found at its own header
                    table += (str(arrays[table]),)
                    found[table] = number
            continue
        parsed = _read_key(line, 0)
        if parsed is None or not line[parsed[1] :].startswith("="):
            continue
        key, end = parsed
        for size in range(1, len(key) + 1):
            found.setdefault(table + key[:size], number)
        value.feed(line, end + 1)
    return KeyLines(found)
