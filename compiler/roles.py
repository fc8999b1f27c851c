"""Roles and the PIN dialogue (SPEC 2a): each role's join, the checks across roles, and the proof by simulation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from . import profile_format as fmt
from . import recording, schema, secrets
from .calls import simulate
from .document import Document
from .errors import show
from .render import spoken
from .sandbox import Scope
from .validation import effective_join, is_recorded, recorded_roles, records

Path = tuple[str, ...]


def pins(role: Mapping[str, Any]) -> list[str]:
    """A role's PINs as the document compares them: a secret reference as its placeholder."""
    pin = role.get("pin", [])
    written: list[Any] = [pin] if isinstance(pin, (str, Mapping)) else list(pin)
    return [secrets.placeholder(p["secret"]) if secrets.is_reference(p) else str(p) for p in written]


def access(values: Mapping[str, Any]) -> dict[str, Any]:
    """The PIN dialogue's settings, confc's defaults where unset."""
    return {**fmt.ACCESS_DEFAULTS, **values.get("access", {})}


def problems(values: Mapping[str, Any]) -> list[tuple[Path, str]]:
    """What no single role can show: a PIN that two roles share."""
    owner: dict[str, str] = {}
    found: list[tuple[Path, str]] = []
    for name, role in values.get("roles", {}).items():
        shown = {secrets.placeholder(n): f"secret {n}" for n in secrets.names_in(role.get("pin"))}
        for pin in dict.fromkeys(pins(role)):  # a PIN twice in one role is that role's own problem
            if pin in owner:
                found.append(
                    (
                        ("roles", name, "pin"),
                        f"PIN {shown.get(pin, show(pin))} is also a PIN of role {owner[pin]}: a PIN must say who the caller is",
                    )
                )
            else:
                owner[pin] = name
    return found


def template_context(values: Mapping[str, Any]) -> tuple[list[dict[str, Any]], Scope]:
    """What templates get besides `profile`: `roles` (name, pins, greeting, join, notice) and `access` (with max_digits)."""
    notice_text = (values.get("recording") or {}).get("notice")
    recorded = set(recorded_roles(values))
    roles = [
        {
            "name": name,
            "pins": pins(role),
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
    return (values.get("recording") or {}).get("notice") if is_recorded(values) else None


def opening(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What a caller of a document without roles hears before the join, named: the greeting, then the notice."""
    told = notice(values)
    greeting = [("the greeting", greeting_url(values["greeting"]))] if "greeting" in values else []
    return [*greeting, *([("the recording notice", f"say:{told}")] if told else [])]


def flow_problems(document: Document, values: Mapping[str, Any]) -> list[str]:
    """Why `document` does not do what the profile's roles say, for every PIN and for wrong ones."""
    found = []
    settings = access(values)
    greeted = [("the greeting", greeting_url(values["greeting"]))] if "greeting" in values else []
    for name, role in values.get("roles", {}).items():
        expected = effective_join(values, role)
        told = recording.notice_url(values) if records(expected) else None
        heard = [
            *greeted,
            *([("the role's greeting", greeting_url(role["greeting"]))] if "greeting" in role else []),
            *([("the recording notice", told)] if told else []),
        ]
        for pin in pins(role):
            call = simulate(document, [pin])
            where = f"a caller with PIN {show(pin)} (role {name})"
            if call.end.startswith("stopped"):
                found.append(f"{where}: the simulation {call.end}")
            elif len(call.joins) != 1:
                found.append(f"{where} joins {len(call.joins)} conferences, not one")
            elif dict(call.joins[0].conference) != expected:
                found.append(f"{where} joins with {_differences(dict(call.joins[0].conference), expected)}")
            elif not _hears(call, [url for _, url in heard]):
                found.append(f"{where} does not hear {spoken(heard)} before joining")
    goodbye = (f"say:{settings['goodbye']}",)
    for entry, said in _wrong_entries(values, settings):
        call = simulate(document, [entry] * settings["attempts"])
        where = f"a caller who enters only {show(entry) if entry else 'nothing'}"
        if call.end.startswith("stopped"):
            found.append(f"{where}: the simulation {call.end}")
        elif call.joins:
            found.append(f"{where} joins a conference")
        elif call.end != "hangup" or call.prompts != settings["attempts"] or not _hears(call, [*said, goodbye]):
            told = ", then ".join(" or ".join(map(show, urls)) for urls in [*said, goodbye])
            found.append(
                f"{where} should be asked {settings['attempts']} time(s), hearing {told} and be hung up on;"
                f" asked {call.prompts} time(s), ending in {call.end}"
            )
    return found


def _hears(call: Any, urls: Sequence[str | tuple[str, ...]]) -> bool:
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
