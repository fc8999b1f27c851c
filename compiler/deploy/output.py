"""A plan as people and programs read it: text for a terminal, JSON, Markdown for a pull-request comment.

Every form passes through the plan's secrets: the API token is never written, and secret values
are *** unless --show-secrets asked for them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .. import flowgraph
from ..document import model
from .planning import NumberChange, Plan, ScriptChange, plural

_ONLY_MASKED = "only a secret (authorization_bearer_token) differs; --show-secrets shows it"


def render(plan: Plan, fmt: str) -> str:
    text = {"text": text_form, "json": json_form, "markdown": markdown_form}[fmt](plan)
    return plan.secrets.redact(text)


def text_form(plan: Plan) -> str:
    target = plan.target
    lines = [f"confc plan: {target.env} -> {target.space} (scripts named {target.prefix}PROFILE)", "", "scripts:"]
    lines += [f"  {c.action:<10} {c.name}{_script_note(plan, c)}" for c in plan.scripts if c.action != "stale"] or ["  (none)"]
    for change in plan.scripts:
        if change.diff:
            lines += ["", f"  {change.name}:", *("    " + line for line in change.diff.splitlines())]
    if plan.numbers:
        lines += ["", "numbers:"]
        lines += [
            f"  {c.action:<10} {c.number.number} -> {target.script_name(c.profile)}{_number_note(c, plan.target.prefix)}"
            for c in plan.numbers
        ]
    if said := notes(plan):
        lines += ["", *(f"note: {note}" for note in said)]
    lines += ["", plan.summary()]
    return "\n".join(lines) + "\n"


def json_form(plan: Plan) -> str:
    document = {
        "env": plan.target.env,
        "space": plan.target.space,
        "prefix": plan.target.prefix,
        "changes": plan.changes,
        "scripts": [_script_json(c) for c in plan.scripts],
        "numbers": [
            {
                "number": c.number.number,
                "profile": c.profile,
                "action": c.action,
                "current": c.number.routed_to,
                **({"current_name": c.current} if c.current else {}),
                **({"needs_force": True} if c.foreign else {}),
            }
            for c in plan.numbers
        ],
        "notes": notes(plan),
        "summary": plan.summary(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def markdown_form(plan: Plan) -> str:
    target = plan.target
    lines = [f"### confc plan: `{target.env}` → `{target.space}`", ""]
    shown = [c for c in plan.scripts if c.action != "stale"]
    if shown:
        lines += ["| action | script | profile |", "|---|---|---|"]
        lines += [f"| {c.action} | `{c.name}` | `{c.profile}`{_script_note(plan, c)} |" for c in shown]
        lines.append("")
    if plan.numbers:
        lines += ["| action | number | profile | routed now to |", "|---|---|---|---|"]
        lines += [
            f"| {c.action} | `{c.number.number}` | `{c.profile}` | {f'`{c.current}`' if c.current else 'nothing'}{_number_note(c, plan.target.prefix)} |"
            for c in plan.numbers
        ]
        lines.append("")
    for change in plan.scripts:
        drawn = _flow(plan, change)
        if drawn:
            lines += [f"<details><summary>call flow of <code>{change.name}</code>, what changed marked</summary>", ""]
            lines += ["```mermaid", drawn.rstrip("\n"), "```", "", "</details>", ""]
        if change.diff:
            fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", change.diff)), default=0))
            lines += [f"<details><summary>diff of <code>{change.name}</code></summary>", "", f"{fence}diff"]
            lines += [change.diff.rstrip("\n"), fence, "", "</details>", ""]
    for note in notes(plan):
        lines += [f"> **Note:** {note}", ""]
    lines.append(f"**{plan.summary()}**")
    return "\n".join(lines) + "\n"


def _flow(plan: Plan, change: ScriptChange) -> str:
    """The new document's call flow for a created or updated script, the methods a change made marked."""
    if change.action not in ("create", "update") or change.local is None or change.secret_only:
        return ""
    new, _ = model(change.local.document)
    if new is None:
        return ""
    old = None
    if change.script is not None:
        remote, _ = model(plan.secrets.unsent(change.script.contents, change.local.document))
        old = flowgraph.flow(remote, plan.secrets.names) if remote is not None else None
    graph = flowgraph.flow(new, plan.secrets.names)
    return flowgraph.mermaid(graph, flowgraph.changed(graph, old))


def notes(plan: Plan) -> list[str]:
    found = []
    if plan.stale:
        names = ", ".join(c.name for c in plan.stale)
        found.append(
            f"{plural(len(plan.stale), 'script')} named {plan.target.prefix}PROFILE without a profile any more, left alone "
            f"(--prune deletes those no number routes to): {names}"
        )
    if plan.foreign:
        numbers = ", ".join(c.number.number for c in plan.foreign)
        found.append(
            f"routed now to something that is not a {plan.target.prefix} script: {numbers}; apply reroutes them only with --force"
        )
    return found


def _script_json(change: ScriptChange) -> dict[str, Any]:
    found: dict[str, Any] = {"name": change.name, "profile": change.profile, "action": change.action, "diff": change.diff or None}
    if change.secret_only:
        found["secret_only"] = True
    if change.routed_from:
        found["routed_from"] = list(change.routed_from)
    return found


def _script_note(plan: Plan, change: ScriptChange) -> str:
    if change.secret_only:
        return f" ({_ONLY_MASKED})"
    if change.action == "kept":
        return f" (kept: {', '.join(change.routed_from)} still route(s) to it)"
    if change.action == "delete" and any(c.name == change.name and c is not change for c in plan.scripts):
        return " (a second script of that name)"
    return ""


def _number_note(change: NumberChange, prefix: str) -> str:
    if change.action != "reroute":
        return ""
    force = f"; not a {prefix} script: apply needs --force" if change.foreign else ""
    return f" (now {change.current}{force})"
