"""Structure-aware fuzzing: no repository, however mangled, makes confc crash or hang.

Each example starts from the example repository, mutates its parsed files (a wrong type at
any path, a deleted or unknown key, a hostile string) and its folders (odd files), writes it
back, and runs every command on it; templates get lines deleted, repeated, moved and replaced. confc must answer 0, 1 or 2 with a message, never an
internal error. Runs are derandomized so CI is repeatable; CONFC_FUZZ_EXAMPLES=2000 CONFC_FUZZ_RANDOM=1 explores further.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

import compiler.sandbox
from compiler import profile_format as fmt
from compiler.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "configs"
EXAMPLES = int(os.environ.get("CONFC_FUZZ_EXAMPLES", "120"))

HOSTILE_TEXT = [
    "",
    " ",
    "{{",
    "}}",
    "{{ }}",
    "{%",
    "{% for %}",
    "{{ vars }}",
    "{{ vars.items }}",
    "{{ env.nope }}",
    "{{ 9 ** 9 ** 9 }}",
    "{{ ((9 ** 999) ** 999) ** 9 }}",
    "{{ 'x' * 10 ** 9 }}",
    "{{ 1 / 0 }}",
    "{{ lipsum() }}",
    "{{ range(10 ** 9) | list }}",
    "{{ ''.__class__ }}",
    "{{ vars.update({}) }}",
    "{{ 'a' | center(10 ** 12) }}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "{{ '%0999999999d' % 1 }}",
    "{{ [] + {} }}",
    "${call.x}",
    "%{x}",
    "us",
    "onEnter",
    "record-from-start",
    "https://e.com/x",
    "wss://e.com/s",
    "ftp://x",
    "base",
    "../x",
    "/abs",
    "a\nb",
    "# not a comment",
    "key: value",
    "'quoted'",
    '"dq"',
    "\u2028",
    "ü🎉",
    "x" * 5000,
    "conference.name",
    "conference",
    "greeting",
    "vars.x",
    "nope.nope",
    "conference.stream.url",
]
SCALARS = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=20),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, 2, 100000, 100001, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(timezones=st.just(datetime.UTC)),
    st.times(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["a", "url", "say", "name", "variable", "case", "when", "then", "hangup", "play"]), inner, max_size=3
        )
    ),
    max_leaves=6,
)

# --set reaches the resolved profile above every file: any known key, with a value of any shape.
SET_KEYS = sorted(
    {
        *fmt.paths_like(""),
        "roles.host",
        "roles.host.pin",
        "roles.host.callers",
        "roles.host.conference",
        "roles.host.conference.muted",
        "roles.host.greeting.say",
        "access.callers",
    }
)
SET_VALUES = ["1", "x", "[1]", "[[1]]", "{a=1}", "{}", "[]", "true", "1e400", '"1234"', '["1234", 1]', '{secret="PIN_A"}']


def read_repo(root: Path) -> dict[str, Any]:
    return {p.relative_to(root).as_posix(): tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(root.rglob("*.toml"))}


BASE = read_repo(EXAMPLE)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into a parsed file: table keys and array indexes."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from paths(item, (*prefix, index))


def container(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutation(draw: st.DrawFn, files: dict[str, Any]) -> None:
    """Change one file in place: set, delete or add something at a drawn path."""
    name = draw(st.sampled_from(sorted(files)))
    data = files[name]
    every = [(), *paths(data)]
    path = draw(st.sampled_from(every))
    target = container(data, path) if path else None
    kind = draw(st.sampled_from(["set", "delete", "add"] if path else ["add"]))
    if kind == "set":
        target[path[-1]] = draw(VALUES)
    elif kind == "delete":
        del target[path[-1]]
    else:
        table = data if not path else container(data, path)[path[-1]]
        if isinstance(table, dict):
            key = draw(
                st.sampled_from(
                    [
                        "extends",
                        "abstract",
                        "unset",
                        "roles",
                        "env",
                        "stream",
                        "bogus",
                        "nmae",
                        "prod",
                        "dev",
                        "qa",
                        "result",
                        "rules",
                        "defaults",
                    ]
                )
            )
            table[key] = draw(VALUES)


ODD_FILES: list[tuple[str, bytes | None]] = [
    ("profiles/Bad Name.toml", b'[conference]\nname = "x"\n'),
    ("profiles/notes.txt", b"hello"),
    ("profiles/empty.toml", b""),
    ("profiles/latin1.toml", b'[conference]\nname = "caf\xe9"\n'),
    ("profiles/broken.toml", b"[conference\nname = "),
    ("profiles/deep.toml", b"a = " + b"[" * 2000 + b"]" * 2000 + b"\n"),
    ("profiles/dir.toml/inner.toml", b'[conference]\nname = "x"\n'),
    ("environments/qa.toml", b'description = "no vars"\n'),
    ("environments/QA.toml", b""),
    ("environments/readme.md", b"# not an environment"),
    ("templates/conference.j2", b"version: 1.0.0\n{% include 'missing' %}\n"),
    ("templates/conference.j2", b"{{ profile.nothing | yaml }}"),
    ("templates/conference.j2", b"{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"),
    ("templates/conference.j2", b"a: &a [1, 2]\nb: &b [*a, *a]\nc: [*b, *b]\n"),
    ("templates/conference.j2", b"version: 1.0.0\nsections:\n  main:\n    - hangpu: {}\n"),
    ("confc.toml", b"[build]\nformat = 5\n"),
    ("environments/prod.toml", None),  # deleted
]


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, err.getvalue() + out.getvalue()


def assert_answers(*argv: str) -> None:
    code, text = run(*argv)
    assert code in (0, 1, 2), (argv, code, text)
    assert "internal error" not in text and "Traceback" not in text, (argv, text)
    if code:
        assert text.strip(), (argv, "failed without a message")


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiler.sandbox, "SECONDS", 0.3)  # what takes this long would take any time at all


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="CONFC_FUZZ_RANDOM" not in os.environ,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # report a failing example as found: shrinking repositories is slow
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@pytest.mark.parametrize("commands", ["compiling", "reading"])
@given(data=st.data())
def test_no_mutated_repository_crashes_confc(
    commands: str, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory, quick: None
) -> None:
    """Each group of commands meets the same mutated repositories; two groups, so a parallel run can share them out."""
    files = {name: tomllib.loads(tomli_w.dumps(parsed)) for name, parsed in BASE.items()}  # a deep copy
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        data.draw(mutation(files))
    note(repr(files))
    root = tmp_path_factory.mktemp("fuzz")
    repo = root / "configs"
    for name, parsed in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(tomli_w.dumps(parsed), encoding="utf-8")
    for rel, content in data.draw(st.lists(st.sampled_from(ODD_FILES), max_size=2, unique_by=lambda f: f[0]), label="odd files"):
        if content is None:
            (repo / rel).unlink(missing_ok=True)
        else:
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            (repo / rel).write_bytes(content)
    if data.draw(st.booleans(), label="symlink loop"):
        (repo / "profiles/loop").symlink_to("..")
    profile = data.draw(st.sampled_from(["standup", "incident", "support/agent", "base", "nope"]), label="profile")
    key = data.draw(
        st.sampled_from(["conference", "conference.name", "conference.stream.url", "vars.team", "greeting.say", "nope", "", "."]),
        label="key",
    )
    setting = data.draw(
        st.sampled_from(HOSTILE_TEXT).map(lambda v: f"conference.name={v}")
        | st.text(max_size=30)
        | st.builds("{}={}".format, st.sampled_from(SET_KEYS), st.sampled_from(SET_VALUES)),
        label="--set",
    )

    out = str(root / "out")
    if commands == "compiling":
        assert_answers("build", str(repo), "--all-envs", "--out", out)
        assert_answers("build", str(repo), "--all-envs", "--out", out, "--set", setting)
        assert_answers("check", str(repo), "--all-envs", "--out", out, "--error-format", "json")
    else:
        assert_answers("validate", str(repo))
        assert_answers("list", str(repo))
        assert_answers("show", str(repo), profile, "--env", "prod", "--format", "json")
        assert_answers("show", str(repo), profile, "--env", "dev", "--swml")
        assert_answers("explain", str(repo), profile, key, "--env", "staging")
    shutil.rmtree(root)


@pytest.mark.parametrize(
    "key", [key for key in SET_KEYS if key.split(".")[0] in ("roles", "access", "greeting") or key.count(".") == 0]
)
def test_a_set_value_of_any_shape_is_answered_for_a_profile_with_roles_and_without(key: str) -> None:
    # --set is checked after the files are: it must meet the same shape checks before anything trusts its value.
    for value in SET_VALUES:
        for profile in ("all-hands", "standup"):
            assert_answers("show", str(EXAMPLE), profile, "--env", "dev", "--set", f"{key}={value}")


BUILTIN_TEMPLATE = (Path(__file__).resolve().parent.parent / "templates/conference.j2").read_text(encoding="utf-8")
TEMPLATE_TEXT = [
    "",
    "    - hangup: {}",
    "    - goto:\n        label: main",
    "    - transfer:\n        dest: nowhere",
    "    - execute:\n        dest: main",
    "    - switch:\n        variable: prompt_value",
    "    - cond:\n        - when: x ==",
    "    - prompt:\n        max_digits: 0",
    "    - join_conference: {}",
    "  other:",
    "{{ profile }}",
    "{{ roles | yaml }}",
    "{% include 'conference.j2' %}",
    "{% extends 'conference.j2' %}",
    "{{ access.attempts * 'x' }}",
    "{% for r in roles %}{{ r.join | yaml(4) }}{% endfor %}",
    "version: 2",
    "sections: []",
    "\t- answer: {}",
    "      - answer: {}",
    "- 1",
    ": :",
]


@st.composite
def template_mutation(draw: st.DrawFn) -> str:
    """The built-in template with lines deleted, duplicated, swapped, shifted or replaced."""
    lines = BUILTIN_TEMPLATE.splitlines()
    for _ in range(draw(st.integers(1, 3), label="edits")):
        at = draw(st.integers(0, len(lines) - 1), label="line")
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "indent", "dedent", "replace"]), label="edit")
        if kind == "delete":
            del lines[at]
        elif kind == "duplicate":
            lines.insert(at, lines[at])
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1), label="other line")
            lines[at], lines[other] = lines[other], lines[at]
        elif kind == "indent":
            lines[at] = "  " + lines[at]
        elif kind == "dedent":
            lines[at] = lines[at][2:]
        else:
            lines[at] = draw(st.sampled_from(TEMPLATE_TEXT), label="text")
        if not lines:
            lines = [""]
    return "\n".join(lines) + "\n"


@settings(
    max_examples=max(EXAMPLES // 6, 20),
    deadline=None,
    derandomize="CONFC_FUZZ_RANDOM" not in os.environ,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(template=template_mutation())
def test_no_mutated_template_crashes_confc(template: str, tmp_path_factory: pytest.TempPathFactory, quick: None) -> None:
    # A template is a user's file like a profile: whatever it writes is checked, answered and never a crash.
    root = tmp_path_factory.mktemp("fuzz-template")
    repo = root / "configs"
    shutil.copytree(EXAMPLE, repo)
    (repo / "templates").mkdir(exist_ok=True)
    (repo / "templates/conference.j2").write_text(template, encoding="utf-8")
    out = str(root / "out")
    assert_answers("build", str(repo), "--env", "prod", "--out", out)
    assert_answers("simulate", str(repo), "all-hands", "--env", "prod", "--digits", "908172")
    assert_answers("simulate", str(repo), "board", "--env", "dev", "--from", "+15550100001")
    assert_answers("graph", str(repo), "--flow", "all-hands", "--env", "dev")
    assert_answers("test", str(repo), "--env", "prod")
    shutil.rmtree(root)
