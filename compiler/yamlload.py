"""Reading rendered SWML back: PyYAML's safe loader, refusing what SWML cannot hold, quick on many documents.

Every document confc checks repeats the same keys, tags and most of the same values. A run's
`Remembered` keeps each plain scalar's resolved tag and each constructed scalar, and tables and
lists are built directly rather than through PyYAML's two-step generators: reading back what a
template wrote is most of the cost of checking it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
# Keys PyYAML's flatten_mapping rewrites (<< merges, = values): such a table takes PyYAML's own path.
_REWRITTEN_KEYS = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})
_NO_SWML_FORM = frozenset({"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:float"})
_MISSING = object()


class Remembered:
    """What one run's loaders share: each scalar's tag, by its text and how it was written, and each
    constructed scalar, by tag and text (scalars are immutable, so sharing them is safe)."""

    def __init__(self) -> None:
        self.tags: dict[tuple[str, tuple[bool, bool]], str] = {}
        self.scalars: dict[tuple[str, str], Any] = {}


class _Loader(_SafeLoader):  # type: ignore[misc,valid-type]
    """PyYAML's safe loader with anchors and aliases, a key written twice, and dates and nan refused."""

    # The safe loader has no path resolvers, so descending and ascending the node tree does nothing. PyYAML's
    # C composer calls both for every node: builtins that accept the same arguments cost less than a method.
    descend_resolver = dict[Any, Any]().get
    ascend_resolver = tuple

    def __init__(self, stream: str, remembered: Remembered) -> None:
        super().__init__(stream)
        self._remembered = remembered
        self._built: set[Node] = set()  # tables and lists built directly: a second reference is an alias

    def resolve(self, kind: type[Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is not ScalarNode:
            return str(super().resolve(kind, value, implicit))
        # Without path resolvers (the safe loader has none), a scalar's tag depends on these alone.
        key = (value, implicit)
        tag = self._remembered.tags.get(key)
        if tag is None:
            tag = self._remembered.tags[key] = super().resolve(kind, value, implicit)
        return tag

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node.__class__ is ScalarNode:
            return self._scalar(node)
        if node in self._built or node in self.constructed_objects or node in self.recursive_objects:
            # An alias: SWML has no use for one, and nested aliases can expand a short text without bound.
            raise ConstructorError(None, None, "anchors and aliases (&, *) are not allowed in SWML", node.start_mark)
        # A document is mostly scalars read before: each child that is one is looked up here, without a call.
        scalars = self._remembered.scalars
        if node.__class__ is SequenceNode and node.tag == _SEQ:
            self._built.add(node)
            items = []
            for item_node in node.value:
                item = scalars.get((item_node.tag, item_node.value), _MISSING) if item_node.__class__ is ScalarNode else _MISSING
                items.append(self.construct_object(item_node) if item is _MISSING else item)
            return items
        if node.__class__ is MappingNode and node.tag == _MAP and not any(k.tag in _REWRITTEN_KEYS for k, _ in node.value):
            self._built.add(node)
            table = {}
            for key_node, value_node in node.value:
                key = scalars.get((key_node.tag, key_node.value), _MISSING) if key_node.__class__ is ScalarNode else _MISSING
                if key is _MISSING:  # a scalar found is hashable; a key of any other kind may not be
                    key = self.construct_object(key_node)
                    if not isinstance(key, Hashable):
                        raise ConstructorError(
                            "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
                        )
                if key in table:
                    # YAML requires unique keys; readers differ on which of two they keep, so none is guessed at.
                    why = (
                        "is written twice in one table"
                        if isinstance(key, str)
                        else "is not text, and equals an earlier key of its table; quote keys meant as text"
                    )
                    raise ConstructorError(None, None, f"the key {key_node.value} {why}", key_node.start_mark)
                value = (
                    scalars.get((value_node.tag, value_node.value), _MISSING) if value_node.__class__ is ScalarNode else _MISSING
                )
                table[key] = self.construct_object(value_node) if value is _MISSING else value
            return table
        return super().construct_object(node, deep)

    def _scalar(self, node: Node) -> Any:
        key = (node.tag, node.value)  # the tag is resolved already: together they decide the value
        value = self._remembered.scalars.get(key, _MISSING)
        if value is _MISSING:
            value = super().construct_object(node)
            if node.tag in _NO_SWML_FORM and not (isinstance(value, float) and math.isfinite(value)):
                # A date or a nan: SWML (which is JSON too) has no such value.
                raise ConstructorError(
                    None, None, f"{node.value} has no SWML form; quote it to write it as a string", node.start_mark
                )
            self._remembered.scalars[key] = value  # only values SWML has: a scalar found here needs no check
        return value


def parse_yaml(text: str, remembered: Remembered | None = None) -> Any:
    """`text` as data, read by the safe loader; `remembered` shares what documents read before found."""
    loader = _Loader(text, remembered or Remembered())
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    if "&" in text:  # an anchor nothing refers to a second time, or one on a scalar, leaves no trace in the data
        _refuse_anchors(text)
    return data


def _refuse_anchors(text: str) -> None:
    for event in yaml.parse(text, Loader=_SafeLoader):
        if getattr(event, "anchor", None) is not None:
            raise ConstructorError(None, None, "anchors and aliases (&, *) are not allowed in SWML", event.start_mark)


class NotYaml(ValueError):
    """Why a text is not YAML confc reads: `problem`, at `line` of the text where known. Its message says it
    of a template's output."""

    def __init__(self, problem: str, line: int | None = None, message: str | None = None) -> None:
        at = f" at line {line} of its output" if line else ""
        super().__init__(message or f"the template did not produce valid YAML{at}: {problem}")
        self.problem, self.line = problem, line


def parse_document(text: str, remembered: Remembered | None = None) -> Any:
    """A template's output as data; why it is not YAML, in a NotYaml, if it is not."""
    try:
        return parse_yaml(text, remembered)
    except yaml.MarkedYAMLError as exc:
        raise NotYaml(str(exc.problem), exc.problem_mark.line + 1 if exc.problem_mark else None) from None
    except yaml.YAMLError as exc:
        raise NotYaml(str(exc)) from None
    except RecursionError:
        raise NotYaml("nested too deeply", message="the template's output is nested too deeply") from None
