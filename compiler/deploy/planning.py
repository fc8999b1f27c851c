"""What `plan` finds: the space compared with the committed artifacts, script by script and number by number.

The space is the state. Scripts are matched by display name (PREFIX + profile id) and compared
as documents; numbers are matched by number and compared by the resource they route to.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import raise_all, show
from ..render import to_json, to_yaml
from .masking import Secrets
from .space import Number, Script, Space
from .target import Target


@dataclass(frozen=True)
class Local:
    """One committed artifact: the profile, the file as messages show it, the document to send."""

    profile: str
    shown: str
    document: Mapping[str, Any]
    format: str  # yaml or json: diffs are written the way the artifacts are
    sent: Mapping[str, Any] | None = None  # the document with its secret PINs' values in place (None: it has none)

    @property
    def contents(self) -> Mapping[str, Any]:
        """What the space is sent, and holds when it is current."""
        return self.document if self.sent is None else self.sent


@dataclass(frozen=True)
class ScriptChange:
    action: str  # create, update, unchanged; with --prune delete or kept; without it stale (no change)
    name: str
    profile: str
    script: Script | None = None  # as it is on the space
    local: Local | None = None
    diff: str = ""
    secret_only: bool = False  # the documents differ only in masked secrets
    routed_from: tuple[str, ...] = ()  # for kept: the numbers that still route to it


@dataclass(frozen=True)
class NumberChange:
    action: str  # route, reroute or unchanged
    number: Number
    profile: str
    current: str | None  # what it routes to now, as messages show it
    foreign: bool = False  # routed now to something that is not one of this prefix's scripts


@dataclass(frozen=True)
class Plan:
    target: Target
    scripts: list[ScriptChange]
    numbers: list[NumberChange]
    secrets: Secrets

    @property
    def changes(self) -> bool:
        return any(c.action in CHANGES for c in self.scripts) or any(c.action != "unchanged" for c in self.numbers)

    def count(self, action: str) -> int:
        return sum(c.action == action for c in self.scripts) + sum(c.action == action for c in self.numbers)

    @property
    def stale(self) -> list[ScriptChange]:
        return [c for c in self.scripts if c.action == "stale"]

    @property
    def foreign(self) -> list[NumberChange]:
        return [c for c in self.numbers if c.foreign]

    def summary(self) -> str:
        if not self.changes:
            return f"No changes: {self.target.space} matches the committed artifacts of {self.target.env}."
        counts = [f"{self.count(a)} to {a}" for a in ("create", "update", "delete")]
        counts.append(f"{plural(self.count('route') + self.count('reroute'), 'number')} to route")
        scripts = sum(c.action == "unchanged" for c in self.scripts)
        numbers = sum(c.action == "unchanged" for c in self.numbers)
        return f"Plan: {', '.join(counts)}; {plural(scripts, 'script')} and {plural(numbers, 'number')} unchanged."


CHANGES = frozenset({"create", "update", "delete"})


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def plan(
    target: Target,
    locals_: Sequence[Local],
    space: Space,
    *,
    prune: bool,
    show_secrets: bool = False,
    placeholders: Mapping[str, str] | None = None,
    names: Iterable[str] = (),
) -> Plan:
    """Compare the space with `locals_`; reads the space, changes nothing. `placeholders`: a secret's value -> its
    placeholder; `names`: the secrets the documents use."""
    secrets = Secrets(show_secrets, token=target.token, placeholders=dict(placeholders or {}), names=frozenset(names)).seeing(
        local.document for local in locals_
    )
    space.redact = secrets.redact
    remote = space.scripts()
    ours = [s for s in remote if s.name.startswith(target.prefix)]
    secrets = secrets.seeing(script.contents for script in ours)
    space.redact = secrets.redact
    numbers = _numbers(target, space)
    chosen = _chosen(ours)
    scripts = [_script_change(target, local, chosen.get(target.script_name(local.profile)), secrets) for local in locals_]
    wanted = {c.name for c in scripts}
    stale = [s for s in ours if chosen.get(s.name) is not s or s.name not in wanted]
    by_id = {s.id: s for s in remote}
    routes = [_number_change(target, n, profile, chosen.get(target.script_name(profile)), by_id, ours) for profile, n in numbers]
    if prune and stale:
        scripts += _pruned(stale, routes, space.numbers(), target)
    else:
        scripts += [ScriptChange("stale", s.name, s.name[len(target.prefix) :], s) for s in stale]
    return Plan(target, scripts, routes, secrets)


def same(remote: Any, local: Any) -> bool:
    """Equal as documents: key order and formatting aside, but true is not 1 and 1 is not 1.0."""
    return _canonical(remote) == _canonical(local)


def _canonical(document: Any) -> str:
    # A NaN on the space is written as NaN, and so never equals an artifact (which cannot hold one).
    return json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)


def _numbers(target: Target, space: Space) -> list[tuple[str, Number]]:
    """Each configured number as the project has it; a number the project does not have is an error in the file."""
    found, missing = [], []
    for e164, profile in target.numbers.items():
        number = space.number(e164)
        if number is None:
            missing.append(
                target.number_error(
                    e164,
                    f"the project {target.project} on {target.space} has no phone number {e164}: buy or port it first, or remove it here",
                )
            )
        else:
            found.append((profile, number))
    raise_all(missing)
    return found


def _chosen(ours: Sequence[Script]) -> dict[str, Script]:
    """The one script per name confc manages: when a name is on several, the oldest.

    The choice must not depend on routes, which apply changes: a rule that followed them
    would choose another script on the next run, and never converge.
    """
    chosen: dict[str, Script] = {}
    for script in sorted(ours, key=lambda s: (s.created_at, s.id)):
        chosen.setdefault(script.name, script)
    return chosen


def _script_change(target: Target, local: Local, script: Script | None, secrets: Secrets) -> ScriptChange:
    name = target.script_name(local.profile)
    if script is None:
        return ScriptChange("create", name, local.profile, None, local)
    if same(script.contents, local.contents):
        return ScriptChange("unchanged", name, local.profile, script, local)
    # The space holds the values of secret PINs; shown, they are their placeholders again, as in the artifact.
    before, after = secrets.mask(secrets.unsent(script.contents, local.document)), secrets.mask(local.document)
    diff = _diff(_text(before, local.format), _text(after, local.format), f"{name} (on {target.space})", local.shown)
    return ScriptChange("update", name, local.profile, script, local, diff, secret_only=not diff)


def _text(document: Any, fmt: str) -> str:
    if isinstance(document, str):  # contents that are neither JSON nor YAML: shown as stored
        return document if document.endswith("\n") else document + "\n"
    return to_json(document) if fmt == "json" else to_yaml(document) + "\n"


def _diff(old: str, new: str, old_name: str, new_name: str) -> str:
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), old_name, new_name)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _number_change(
    target: Target, number: Number, profile: str, script: Script | None, by_id: Mapping[str, Script], ours: Sequence[Script]
) -> NumberChange:
    current = number.routed_to
    if current is None:
        return NumberChange("route", number, profile, None)
    if script is not None and current == script.id:
        return NumberChange("unchanged", number, profile, script.name)
    known = by_id.get(current)
    shown = f"{show(known.name)} ({current})" if known else f"resource {current}"
    return NumberChange("reroute", number, profile, shown, foreign=all(s.id != current for s in ours))


def _pruned(
    stale: Sequence[Script], routes: Sequence[NumberChange], numbers: Sequence[Number], target: Target
) -> list[ScriptChange]:
    """Delete each stale script no number of the project will route to once the numbers are routed; keep the others."""
    moving = {c.number.id for c in routes if c.action != "unchanged"}
    routing = {n.number: n.routed_to for n in numbers if n.id not in moving}
    changes = []
    for script in stale:
        holders = tuple(sorted(number for number, routed in routing.items() if routed == script.id))
        action = "kept" if holders else "delete"
        changes.append(ScriptChange(action, script.name, script.name[len(target.prefix) :], script, routed_from=holders))
    return changes
