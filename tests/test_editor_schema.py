"""confc schema: JSON Schema for editors, from the same Cerberus schemas the compiler uses."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from compiler import editor_schema, schema

ROOT = Path(__file__).resolve().parent.parent
STARTER = ROOT / "compiler" / "starter" / "configs"


def validator(kind: str, cli: Callable) -> jsonschema.Draft202012Validator:
    run = cli("schema", kind)
    assert run.code == 0, run.err
    document = json.loads(run.out)
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(document)


def errors(check: jsonschema.Draft202012Validator, text: str) -> list[tuple[str, str]]:
    return sorted((error.json_path, error.message) for error in check.iter_errors(tomllib.loads(text)))


@pytest.mark.parametrize("root", [ROOT / "configs", STARTER], ids=["example", "starter"])
def test_every_shipped_file_validates(cli: Callable, root: Path) -> None:
    profiles, environments = validator("profile", cli), validator("environment", cli)
    files = sorted(root.glob("profiles/**/*.toml")) + sorted(root.glob("environments/*.toml"))
    assert len(files) >= 6
    for path in files:
        check = profiles if "profiles" in path.relative_to(root).parts else environments
        assert errors(check, path.read_text(encoding="utf-8")) == [], path


def test_typos_are_flagged(cli: Callable) -> None:
    profiles = validator("profile", cli)
    found = errors(profiles, 'extend = "base"\n[conference]\nnmae = "x"\n[env.prod.conferense]\nname = "y"\n')
    assert found == [
        ("$", "Additional properties are not allowed ('extend' was unexpected)"),
        ("$.conference", "Additional properties are not allowed ('nmae' was unexpected)"),
        ("$.env.prod", "Additional properties are not allowed ('conferense' was unexpected)"),
    ]
    environments = validator("environment", cli)
    assert errors(environments, '[default.conference]\nregion = "x"\n[rules]\n"conference.name" = { requird = true }\n') == [
        ("$", "Additional properties are not allowed ('default' was unexpected)"),
        ("$.rules['conference.name']", "Additional properties are not allowed ('requird' was unexpected)"),
    ]


def test_types_and_shapes_follow_the_compiler(cli: Callable) -> None:
    profiles = validator("profile", cli)
    assert errors(profiles, "abstract = 1\n") == [("$.abstract", "1 is not of type 'boolean'")]
    assert errors(profiles, '[conference]\nmax_participants = "{{ 5 * 2 }}"\nmuted = "${m}"\n') == []
    assert errors(profiles, "[env.Prod]\n") == [("$.env", "'Prod' does not match '^(?:[a-z0-9][a-z0-9_-]*)$'")]


def test_every_conference_key_is_described_in_our_words() -> None:
    conference = editor_schema.profile()["properties"]["conference"]["properties"]
    assert list(conference) == list(schema.CONFERENCE_KEYS)
    for key, field in conference.items():
        assert field["description"] == schema.DESCRIPTIONS[key]
    described = editor_schema.profile()["properties"]
    assert all(field.get("description") for field in described.values())


def test_a_rule_without_a_translation_stops_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(schema.ENVIRONMENT_FILE, "rules", {"type": "dict", "coerce": int})
    with pytest.raises(ValueError, match="no JSON Schema translation for the Cerberus rule 'coerce'"):
        editor_schema.environment()


def test_values_are_checked_as_the_compiler_checks_them(cli: Callable) -> None:
    profiles = validator("profile", cli)
    typos = (
        '[conference]\nrecord = "from-start"\nbeep = "onenter"\nstatus_callback_method = "PUT"\nstatus_callback = "hooks.example.com/x"\n'
        'max_participants = 1\nregion = "us-east"\n[roles.host]\npin = "12a"\n[roles.host.conference]\nname = "own"\n'
    )
    assert [path for path, _ in errors(profiles, typos)] == [
        "$.conference.beep",
        "$.conference.max_participants",
        "$.conference.record",
        "$.conference.region",
        "$.conference.status_callback",
        "$.conference.status_callback_method",
        "$.roles.host.conference.name",
        "$.roles.host.pin",
    ]
    accepted = (
        '[conference]\nrecord = "{{ vars.record }}"\nbeep = "onEnter"\nmuted = "${muted}"\nwait_url = "%{lobby}"\n'
        'status_callback = "https://hooks.example.com/x"\nmax_participants = "{{ 5 * 2 }}"\n[access]\nattempts = 3\n'
        '[env.prod.conference]\nregion = "eu"\n[roles.host]\npin = ["0044", "1"]\n'
    )
    assert errors(profiles, accepted) == []
    environments = validator("environment", cli)
    assert [
        path for path, _ in errors(environments, '[defaults.conference]\nregion = "mars"\n[defaults.access]\nattempts = 11\n')
    ] == [
        "$.defaults.access.attempts",
        "$.defaults.conference.region",
    ]
