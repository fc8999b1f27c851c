"""Carrying a plan out: scripts created and updated, numbers routed, then (with --prune) stale scripts deleted.

The order makes every stop safe: a number is routed only to a script that exists with its new
contents, and a script is deleted only after no number routes to it. When a request fails, apply
stops; the next apply reads the space again and carries out what is left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ConfcError
from .planning import NumberChange, Plan, ScriptChange
from .space import Space


class Stopped(ConfcError):
    """A request failed midway: what was done and what is left (the exit code is the failure's)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Step:
    todo: str  # as the list of what is left shows it
    done: str  # as the progress report shows it
    run: Callable[[], str | None]  # returns a warning, when it left something alone
    changes: bool = True  # a change of the plan's, which the count of what was applied counts


def forced_problems(plan: Plan, force: bool) -> list[ConfcError]:
    """Each number that routes now to something not of this prefix: rerouted only with --force."""
    if force:
        return []
    return [
        plan.target.number_error(
            c.number.number,
            f"{c.number.number} routes now to {c.current}, which is not a {plan.target.prefix} script; "
            f"nothing was changed: rerun with --force to route it to {plan.target.script_name(c.profile)}",
        )
        for c in plan.foreign
    ]


def carry_out(plan: Plan, space: Space, say: Callable[[str], None]) -> int:
    """Make every change of `plan`, saying each as it is done; how many changes were made. Raises Stopped on a failure."""
    steps = _steps(plan, space)
    done: list[str] = []
    changes = 0
    for index, step in enumerate(steps):
        try:
            warning = step.run()
        except ConfcError as exc:
            raise Stopped(_stopped(exc.message, done, [s.todo for s in steps[index:]]), exc.exit_code) from None
        done.append(warning or step.done)
        changes += step.changes and warning is None  # a script kept because a number routes to it is no change
        say(plan.secrets.redact(done[-1]))
    return changes


def _steps(plan: Plan, space: Space) -> list[Step]:
    ids = {c.profile: c.script.id for c in plan.scripts if c.script is not None and c.action in ("update", "unchanged")}
    steps = []
    for change in plan.scripts:
        if change.action == "create":
            steps.append(Step(f"create {change.name}", f"created {change.name}", _create(space, change, ids)))
        elif change.action == "update":
            steps.append(Step(f"update {change.name}", f"updated {change.name}", _update(space, change)))
    for route in plan.numbers:
        if route.action != "unchanged":
            name = plan.target.script_name(route.profile)
            steps.append(
                Step(
                    f"route {route.number.number} to {name}",
                    f"routed {route.number.number} to {name}",
                    _route(space, route, name, ids),
                )
            )
    deletes = [c for c in plan.scripts if c.action == "delete"]
    if deletes:
        routed: set[str | None] = set()
        steps.append(Step("read the numbers' routes again", "read the numbers' routes again", _reread(space, routed), False))
        steps += [Step(f"delete {c.name}", f"deleted {c.name}", _delete(space, c, routed)) for c in deletes]
    return steps


def _create(space: Space, change: ScriptChange, ids: dict[str, str]) -> Callable[[], None]:
    def run() -> None:
        assert change.local is not None
        ids[change.profile] = space.create(change.name, change.local.contents)

    return run


def _update(space: Space, change: ScriptChange) -> Callable[[], None]:
    def run() -> None:
        assert change.script is not None and change.local is not None
        space.update(change.script, change.local.contents)

    return run


def _route(space: Space, route: NumberChange, name: str, ids: dict[str, str]) -> Callable[[], None]:
    def run() -> None:
        space.route(route.number, ids[route.profile], name)

    return run


def _reread(space: Space, routed: set[str | None]) -> Callable[[], None]:
    # The plan saw the routes a moment ago; someone may have routed a number to a stale script since.
    def run() -> None:
        routed.update(n.routed_to for n in space.numbers())

    return run


def _delete(space: Space, change: ScriptChange, routed: set[str | None]) -> Callable[[], str | None]:
    def run() -> str | None:
        assert change.script is not None
        if change.script.id in routed:
            return f"kept {change.name}: a number routes to it now"
        space.delete(change.script)
        return None

    return run


def _stopped(reason: str, done: list[str], left: list[str]) -> str:
    return "\n".join(
        [
            f"apply stopped: {reason}",
            f"done: {'; '.join(done) if done else 'nothing'}",
            f"left: {'; '.join(left)}",
            "run confc apply again: it reads the space as it is now and carries out what is left",
        ]
    )
