"""A small interpreter of SWML, to prove what a document does for a caller.

It runs the methods confc's flows use: answer, play, prompt, switch, cond, goto and label,
transfer, execute and return, set, unset, sleep, hangup, record (a voicemail) and
join_conference with its result.
It never guesses: a method or a `when` expression it cannot run stops it, naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .document import Document, Method, methods
from .errors import without_credentials
from .expressions import Unsupported, holds, js_text

MAX_STEPS = 10_000
MAX_TRANSFERS = 32  # SignalWire's limit on transfer and goto steps in one call (errors.mdx, relay_script_too_many_transfers)
RESULTS = ("completed", "answered", "no-answer", "failed", "canceled")
# A caller who withholds their number: no E.164 number, so no listed number's case matches it.
WITHHELD = "anonymous"


@dataclass(frozen=True)
class Step:
    section: str
    method: str
    did: str


@dataclass(frozen=True)
class Join:
    section: str
    conference: Mapping[str, Any]


# How a call can end; a Call's `end` says it in words ("error: CODE (...)", "transferred to URL", ...).
Outcome = Literal["hangup", "end of document", "in conference", "transferred", "error", "stopped"]


@dataclass(frozen=True)
class Ending:
    outcome: Outcome
    text: str


@dataclass(frozen=True)
class Call:
    """How one simulated call went."""

    steps: tuple[Step, ...]
    joins: tuple[Join, ...]
    end: str  # "hangup", "end of document", "still in the conference", "transferred to URL", "error: CODE ..." or "stopped: REASON"
    outcome: Outcome
    prompts: int  # how many entries the caller was asked for
    unused: tuple[str, ...] = ()  # entries the caller had left when the call ended: no prompt asked for them

    def as_json(self) -> dict[str, Any]:
        return {
            "steps": [{"section": s.section, "method": s.method, "did": s.did} for s in self.steps],
            "joins": [{"section": j.section, "conference": dict(j.conference)} for j in self.joins],
            "end": self.end,
            "outcome": self.outcome,
            "unused_digits": list(self.unused),
        }


class Stop(Exception):
    """The simulation cannot go on; the message says why."""


@dataclass
class _Frame:
    section: str
    methods: tuple[Method, ...]
    index: int = 0
    inline: bool = False  # a switch case or cond branch: part of its section, not a call


@dataclass
class _Machine:
    document: Document
    digits: list[str]
    result: str | None
    variables: dict[str, Any] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    joins: list[Join] = field(default_factory=list)
    jumps: dict[Any, int] = field(default_factory=dict)
    transfers: int = 0  # transfer and goto steps taken, which the platform caps
    prompts: int = 0


def simulate(document: Document, digits: Sequence[str] = (), result: str | None = None, caller: str = WITHHELD) -> Call:
    """Run `document` for a call from `caller` (call.from) who enters each of `digits` in turn; `result` ends the
    conference so."""
    machine = _Machine(document, list(digits), result, {"call": {"from": caller}})
    frames = [_Frame("main", document.sections["main"])]
    try:
        end = _run(machine, frames)
    except Stop as stop:
        end = Ending("stopped", f"stopped: {stop}")
    return Call(tuple(machine.steps), tuple(machine.joins), end.text, end.outcome, machine.prompts, tuple(machine.digits))


def _run(machine: _Machine, frames: list[_Frame]) -> Ending:
    while frames:
        frame = frames[-1]
        if frame.index >= len(frame.methods):
            frames.pop()  # a branch, or an executed section, is done: what called it goes on
            continue
        method = frame.methods[frame.index]
        frame.index += 1
        outcome = _step(machine, frames, frame, method)
        if outcome is not None:
            return outcome
    return _END_OF_DOCUMENT


_END_OF_DOCUMENT = Ending("end of document", "end of document")


def _record(machine: _Machine, frame: _Frame, method: Method, did: str) -> None:
    if len(machine.steps) >= MAX_STEPS:  # here, not per method: a join with a result records two steps
        raise Stop(f"more than {MAX_STEPS} steps: the flow does not end")
    machine.steps.append(Step(frame.section, method.name, did))


def _step(machine: _Machine, frames: list[_Frame], frame: _Frame, method: Method) -> Ending | None:
    """Run one method; how the call ended, if it did."""
    handler = _HANDLERS.get(method.name)
    if handler is None:
        raise Stop(f"cannot simulate the {method.name} method (at {method.where})")
    return handler(machine, frames, frame, method)


Handler = Callable[[_Machine, list[_Frame], _Frame, Method], "Ending | None"]


def _noted(did: Callable[[Any], str]) -> Handler:
    """A method that changes nothing a caller could notice but the record: answer, label, sleep."""

    def run(machine: _Machine, frames: list[_Frame], frame: _Frame, method: Method) -> None:
        _record(machine, frame, method, did(method.params))

    return run


def _play(machine: _Machine, frames: list[_Frame], frame: _Frame, method: Method) -> None:
    urls = method.params.get("urls") or [method.params.get("url")]
    _record(machine, frame, method, "played " + ", ".join(map(str, urls)))


def _transfer(machine: _Machine, frames: list[_Frame], frame: _Frame, method: Method) -> Ending | None:
    where = method.params.get("dest")
    handed_on = isinstance(where, str) and where.startswith(("http://", "https://"))
    dest = str(where) if handed_on else _section(machine, where, method)
    if (ended := _count_transfer(machine, frame, method)) is not None:
        return ended
    if handed_on:  # the next document is fetched from there: the call goes on beyond what this one says
        _record(machine, frame, method, shown := f"transferred to {without_credentials(dest)}")
        return Ending("transferred", shown)
    _record(machine, frame, method, f"transferred to section {dest}")
    frames[:] = [_Frame(dest, machine.document.sections[dest])]  # no way back
    return None


def _record_message(machine: _Machine, frames: list[_Frame], frame: _Frame, method: Method) -> None:
    # In the foreground, until the caller stops speaking or presses a terminator: a voicemail.
    machine.variables.update(record_result="success", record_url="(the new recording's URL)")
    _record(machine, frame, method, "recorded the caller's message: record_result = success")


def _count_transfer(machine: _Machine, frame: _Frame, method: Method) -> Ending | None:
    machine.transfers += 1
    if machine.transfers <= MAX_TRANSFERS:
        return None
    _record(machine, frame, method, f"more than {MAX_TRANSFERS} transfers and gotos in one call")
    return Ending("error", f"error: relay_script_too_many_transfers (more than {MAX_TRANSFERS} transfer and goto steps)")


def _execute(machine: _Machine, frames: list[_Frame], frame: _Frame, method: Method) -> None:
    dest = _section(machine, method.params.get("dest"), method)
    if "result" in method.params:  # the reference ties it to a peer leg ending, which a section has not
        raise Stop(f"cannot simulate execute's result (at {method.where})")
    _record(machine, frame, method, f"executed section {dest}")
    if isinstance(method.params.get("on_return"), list):  # runs when the section returns, before what follows
        frames.append(_Frame(frame.section, methods(method.params["on_return"], (*method.path, "on_return")), inline=True))
    frames.append(_Frame(dest, machine.document.sections[dest]))


def _return(machine: _Machine, frames: list[_Frame], frame: _Frame, method: Method) -> Ending | None:
    machine.variables["return_value"] = method.params
    _record(machine, frame, method, "returned")
    while frames and frames[-1].inline:
        frames.pop()
    if frames:
        frames.pop()
    return None if frames else _END_OF_DOCUMENT


_REFERENCE = re.compile(r"\$\{([^}]*)\}")


def _set(machine: _Machine, frames: list[_Frame], frame: _Frame, method: Method) -> None:
    if not isinstance(method.params, Mapping):
        raise Stop(f"cannot simulate set {method.params!r} (at {method.where})")
    machine.variables.update({name: _expand(machine, value, method) for name, value in method.params.items()})
    _record(machine, frame, method, "set " + ", ".join(map(str, method.params)))


def _unset(machine: _Machine, frames: list[_Frame], frame: _Frame, method: Method) -> None:
    params = method.params
    for variable in [params] if isinstance(params, str) else params:
        machine.variables.pop(variable, None)
    _record(machine, frame, method, f"unset {params}")


def _expand(machine: _Machine, value: Any, method: Method) -> Any:
    """`value` with each ${variable} in a string replaced, as SWML does; an expression in ${} is not simulated."""
    if not isinstance(value, str):
        return value

    def variable(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise Stop(f"cannot simulate the expression ${{{name}}} (at {method.where})")
        return js_text(_variable(machine, name, method))

    return _REFERENCE.sub(variable, value)


def _hangup(machine: _Machine, frames: list[_Frame], frame: _Frame, method: Method) -> Ending:
    _record(machine, frame, method, "hung up")
    return Ending("hangup", "hangup")


def _section(machine: _Machine, dest: Any, method: Method) -> str:
    if not isinstance(dest, str) or dest not in machine.document.sections:
        raise Stop(f"cannot {method.name} to {dest!r}: only sections of this document can be simulated (at {method.where})")
    return dest


def _prompt(machine: _Machine, frames: list[_Frame], frame: _Frame, method: Method) -> None:
    params = method.params
    limit = params.get("max_digits", 1)
    if not isinstance(limit, int):
        raise Stop(f"cannot simulate max_digits {limit!r} (at {method.where})")
    terminators = params.get("terminators", "")
    entry = machine.digits.pop(0) if machine.digits else ""
    value = ""
    for char in entry:
        if char in terminators:
            break
        value += char
    value = value[:limit]
    pressed = entry[len(value)] if len(entry) > len(value) and entry[len(value)] in terminators else ""
    # The reference names no_input and match_digits among prompt_result's values but not what a lone
    # terminator yields; no digits entered is read as no input, and confc's flow treats both alike.
    result = "match_digits" if value else "no_input"
    machine.variables.update(prompt_value=value, prompt_result=result, prompt_digit_terminator=pressed)
    machine.prompts += 1
    _record(
        machine,
        frame,
        method,
        f"asked for digits; the caller entered {entry!r}: prompt_value = {value!r}, prompt_result = {result}",
    )


def _switch(machine: _Machine, frames: list[_Frame], frame: _Frame, method: Method, params: Mapping[str, Any]) -> Ending | None:
    variable = params.get("variable", "return_value")
    value = _variable(machine, variable, method)
    case = params.get("case", {})
    text = js_text(value)
    chosen = next((key for key in case if str(key) == text), None)
    if chosen is not None:
        branch, did = case[chosen], f"{variable} is {value!r}: case {chosen!r}"
        path = (*method.path, "case", str(chosen))
    elif "default" in params:
        branch, did, path = params["default"], f"{variable} is {value!r}: default", (*method.path, "default")
    else:  # the reference makes this a script error that ends the call (errors.mdx)
        _record(machine, frame, method, f"{variable} is {value!r}: no case matches and there is no default")
        return Ending("error", "error: relay_script_method_no_matching_condition (a switch matched no case and has no default)")
    _record(machine, frame, method, did)
    frames.append(_Frame(frame.section, methods(branch, path), inline=True))
    return None


def _cond(machine: _Machine, frames: list[_Frame], frame: _Frame, method: Method, conds: Sequence[Mapping[str, Any]]) -> None:
    failed: list[Any] = []
    for index, cond in enumerate(conds):
        path = (*method.path, str(index))
        if "when" not in cond:
            _record(machine, frame, method, "".join(f"when {when}: false, " for when in failed) + "else")
            frames.append(_Frame(frame.section, methods(cond["else"], (*path, "else")), inline=True))
            return
        if _when(machine, cond["when"], method):
            _record(machine, frame, method, f"when {cond['when']}: true")
            frames.append(_Frame(frame.section, methods(cond["then"], (*path, "then")), inline=True))
            return
        failed.append(cond["when"])
        if "else" in cond:
            _record(machine, frame, method, f"when {cond['when']}: false, else")
            frames.append(_Frame(frame.section, methods(cond["else"], (*path, "else")), inline=True))
            return
    _record(machine, frame, method, "no condition holds")


def _goto(machine: _Machine, frames: list[_Frame], frame: _Frame, method: Method) -> Ending | None:
    params = method.params
    if "when" in params and not _when(machine, params["when"], method):
        _record(machine, frame, method, f"when {params['when']}: false, no jump")
        return None
    limit = params.get("max", 100)
    if not isinstance(limit, int):
        raise Stop(f"cannot simulate max {limit!r} (at {method.where})")
    done = machine.jumps.get(method.path, 0)
    if done >= limit:  # documented for messaging (the section ends), not for calling
        raise Stop(
            f"the goto has jumped its max of {limit} times: the reference does not say what a call does then (at {method.where})"
        )
    if (ended := _count_transfer(machine, frame, method)) is not None:
        return ended
    machine.jumps[method.path] = done + 1
    while frames[-1].inline:  # a jump leaves the branch it was taken in
        frames.pop()
    home = frames[-1]
    labels = machine.document.labels(home.section)
    if params["label"] not in labels:
        raise Stop(f"no label {params['label']!r} in section {home.section}")
    home.index = labels[params["label"]]
    _record(machine, frame, method, f"jumped to label {params['label']}")
    return None


IN_CONFERENCE = "still in the conference"


def _join(machine: _Machine, frames: list[_Frame], frame: _Frame, method: Method) -> Ending | None:
    params = method.params
    machine.joins.append(Join(frame.section, params))
    if machine.result is None:
        if "result" in params:  # what runs next depends on how the conference ends, which nobody said
            _record(
                machine, frame, method, f"joined conference {params.get('name')!r}; it has not ended (give a result to end it)"
            )
            return Ending("in conference", IN_CONFERENCE)
        _record(machine, frame, method, f"joined conference {params.get('name')!r}")
        return None
    machine.variables["join_conference_result"] = machine.variables["return_value"] = machine.result
    _record(machine, frame, method, f"joined conference {params.get('name')!r}; it ended: {machine.result}")
    result = params.get("result")
    runs = Method(method.name, result, (*method.path, "result"))
    if isinstance(result, Mapping):
        return _switch(machine, frames, frame, runs, {"variable": "return_value", **result})
    if isinstance(result, list):
        _cond(machine, frames, frame, runs, result)
    return None


_HANDLERS: dict[str, Handler] = {
    "answer": _noted(lambda params: "answered"),
    "label": _noted(lambda params: f"label {params}"),
    "sleep": _noted(lambda params: "slept"),
    "play": _play,
    "prompt": _prompt,
    "switch": lambda machine, frames, frame, method: _switch(machine, frames, frame, method, method.params),
    "cond": lambda machine, frames, frame, method: _cond(machine, frames, frame, method, method.params),
    "goto": _goto,
    "transfer": _transfer,
    "execute": _execute,
    "return": _return,
    "set": _set,
    "unset": _unset,
    "hangup": _hangup,
    "join_conference": _join,
    "record": _record_message,
}


def _variable(machine: _Machine, name: str, method: Method) -> Any:
    """A variable's value; a dotted name (call.from) reads into the object it starts with."""
    if name in machine.variables:
        return machine.variables[name]
    value: Any = machine.variables
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise Stop(f"variable {name} is not set (at {method.where})")
        value = value[part]
    return value


def _when(machine: _Machine, text: Any, method: Method) -> bool:
    try:
        return holds(str(text), lambda name: _variable(machine, name, method))
    except Unsupported as refused:
        raise Stop(f"{refused} (at {method.where})") from None
