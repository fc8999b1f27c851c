"""A simulated call against a case's expectations: the first difference, located at the expectation's line."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import profile_format as fmt
from ..calls import Call
from ..errors import show
from .format import Case

KeyPath = tuple[str, ...]


@dataclass(frozen=True)
class Difference:
    path: KeyPath  # the expectation that does not hold, below the case
    message: str


def heard(call: Call) -> list[str]:
    """What the caller heard, in order: a `say:` as its text, any other URL as it is."""
    played = [step.did.removeprefix("played ") for step in call.steps if step.method == "play"]
    return [url.removeprefix("say:") for url in played]


def sections(call: Call) -> list[str]:
    """The sections the call passed through, in order."""
    found: list[str] = []
    for step in call.steps:
        if not found or found[-1] != step.section:
            found.append(step.section)
    return found


def ending(call: Call) -> str:
    """How the call ended, in the words of the test format."""
    if call.outcome == "in conference":
        return "in conference"
    if call.joins:
        return "joined"
    if call.outcome == "transferred":
        return "transferred"
    if any(step.method == "record" for step in call.steps):
        return "voicemail"  # the caller left a message, whatever ended the call after it
    return "hung up" if call.outcome == "hangup" else call.end


def difference(case: Case, call: Call) -> Difference | None:
    """The first way `call` is not what `case` expects, or None."""
    if call.outcome == "stopped":
        return Difference((), f"the simulation {call.end}")
    if case.refused and call.joins:
        return Difference(("refused",), f"expected the call to be refused, but it joined in section {call.joins[0].section}")
    expect = case.expect
    if "role" in expect:
        got = call.joins[0].section if call.joins else None
        if got != expect["role"]:
            return Difference(("expect", "role"), f"expected role {show(expect['role'])}, got {_joined(call)}")
    if "join" in expect:
        if not call.joins:
            return Difference(("expect", "join"), f"expected a join, got {_joined(call)}")
        unlike = _unlike(fmt.emitted_table(fmt.CONFERENCE, expect["join"]), call.joins[0].conference, ())
        if unlike is not None:
            path, value, got = unlike
            said = "not set" if got is _UNSET else show(got)
            return Difference(("expect", "join", *path), f"expected {'.'.join(path)} = {show(value)}, got {said}")
    if "hears" in expect:
        found = _first_unheard(expect["hears"], heard(call))
        if found is not None:
            index, wanted_text = found
            return Difference(
                ("expect", "hears", str(index)),
                f"expected to hear {wanted_text} (after what is listed before it), heard {show(heard(call))}",
            )
    if "sections" in expect and list(expect["sections"]) != sections(call):
        return Difference(("expect", "sections"), f"expected sections {show(expect['sections'])}, got {show(sections(call))}")
    if "ends" in expect and expect["ends"] != ending(call):
        return Difference(("expect", "ends"), f"expected the call to end {show(expect['ends'])}, got {show(ending(call))}")
    if case.refused and ending(call) != "hung up":
        return Difference(("refused",), f"expected the call to be refused and hung up, got {show(ending(call))}")
    return None


_UNSET: Any = object()


def _unlike(wanted: Mapping[str, Any], got: Mapping[str, Any], path: tuple[str, ...]) -> tuple[tuple[str, ...], Any, Any] | None:
    """The first key of `wanted` that `got` does not have as wanted: a table's keys one by one (a join's stream
    need only have the keys a case names), any other value as a whole."""
    for key, value in wanted.items():
        have = got.get(key, _UNSET)
        if isinstance(value, Mapping) and isinstance(have, Mapping):
            if (unlike := _unlike(value, have, (*path, key))) is not None:
                return unlike
        elif have != value:
            return (*path, key), value, have
    return None


def _joined(call: Call) -> str:
    return f"a join in section {show(call.joins[0].section)}" if call.joins else f"no join (the call ended: {call.end})"


def _first_unheard(wanted: Sequence[Any], played: Sequence[str]) -> tuple[int, str] | None:
    """The first expected sound not heard in order, as its index and how to show it."""
    position = 0
    for index, item in enumerate(wanted):
        while position < len(played) and not _matches(item, played[position]):
            position += 1
        if position == len(played):
            return index, (f"something matching {show(item['matches'])}" if isinstance(item, Mapping) else show(item))
        position += 1
    return None


def _matches(item: Any, played: str) -> bool:
    if isinstance(item, Mapping):
        return re.search(item["matches"], played) is not None
    return bool(item == played)
