"""Keys for memoizing work on values: thousands of profiles share most of theirs."""

from __future__ import annotations

from typing import Any


def fingerprint(value: Any) -> str:
    """A key that tells apart every value TOML and rendering produce: "1" and 1, True and 1, a date and its text."""
    return f"{type(value).__name__}:{value!r}"
