"""Line numbers for TOML keys: tomllib reports none, so scan the text for them.

The scanner understands just enough TOML to be exact about where a key is
written: table headers, dotted and quoted keys, and values spanning lines
(multi-line strings, arrays, inline tables) that must not be mistaken for keys.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping

from .errors import dotted

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


def _writes(text: str) -> Iterator[tuple[int, KeyPath, bool]]:
    """Each table header and key of `text`: its line, its full path (an element of an array of tables by its
    index), and whether it is a header."""
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
                    yield number, table, True  # [[a.b]] also defines a.b, and each element at its own header
                    table += (str(arrays[table]),)
                yield number, table, True
            continue
        parsed = _read_key(line, 0)
        if parsed is None or not line[parsed[1] :].startswith("="):
            continue
        key, end = parsed
        yield number, table + key, False
        value.feed(line, end + 1)


def _first_written(writes: Iterable[tuple[int, KeyPath, bool]]) -> dict[KeyPath, tuple[int, bool]]:
    """Each path `writes` define, with the line that first did and whether as a table: [a.b.c] and a.b.c = 1 also
    define the tables a and a.b."""
    found: dict[KeyPath, tuple[int, bool]] = {}
    for number, path, header in writes:
        for size in range(1, len(path) + 1):
            found.setdefault(path[:size], (number, header or size < len(path)))
    return found


def key_lines(text: str) -> KeyLines:
    """Scan TOML source text and locate every key and table header in it."""
    return KeyLines({path: number for path, (number, _) in _first_written(_writes(text)).items()})


# tomllib's words for the two slips people make most, with what to write instead.
_HINTS = {
    "Invalid value": ': a value is written as TOML writes it: text in quotes ("Welcome."), a number, true or false'
    " (lower case), an [array] or an { inline = table }",
    "Illegal character '\\n'": ": a string is not closed on its line: end it with its quote (text over several lines"
    ' goes in """triple quotes""")',
}


def reworded(message: str, text: str, line: int) -> str:
    """tomllib's `message` about `line` of `text`, said of the key at fault and with what to write where known."""
    return written_twice(message, text, line) or message + _HINTS.get(message, "")


def written_twice(message: str, text: str, line: int) -> str | None:
    """tomllib's `message` of a key or table written a second time, at `line`, said of that key and the line
    that wrote it first; None for any other message."""
    if message.startswith("Duplicate inline table key "):
        key = ast.literal_eval(message.removeprefix("Duplicate inline table key "))  # tomllib writes its repr
        return f"{dotted((key,))} is written twice in one inline table: keep one of them"
    writes = list(_writes(text))
    at = next(((path, header) for number, path, header in writes if number == line), None)
    if at is None:
        return None
    path, header = at
    earlier = _first_written(write for write in writes if write[0] < line)  # where each path was first, if as a table
    stripped = text.splitlines()[line - 1].lstrip()
    if header and not stripped.startswith("[[") and (written := _read_key(stripped, 1)) and written[0] + ("0",) in earlier:
        array = dotted(written[0])  # [x] after [[x]]: the scan took it for an element
        return f"[{array}] declares a table, but line {earlier[written[0]][0]} made {array} an array of tables: write [[{array}]]"
    name = dotted(path)
    first, as_table = earlier.get(path, (None, False))
    if first is not None and message.startswith("Cannot redefine namespace"):
        # A dotted key reaching into a table that has a header of its own: the message names that table.
        table = next((path[:size] for size in range(len(path) - 1, 0, -1) if message.endswith(f"{path[:size]!r}")), path[:-1])
        return f"{name} adds to [{dotted(table)}] from outside it (its header is at line {earlier[table][0]}); write the key under it"
    if first is not None and message.startswith(("Cannot declare", "Cannot overwrite")):
        if header and as_table and stripped.startswith("[["):
            return (
                f"[[{name}]] adds to an array of tables, but line {first} declared [{name}] a table: write each one as [[{name}]]"
            )
        if header and as_table:
            return f"[{name}] is declared a second time (first at line {first}): write each table once, all its keys under one header"
        if header:
            return f"[{name}] declares a table, but line {first} set {name} to a value already: keep one of them"
        if as_table:
            return f"{name} sets a value, but line {first} declared {name} a table: keep one of them"
        return f"{name} is set a second time (first at line {first}): keep one of them"
    closed = next((path[:size] for size in range(len(path) - 1, 0, -1) if path[:size] in earlier), None)
    if closed is not None and message.startswith(("Cannot declare", "Cannot mutate", "Cannot overwrite")):
        whole = dotted(closed)
        return (
            f"{name} adds to {whole}, which line {earlier[closed][0]} wrote whole (an inline table or a value, which TOML"
            f" closes); write {whole} as a [{whole}] table to add keys to it"
        )
    return None
