"""How problems reach the user: text for people, GitHub annotations or JSON lines for tools.

text    FILE:LINE: KEY: message (profile P, env E), on stderr
github  ::error file=F,line=L,title=confc KEY::message, on stdout, where GitHub Actions reads it
json    one object a line on stdout: severity, file, line, key, profile(s), env(s), message (and diff)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import TextIO

from .drift import Drift
from .errors import ConfcError, Diagnostic, diagnostic, gather


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
        self.diagnostics(error.diagnostics)

    def warnings(self, warnings: Iterable[ConfcError]) -> None:
        self.diagnostics(gather(diagnostic(w, "warning") for w in warnings))

    def diagnostics(self, found: Iterable[Diagnostic]) -> None:
        for each in found:
            self._emit(each)

    def drift(self, found: Drift) -> None:
        """A stale, missing or extra artifact found by check; its diff, if any, goes with it."""
        problem = Diagnostic(
            found.message,
            file=found.file,
            profiles=(found.profile,) if found.profile else (),
            envs=(found.env,) if found.env else (),
        )
        if self.format == "text":
            print(f"{problem.where}{problem.message}", file=self.err)
        elif self.format == "json":
            print(
                json.dumps({**_fields(problem), **({"diff": found.diff} if found.diff else {})}, ensure_ascii=False),
                file=self.out,
            )
        else:
            # The annotation carries the diff, shortened: a log shows the start of what changed.
            shown = _shortened(found.diff) if found.diff else ""
            print(_annotation(problem if not shown else Diagnostic(f"{found.message}\n{shown}", file=found.file)), file=self.out)

    def _emit(self, problem: Diagnostic) -> None:
        if self.format == "json":
            print(json.dumps(_fields(problem), ensure_ascii=False), file=self.out)
        elif self.format == "github":
            print(_annotation(problem), file=self.out)
        else:
            print(f"warning: {problem}" if problem.severity == "warning" else problem, file=self.err)


def _fields(problem: Diagnostic) -> dict[str, object]:
    return {
        "severity": problem.severity,
        "file": problem.file,
        "line": problem.line,
        "key": problem.key,
        "profile": problem.profile,
        "profiles": list(problem.profiles),
        "env": problem.env,
        "envs": list(problem.envs),
        "message": problem.message,
    }


def _shortened(diff: str, lines: int = 20) -> str:
    kept = diff.splitlines()
    return "\n".join(
        kept[:lines]
        + ([f"... {len(kept) - lines} more lines: run confc check locally for the whole diff"] if len(kept) > lines else [])
    )


def _annotation(problem: Diagnostic) -> str:
    # GitHub's workflow command syntax: properties escape , and : too; the message escapes % and newlines.
    properties = []
    if problem.file:
        properties.append(f"file={annotation_escape(problem.file, property=True)}")
    if problem.line:
        properties.append(f"line={problem.line}")
    title = f"confc {problem.key}" if problem.key else "confc"
    properties.append(f"title={annotation_escape(title, property=True)}")
    return f"::{problem.severity} {','.join(properties)}::{annotation_escape(problem.message + problem.context)}"


def annotation_escape(text: str, *, property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text
