"""A picture of a call flow: a SWML document as a graph of its methods, for Mermaid or Graphviz DOT.

Each method is a node in its section; an edge is where control goes next: the next method, a
switch's cases (per PIN), a cond's branches, a transfer or execute to another section, a goto
back to its label, a conference's result. A hangup ends its path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .document import Document
from .secrets import placeholder

_ENDS = frozenset({"hangup", "transfer"})  # nothing after them runs (transfer does not come back)
_LONGEST = 60


@dataclass
class Flow:
    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (section, label)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # (from, to, label)
    _firsts: dict[str, str] = field(default_factory=dict)  # section -> its first node
    _labels: dict[tuple[str, str], str] = field(default_factory=dict)  # (section, label) -> the label's node
    _later: list[tuple[str, str, str, str]] = field(default_factory=list)  # edges to sections or labels, resolved at the end

    issued: int = 0

    def fresh(self) -> str:
        """A new node id, numbered in the order the document is read: the same document draws the same."""
        self.issued += 1
        return f"n{self.issued}"


def flow(document: Document, secrets: Iterable[str] = ()) -> Flow:
    """The graph of `document`, the same every time for the same document. The placeholder of each of
    `secrets` is drawn as "secret NAME": a reviewer reads whose PIN a branch is, not digits."""
    graph = _flow(document)
    names = {placeholder(name): f"secret {name}" for name in secrets}
    if names:
        graph.nodes = {node: (section, _named(label, names)) for node, (section, label) in graph.nodes.items()}
        graph.edges = [(source, target, _named(label, names)) for source, target, label in graph.edges]
    return graph


def _named(label: str, names: Mapping[str, str]) -> str:
    for digits, name in names.items():
        label = label.replace(digits, name)
    return label


def _flow(document: Document) -> Flow:
    graph = Flow()
    for name, items in document.sections.items():
        first = _chain(graph, name, [{m.name: m.params} for m in items], None)
        if first is not None:
            graph._firsts[name] = first
    for source, kind, target, label in graph._later:
        found = graph._firsts.get(target) if kind == "section" else graph._labels.get((kind, target))
        if found is not None:
            graph.edges.append((source, found, label))
    return graph


def _chain(graph: Flow, section: str, items: Sequence[Any], after: str | None) -> str | None:
    """Add the methods of one array, each leading to the next and the last to `after`; the id of the first."""
    ids = [graph.fresh() for _ in items]
    for index, item in enumerate(items):
        name, params = next(iter(item.items())) if isinstance(item, Mapping) and item else ("?", None)
        node = ids[index]
        following = ids[index + 1] if index + 1 < len(items) else after
        graph.nodes[node] = (section, _label(name, params))
        if name == "label":
            graph._labels[(section, str(params))] = node
        _branches(graph, section, node, name, params, following)
        if following is not None and _falls_through(name, params):
            graph.edges.append((node, following, _FALLS.get(name, "")))
    return ids[0] if ids else None


def _branches(graph: Flow, section: str, node: str, name: str, params: Any, after: str | None) -> None:
    """The edges a method adds besides the one to the next method."""
    if name == "cond":  # its parameters are the list of branches
        _cond(graph, section, node, params, after)
    if not isinstance(params, Mapping):
        return
    if name in ("transfer", "execute") and isinstance(params.get("dest"), str):
        graph._later.append((node, "section", params["dest"], name))
    elif name == "goto" and isinstance(params.get("label"), str):
        graph._later.append((node, section, params["label"], f"goto, at most {params.get('max', 100)} times"))
    elif name == "switch":
        _switch(graph, section, node, params, after)
    elif name == "join_conference" and "result" in params:
        result = params["result"]
        if isinstance(result, Mapping):
            _switch(graph, section, node, {"variable": "return_value", **result}, after)
        elif isinstance(result, list):
            _cond(graph, section, node, result, after)


def _switch(graph: Flow, section: str, node: str, params: Mapping[str, Any], after: str | None) -> None:
    cases: Mapping[str, Any] = params["case"] if isinstance(params.get("case"), Mapping) else {}
    for key, body in cases.items():
        _branch(graph, section, node, f"{params.get('variable', 'return_value')} = {key}", body, after)
    if isinstance(params.get("default"), list):
        _branch(graph, section, node, "default", params["default"], after)


def _cond(graph: Flow, section: str, node: str, branches: Any, after: str | None) -> None:
    for branch in branches if isinstance(branches, list) else []:
        if isinstance(branch, Mapping):
            label = f"when {branch['when']}" if "when" in branch else "else"
            _branch(graph, section, node, label, branch.get("then", branch.get("else")), after)


def _branch(graph: Flow, section: str, node: str, label: str, body: Any, after: str | None) -> None:
    first = _chain(graph, section, body, after) if isinstance(body, list) and body else after
    if first is not None:
        graph.edges.append((node, first, label))


_FALLS = {"goto": "after the last jump", "switch": "no case matches", "cond": "no condition holds"}


def _falls_through(name: str, params: Any) -> bool:
    """Whether control can go on to the next method of the same array."""
    if name in _ENDS:
        return False
    if name == "goto":  # only a bounded jump ever stops jumping
        return isinstance(params, Mapping) and "max" in params
    if name == "switch":  # a default catches what no case does
        return not (isinstance(params, Mapping) and "default" in params)
    if name == "cond":  # an else catches what no condition does
        return not (isinstance(params, list) and any(isinstance(b, Mapping) and "when" not in b for b in params))
    return True


def _label(name: str, params: Any) -> str:
    if name == "play" and isinstance(params, Mapping):
        text = f"play {params.get('url', '')}"
    elif name == "prompt" and isinstance(params, Mapping):
        text = f"prompt {params.get('play', '')} (up to {params.get('max_digits', 1)} digits)"
    elif name == "join_conference" and isinstance(params, Mapping):
        text = f"join_conference {params.get('name', '')}"
    elif name in ("label", "transfer", "execute", "goto"):
        shown = (
            params
            if isinstance(params, str)
            else params.get("dest", params.get("label", ""))
            if isinstance(params, Mapping)
            else ""
        )
        text = f"{name} {shown}"
    else:
        text = name
    return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"


def changed(new: Flow, old: Flow | None) -> set[str]:
    """The nodes of `new` that `old` has not: another method, or the same one leading elsewhere (all, without `old`)."""
    if old is None:
        return set(new.nodes)
    before = _signatures(old)
    return {node for node, signature in _signatures(new).items() if signature not in before.values()}


def _signatures(graph: Flow) -> dict[str, tuple[object, ...]]:
    out: dict[str, list[tuple[str, str]]] = {node: [] for node in graph.nodes}
    for source, target, label in graph.edges:
        out[source].append((label, graph.nodes[target][1]))
    return {node: (*graph.nodes[node], tuple(sorted(out[node]))) for node in graph.nodes}


def mermaid(graph: Flow, marked: set[str] | None = None) -> str:
    """A flowchart, one subgraph a section; `marked` nodes (what a change made) drawn apart."""
    lines = ["flowchart TD"]
    for index, section in enumerate(dict.fromkeys(section for section, _ in graph.nodes.values())):
        # A template may name a section anything ("a--b", "x y"): only its label shows the name.
        lines.append(f'  subgraph s{index}["section {_mermaid_text(section)}"]')
        lines += [f'    {node}["{_mermaid_text(label)}"]' for node, (owner, label) in graph.nodes.items() if owner == section]
        lines.append("  end")
    for source, target, label in graph.edges:
        lines.append(f'  {source} -->|"{_mermaid_text(label)}"| {target}' if label else f"  {source} --> {target}")
    if marked:
        lines.append("  classDef changed fill:#fff3b0,stroke:#b58900,stroke-width:2px")
        lines.append(f"  class {','.join(node for node in graph.nodes if node in marked)} changed")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    # Mermaid's own entity codes: a quote or a bar would end the label, and labels are HTML, so < and &
    # would be markup; a # is one too, or "#9829;" written in a greeting would be drawn as a heart.
    return "".join(_MERMAID_CODES.get(c, c) for c in text)


_MERMAID_CODES = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "|": "#124;", "&": "#38;", "#": "#35;", "\n": " "}


def dot(graph: Flow) -> str:
    def quote(text: str) -> str:  # a DOT ID in double quotes escapes as JSON does, and holds any unicode
        return json.dumps(text, ensure_ascii=False)

    lines = ["digraph flow {", "  rankdir=TB;", "  node [shape=box];"]
    for index, section in enumerate(dict.fromkeys(section for section, _ in graph.nodes.values())):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f"    label={quote('section ' + section)};")
        lines += [f"    {node} [label={quote(label)}];" for node, (owner, label) in graph.nodes.items() if owner == section]
        lines.append("  }")
    lines += [f"  {s} -> {t}{f' [label={quote(label)}]' if label else ''};" for s, t, label in graph.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"
