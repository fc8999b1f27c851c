"""A manifest as confc writes it, and the seal of each artifact entry in it.

One entry a line: diffs stay readable, a merge resolved by hand keeps or drops an entry whole,
and writing tens of thousands of entries takes json's C string encoder, not one dispatch each.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Sealer:
    """Seals the artifacts of one environment folder: one digest of what made an artifact (the
    stamp, each input's digest) and of what it is.

    An entry is one line of its manifest, so a merge resolved by hand keeps or drops it whole:
    an entry whose seal still holds is a pair of inputs and output that confc itself produced,
    which a build may reuse and check may trust, without compiling it again.
    """

    def __init__(self, stamp: Mapping[str, Any], sources: Mapping[str, str]) -> None:
        # The stamp and each input's [name, digest] are the same for every artifact of the folder: written once.
        self._stamp = _json(dict(stamp))
        self._pairs = _Pairs(sources)

    def seal(self, inputs: Sequence[str], content_sha256: str) -> str:
        # The JSON of [stamp, [[input, digest], ...], sha256], as json.dumps writes it.
        made_from = ", ".join(map(self._pairs.__getitem__, inputs))
        return sha256(f"[{self._stamp}, [{made_from}], {_string(content_sha256)}]".encode())


class _Pairs(dict[str, str]):
    """Each input's [name, digest] as JSON, written when first asked for."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        super().__init__()
        self._sources = sources

    def __missing__(self, rel: str) -> str:
        pair = self[rel] = f"[{_string(rel)}, {_value(self._sources.get(rel))}]"
        return pair


def manifest_json(stamp: Mapping[str, Any], sources: Mapping[str, str], entries: Mapping[str, Any], complete: bool) -> bytes:
    # One entry a line, as json.dumps without indent writes it (see _value).
    def table(name: str, items: Mapping[str, Any]) -> str:
        lines = [f"    {_string(key)}: {_value(items[key])}" for key in sorted(items)]
        return f'  "{name}": {{\n' + ",\n".join(lines) + "\n  }" if lines else f'  "{name}": {{}}'

    header = {
        "generator": "confc",
        "version": stamp["version"],
        "env": stamp["env"],
        "format": stamp["format"],
        "complete": complete,
    }
    fields = [f"  {_json(key)}: {_json(value)}" for key, value in {**header, **stamp}.items()]
    return ("{\n" + ",\n".join([*fields, table("sources", sources), table("artifacts", entries)]) + "\n}\n").encode("utf-8")


_json = json.JSONEncoder(ensure_ascii=False).encode
_string = json.encoder.encode_basestring  # what _json writes for a str, without its dispatch
_ENTRY_KEYS = ("profile", "sha256", "inputs", "seal")


def _value(value: Any) -> str:
    """`_json(value)`; an artifact entry as confc writes it is spelled out, many times quicker."""
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict) and tuple(value) == _ENTRY_KEYS and isinstance(value["inputs"], list):
        try:  # _string takes only a str: an entry edited by hand to hold anything else takes _json's way
            made_from = ", ".join(map(_string, value["inputs"]))
            return (
                f'{{"profile": {_string(value["profile"])}, "sha256": {_string(value["sha256"])}, '
                f'"inputs": [{made_from}], "seal": {_string(value["seal"])}}}'
            )
        except TypeError:
            pass
    return _json(value)
