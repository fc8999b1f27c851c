"""Secrets kept out of what plan and apply print: the API token always, bearer tokens unless --show-secrets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

SECRET_KEYS = frozenset({"authorization_bearer_token"})
MASK = "***"
SHORTEST = 8


@dataclass(frozen=True)
class Secrets:
    """The secret values of some documents, and the API token, so that no message shows them unless asked to."""

    shown: bool = False
    values: frozenset[str] = frozenset()
    token: str = field(default="", repr=False)

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
        return text


def _items(document: Any) -> Iterable[tuple[Any, Any]]:
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, Mapping):
            stack.extend(value.values())
            yield from value.items()
        elif isinstance(value, list):
            stack.extend(value)


def _masked(document: Any) -> Any:
    if isinstance(document, Mapping):
        return {k: MASK if k in SECRET_KEYS and v is not None else _masked(v) for k, v in document.items()}
    if isinstance(document, list):
        return [_masked(v) for v in document]
    return document
