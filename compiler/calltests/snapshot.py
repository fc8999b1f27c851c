"""Snapshot cases: `snapshot = true` hands a case's [case.expect] to confc, which `confc test --update` writes
from the observed call. A case without `snapshot` is the author's: no update ever touches it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import tomli_w

from ..artifacts import AtomicWriter
from ..errors import ConfcError, show
from .expect import ending, heard, sections
from .run import Outcome

# Keys of a join a snapshot records: plain values, which a TOML table writes on one line each.
_PLAIN = (str, int, float, bool)


def observed(outcome: Outcome) -> dict[str, Any]:
    """What the call did, as a case's expectations say it."""
    call = outcome.call
    found: dict[str, Any] = {}
    if call.joins:
        found["role"] = call.joins[0].section
    found["hears"] = heard(call)
    found["sections"] = sections(call)
    found["ends"] = ending(call)
    if call.joins:
        found["join"] = {k: v for k, v in call.joins[0].conference.items() if isinstance(v, _PLAIN)}
    return found


def block(expect: Mapping[str, Any]) -> str:
    """The [case.expect] table as TOML text."""
    plain = {k: v for k, v in expect.items() if k != "join"}
    text = "[case.expect]\n" + tomli_w.dumps(plain)
    if "join" in expect:
        text += "\n[case.expect.join]\n" + tomli_w.dumps(dict(expect["join"]))
    return text


def agreed(outcomes: Sequence[Outcome]) -> tuple[dict[str, Any], list[str]]:
    """What the calls of one case did in every environment it ran in, and the keys they differ on (left out).

    A case that runs in dev and prod records only what both calls did alike, so its snapshot holds in each.
    """
    first, *others = [observed(outcome) for outcome in outcomes]
    differ: list[str] = []
    for key in list(first):
        if key == "join":
            continue
        if any(other.get(key) != first[key] for other in others):
            differ.append(key)
            del first[key]
    if "join" in first:
        joins = [other.get("join", {}) for other in others]
        kept = {k: v for k, v in first["join"].items() if all(k in join and join[k] == v for join in joins)}
        differ += [f"join.{k}" for k in first["join"] if k not in kept]
        first["join"] = kept
    return first, differ


def _runs(outcomes: Sequence[Outcome]) -> dict[str, dict[int, list[Outcome]]]:
    """The outcomes of the snapshot cases, by file and case: one per environment a case ran in."""
    chosen: dict[str, dict[int, list[Outcome]]] = {}
    for outcome in outcomes:
        if outcome.case.snapshot:
            chosen.setdefault(outcome.case.source.display, {}).setdefault(outcome.case.index, []).append(outcome)
    return chosen


def recorded_in_part(outcomes: Sequence[Outcome], every_env: Sequence[str]) -> list[str]:
    """A note for each snapshot case recorded in fewer environments than it runs in (--env): CI runs it in them all."""
    notes = []
    for display, by_index in _runs(outcomes).items():
        for done in by_index.values():
            case = done[0].case
            missed = [env for env in case.envs or every_env if env not in {o.env for o in done}]
            if missed:
                also = " and ".join([", ".join(missed[:-1]), missed[-1]] if len(missed) > 1 else missed)
                notes.append(
                    f"{display}:{case.line()}: note: {show(case.name)} was recorded in env"
                    f" {', '.join(o.env for o in done)} alone, but it runs in {also} too:"
                    " --update without --env records what holds in each"
                )
    return notes


def update(outcomes: Sequence[Outcome]) -> list[tuple[str, list[str]]]:
    """Write the observed path of every snapshot case into its file: each file written, with what the environments
    of its cases differ on (as "NAME: KEY, KEY"), left out of their snapshots."""
    chosen = _runs(outcomes)
    written = []
    for display, by_index in chosen.items():
        source = next(iter(by_index.values()))[0].case.source
        # A file whose every line ends in CR LF (as git for Windows checks files out) gets its new lines so too.
        crlf = "\r\n" in source.text and source.text.count("\r\n") == source.text.count("\n")
        lines = (source.text.replace("\r\n", "\n") if crlf else source.text).splitlines(keepends=True)
        left_out: list[str] = []
        # From the last case up, so that the lines of the cases above stay where they are.
        for index in sorted(by_index, reverse=True):
            case_outcomes = by_index[index]
            expect, differ = agreed(case_outcomes)
            lines = _replaced(lines, case_outcomes[0], block(expect))
            if differ:
                envs = ", ".join(outcome.env for outcome in case_outcomes)
                left_out.insert(0, f"{show(case_outcomes[0].case.name)}: {', '.join(differ)} (differ in envs {envs})")
        text = "".join(lines).replace("\n", "\r\n") if crlf else "".join(lines)
        if text != source.text:
            AtomicWriter().write(Path(source.display), text.encode("utf-8"))
            written.append((display, left_out))
    return written


def _replaced(lines: list[str], outcome: Outcome, expect: str) -> list[str]:
    case = outcome.case
    start = (case.source.lines.exact(("case", str(case.index))) or 1) - 1
    following = case.source.lines.exact(("case", str(case.index + 1)))
    end = (following - 1) if following else len(lines)
    span = lines[start:end]
    owned = next((i for i, line in enumerate(span) if line.lstrip().startswith("[case.expect")), None)
    if owned is None and any(line.lstrip().startswith("expect") for line in span):
        raise ConfcError(
            "a snapshot case's expect is confc's to write: write it as [case.expect] or leave it out",
            file=case.source.display,
            line=case.line("expect"),
        )
    kept = span if owned is None else span[:owned]
    while kept and not kept[-1].strip():
        kept = kept[:-1]
    tail = "\n" if end < len(lines) else ""
    return [*lines[:start], *kept, "\n", expect, tail, *lines[end:]]
