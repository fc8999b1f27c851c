"""Secrets kept out of what plan and apply print: the API token always, bearer tokens unless --show-secrets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..secrets import replaced, without_pins

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
        return _by_place(replaced(remote, self.placeholders), local, standing) if standing else remote

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


def _masked(document: Any) -> Any:
    if isinstance(document, Mapping):
        return {k: MASK if k in SECRET_KEYS and v is not None else _masked(v) for k, v in document.items()}
    if isinstance(document, list):
        return [_masked(v) for v in document]
    return document
