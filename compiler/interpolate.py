"""The sandboxed Jinja expressions inside profile values."""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import schema
from .errors import ConfcError, raise_all
from .layering import KeyPath, Resolution

MAX_PRODUCT = 1_000_000  # characters or items a `*` may build: enough for any config, not for a memory bomb
_INTEGER = re.compile(r"^[+-]?[0-9]+$")


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with `*` and `**` bounded so no value can exhaust memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if isinstance(right, int) and abs(right) > 1000:
                raise SecurityError("exponent too large")
            return operator.pow(left, right)
        for sized, count in ((left, right), (right, left)):
            if isinstance(sized, (str, list, tuple)) and isinstance(count, int) and len(sized) * count > MAX_PRODUCT:
                raise SecurityError("repetition too large")
        return operator.mul(left, right)


def environment(loader: jinja2.BaseLoader | None = None) -> jinja2.Environment:
    """The one factory for every Jinja environment confc uses: sandboxed and strict."""
    return _Sandbox(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def needs_rendering(text: str) -> bool:
    return "{{" in text or "{%" in text


class Interpolator:
    """Renders `{{ ... }}` in values; each distinct expression is compiled once per build."""

    def __init__(self) -> None:
        self._jinja = environment()
        self._compiled: dict[str, jinja2.Template] = {}

    def render(self, text: str, context: dict[str, Any]) -> str:
        """Render one value; `context` must already hold Jinja's globals (see `interpolate`)."""
        template = self._compiled.get(text)
        if template is None:
            template = self._compiled[text] = self._jinja.from_string(text)
        # Template.render copies the globals into a new context for every call; a profile's
        # context carries them already, so the context is shared as it is (half the cost).
        return "".join(template.root_render_func(template.new_context(context, shared=True)))

    def interpolate(self, resolution: Resolution, env: Mapping[str, Any]) -> dict[str, Any]:
        """The merged profile with every expression rendered; `env` is the name/description/vars context."""
        merged = resolution.merged
        profile = {"id": resolution.profile, "description": merged.get("description", "")}
        outer = {**self._jinja.globals, "env": env, "profile": profile}
        errors: list[ConfcError] = []
        variables = self._walk(merged.get("vars", {}), ("vars",), outer, resolution, errors)
        context = {**outer, "vars": variables}
        result = {key: self._walk(value, (key,), context, resolution, errors) for key, value in merged.items() if key != "vars"}
        result["vars"] = variables
        raise_all(errors)
        return result

    def _walk(self, value: Any, path: KeyPath, context: dict[str, Any], resolution: Resolution, errors: list[ConfcError]) -> Any:
        if isinstance(value, str):
            if not needs_rendering(value):
                return value
            try:
                rendered = self.render(value, context)
            except Exception as exc:  # noqa: BLE001 - any failure of a user's expression is a user error
                errors.append(resolution.error(_describe(exc), path))
                return value
            return _typed(path, rendered)
        if isinstance(value, Mapping):
            return {key: self._walk(item, (*path, key), context, resolution, errors) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._walk(item, (*path, str(index)), context, resolution, errors) for index, item in enumerate(value)]
        return value


def _typed(path: KeyPath, rendered: str) -> Any:
    """Give an integer or boolean field the type its rendered text spells."""
    if len(path) == 2 and path[0] == "conference":
        if path[1] in schema.INTEGER_FIELDS and _INTEGER.match(rendered):
            return int(rendered)
        # Jinja prints a boolean as True/False, TOML writes true/false: accept both.
        if path[1] in schema.BOOLEAN_FIELDS and rendered.lower() in ("true", "false"):
            return rendered.lower() == "true"
    return rendered


def _describe(exc: Exception) -> str:
    if isinstance(exc, UndefinedError):
        return f"undefined name in {{{{ }}}}: {exc.message}"
    if isinstance(exc, SecurityError):
        return f"not allowed in the sandbox: {exc}"
    if isinstance(exc, TemplateSyntaxError):
        return f"invalid {{{{ }}}} expression: {exc.message}"
    if isinstance(exc, TemplateError):
        return f"cannot evaluate {{{{ }}}}: {exc.message}"
    return f"cannot evaluate {{{{ }}}}: {type(exc).__name__}: {exc}"
