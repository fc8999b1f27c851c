"""The test file format, described once: its Cerberus schema, and the cases it holds as frozen records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import profile_format as fmt
from .. import secrets
from ..calls import RESULTS, WITHHELD
from ..errors import ConfcError, show
from ..problems import Problem, problems
from ..repository import SourceFile
from ..routes import caller_number
from ..swml import validator

ENDS = ("joined", "hung up", "in conference", "transferred", "voicemail", "end of document")
_HEARD = {"type": ["string", "dict"], "schema": {"matches": {"type": "string", "required": True, "compiles": True}}}
KEYPAD = r"[0-9*#]*"  # all a caller's keypad can send at a prompt


def _join_keys(keys: Mapping[str, fmt.Key]) -> dict[str, Any]:
    """The keys a join expectation may name, a table's (stream's) too; values as the profile writes them."""
    return {name: {"type": "dict", "schema": _join_keys(key.keys)} if key.keys else {} for name, key in keys.items()}


EXPECT = {
    "role": {"type": "string", "nonblank": True},
    "join": {"type": "dict", "schema": _join_keys(fmt.CONFERENCE)},
    "hears": {"type": "list", "schema": _HEARD},
    "sections": {"type": "list", "schema": {"type": "string"}},
    "ends": {"type": "string", "allowed": list(ENDS)},
}
CASE = {
    "name": {"type": "string", "required": True, "nonblank": True},
    "profile": {"type": "string", "required": True, "nonblank": True},
    "env": {"type": "string", "nonblank": True, "excludes": "envs"},
    "envs": {"type": "list", "minlength": 1, "schema": {"type": "string", "nonblank": True}},
    "digits": {"type": "list", "schema": {"type": "string", "regex": KEYPAD}},
    "result": {"type": "string", "allowed": list(RESULTS)},
    "from": {"type": "string", "callers": True},  # the caller's number; left out, the number is withheld
    "secrets": {
        "type": "dict",
        "keysrules": {"type": "string", "regex": secrets.NAME.pattern},
        "valuesrules": {"type": "string", "regex": secrets.VALUE.pattern},
    },
    "refused": {"type": "boolean"},
    "snapshot": {"type": "boolean"},
    "expect": {"type": "dict", "schema": EXPECT},
}
TEST_FILE = {"case": {"type": "list", "required": True, "minlength": 1, "schema": {"type": "dict", "schema": CASE}}}


@dataclass(frozen=True)
class Case:
    """One case of a test file: a call to make, and what must happen."""

    source: SourceFile
    index: int
    name: str
    profile: str
    envs: tuple[str, ...] | None  # None: every environment the run covers
    digits: tuple[str, ...] = ()
    result: str | None = None
    caller: str = WITHHELD  # call.from: an E.164 number, or withheld
    secrets: Mapping[str, str] = field(default_factory=dict)
    refused: bool = False
    snapshot: bool = False
    expect: Mapping[str, Any] = field(default_factory=dict)

    def line(self, *path: str) -> int | None:
        return self.source.lines[("case", str(self.index), *path)]

    def error(self, message: str, *path: str) -> ConfcError:
        where = ("case", str(self.index), *path)
        return ConfcError(message, file=self.source.display, line=self.source.lines[where], key=".".join(path) or None)


def read(source: SourceFile) -> tuple[list[Case], list[ConfcError]]:
    """The cases of one test file, or the problems of its shape, each at its line."""
    try:
        data = source.data
    except ConfcError as exc:
        return [], [exc]
    found = problems(validator(TEST_FILE), data)
    if isinstance(data.get("case"), dict):  # [case] is one table; [[case]] adds a case to the array
        found = [
            p._replace(message="must be an array of tables: write each case as [[case]], not [case]")
            if p.path == ("case",)
            else p
            for p in found
        ]
    found += _spoken_with_say(data) if not found else []
    errors = [_located(source, p.path, p.message) for p in found]
    # A malformed case is left out; the others still run, so their problems show in the same run.
    broken = {p.path[1] if len(p.path) > 1 and p.path[0] == "case" and p.path[1].isdigit() else None for p in found}
    if None in broken:
        return [], errors  # the file's own shape is wrong: no case can be trusted
    cases = []
    for index, entry in enumerate(data["case"]):
        if str(index) in broken:
            continue
        env = entry.get("env")
        cases.append(
            Case(
                source,
                index,
                entry["name"],
                entry["profile"],
                (env,) if env else tuple(entry["envs"]) if "envs" in entry else None,
                tuple(entry.get("digits", ())),
                entry.get("result"),
                caller_number(entry.get("from", "")) or WITHHELD,  # checked already: only a missing number gives None
                dict(entry.get("secrets", {})),
                entry.get("refused", False),
                entry.get("snapshot", False),
                dict(entry.get("expect", {})),
            )
        )
    return cases, errors


def _spoken_with_say(data: Mapping[str, Any]) -> list[Problem]:
    """Each `hears` entry written as its play URL (say:TEXT) where the text is meant: heard calls say only the text,
    so the case could never pass (simulate prints the URL, which is where one copies it from)."""
    return [
        Problem(("case", str(index), "expect", "hears", str(at)), f"hears takes the text a say: speaks: write {show(text[4:])}")
        for index, entry in enumerate(data["case"])
        for at, text in enumerate(entry.get("expect", {}).get("hears", ()))
        if isinstance(text, str) and text.startswith("say:")
    ]


def _located(source: SourceFile, path: Sequence[str], message: str) -> ConfcError:
    return ConfcError(
        message, file=source.display, line=source.lines[tuple(path)], key=".".join(p for p in path if not p.isdigit())
    )
