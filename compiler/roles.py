"""Roles and the PIN dialogue (SPEC 2a): what templates get of them, and the proof by simulation that a document
runs each role's dialogue as the profile says (claims.py checks the roles themselves)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import claims, recording, render, schema
from . import profile_format as fmt
from .calls import WITHHELD, Call, simulate
from .claims import access, callers, pins
from .document import Document
from .errors import show
from .sandbox import Scope
from .validation import effective_join, is_recorded, recorded_roles, records

Path = tuple[str, ...]


def template_context(values: Mapping[str, Any]) -> tuple[list[dict[str, Any]], Scope]:
    """What templates get besides `profile`: `roles` (name, pins, greeting, join, notice) and `access` (with max_digits)."""
    notice_text = recording.notice_text(values)
    recorded = set(recorded_roles(values))
    roles = [
        {
            "name": name,
            "pins": pins(role),
            "callers": callers(role),
            "greeting": role.get("greeting"),
            "join": effective_join(values, role),
            "description": role.get("description", ""),
            "notice": notice_text if name in recorded else None,
        }
        for name, role in values.get("roles", {}).items()
    ]
    settings = access(values)
    # One more than the longest PIN, so the # the prompt asks for ends the entry rather than arriving after it.
    settings["max_digits"] = max((len(pin) for role in roles for pin in role["pins"]), default=1) + 1
    return roles, Scope(settings, "access")


NO_ACCESS = Scope({**fmt.ACCESS_DEFAULTS, "max_digits": 1}, "access")  # what a template sees of access without roles


def _wrong_entries(values: Mapping[str, Any], settings: Mapping[str, Any]) -> list[tuple[str, list[tuple[str, ...]]]]:
    """Entries no role accepts (a full-length wrong PIN, a short one, silence, a lone #), with what each makes a caller hear."""
    retry, no_input = f"say:{settings['retry']}", f"say:{settings['no_input']}"
    before_last = settings["attempts"] - 1
    wrong = wrong_pin(values)
    taken = _taken(values)
    short = next((wrong[:n] for n in range(len(wrong) - 1, 0, -1) if wrong[:n] not in taken), None)
    entries = [wrong, wrong + "#", *([short + "#"] if short is not None else [])]
    # Nothing entered, or only the #, is no input: the built-in flow says so, a template of one's own may say retry.
    wrong_said: list[tuple[str, ...]] = [(retry,)] * before_last
    nothing_said: list[tuple[str, ...]] = [(no_input, retry)] * before_last
    return [*[(entry, wrong_said) for entry in entries], *[(entry, nothing_said) for entry in ("", "#")]]


def _taken(values: Mapping[str, Any]) -> set[str]:
    """Every role's PINs."""
    return {pin for role in values.get("roles", {}).values() for pin in pins(role)}


def wrong_pin(values: Mapping[str, Any]) -> str:
    """A PIN no role has, as long as the longest one (so it is not cut short)."""
    taken = _taken(values)
    length = max((len(pin) for pin in taken), default=1)
    return next(candidate for number in range(len(taken) + 1) if (candidate := str(number).zfill(length)) not in taken)


def greeting_url(greeting: Mapping[str, Any]) -> str:
    return f"say:{greeting['say']}" if "say" in greeting else str(greeting["url"])


def notice(values: Mapping[str, Any]) -> str | None:
    """The recording notice a document without roles speaks: when its join records."""
    return recording.notice_text(values) if is_recorded(values) else None


def opening(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What a caller of a document without roles hears before the join, named: the greeting, then the notice."""
    told = recording.notice_url(values) if is_recorded(values) else None
    greeting = [("the greeting", greeting_url(values["greeting"]))] if "greeting" in values else []
    return [*greeting, *([("the recording notice", told)] if told else [])]


def plain_problems(document: Document, values: Mapping[str, Any]) -> list[str]:
    """Why a document without roles does not do what its profile says: `main` must join with the conference
    table (render.document_problems), and a call must reach that join after the greeting and the notice."""
    conference, heard = values["conference"], opening(values)
    call = simulate(document)
    if call.outcome == "stopped" or (call.prompts and not call.joins):
        # A method the simulator cannot run, or what the caller enters, decides: the document's shape is the proof.
        return render.document_problems(document, conference, heard)
    found = render.document_problems(document, conference)
    if found:
        return found
    if not call.joins:
        return [f"a caller never reaches the join_conference: the call ends in {call.end}{_last(call)}"]
    if dict(call.joins[0].conference) != conference:
        return [f"a caller joins in section {call.joins[0].section} with other values than the resolved conference table"]
    if not _hears(call, [url for _, url in heard]):  # played in main, or in a section it executes: as the call goes
        return [f"a caller does not hear {render.spoken(heard)} before joining"]
    return []


def flow_problems(document: Document, values: Mapping[str, Any]) -> list[str]:
    """Why `document` does not do what the profile's roles say: for every listed number, every PIN, wrong PINs,
    and callers whose number no role lists."""
    found: list[str | _Alike] = []
    settings = access(values)
    listed = settings["callers"] == "listed"
    numbers = claims.numbers(values)
    stranger = unlisted_number(numbers) if numbers else WITHHELD  # a profile without numbers never reads call.from
    greeted = [("the greeting", greeting_url(values["greeting"]))] if "greeting" in values else []
    simulated = 0
    for name, role in values.get("roles", {}).items():
        expected = effective_join(values, role)
        told = recording.notice_url(values) if records(expected) else None
        heard = [
            *greeted,
            *([("the role's greeting", greeting_url(role["greeting"]))] if "greeting" in role else []),
            *([("the recording notice", told)] if told else []),
        ]
        tries: list[tuple[str, tuple[str, ...], str]] = [
            (f"a caller from {number} (role {name})", (), number) for number in callers(role)
        ]
        if not listed:
            tries += [(f"a caller with PIN {show(pin)} (role {name})", (pin,), stranger) for pin in pins(role)]
            if numbers and pins(role):  # a withheld number matches no listed one, and goes on to the PINs
                tries.append(
                    (
                        f"a caller who withholds their number, with PIN {show(pins(role)[0])} (role {name})",
                        (pins(role)[0],),
                        WITHHELD,
                    )
                )
        simulated += len(tries)
        for where, digits, caller in tries:
            call = simulate(document, digits, caller=caller)
            if call.outcome == "stopped":
                found.append(_Alike(where, f"the simulation {call.end}"))
            elif not call.joins:
                found.append(_Alike(where, f"joins no conference: the call ends in {call.end}{_last(call)}"))
            elif len(call.joins) != 1:
                found.append(_Alike(where, f"joins {len(call.joins)} conferences, not one"))
            elif dict(call.joins[0].conference) != expected:
                found.append(_Alike(where, f"joins with {_differences(dict(call.joins[0].conference), expected)}"))
            elif not _hears(call, [url for _, url in heard]):
                found.append(_Alike(where, f"does not hear {render.spoken(heard)} before joining"))
            elif call.prompts != len(digits):
                found.append(_Alike(where, f"is asked for {call.prompts} entries, not {len(digits)}"))
    found += _refusals(document, settings, stranger) if listed else _wrong_pin_problems(document, values, stranger)
    if not found:  # as most documents are: nothing to count or merge
        return []
    return _once(found, calls=simulated + (2 if listed else len(_wrong_entries(values, settings))))


def unlisted_number(numbers: set[str]) -> str:
    """An E.164 number no role lists (from the range kept for fiction, +1 555 01xx, where it is free)."""
    return next(candidate for n in range(len(numbers) + 1) if (candidate := f"+1555010{n:04d}") not in numbers)


def _refusals(document: Document, settings: Mapping[str, Any], stranger: str) -> list[str | _Alike]:
    """Under callers = "listed": an unlisted or withheld number hears the goodbye and is hung up on, never asked a PIN."""
    found: list[str | _Alike] = []
    goodbye = f"say:{settings['goodbye']}"
    for caller, where in (
        (stranger, f"a caller from {stranger}, which no role lists"),
        (WITHHELD, "a caller who withholds their number"),
    ):
        call = simulate(document, caller=caller)
        if not _refused(call, 0, [goodbye]):
            should = f"should hear {show(goodbye)} and be hung up on, never asked for a PIN"
            found.append(_not_refused(call, where, should))
    return found


def _wrong_pin_problems(document: Document, values: Mapping[str, Any], stranger: str) -> list[str | _Alike]:
    """A caller whose number no role lists, entering PINs no role has, is asked each attempt and hung up on."""
    found: list[str | _Alike] = []
    settings = access(values)
    goodbye = (f"say:{settings['goodbye']}",)
    for entry, said in _wrong_entries(values, settings):
        call = simulate(document, [entry] * settings["attempts"], caller=stranger)
        if _refused(call, settings["attempts"], [*said, goodbye]):
            continue  # most calls are: what they should have done is said only of one that was not
        where = f"a caller who enters only {show(entry)}" if entry else "a caller who enters nothing"
        told = ", then ".join(" or ".join(map(show, urls)) for urls in [*said, goodbye])
        should = f"should be asked {settings['attempts']} time(s), hearing {told} and be hung up on"
        found.append(_not_refused(call, where, should, asked=settings["attempts"]))
    return found


def _refused(call: Call, asked: int, heard: Sequence[str | tuple[str, ...]]) -> bool:
    """Whether `call` was asked `asked` times, heard each of `heard`, joined nothing and was hung up on."""
    return not call.joins and call.outcome == "hangup" and call.prompts == asked and _hears(call, heard)


def _not_refused(call: Call, where: str, should: str, asked: int = 0) -> _Alike:
    """Why a call that `should` have been refused (asked for a PIN `asked` times) was not."""
    if call.outcome == "stopped":
        return _Alike(where, f"the simulation {call.end}")
    if asked and not call.prompts and not call.joins:
        return _Alike(where, f"is never asked for a PIN: the call ends in {call.end}{_last(call)}")
    played = ", ".join(show(step.did.removeprefix("played ")) for step in call.steps if step.method == "play") or "nothing"
    return _Alike(
        where,
        "joins a conference" if call.joins else f"{should}; asked {call.prompts} time(s), hearing {played}, ending in {call.end}",
    )


@dataclass(frozen=True)
class _Alike:
    """A simulated call that did not do what it should, and how (`what`): said once for the calls that went
    wrong alike (most often all of them, when a template goes wrong before the roles part)."""

    where: str
    what: str


def _once(found: Sequence[str | _Alike], calls: int) -> list[str]:
    """The problems, with the calls that ended alike in one problem each."""
    alike: dict[str, list[str]] = {}
    for problem in found:
        if isinstance(problem, _Alike):
            alike.setdefault(problem.what, []).append(problem.where)
    said: list[str] = []
    for problem in found:
        if not isinstance(problem, _Alike):
            said.append(problem)
        elif (wheres := alike.pop(problem.what, None)) is not None:
            if len(wheres) == calls > 1:
                said.append(f"every call confc simulated ({calls}): {problem.what}")
            elif len(wheres) > 3:
                said.append(f"{wheres[0]} and {len(wheres) - 1} other calls: {problem.what}")
            else:
                said.append(f"{' and '.join(wheres)}: {problem.what}")
    return said


def _last(call: Call) -> str:
    """Where a call ended, as a message says it: ' (last: hung up, in section main)'."""
    return f" (last: {call.steps[-1].did}, in section {call.steps[-1].section})" if call.steps else ""


def _hears(call: Call, urls: Sequence[str | tuple[str, ...]]) -> bool:
    """Whether the call plays each of `urls` in order (a tuple: any one of them), others between allowed."""
    played = [step.did for step in call.steps if step.method == "play"]
    position = 0
    for url in urls:
        accepted = {f"played {u}" for u in ((url,) if isinstance(url, str) else url)}
        while position < len(played) and played[position] not in accepted:
            position += 1
        if position == len(played):
            return False
        position += 1
    return True


def _differences(actual: Mapping[str, Any], expected: Mapping[str, Any]) -> str:
    order = {key: index for index, key in enumerate(schema.CONFERENCE_KEYS)}
    keys = sorted(set(actual) | set(expected), key=lambda k: (order.get(k, len(order)), k))
    parts = []
    for key in keys:
        if key not in expected:
            parts.append(f"{key} = {show(actual[key])}, which the role does not set")
        elif key not in actual:
            parts.append(f"no {key} (the role's is {show(expected[key])})")
        elif actual[key] != expected[key]:
            parts.append(f"{key} = {show(actual[key])} instead of {show(expected[key])}")
    return "; ".join(parts)
