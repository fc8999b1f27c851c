from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from signalwire_fake import PROJECT, TOKEN, Server

import compiler
from compiler.cli import main
from compiler.deploy import space as space_module
from compiler.document import Document, model
from compiler.pipeline import Compiler
from compiler.yamlload import parse_document, parse_yaml

ENVS = {
    "environments/dev.toml": """
        description = "Development"
        [vars]
        hooks = "https://hooks.dev.example.com"
    """,
    "environments/prod.toml": """
        description = "Production"
        [vars]
        hooks = "https://hooks.example.com"
    """,
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden and tests/broken/*/expected.txt from the current output",
    )


def write_repo(root: Path, files: Mapping[str, str | bytes]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def one_profile(root: Path, profile: str) -> tuple[Document, Mapping[str, object]]:
    """A repository of one profile p (and an empty dev environment) at `root`: p's dev document, rendered once
    as build writes it, and its resolved values."""
    write_repo(root, {"environments/dev.toml": "", "profiles/p.toml": profile})
    built = compiler.compiler(root)
    compiled = built.compile("p", "dev")
    document, _ = model(parse_document(built.document(compiled)))
    assert document is not None
    return document, compiled.values


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """make_repo({path: text}) -> CONFIG_DIR; dev and prod environments unless given."""

    def make(files: Mapping[str, str | bytes], *, envs: bool = True) -> Path:
        root = tmp_path / "configs"
        return write_repo(root, {**(ENVS if envs else {}), **files})

    return make


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"Run(code={self.code}, out={self.out!r}, err={self.err!r})"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Run]:
    """Run confc in-process from tmp_path, as a user would from their checkout."""
    monkeypatch.chdir(tmp_path)

    def run(*argv: str) -> Run:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


_ACCEPTED: set[str] = set()  # documents SignalWire's schema has accepted in this run


@pytest.fixture(autouse=True)
def every_document_passes_the_swml_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever test renders a document, SignalWire's own schema must accept it."""
    from oracle import schema_problems

    render = Compiler.document

    def checked(self: Compiler, compiled: object) -> str:
        text = render(self, compiled)
        if text not in _ACCEPTED:  # the schema's $refs are slow to follow, and most tests render the same documents
            problems = schema_problems(json.loads(text) if self.format == "json" else parse_yaml(text))
            assert not problems, problems
            _ACCEPTED.add(text)
        return text

    monkeypatch.setattr(Compiler, "document", checked)


@pytest.fixture
def signalwire(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """A local space, with the credentials and its address in the environment as CI would set them."""
    server = Server()
    server.waits = []
    monkeypatch.setattr(space_module, "sleep", server.waits.append)  # the backoff is recorded, never waited out
    monkeypatch.setenv("SIGNALWIRE_PROJECT_ID", PROJECT)
    monkeypatch.setenv("SIGNALWIRE_API_TOKEN", TOKEN)
    monkeypatch.setenv("SIGNALWIRE_SPACE", server.host)
    try:
        yield server
    finally:
        server.close()
