"""confc graph: the inheritance tree, as Mermaid (GitHub renders it in Markdown) or Graphviz DOT."""

from __future__ import annotations

import argparse
import json

import compiler

from .. import flowgraph, project
from ..document import require
from ..errors import UsageError, raise_all
from ..inheritance import parents_of
from ..yamlload import parse_document


def run(args: argparse.Namespace) -> int:
    if args.flow is not None:
        return _flow(args)
    built = compiler.compiler(args.config_dir)
    nodes = {profile: built.abstract(profile) for profile in built.repo.profiles}
    # An edge from each parent to each child, in the order files and extends name them: the same text every run.
    edges = [
        (parent, profile)
        for profile, source in built.repo.profiles.items()
        for parent in parents_of(built.data(source) or {})
        if parent in nodes
    ]
    print(dot(nodes, edges) if args.format == "dot" else mermaid(nodes, edges), end="")
    raise_all(built.file_problems())
    return 0


def _flow(args: argparse.Namespace) -> int:
    """The call flow of one profile's document in one environment."""
    if not args.env:
        raise UsageError("--flow draws one environment's document: name it with --env ENV")
    built = compiler.compiler(args.config_dir)
    profile, env = project.check_profile(built.repo, args.flow), project.check_env(built.repo, args.env)
    if built.abstract(profile):
        raise UsageError(f"{profile} is abstract: it has no call flow; draw a profile that extends it")
    compiled = built.compile(profile, env)
    document = require(parse_document(built.document(compiled)), profile=profile, env=env)
    graph = flowgraph.flow(document, compiled.resolution.secret_names)
    print(flowgraph.dot(graph) if args.format == "dot" else flowgraph.mermaid(graph), end="")
    return 0


def mermaid(nodes: dict[str, bool], edges: list[tuple[str, str]]) -> str:
    """A flowchart: abstract profiles in one subgraph, those with an artifact in another."""
    ids = {profile: f"p{index}" for index, profile in enumerate(nodes)}
    lines = ["flowchart TD"]
    for title, abstract in (("blocks", True), ("artifacts", False)):
        members = [p for p, is_abstract in nodes.items() if is_abstract == abstract]
        if members:
            lines.append(f'  subgraph {title}["{"abstract building blocks" if abstract else "profiles with artifacts"}"]')
            lines += [f"    {ids[p]}{_shape(p, abstract)}" for p in members]
            lines.append("  end")
    lines += [f"  {ids[parent]} --> {ids[child]}" for parent, child in edges]
    lines.append("  classDef abstract stroke-dasharray: 5 5")
    lines += [f"  class {','.join(ids[p] for p, a in nodes.items() if a)} abstract"] if any(nodes.values()) else []
    return "\n".join(lines) + "\n"


def _shape(profile: str, abstract: bool) -> str:
    label = profile.replace('"', "#quot;")
    return f'(["{label}"])' if abstract else f'["{label}"]'


def dot(nodes: dict[str, bool], edges: list[tuple[str, str]]) -> str:
    """A digraph: abstract profiles dashed, in a cluster of their own."""
    quote = json.dumps  # a DOT ID in double quotes escapes as JSON does
    lines = ["digraph profiles {", "  rankdir=TB;", "  node [shape=box];"]
    for title, abstract in (("abstract", True), ("built", False)):
        members = [p for p, is_abstract in nodes.items() if is_abstract == abstract]
        if members:
            label = "abstract building blocks" if abstract else "profiles with artifacts"
            lines.append(f"  subgraph cluster_{title} {{")
            lines.append(f"    label={quote(label)};")
            lines += [f"    {quote(p)}{' [style=dashed]' if abstract else ''};" for p in members]
            lines.append("  }")
    lines += [f"  {quote(parent)} -> {quote(child)};" for parent, child in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"
