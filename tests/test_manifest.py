"""A manifest's entries are written as json.dumps would write them, however a hand-edited one reads."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from compiler import merges
from compiler.manifest import Sealer, manifest_json

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
# Entries as confc writes them, and the same keys holding whatever a hand edit may leave there.
_ENTRY = st.fixed_dictionaries(
    {
        "profile": st.text() | _JSON,
        "sha256": st.text(),
        "inputs": st.lists(st.text()) | _JSON,
        "seal": st.text() | _JSON,
    }
)
_STAMP = {"version": "1", "env": "dev", "format": "yaml", "environments": ["dev"], "overrides": []}


def _expected(sources: dict[str, Any], entries: dict[str, Any]) -> dict[str, Any]:
    return {"generator": "confc", **_STAMP, "complete": True, "sources": sources, "artifacts": entries}


@given(st.dictionaries(st.text(), st.text() | _JSON, max_size=4), st.dictionaries(st.text(), _ENTRY | _JSON, max_size=4))
def test_a_manifest_reads_back_as_what_was_written(sources: dict[str, Any], entries: dict[str, Any]) -> None:
    written = manifest_json(_STAMP, sources, entries, complete=True)
    assert json.loads(written) == _expected(sources, entries)
    # Each entry is the one line json.dumps writes for it: a hand-resolved merge keeps or drops it whole.
    for key, entry in entries.items():
        line = f"    {json.dumps(key, ensure_ascii=False)}: {json.dumps(entry, ensure_ascii=False)}"
        lines = written.decode("utf-8").split("\n")
        assert line in lines or line + "," in lines


@given(st.lists(st.text(), max_size=5), st.dictionaries(st.text(), st.text(), max_size=5), st.text())
def test_a_seal_is_the_digest_of_the_json_of_what_made_an_artifact(inputs: list[str], digests: dict[str, str], sha: str) -> None:
    made_from = [[rel, digests.get(rel)] for rel in inputs]
    expected = hashlib.sha256(json.dumps([_STAMP, made_from, sha], ensure_ascii=False).encode()).hexdigest()
    assert Sealer(_STAMP, digests).seal(inputs, sha) == expected


@given(st.binary(max_size=200), st.sampled_from([b"<<<<<<< ours", b"=======", b">>>>>>> theirs", b"||||||| base"]))
def test_a_marker_on_a_line_of_its_own_is_found_wherever_it_is(before: bytes, marker: bytes) -> None:
    assert merges.conflicted(before + b"\n" + marker + b"\nrest\n")
    assert not merges.conflicted(b"x" + marker + b"\n")  # only at the start of a line
