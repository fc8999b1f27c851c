"""The recording notice: which joins record, what a caller is told before them, and a recorded join left untold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .validation import is_recorded, recorded_roles

KeyPath = tuple[str, ...]


def notice_text(values: Mapping[str, Any]) -> str | None:
    """The notice as written, whether or not a join records."""
    notice = (values.get("recording") or {}).get("notice")
    return notice if isinstance(notice, str) else None


def notice_url(values: Mapping[str, Any]) -> str | None:
    notice = notice_text(values)
    return None if notice is None else f"say:{notice}"


def untold(values: Mapping[str, Any]) -> tuple[KeyPath, str] | None:
    """A recorded join with no notice: where its record is set, and what to do about it."""
    if notice_url(values) is not None or not is_recorded(values):
        return None
    names = recorded_roles(values)
    own = [name for name in names if "record" in (values["roles"][name].get("conference") or {})]
    path: KeyPath = ("roles", own[0], "conference", "record") if own and len(names) == 1 else ("conference", "record")
    whose = f" of role{'s' if len(names) > 1 else ''} {', '.join(names)}" if names else ""
    return path, (
        f"the join{whose} is recorded, but no recording.notice tells the caller so; "
        'set [recording] notice = "This call is recorded." (a rule recording.notice = { required = true } makes this an error)'
    )
