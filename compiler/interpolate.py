"""The sandboxed Jinja expressions inside profile values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import jinja2
from jinja2.exceptions import UndefinedError

from . import profile_format as fmt
from . import secrets
from .errors import ConfcError
from .layering import KeyPath, Resolution
from .sandbox import AlreadyReported, Deadline, Overrun, Scope, Timeout, describe, environment, failed_value, join_bounded

_INTEGER = re.compile(r"^[+-]?[0-9]+$")


# Worded alike in every environment, so the problem is reported once, naming them all.
LACKING = " in this environment: add it to [vars] in its file under environments/, or in a profile"


def env_scope(name: str, description: str, variables: Mapping[str, Any]) -> Scope:
    """What `{{ env }}` is: the environment's name, description and vars."""
    return Scope({"name": name, "description": description, "vars": Scope(variables, "env.vars", LACKING)}, "env")


class Interpolator:
    """Renders `{{ ... }}` in values; each distinct expression is compiled once per build."""

    def __init__(self) -> None:
        self._jinja = environment()
        self._compiled: dict[str, jinja2.Template] = {}
        self.overran: dict[str, Overrun] = {}  # an expression that ran out of time once is not run again

    def render(self, text: str, context: dict[str, Any]) -> str:
        """Render one value; `context` must already hold Jinja's globals (see `interpolate`)."""
        template = self._compiled.get(text)
        if template is None:
            template = self._compiled[text] = self._jinja.from_string(text)
        # Template.render copies the globals into a new context for every call; a profile's
        # context carries them already, so the context is shared as it is (half the cost).
        return join_bounded(template.root_render_func(template.new_context(context, shared=True)))

    def interpolate(
        self,
        resolution: Resolution,
        env: Mapping[str, Any],
        errors: list[ConfcError],
        failed: set[KeyPath] | None = None,
        *,
        complete: bool = True,
    ) -> dict[str, Any]:
        """The merged profile with every expression rendered; `env` is the environment's scope (see env_scope).

        A value that cannot be rendered is reported in `errors`, left out of the result and added to
        `failed`. Without `complete` (a malformed value beneath was dropped), an undefined name may be
        what was dropped: such a value is left out without a report.
        """
        merged = resolution.merged
        failed = set() if failed is None else failed
        profile = Scope({"id": resolution.profile, "description": merged.get("description", "")}, "profile")
        outer = {**self._jinja.globals, "env": env, "profile": profile}
        walk = _Walk(self, resolution, errors, failed, complete)
        with walk.deadline:
            variables = walk(merged.get("vars", {}), ("vars",), outer)
            # A variable that failed is reported once: a value using it fails without saying it is undefined.
            failed_vars = {name: failed_value(f"vars.{name}") for name in merged.get("vars", {}) if name not in variables}
            # {{ secret.NAME }}: the placeholder that apply replaces with the value, wherever in the text it stands.
            context = {
                **outer,
                "vars": Scope({**variables, **failed_vars}, "vars", LACKING),
                "secret": Scope({name: secrets.placeholder(name) for name in resolution.secret_names}, "secret"),
            }
            result = {key: walk(value, (key,), context) for key, value in merged.items() if key != "vars"}
        result["vars"] = variables
        return result


class _Walk:
    """One profile's values rendered, each within the time budget; only a value that overran is blamed."""

    def __init__(
        self, interpolator: Interpolator, resolution: Resolution, errors: list[ConfcError], failed: set[KeyPath], complete: bool
    ) -> None:
        self.interpolator = interpolator
        self.complete = complete
        self.resolution = resolution
        self.errors = errors
        self.failed = failed
        self.deadline = Deadline()

    def __call__(self, value: Any, path: KeyPath, context: dict[str, Any]) -> Any:
        if isinstance(value, str):
            if "{{" not in value and "{%" not in value:
                return value
            try:
                return _typed(path, self._render(value, context))
            except Exception as exc:  # noqa: BLE001 - any failure of a user's expression is a user error
                # A name may be undefined because a malformed value beneath was dropped, or use a failed one.
                if not (isinstance(exc, UndefinedError) and not self.complete or isinstance(exc, AlreadyReported)):
                    self.errors.append(self.resolution.error(f"in {{{{ }}}}: {describe(exc)}", path))
                self.failed.add(path[:2] if path[0] == "conference" else path[:1])
                return _FAILED
        if isinstance(value, dict):
            table = {}
            for key, item in value.items():
                # Most values hold no expression: they are copied here, without a call each.
                kind = item.__class__
                if (kind is str and "{{" not in item and "{%" not in item) or kind not in (str, dict, list):
                    table[key] = item
                elif (done := self(item, (*path, key), context)) is not _FAILED:
                    table[key] = done
            return table
        if isinstance(value, list):
            return [self(item, (*path, str(index)), context) for index, item in enumerate(value)]
        return value

    def _render(self, text: str, context: dict[str, Any]) -> str:
        interpolator, deadline = self.interpolator, self.deadline
        known = interpolator.overran.get(text)
        if known is not None:  # it ran out of time before, in this profile or another: don't wait again
            raise known
        if deadline.expired:  # the time ran out in confc's own work between values: no value is to blame
            deadline.restart()
        deadline.inside = True
        try:
            return interpolator.render(text, context)
        except Timeout as exc:
            interpolator.overran[text] = exc
            deadline.restart()  # each value has its own time: the next one is not blamed for this one
            raise
        finally:
            deadline.inside = False


_FAILED: Any = object()  # a value that could not be rendered: left out of its table


def _typed(path: KeyPath, rendered: str) -> Any:
    """Give an integer or boolean key the type its rendered text spells."""
    pattern = ("roles", "*", *path[2:]) if path[0] == "roles" and len(path) > 2 else path
    if pattern in fmt.INTEGER_PATHS and _INTEGER.match(rendered):
        return int(rendered)
    # Jinja prints a boolean as True/False, TOML writes true/false: accept both.
    if pattern in fmt.BOOLEAN_PATHS and rendered.lower() in ("true", "false"):
        return rendered.lower() == "true"
    return rendered
