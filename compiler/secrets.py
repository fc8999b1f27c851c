"""Secret PINs: a reference in the profile, a stable placeholder in every artifact and output, the value only on the space.

`pin = { secret = "ALLHANDS_HOST_PIN" }` compiles to a placeholder of 16 digits derived from the
name alone. Being digits, it runs through the PIN flow, the self-check, `simulate` and `test`
like any PIN; being derived from the name, it is the same in every build and tells nothing of
the value. `apply` puts the value in its place just before sending; `plan` compares with the
values in place and shows the space's document with the placeholders back in place of them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeGuard

from .memo import fingerprint

NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,63}")
VALUE = re.compile(r"[0-9]{1,16}")
PLACEHOLDER_DIGITS = 16  # the longest PIN: the prompt then collects any real PIN, ended by #


def is_reference(value: Any) -> TypeGuard[Mapping[str, Any]]:
    """Whether `value` is written as a secret reference: a table of exactly `secret = "NAME"`."""
    return isinstance(value, Mapping) and list(value) == ["secret"] and isinstance(value["secret"], str)


def placeholder(name: str) -> str:
    """The digits that stand for secret `name` in artifacts: the same on every machine, for every build."""
    number = int.from_bytes(hashlib.sha256(f"confc secret {name}".encode()).digest()[:8], "big")
    return f"9{number % 10 ** (PLACEHOLDER_DIGITS - 1):0{PLACEHOLDER_DIGITS - 1}d}"


SHORTEST_PIN = 4  # shorter ones would turn every count in a message into a name, and are guessed in seconds anyway


def without_pins(text: str, standing: Mapping[str, str]) -> str:
    """`text` with each PIN value of `standing` (of SHORTEST_PIN digits or more), where it stands as a number
    of its own, replaced by what stands for it: a PIN is short, so never inside a longer number."""
    for value in sorted(standing, key=len, reverse=True):
        if len(value) >= SHORTEST_PIN:
            text = re.sub(rf"(?<![0-9]){re.escape(value)}(?![0-9])", standing[value], text)
    return text


IN_TEXT = re.compile(r"\bsecret\.([A-Z_][A-Z0-9_]{0,63})\b")  # {{ secret.NAME }} inside a string


def names_in(data: Any) -> set[str]:
    """Every secret name referenced anywhere in `data` (a profile file as parsed): a reference, or secret.NAME in {{ }}."""
    found: set[str] = set()
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str) and "{{" in value:
            found.update(IN_TEXT.findall(value))
        elif is_reference(value):
            found.add(value["secret"])
        elif isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def as_placeholders(data: Any) -> Any:
    """`data` with every secret reference as its placeholder, as documents carry them."""
    if is_reference(data):
        return placeholder(data["secret"])
    if isinstance(data, Mapping):
        return {k: as_placeholders(v) for k, v in data.items()}
    if isinstance(data, list):
        return [as_placeholders(v) for v in data]
    return data


def replaced(document: Any, by: Mapping[str, str], *, within: bool = False) -> Any:
    """`document` with every string, key or value, that is a key of `by` replaced by its value; `within`: also
    where a key of `by` is part of a string value (a secret inside a URL)."""
    if isinstance(document, Mapping):
        return {by.get(k, k) if isinstance(k, str) else k: replaced(v, by, within=within) for k, v in document.items()}
    if isinstance(document, list):
        return [replaced(v, by, within=within) for v in document]
    if not isinstance(document, str):
        return document
    if document in by or not within:
        return by.get(document, document)
    for key, value in by.items():
        document = document.replace(key, value)
    return document


def with_test_values(document: Any, values: Mapping[str, str]) -> Any:
    """`document` with the placeholder of each secret NAME in `values` as its test value, for a simulated call."""
    return replaced(document, {placeholder(name): value for name, value in values.items()}, within=True) if values else document


def clashes(document: Any, values: Mapping[str, str]) -> list[tuple[list[str], int]]:
    """Each PIN that `values` (secret NAME -> value) would make of several keys of one table with different
    values beneath: the names of the secrets among those keys, and how many of them are PINs written as they
    are. Such a value is another role's PIN, and would leave one of the two roles unreachable."""
    named = {placeholder(name): name for name in values}
    by = {key: values[name] for key, name in named.items()}
    found: list[tuple[list[str], int]] = []
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, Mapping):
            groups: dict[Any, list[Any]] = {}
            for key in value:
                groups.setdefault(by.get(key, key) if isinstance(key, str) else key, []).append(key)
            for keys in groups.values():
                if len({fingerprint(value[key]) for key in keys}) > 1:
                    found.append(([named[key] for key in sorted(keys) if key in named], sum(key not in named for key in keys)))
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return sorted(found)


def used(documents: Iterable[Any], names: Iterable[str]) -> list[str]:
    """The names among `names` whose placeholder appears in any of `documents`."""
    wanted = {placeholder(name): name for name in names}
    seen: set[str] = set()
    stack = list(documents)
    while stack:
        value = stack.pop()
        if isinstance(value, Mapping):
            seen.update(k for k in value if isinstance(k, str) and k in wanted)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str):
            seen.update(p for p in wanted if p in value)
    return sorted(wanted[p] for p in seen)
