"""How test outcomes reach people and CI systems: text, GitHub annotations, JSON lines, JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from itertools import groupby

from ..report import annotation_escape
from .run import Outcome


def where(outcome: Outcome) -> str:
    line = outcome.line
    return f"{outcome.case.source.display}:{line}" if line else outcome.case.source.display


def text(outcomes: Sequence[Outcome]) -> str:
    lines = []
    for outcome in outcomes:
        status = "FAIL" if outcome.failed else "PASS"
        said = f": {outcome.failed.message}" if outcome.failed else ""
        lines.append(f"{status}  {where(outcome)}  {outcome.case.name} ({outcome.case.profile}, env {outcome.env}){said}")
    return "\n".join([*lines, summary(outcomes)]) + "\n"


def summary(outcomes: Sequence[Outcome]) -> str:
    failed = sum(1 for o in outcomes if o.failed)
    return f"{len(outcomes) - failed} passed, {failed} failed"


def github(outcomes: Sequence[Outcome]) -> str:
    lines = []
    for outcome in outcomes:
        if outcome.failed:
            file, line = outcome.case.source.display, outcome.line
            properties = [f"file={annotation_escape(file, property=True)}", *([f"line={line}"] if line else [])]
            properties.append(f"title={annotation_escape(f'confc test: {outcome.case.name}', property=True)}")
            message = f"{outcome.failed.message} ({outcome.case.profile}, env {outcome.env})"
            lines.append(f"::error {','.join(properties)}::{annotation_escape(message)}")
    return "".join(line + "\n" for line in lines) + summary(outcomes) + "\n"


def as_json(outcomes: Sequence[Outcome]) -> str:
    return "".join(
        json.dumps(
            {
                "file": o.case.source.display,
                "line": o.line,
                "case": o.case.name,
                "profile": o.case.profile,
                "env": o.env,
                "status": "failed" if o.failed else "passed",
                "message": o.failed.message if o.failed else None,
                "end": o.call.end,
            },
            ensure_ascii=False,
        )
        + "\n"
        for o in outcomes
    )


def junit(outcomes: Sequence[Outcome]) -> str:
    """JUnit XML, one testsuite per test file: what CI systems show as test results."""
    root = ElementTree.Element("testsuites", name="confc test", tests=str(len(outcomes)))
    root.set("failures", str(sum(1 for o in outcomes if o.failed)))
    for file, group in groupby(outcomes, key=lambda o: o.case.source.display):
        items = list(group)
        suite = ElementTree.SubElement(root, "testsuite", name=file, tests=str(len(items)))
        suite.set("failures", str(sum(1 for o in items if o.failed)))
        for outcome in items:
            # Readers split classname at its dots into package and class, as pytest writes them: tests.lines.cases.
            classname = file.removesuffix(".toml").replace("/", ".")
            case = ElementTree.SubElement(suite, "testcase", name=f"{outcome.case.name} [{outcome.env}]", classname=classname)
            case.set("file", file)
            if outcome.line:
                case.set("line", str(outcome.line))
            if outcome.failed:
                failure = ElementTree.SubElement(case, "failure", message=outcome.failed.message)
                failure.text = f"{where(outcome)}: {outcome.failed.message}"
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


FORMATS = {"text": text, "github": github, "json": as_json, "junit": junit}
