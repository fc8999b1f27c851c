"""The rendered document as a model: sections of methods, each with where it stands.

The self-check and the simulator both read this model instead of re-deriving structure
from text or raw dicts: parse once, check the shape once, then trust it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import swml
from .errors import ConfcError, did_you_mean, show

Path = tuple[str, ...]


@dataclass(frozen=True)
class Method:
    """One SWML method call: `name` with its parameters, at `path` in the document."""

    name: str
    params: Any
    path: Path

    @property
    def where(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class Document:
    """A SWML document: its sections, in the order written, each a tuple of methods."""

    sections: Mapping[str, tuple[Method, ...]]

    def labels(self, section: str) -> dict[str, int]:
        """Each label of a section -> the index of the method after it."""
        return {str(m.params): index + 1 for index, m in enumerate(self.sections[section]) if m.name == "label"}


def methods(items: Any, path: Path) -> tuple[Method, ...]:
    """An array of one-key method tables as Methods (its shape checked already)."""
    return tuple(
        Method(str(name), params, (*path, str(index), str(name)))
        for index, item in enumerate(items)
        for name, params in item.items()
    )


def model(
    data: Any, trusted: Sequence[tuple[str, Any]] = (), checks: swml.MethodChecks | None = None
) -> tuple[Document | None, list[tuple[Path, str]]]:
    """The document as a model, or the problems that keep it from being one (path, message).

    `trusted`: (method, parameters) made from values validated already (see swml.MethodChecks.methods).
    `checks`: the run's method checks, which remember what they have checked (default: new ones).
    """
    checks = checks or swml.MethodChecks()
    if not isinstance(data, Mapping) or data.get("version") != "1.0.0":
        return None, [((), 'the document must start with version: "1.0.0"')]
    unknown = sorted(set(data) - {"version", "sections"}, key=str)
    problems: list[tuple[Path, str]] = [
        ((str(key),), "unknown key at the top of a SWML document; accepted: version, sections") for key in unknown
    ]
    sections = data.get("sections")
    if not isinstance(sections, Mapping) or "main" not in sections:
        return None, [*problems, (("sections",), "must be a table of sections, with main among them")]
    for name, items in sections.items():
        if not isinstance(name, str):  # `on:` or `1:` reads as true or 1 here, and as a string elsewhere
            problems.append(
                (
                    ("sections", str(name)),
                    f"a section's name must be text, and this one reads as {show(name)}: quote it as written",
                )
            )
        problems += [(("sections", str(name), *path), message) for path, message in checks.methods(items, trusted)]
    if problems:
        return None, problems
    document = Document({str(name): methods(items, ("sections", str(name))) for name, items in sections.items()})
    if any(_goes_nowhere(items, sections, document.labels(str(name))) for name, items in sections.items()):
        return None, _dangling(document)  # the two agree, as a property test over random documents proves
    return document, []


def _goes_nowhere(items: Sequence[Any], sections: Mapping[str, Any], labels: Mapping[str, int]) -> bool:
    """Whether any method of `items`, at any depth, names a section or label that is not there: a quick look
    over the parsed data (plain dicts and lists, its shape checked), sparing most documents the walk that
    says where (_dangling)."""
    arrays = [items]
    while arrays:
        for item in arrays.pop():
            for name, params in item.items():
                if name == "cond":
                    arrays += [branch[key] for branch in params for key in ("then", "else") if key in branch]
                    continue
                if type(params) is not dict:
                    continue
                if _unknown_target(name, params, sections, labels):
                    return True
                if name not in _BRANCHING:  # a method confc does not check: its parameters are not SWML to follow
                    continue
                for switch in (params,) if name == "switch" else (params.get("result"),):
                    if type(switch) is dict:
                        arrays += switch.get("case", {}).values()
                        if "default" in switch:
                            arrays.append(switch["default"])
                    elif type(switch) is list:
                        arrays += [branch[key] for branch in switch for key in ("then", "else") if key in branch]
                if "on_return" in params:
                    arrays.append(params["on_return"])
    return False


# The methods whose parameters hold methods, checked as such (swml.PARAMETERS, the join's result): the
# branches SignalWire runs. Another method's `result` or `on_return` is not known to be SWML.
_BRANCHING = frozenset({"switch", "execute", "join_conference"})


def inside(method: Method) -> Iterator[Method]:
    """The methods of `method`'s branches, at any depth: a switch's cases and default, a cond's branches,
    an execute's on_return, a join's result."""
    params, path = method.params, method.path
    arrays: list[tuple[Any, Path]] = []
    if method.name == "cond":
        arrays = _branches(params, path)
    elif isinstance(params, Mapping) and method.name in _BRANCHING:
        if method.name == "switch":
            arrays = _cases(params, path)
        if isinstance(params.get("on_return"), list):
            arrays.append((params["on_return"], (*path, "on_return")))
        result = params.get("result")
        if isinstance(result, Mapping):
            arrays += _cases(result, (*path, "result"))
        elif isinstance(result, list):
            arrays += _branches(result, (*path, "result"))
    for items, at in arrays:
        for found in methods(items, at):
            yield found
            yield from inside(found)


def _cases(switch: Mapping[str, Any], path: Path) -> list[tuple[Any, Path]]:
    cases = switch.get("case")
    arrays = [(body, (*path, "case", str(key))) for key, body in cases.items()] if isinstance(cases, Mapping) else []
    return arrays + ([(switch["default"], (*path, "default"))] if "default" in switch else [])


def _branches(conds: Any, path: Path) -> list[tuple[Any, Path]]:
    return [
        (cond[key], (*path, str(index), key))
        for index, cond in enumerate(conds if isinstance(conds, list) else [])
        if isinstance(cond, Mapping)
        for key in ("then", "else")
        if key in cond
    ]


# A destination SignalWire resolves elsewhere: a URL (any scheme: http, https, relay), an inline document, a variable.
_ELSEWHERE = re.compile(r"^\s*[{\[]|^[A-Za-z][A-Za-z0-9+.-]*:|[$%]\{")


def _unknown_target(name: str, params: Mapping[str, Any], sections: Mapping[str, Any], labels: Mapping[str, int]) -> str | None:
    """The key ("dest" or "label") of a transfer, execute or goto that names a section or label not there."""
    if name == "transfer" or name == "execute":
        key, known = "dest", sections
    elif name == "goto":
        key, known = "label", labels
    else:
        return None
    target = params.get(key)
    return key if type(target) is str and target not in known and not _ELSEWHERE.search(target) else None


def _dangling(document: Document) -> list[tuple[Path, str]]:
    """Each transfer or execute to a section the document lacks, and each goto to a label its section lacks:
    SignalWire fails the call there, so no template may write one."""
    found: list[tuple[Path, str]] = []
    for section, top in document.sections.items():
        labels = document.labels(section)
        for method in (each for outer in top for each in (outer, *inside(outer))):
            key = (
                _unknown_target(method.name, method.params, document.sections, labels)
                if isinstance(method.params, Mapping)
                else None
            )
            if key == "dest":
                target, sections = method.params[key], ", ".join(document.sections)
                said = f"names no section of this document (its sections: {sections}){did_you_mean(target, document.sections)}"
            elif key == "label":
                target, known = method.params[key], f"its labels: {', '.join(labels)}" if labels else "it has no label"
                said = f"names no label of section {section}, where a goto jumps ({known}){did_you_mean(target, labels)}"
            else:
                continue
            found.append(((*method.path, key), f"{show(target)} {said}"))
    return found


def require(data: Any, *, profile: str, env: str) -> Document:
    """The model of a document the self-check has accepted already; its problems, as an error, otherwise."""
    found, problems = model(data)
    if found is None:
        raise ConfcError("; ".join(message for _, message in problems), profile=profile, env=env)
    return found
