import tomllib

import pytest

from compiler.repository import toml_problem
from compiler.tomllines import key_lines

SOURCE = '''\
extends = "base"   # a comment with [brackets]
text = """
not = "a key"
[not.a.table]
"""
literal = \'\'\'
also = 1
\'\'\'
items = [
  "]",  # ]
  { nested = 1 },
]
[conference]
name = "x"
"quoted.key".inner = 2
[env.prod.conference]
max_participants = 5
[[conference.result.default]]
hangup = {}
[[conference.result.default]]
play = { url = "say:bye" }
[conference.result.default.play.extra]
x = 1
'''


def test_keys_tables_and_multiline_values_are_located() -> None:
    lines = key_lines(SOURCE)
    assert lines[("extends",)] == 1
    assert lines[("text",)] == 2
    assert lines.exact(("not",)) is None
    assert lines[("literal",)] == 6
    assert lines.exact(("also",)) is None
    assert lines[("items",)] == 9
    assert lines[("conference",)] == 13
    assert lines[("conference", "name")] == 14
    assert lines[("conference", "quoted.key", "inner")] == 15
    assert lines[("env", "prod", "conference", "max_participants")] == 17
    assert lines[("conference", "result", "default", "0", "hangup")] == 19
    assert lines[("conference", "result", "default", "1")] == 20  # each element of [[...]] at its own header
    assert lines[("conference", "result", "default", "1", "play")] == 21
    assert lines[("conference", "result", "default", "1", "play", "extra", "x")] == 23
    assert lines[("conference", "result", "default")] == 18


def test_unknown_paths_fall_back_to_the_nearest_written_ancestor() -> None:
    lines = key_lines(SOURCE)
    assert lines[("conference", "beep")] == 13
    assert lines[("env", "prod", "conference", "max_participants", "deeper")] == 17
    assert lines[("nothing",)] is None


WRITTEN_TWICE = [
    ("[vars]\na = 1\n\n[vars]\nb = 2\n", 4, "[vars] is declared a second time (first at line 1)"),
    ('[conference]\nname = "a"\nmuted = true\nname = "b"\n', 4, "conference.name is set a second time (first at line 2)"),
    ('conference.name = "x"\n[conference]\nmuted = true\n', 2, "[conference] is declared a second time (first at line 1)"),
    ('[roles.host]\npin = "1"\n[roles]\nhost.pin = "2"\n', 4, "adds to [roles.host] from outside it (its header is at line 1)"),
    ('pin = "1"\n[pin]\nsecret = "x"\n', 2, "[pin] declares a table, but line 1 set pin to a value already"),
    ('[roles]\nhost = { pin = "1" }\n[roles.host.conference]\nmuted = true\n', 3, "roles.host, which line 2 wrote whole"),
    ('[roles]\nhost = { pin = "1" }\nhost.muted = true\n', 3, "write roles.host as a [roles.host] table"),
    ('[[case]]\nname = "a"\n[case]\nname = "b"\n', 3, "[case] declares a table, but line 1 made case an array of tables"),
    ('[case]\nname = "a"\n[[case]]\nname = "b"\n', 3, "[[case]] adds to an array of tables, but line 1 declared [case] a table"),
    ("[a.b]\nx = 1\n[a]\nb = 2\n", 4, "a.b sets a value, but line 1 declared a.b a table"),
    ('x = """\nx = 1\n"""\nx = 2\n', 4, "x is set a second time (first at line 1)"),
    ('[roles."my host"]\npin = "1"\n[roles."my host"]\n', 3, '[roles."my host"] is declared a second time'),
    ("x = { a = 1, a = 2 }\n", 1, "a is written twice in one inline table"),
]


@pytest.mark.parametrize(("text", "line", "said"), WRITTEN_TWICE)
def test_a_key_or_table_written_twice_is_named_with_the_line_that_wrote_it_first(text: str, line: int, said: str) -> None:
    with pytest.raises(tomllib.TOMLDecodeError) as raised:
        tomllib.loads(text)
    message, at = toml_problem(raised.value, text)
    assert at == line
    assert said in message
    assert "('" not in message  # no Python tuple of tomllib's is left in the words


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[conference\n", "Expected ']' at the end of a table declaration"),
        ('name = "unterminated\n', "Illegal character '\\n': a string is not closed on its line"),
        ("muted = True\n", 'Invalid value: a value is written as TOML writes it: text in quotes ("Welcome."), a number'),
    ],
)
def test_other_toml_errors_keep_tomllibs_words_with_what_to_write(text: str, said: str) -> None:
    with pytest.raises(tomllib.TOMLDecodeError) as raised:
        tomllib.loads(text)
    message, line = toml_problem(raised.value, text)
    assert (message.startswith(said), line) == (True, 1), message
