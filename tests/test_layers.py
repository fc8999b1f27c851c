"""The package is layered: each module imports only from its own stage or the stages below it, and nothing loops.

The stages are the ones the README's "How the code is laid out" describes, lowest first. Every
import counts, also one inside a function or under TYPE_CHECKING: a circle held together by a
deferred import is still a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "compiler"

STAGES: list[tuple[str, set[str]]] = [
    (
        "foundation",
        {"errors", "files", "memo", "merges", "tomllines", "secrets", "sandbox", "install_spec", "parallel", "version"},
    ),
    ("format", {"profile_format"}),
    ("reading", {"repository", "scoping", "routes"}),
    ("layering and resolution", {"inheritance", "layering", "overrides", "interpolate"}),
    ("validation", {"schema", "problems", "swml", "validation", "recording", "claims", "shapes", "project"}),
    ("rendering", {"render", "yamlload", "document", "flowgraph"}),
    ("proving", {"expressions", "calls", "roles"}),
    (
        "compiling and writing",
        {"pipeline", "manifest", "artifacts", "outlock", "drift", "incremental", "provenance", "report", "editor_schema"},
    ),
    ("readers of compiled documents", {"calltests.*", "deploy.*"}),
    ("library interface", {""}),
    ("command line", {"cli", "crash", "commands.*", "__main__"}),
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _stage(module: str) -> int:
    for index, (_, members) in enumerate(STAGES):
        if module in members or module.split(".")[0] + ".*" in members:
            return index
    raise AssertionError(f"compiler.{module} belongs to no stage: add it to STAGES and to the README's layout")


def _imports(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that `module` imports, by name relative to the package ("" is the package itself)."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    package = [part for part in package if part]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif (node.module or "").split(".")[0] == "compiler":
                target = (node.module or "").removeprefix("compiler").lstrip(".")
            else:
                continue
            for alias in node.names:
                named = f"{target}.{alias.name}".lstrip(".")
                found.add(named if named in modules else target)
        elif isinstance(node, ast.Import):
            found |= {
                alias.name.removeprefix("compiler").lstrip(".") for alias in node.names if alias.name.split(".")[0] == "compiler"
            }
    found.discard(module)
    return {name for name in found if name in modules}


MODULES = _modules()
GRAPH = {module: _imports(module, path, MODULES) for module, path in MODULES.items()}


def _label(module: str) -> str:
    return f"compiler.{module}".rstrip(".")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_nothing_from_a_stage_above_it(module: str) -> None:
    own = _stage(module)
    upward = sorted(f"{_label(name)} ({STAGES[_stage(name)][0]})" for name in GRAPH[module] if _stage(name) > own)
    assert not upward, f"{_label(module)} ({STAGES[own][0]}) imports from above its stage: {', '.join(upward)}"


def test_no_import_circle() -> None:
    """Within a stage too, the imports form no circle (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for name in GRAPH[module]:
            if name not in index:
                visit(name)
                low[module] = min(low[module], low[name])
            elif name in stack:
                low[module] = min(low[module], index[name])
        if low[module] == index[module]:
            component = []
            while True:
                name = stack.pop()
                component.append(name)
                if name == module:
                    break
            if len(component) > 1:
                circles.append(sorted(map(_label, component)))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert circles == []


def test_the_layer_check_sees_a_deferred_upward_import(tmp_path: Path) -> None:
    """The check reads imports inside functions too: the kind that held the old circle together."""
    module = tmp_path / "compiler" / "schema.py"
    module.parent.mkdir()
    module.write_text("def late():\n    from .pipeline import Compiler\n    return Compiler\n", encoding="utf-8")
    assert _imports("schema", module, MODULES) == {"pipeline"}
    assert _stage("pipeline") > _stage("schema")


def test_no_module_is_over_400_lines() -> None:
    long = {_label(m): n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}
