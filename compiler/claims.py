"""What no single role can show (SPEC 2a): the PINs and numbers two roles claim, and whom access.callers lets in.

Checked on a resolved profile before anything is rendered; roles.py proves the rendered document by simulation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from . import profile_format as fmt
from . import routes, secrets
from .errors import show

Path = tuple[str, ...]


def pins(role: Mapping[str, Any]) -> list[str]:
    """A role's PINs as the document compares them: a secret reference as its placeholder."""
    pin = role.get("pin", [])
    written: list[Any] = [pin] if isinstance(pin, (str, Mapping)) else list(pin)
    return [secrets.placeholder(p["secret"]) if secrets.is_reference(p) else str(p) for p in written]


def callers(role: Mapping[str, Any]) -> list[str]:
    """A role's caller numbers as call.from carries them: E.164, separators left out."""
    listed = role.get("callers", [])
    written = [listed] if isinstance(listed, str) else listed if isinstance(listed, list) else []
    # A malformed entry is the schema's to report; here it lists no number.
    return [number for text in written if isinstance(text, str) and (number := routes.caller_number(text))]


def access(values: Mapping[str, Any]) -> dict[str, Any]:
    """The PIN dialogue's settings, confc's defaults where unset."""
    return {**fmt.ACCESS_DEFAULTS, **values.get("access", {})}


class Where(Protocol):
    """Where the layers set a key (a Resolution): to name it, and to tell which of two keys a later layer set."""

    def written_at(self, path: Path) -> str: ...
    def above(self, path: Path, other: Path) -> bool: ...
    def unset_place(self, path: Path) -> str: ...


def problems(values: Mapping[str, Any], where: Where) -> list[tuple[Path, str]]:
    """What no single role can show: a PIN or a number that two roles share, and callers no role lets in.

    `where` names the place a key was written (" (at FILE:LINE)"), to name the other role's claim: inherited or
    set in an environment, it is often in another file than the one the problem is reported at.
    """
    return [
        *_claimed_twice(
            values, "pin", _shown_pins, "PIN {} is also a PIN of role {}: a PIN must say who the caller is", where.written_at
        ),
        *_claimed_twice(
            values,
            "callers",
            lambda role: {number: show(number) for number in callers(role)},
            "caller {} is also a caller of role {}: a number must say who the caller is",
            where.written_at,
        ),
        *_caller_problems(values, where),
    ]


def _claimed_twice(
    values: Mapping[str, Any],
    key: str,
    claims: Callable[[Mapping[str, Any]], dict[str, str]],
    message: str,
    written_at: Callable[[Path], str],
) -> list[tuple[Path, str]]:
    """Each PIN or number of a role's `key` (`claims`: each as a message shows it) that an earlier role claims already;
    `message` says so of the claim and that role."""
    owner: dict[str, str] = {}
    found: list[tuple[Path, str]] = []
    for name, role in values.get("roles", {}).items():
        for claim, shown in claims(role).items():  # one claimed twice in one role is that role's own problem
            if claim in owner:
                other = owner[claim]
                found.append((("roles", name, key), message.format(shown, other + written_at(("roles", other, key)))))
            else:
                owner[claim] = name
    return found


def _shown_pins(role: Mapping[str, Any]) -> dict[str, str]:
    """A role's PINs, each as a message shows it: a secret by its name, never its placeholder."""
    secret = {secrets.placeholder(n): f"secret {n}" for n in secrets.names_in(role.get("pin"))}
    return {pin: secret.get(pin, show(pin)) for pin in pins(role)}


def _caller_problems(values: Mapping[str, Any], where: Where) -> list[tuple[Path, str]]:
    """Under callers = "listed" a PIN is never asked for; under "any" someone must let an unlisted caller in."""
    roles = values.get("roles", {})
    numbers_listed = numbers(values)
    if access(values)["callers"] == "listed":
        if not numbers_listed:
            why = 'is "listed", but no role lists callers, so every call is refused; list numbers in a role\'s callers'
            return [(("access", "callers"), why)]
        pinned = [name for name, role in roles.items() if "pin" in role]
        # A line whose roles have PINs, made "listed" above them (a profile, an [env.NAME]), is fixed at the "listed":
        # editing the PINs' file would change every other line that shares it.
        beneath = [name for name in pinned if where.above(("access", "callers"), ("roles", name, "pin"))]
        found: list[tuple[Path, str]] = []
        if beneath:
            unset = "unset = [" + ", ".join(f'"roles.{name}.pin"' for name in beneath) + "]"
            place = where.unset_place(("access", "callers"))
            named = [f"{name}{where.written_at(('roles', name, 'pin'))}" for name in beneath]
            whose = (
                f"pin of role {named[0]} is" if len(named) == 1 else f"pins of roles {', '.join(named[:-1])} and {named[-1]} are"
            )
            found.append(
                (
                    ("access", "callers"),
                    f'is "listed": only listed numbers get in, and they join without a PIN, so the {whose} never asked '
                    f'for; add {unset} to {place or "the profile"}, or set access.callers = "any"',
                )
            )
        found += [
            (
                ("roles", name, "pin"),
                'is never asked for: under access.callers = "listed" only listed numbers get in, and they join without '
                f'a PIN; list the role\'s callers and leave its pin out (unset = ["roles.{name}.pin"]), '
                'or set access.callers = "any"',
            )
            for name in pinned
            if name not in beneath
        ]
        return found
    # A role with neither is its own problem, and often this one's cause (an unset took its pin): that one is said.
    if numbers_listed and not any("pin" in role for role in roles.values()) and all("callers" in r for r in roles.values()):
        why = (
            'no role has a PIN, so a caller whose number is not listed has no way in; set access.callers = "listed" '
            "to refuse them with the goodbye, or give a role a pin"
        )
        return [(("roles",), why)]
    return []


def numbers(values: Mapping[str, Any]) -> set[str]:
    """Every role's caller numbers."""
    return {number for role in values.get("roles", {}).values() for number in callers(role)}
