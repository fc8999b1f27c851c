"""confc graph: the inheritance tree as Mermaid and as Graphviz DOT, checked by Graphviz itself."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

FILES = {
    "profiles/base.toml": "abstract = true\n",
    "profiles/mixins/quiet.toml": "abstract = true\n",
    "profiles/support.toml": 'extends = ["base", "mixins/quiet"]\n[conference]\nname = "s"\n',
    'profiles/odd-"name".toml': "",
}


def test_mermaid_draws_every_edge_and_keeps_abstract_profiles_apart(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({key: value for key, value in FILES.items() if "odd" not in key})
    run = cli("graph", "configs")
    assert (run.code, run.err) == (0, "")
    assert run.out == (
        "flowchart TD\n"
        '  subgraph blocks["abstract building blocks"]\n'
        '    p0(["base"])\n'
        '    p1(["mixins/quiet"])\n'
        "  end\n"
        '  subgraph artifacts["profiles with artifacts"]\n'
        '    p2["support"]\n'
        "  end\n"
        "  p0 --> p2\n"
        "  p1 --> p2\n"
        "  classDef abstract stroke-dasharray: 5 5\n"
        "  class p0,p1 abstract\n"
    )
    assert cli("graph", "configs").out == run.out  # the same text every run


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (.ci/run installs it)")
def test_dot_output_is_valid_graphviz(make_repo: Callable[..., Path], cli: Callable, tmp_path: Path) -> None:
    make_repo({key: value for key, value in FILES.items() if "odd" not in key})
    run = cli("graph", "configs", "--format", "dot")
    assert run.code == 0
    canon = subprocess.run(["dot", "-Tcanon"], input=run.out, capture_output=True, text=True, check=True).stdout
    assert '"mixins/quiet" -> support;' in canon and "base -> support;" in canon
    example = cli("graph", str(Path(__file__).resolve().parent.parent / "configs"), "--format", "dot")
    svg = subprocess.run(["dot", "-Tsvg"], input=example.out, capture_output=True, text=True, check=True).stdout
    assert svg.count('class="edge"') == example.out.count(" -> ")


def test_a_broken_repository_is_drawn_as_far_as_it_can_be_and_reported(make_repo: Callable[..., Path], cli: Callable) -> None:
    make_repo({"profiles/base.toml": "abstract = true\n", "profiles/a.toml": 'extends = 5\n[conference]\nname = "a"\n'})
    run = cli("graph", "configs")
    assert run.code == 1 and '    p0["a"]' in run.out
    assert run.err == "configs/profiles/a.toml:1: extends: must be a string or an array, got 5\n"
