"""How problems reach the user: text for people, GitHub annotations or JSON lines for tools.

text    FILE:LINE: KEY: message (profile P, env E), on stderr
github  ::error file=F,line=L,title=confc KEY::message, on stdout, where GitHub Actions reads it
json    one object a line on stdout: severity, file, line, key, profile, env, message (and diff)
"""

from __future__ import annotations

import json
import sys
from typing import TextIO

from .errors import ConfcError

class Reporter:
    def __init__(self, fmt: str = "text", out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.format = fmt
        self._out = out
        self._err = err

    @property
    def out(self) -> TextIO:
        return self._out or sys.stdout  # looked up late: tests capture sys.stdout

    @property
    def err(self) -> TextIO:
        return self._err or sys.stderr

    def error(self, error: ConfcError) -> None:
        for each in error.errors:
            self._emit("error", each)

    def warning(self, warning: ConfcError) -> None:
        self._emit("warning", warning)

    def drift(self, file: str, message: str, diff: str | None) -> None:
        """A stale, missing or extra artifact found by check; its diff, if any, goes with it."""
        problem = ConfcError(message, file=file)
        if self.format == "text":
            print(problem, file=self.err)
        elif self.format == "json":
            print(json.dumps({**_fields("error", problem), **({"diff": diff} if diff else {})}, ensure_ascii=False), file=self.out)
        else:
            self._emit("error", problem)

    def _emit(self, severity: str, error: ConfcError) -> None:
        if self.format == "json":
            print(json.dumps(_fields(severity, error), ensure_ascii=False), file=self.out)
        elif self.format == "github":
            print(_annotation(severity, error), file=self.out)
        else:
            print(f"warning: {error}" if severity == "warning" else error, file=self.err)


def _fields(severity: str, error: ConfcError) -> dict[str, object]:
    return {
        "severity": severity,
        "file": error.file,
        "line": error.line,
        "key": error.key,
        "profile": error.profile,
        "env": error.env,
        "message": error.message,
    }


def _annotation(severity: str, error: ConfcError) -> str:
    # GitHub's workflow command syntax: properties escape , and : too; the message escapes % and newlines.
    properties = []
    if error.file:
        properties.append(f"file={_escape(error.file, property=True)}")
    if error.line:
        properties.append(f"line={error.line}")
    title = f"confc {error.key}" if error.key else "confc"
    properties.append(f"title={_escape(title, property=True)}")
    context = [f"profile {error.profile}"] if error.profile else []
    if error.env:
        context.append(f"env {error.env}")
    message = error.message + (f" ({', '.join(context)})" if context else "")
    return f"::{severity} {','.join(properties)}::{_escape(message)}"


def _escape(text: str, *, property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text
