from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import tomli_w
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import compiler
from compiler import render
from compiler.document import model as document_model
from compiler.errors import ConfcError
from compiler.render import document_problems, to_yaml
from compiler.yamlload import Remembered, parse_document, parse_yaml

TRICKY = [
    "",
    " leading and trailing ",
    "quote \" and ' apostrophe",
    "line\nbreak\n",
    "key: value # not a comment",
    "- not a list",
    "yes",
    "No",
    "null",
    "~",
    "1e3",
    "0x1F",
    "1.0.0",
    ".inf",
    "@at `tick` |pipe >fold *star &amp !bang %pct",
    "{ not: a map }",
    "[not, a, list]",
    "tab\there",
    "unicode: ünïcödé ✓ 電話 🚀",
    "\u2028 line separator \x85 next line \ufeff bom",
    "trailing colon:",
]


def build_error(repo: Path) -> str:
    """The message of the error a build of dev raises."""
    with pytest.raises(ConfcError) as caught:
        compiler.compiler(repo).artifacts(["dev"])
    return str(caught.value)


@pytest.mark.parametrize("text", TRICKY)
def test_yaml_filter_round_trips_tricky_strings(text: str) -> None:
    assert yaml.safe_load(to_yaml(text)) == text
    assert yaml.safe_load(to_yaml({"k": [text, {"n": text}]})) == {"k": [text, {"n": text}]}


def test_yaml_filter_indents_following_lines() -> None:
    assert to_yaml({"a": 1, "b": {"c": "d"}}, 4) == "a: 1\n    b:\n      c: d"
    assert to_yaml("plain") == "plain"
    assert to_yaml("1e3") == '"1e3"'


def test_yaml_filter_never_writes_anchors() -> None:
    shared = ["x"]
    assert "&" not in to_yaml({"a": shared, "b": shared})


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(table=st.dictionaries(st.text(max_size=8), yaml_values, min_size=1, max_size=5), indent=st.integers(0, 10))
def test_yaml_filter_writes_a_table_as_pyyaml_writes_it_whole(table: dict[str, object], indent: int) -> None:
    # The filter dumps each entry on its own (and remembers it): the text must not differ.
    whole = yaml.dump(
        table, Dumper=render._SwmlDumper, default_flow_style=False, sort_keys=False, allow_unicode=True, width=2**30
    )
    assert to_yaml(table, indent) == whole.rstrip("\n").replace("\n", "\n" + " " * indent)
    assert to_yaml(table, indent) == to_yaml(table, indent)  # the remembered entries too


@settings(max_examples=200, deadline=None)
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
        max_leaves=8,
    ),
    style=st.sampled_from([None, '"', "'"]),
)
def test_the_checking_loader_reads_what_pyyaml_reads(value: object, style: str | None) -> None:
    # The self-check's loader remembers scalars it has built; the result must not differ.
    text = yaml.safe_dump(
        {"a": value, "b": [copy.deepcopy(value), "2001-12-14", "0o17", "yes", "~"]}, default_style=style, allow_unicode=True
    )
    assert parse_yaml(text) == yaml.safe_load(text)
    assert parse_yaml(text + "c: !!binary aGVsbG8=\n") == yaml.safe_load(text + "c: !!binary aGVsbG8=\n")
    # A run reads many documents with one memory: the second reading looks its scalars up.
    remembered = Remembered()
    assert parse_yaml(text, remembered) == parse_yaml(text, remembered) == yaml.safe_load(text)


@pytest.mark.parametrize("scalar", ["2001-12-14", "2001-12-14t21:59:43.10-05:00", ".nan", "-.inf"])
def test_the_checking_loader_refuses_what_swml_cannot_hold(scalar: str) -> None:
    remembered = Remembered()
    assert parse_yaml(f'a: "{scalar}"\nb: 1.5\n', remembered) == {"a": scalar, "b": 1.5}
    # Refused wherever it is written, every time: as a value, a list's item or a key, in any later document.
    for text in (f"a: {scalar}\n", f"a: [{scalar}]\n", f"a:\n- {scalar}\n", f"{scalar}: a\n", f"a: {scalar}\n"):
        with pytest.raises(yaml.YAMLError, match="has no SWML form"):
            parse_yaml(text, remembered)


@pytest.mark.parametrize(
    "text",
    ["a: &x [1]\nb: *x\n", "a: &x {k: 1}\nb: [*x]\n", "- &x [1]\n- *x\n", "&x a: 1\nb: *x\n", "a: &x 1\n", "a: &x [1]\n"],
)
def test_the_checking_loader_refuses_anchors_and_aliases(text: str) -> None:
    with pytest.raises(yaml.YAMLError, match="anchors and aliases"):
        parse_yaml(text)
    # An & or * inside a string is text.
    assert parse_yaml('a: "&x [1]"\nb: x&y *z\n') == {"a": "&x [1]", "b": "x&y *z"}


def test_the_checking_loader_refuses_a_key_that_is_a_list_or_table() -> None:
    for text in ("? [a]\n: 1\n", "? {k: v}\n: 1\n"):
        with pytest.raises(yaml.YAMLError, match="found unhashable key"):
            parse_yaml(text)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a: 1\nb: 2\na: 3\n", "the key a is written twice in one table"),
        ('x:\n  main: []\n  "main": []\n', "the key main is written twice in one table"),
        ("1: a\non: b\n", "the key on is not text, and equals an earlier key of its table; quote keys meant as text"),
    ],
)
def test_the_checking_loader_refuses_a_key_written_twice(text: str, error: str) -> None:
    # Readers differ on which of two keys they keep: the self-check must not pick one for SignalWire.
    with pytest.raises(yaml.YAMLError, match=error):
        parse_yaml(text)
    with pytest.raises(ValueError, match=f"at line {text.count(chr(10))} of its output: {error}"):
        parse_document(text)


# Any string a TOML basic string can hold (TOML forbids most control characters).
toml_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x7f", min_codepoint=0x20) | st.sampled_from("\n\t"),
    max_size=40,
).filter(lambda s: "{{" not in s and "{%" not in s)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=toml_text.filter(lambda s: s.strip()),
    say=toml_text.filter(lambda s: s.strip() and "\n" not in s),  # a play URL is one line
    coach=toml_text.filter(lambda s: s.strip()),
)
def test_any_string_reaches_the_swml_unchanged(
    make_repo: Callable[..., Path], tmp_path: Path, name: str, say: str, coach: str
) -> None:
    profile = {"greeting": {"say": say}, "conference": {"name": name, "coach": coach}}
    repo = make_repo({"profiles/p.toml": tomli_w.dumps(profile)})
    for fmt in ("yaml", "json"):
        build = compiler.compiler(repo, fmt=fmt)
        (artifact,) = build.artifacts(["prod"])
        text = artifact.content.decode()
        document = parse_yaml(text) if fmt == "yaml" else json.loads(text)
        main = document["sections"]["main"]
        assert main[0] == {"play": {"url": "say:" + say}}
        assert main[1] == {"join_conference": {"name": name, "coach": coach}}


def test_document_check_finds_lost_and_injected_values() -> None:
    conference = {"name": "n"}
    good = {"version": "1.0.0", "sections": {"main": [{"join_conference": {"name": "n"}}]}}
    assert document_problems(document_model(good)[0], conference) == []
    assert document_model({**good, "version": 1.0}) == (None, [((), 'the document must start with version: "1.0.0"')])
    injected = {"version": "1.0.0", "sections": {"main": [{"join_conference": {"name": "n", "muted": True}}]}}
    assert document_problems(document_model(injected)[0], conference) == [
        "sections.main[0].join_conference differs from the resolved conference table"
    ]
    numbered = {"version": "1.0.0", "sections": {"main": [{"join_conference": {"name": "n"}}], 1: []}}
    assert document_model(numbered) == (
        None,
        [(("sections", "1"), "a section's name must be text, and this one reads as 1: quote it as written")],
    )
    background = [{"stream": {"url": "wss://x"}}, {"transcribe": {}}, {"transcribe_stop": {}}, {"stop_stream": {}}]
    assert document_model({**good, "sections": {"main": [*background, *good["sections"]["main"]]}})[1] == []
    bogus = {"version": "1.0.0", "sections": {"main": [{"dance": {}}]}}
    assert document_model(bogus) == (None, [(("sections", "main", "0"), 'unknown SWML method "dance"')])
    silent = {"version": "1.0.0", "sections": {"main": [{"hangup": {}}]}}
    assert document_problems(document_model(silent)[0], conference, [("the greeting", "say:Hi")]) == [
        "sections.main has no join_conference",
        'sections.main does not play the greeting ("say:Hi") before it joins',
    ]
    # A greeting, then the recording notice: in that order, before the join.
    heard = [("the greeting", "say:Hi"), ("the recording notice", "say:Recorded.")]
    told = [{"play": {"url": "say:Hi"}}, {"play": {"url": "say:Recorded."}}, {"join_conference": {"name": "n"}}]
    assert document_problems(document_model({**good, "sections": {"main": told}})[0], conference, heard) == []
    swapped = [told[1], told[0], told[2]]
    assert document_problems(document_model({**good, "sections": {"main": swapped}})[0], conference, heard) == [
        'sections.main does not play the greeting ("say:Hi"), then the recording notice ("say:Recorded.") before it joins'
    ]


def test_user_templates_override_builtins_and_errors_name_the_template_line(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {
            "profiles/p.toml": '[conference]\nname = "n"\n',
            "templates/conference.j2": "version: 1.0.0\nsections:\n  main:\n    - answer: {}\n    - join_conference:\n        {{ profile.conference | yaml(8) }}\n",
        }
    )
    (artifact,) = compiler.compiler(repo).artifacts(["dev"])
    assert parse_yaml(artifact.content.decode())["sections"]["main"][0] == {"answer": {}}
    assert artifact.inputs[-1] == "templates/conference.j2"

    (repo / "templates/conference.j2").write_text("version: 1.0.0\n{{ profile.nothing.here }}\n")
    with pytest.raises(ConfcError) as caught:
        compiler.compiler(repo).artifacts(["dev"])
    assert (
        str(caught.value)
        == f"{repo}/templates/conference.j2:2: template error: profile.nothing is not defined (profile p, env dev)"
    )


def test_a_name_a_template_does_not_get_is_told_what_it_gets(make_repo: Callable[..., Path]) -> None:
    # Misspelt, it gets the names a template sees; in an imported template, that Jinja imports it without them.
    repo = make_repo(
        {
            "profiles/p.toml": '[conference]\nname = "n"\n',
            "templates/conference.j2": '{% import "parts/m.j2" as m %}version: 1.0.0\n{{ acess }}\n',
            "templates/parts/m.j2": "{% macro f() %}{{ access.prompt }}{% endmacro %}",
        }
    )
    assert build_error(repo) == (
        f'{repo}/templates/conference.j2:2: template error: acess is not defined (did you mean "access"?); templates see'
        " profile, env, vars, roles, access, recording (profile p, env dev)"
    )
    (repo / "templates/conference.j2").write_text('{% import "parts/m.j2" as m %}version: 1.0.0\n{{ m.f() }}\n')
    assert build_error(repo) == (
        f"{repo}/templates/parts/m.j2:1: template error: access is not defined here: an imported template sees only what"
        ' it is given; import it "with context" ({% import "NAME.j2" as m with context %}) or pass the value as an'
        " argument (profile p, env dev)"
    )


def test_a_template_that_drops_a_value_is_caught(make_repo: Callable[..., Path]) -> None:
    repo = make_repo(
        {
            "profiles/p.toml": 'template = "lossy"\n[conference]\nname = "n"\nregion = "us"\n',
            "templates/lossy.j2": "version: 1.0.0\nsections:\n  main:\n    - join_conference:\n        name: {{ profile.conference.name | yaml }}\n",
        }
    )
    assert build_error(repo) == (
        f"{repo}/templates/lossy.j2: the rendered document does not do what the profile says: "
        "sections.main[0].join_conference differs from the resolved conference table (profile p, env dev)"
    )


def test_unknown_template_suggests_a_close_one(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({"profiles/p.toml": 'template = "conferense"\n[conference]\nname = "n"\n'})
    with pytest.raises(ConfcError) as caught:
        compiler.compiler(repo).artifacts(["dev"])
    assert (
        str(caught.value)
        == f'{repo}/profiles/p.toml:1: template: no template named "conferense" (did you mean "conference"?) (profile p, env dev)'
    )


@pytest.mark.parametrize(("indent", "shown"), [("8", '"8"'), (-3, "-3"), (True, "true"), (2.5, "2.5")])
def test_the_yaml_filter_names_an_indent_that_is_not_a_number_of_spaces(indent: object, shown: str) -> None:
    with pytest.raises(
        TypeError, match=rf"^the yaml filter's indent is a number of spaces, such as yaml\(8\), not {re.escape(shown)}$"
    ):
        to_yaml({"name": "n"}, indent)  # type: ignore[arg-type]


def test_a_switch_case_a_yaml_reader_takes_for_a_number_is_refused_at_its_line(
    make_repo: Callable[..., Path], cli: Callable
) -> None:
    # Unquoted, a PIN-like 0044 reads as 36 (YAML 1.1) or 44 (YAML 1.2), never as the text "0044".
    template = (
        "version: 1.0.0\nsections:\n  main:\n    - prompt: {play: 'say:PIN', max_digits: 5}\n    - switch:\n"
        "        variable: prompt_value\n        case:\n          0044: [{hangup: {}}]\n"
        '          "1": [{hangup: {}}]\n        default: [{hangup: {}}]\n'
        "    - join_conference:\n        {{ profile.conference | yaml(8) }}\n"
    )
    make_repo({"profiles/p.toml": 'template = "own"\n[conference]\nname = "p"\n', "templates/own.j2": template})
    run = cli("validate", "configs", "--env", "dev")
    assert (run.code, run.err) == (
        1,
        "configs/templates/own.j2:7: the rendered document is not valid SWML: sections.main.1.switch.case.36:"
        " a case must be text, and this one reads as 36: quote it as written (profile p, env dev)\n",
    )
    make_repo({"templates/own.j2": template.replace("0044:", '"0044":')})
    assert cli("validate", "configs", "--env", "dev").code == 0
