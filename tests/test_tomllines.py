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
