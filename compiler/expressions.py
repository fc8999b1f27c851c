"""The JavaScript conditions of SWML's cond and goto, as far as confc's simulator runs them.

SignalWire evaluates a `when` as JavaScript with the document's variables in scope. This reads the
part confc's flows need: a variable compared with == or != to a quoted literal, joined by && and ||
with parentheses. A variable compares as JavaScript writes it (true, false, null), not as Python.
Anything else is refused, naming the condition, rather than guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class Unsupported(Exception):
    """The condition uses JavaScript the simulator does not run."""


def js_text(value: Any) -> str:
    """`value` as JavaScript turns it into a string, which is what it is compared as with a string literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


_TOKEN = re.compile(r"\s*(?:(==|!=|&&|\|\||\(|\))|'([^']*)'|\"([^\"]*)\"|([A-Za-z_][A-Za-z0-9_.]*))")


def holds(source: str, variable: Callable[[str], Any]) -> bool:
    """Whether condition `source` is true, reading each variable through `variable`."""
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(source.rstrip()):
        match = _TOKEN.match(source, position)
        if not match:
            raise Unsupported(f"cannot evaluate when {source!r}")
        operator, single, double, name = match.groups()
        tokens.append(
            ("op", operator)
            if operator
            else ("text", single if single is not None else double)
            if name is None
            else ("name", name)
        )
        position = match.end()
    parser = _When(tokens, variable, source)
    value = parser.either()
    if parser.position != len(tokens):
        raise Unsupported(f"cannot evaluate when {source!r}")
    return value


@dataclass
class _When:
    tokens: list[tuple[str, str]]
    variable: Callable[[str], Any]
    source: str
    position: int = 0

    def _next(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise Unsupported(f"cannot evaluate when {self.source!r}")
        self.position += 1
        return self.tokens[self.position - 1]

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def either(self) -> bool:
        value = self.both()
        while self._peek() == ("op", "||"):
            self._next()
            value = self.both() or value
        return value

    def both(self) -> bool:
        value = self.atom()
        while self._peek() == ("op", "&&"):
            self._next()
            value = self.atom() and value
        return value

    def atom(self) -> bool:
        kind, text = self._next()
        if (kind, text) == ("op", "("):
            value = self.either()
            if self._next() != ("op", ")"):
                raise Unsupported(f"cannot evaluate when {self.source!r}")
            return value
        operator, (other, literal) = self._next(), self._next()
        if kind != "name" or operator not in (("op", "=="), ("op", "!=")) or other != "text":
            raise Unsupported(f"cannot evaluate when {self.source!r}: only variable == 'text' and != are simulated")
        equal = js_text(self.variable(text)) == literal
        return equal if operator[1] == "==" else not equal
