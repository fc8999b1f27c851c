"""The rendered document as a model: sections of methods, each with where it stands.

The self-check and the simulator both read this model instead of re-deriving structure
from text or raw dicts: parse once, check the shape once, then trust it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import swml
from .errors import ConfcError, show

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
    return Document({str(name): methods(items, ("sections", str(name))) for name, items in sections.items()}), []


def require(data: Any, *, profile: str, env: str) -> Document:
    """The model of a document the self-check has accepted already; its problems, as an error, otherwise."""
    found, problems = model(data)
    if found is None:
        raise ConfcError("; ".join(message for _, message in problems), profile=profile, env=env)
    return found
