"""Secrets kept out of what plan and apply print: the API token always, bearer tokens unless --show-secrets."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..secrets import SHORTEST_PIN, replaced, without_pins

SECRET_KEYS = frozenset({"authorization_bearer_token"})
MASK = "***"
SHORTEST = 8


@dataclass(frozen=True)
class Secrets:
    """The secret values of some documents, and the API token, so that no message shows them unless asked to."""

    shown: bool = False
    values: frozenset[str] = frozenset()
    token: str = field(default="", repr=False)
    placeholders: Mapping[str, str] = field(default_factory=dict, repr=False)  # a secret's value -> its placeholder
    names: frozenset[str] = frozenset()  # the secrets whose placeholders the documents carry: pictures name them

    def unsent(self, remote: Any, local: Any) -> Any:
        """The space's `remote` document with the placeholders of `local` back where they stand: never shown, even
        with --show-secrets. The space may hold a value since changed, so they are put back by place, not by value."""
        standing = frozenset(self.placeholders.values())
        placed = _by_place(replaced(remote, self.placeholders), local, standing) if standing else remote
        # What the space holds and the artifact does not write may be the value of a secret confc no longer knows (one
        # renamed or removed since the last apply, a document applied from another environment): not shown either.
        if isinstance(placed, str):  # contents that are neither JSON nor YAML (edited in the Dashboard): every PIN-long number
            return _PIN.sub(MASK, _without_password(placed))
        return _unknown_hidden(placed, _strings(local))

    def seeing(self, documents: Iterable[Any]) -> Secrets:
        """These secrets and those of `documents`."""
        found = {v for d in documents for k, v in _items(d) if k in SECRET_KEYS and isinstance(v, str) and v}
        return replace(self, values=self.values | found)

    def mask(self, document: Any) -> Any:
        """`document` with every secret value as *** (unless secrets are shown)."""
        return document if self.shown else _masked(document)

    def redact(self, text: str) -> str:
        """`text` without the API token, ever, nor any secret value unless shown.

        Values shorter than SHORTEST are left: replacing every "t" of a message would say nothing
        and hide nothing (a SignalWire token is dozens of characters).
        """
        hidden = {self.token} | (set() if self.shown else self.values)
        for value in sorted((v for v in hidden if len(v) >= SHORTEST), key=len, reverse=True):
            text = text.replace(value, MASK)
        return without_pins(text, self.placeholders)


def _items(document: Any) -> Iterable[tuple[Any, Any]]:
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, Mapping):
            stack.extend(value.values())
            yield from value.items()
        elif isinstance(value, list):
            stack.extend(value)


def _by_place(remote: Any, local: Any, placeholders: frozenset[str]) -> Any:
    if isinstance(local, str) and isinstance(remote, str) and any(p in local for p in placeholders):
        return local  # the artifact's text, placeholder and all: the space's holds the value
    if isinstance(remote, Mapping) and isinstance(local, Mapping):
        out: dict[Any, Any] = {}
        mine = list(local.items())
        for index, (key, value) in enumerate(remote.items()):
            theirs = mine[index] if index < len(mine) else None
            if theirs is not None and theirs[0] in placeholders and isinstance(key, str) and key.isdigit():
                key = theirs[0]  # a switch case on a secret PIN: the PIN is the key
            out[key] = _by_place(value, theirs[1], placeholders) if theirs is not None else value
        return out
    if isinstance(remote, list) and isinstance(local, list):
        return [_by_place(r, loc, placeholders) for r, loc in zip(remote, local, strict=False)] + remote[len(local) :]
    return remote


_PIN = re.compile(rf"(?<![0-9])[0-9]{{{SHORTEST_PIN},}}(?![0-9])")
_PASSWORD = re.compile(r"(://[^/@:\s]*:)[^/@\s]+@")  # scheme://user:PASSWORD@host


def _without_password(text: str) -> str:
    return _PASSWORD.sub(rf"\1{MASK}@", text)


def _strings(document: Any) -> frozenset[str]:
    return frozenset(s for k, v in _items(document) for s in (k, v) if isinstance(s, str))


def _unknown_hidden(value: Any, known: frozenset[str], key: Any = None) -> Any:
    """`value` with what may be a secret the artifact does not write hidden: a switch case or a condition's number
    of SHORTEST_PIN digits or more (a PIN), and a URL's password."""
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for name, item in value.items():
            if isinstance(name, str) and name not in known and _PIN.fullmatch(name):
                name = f"<a PIN the artifact does not hold, {len(out) + 1}>"  # numbered: they stay distinct keys
            out[name] = _unknown_hidden(item, known, name)
        return out
    if isinstance(value, list):
        return [_unknown_hidden(item, known, key) for item in value]
    if isinstance(value, str) and value not in known:
        value = _without_password(value)
        return _PIN.sub(MASK, value) if key == "when" else value
    return value


def _masked(document: Any) -> Any:
    if isinstance(document, Mapping):
        return {k: MASK if k in SECRET_KEYS and v is not None else _masked(v) for k, v in document.items()}
    if isinstance(document, list):
        return [_masked(v) for v in document]
    return document
