"""Event schemas stay compatible with what consumers already rely on.

A snapshot in schemas/ is the contract of one (type, version). The current model may add optional
fields; it may not remove a field, change a field's type or make a field required that was not.
Anything else needs a new version beside the old one.
"""

import json

import pytest

from shared.events import CATALOGUE, catalogue_schemas
from tests.contracts.snapshot import SCHEMAS, snapshot_path

CURRENT = catalogue_schemas()


def _resolve(schema: dict, root: dict) -> dict:
    ref = schema.get("$ref")
    if ref:
        return root["$defs"][ref.rsplit("/", 1)[1]]
    return schema


def _shape(schema: dict, root: dict) -> object:
    """What a field must look like: its type(s), format and, for objects, their own properties."""
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        return sorted(json.dumps(_shape(s, root), sort_keys=True) for s in schema["anyOf"])
    shape = {key: schema[key] for key in ("type", "format", "enum", "const") if key in schema}
    if "items" in schema:
        shape["items"] = _shape(schema["items"], root)
    if "properties" in schema:
        shape["properties"] = {name: _shape(sub, root) for name, sub in schema["properties"].items()}
    return shape


def incompatibilities(old: dict, new: dict) -> list[str]:
    problems = []
    for name, old_field in old.get("properties", {}).items():
        new_field = new.get("properties", {}).get(name)
        if new_field is None:
            problems.append(f"field {name!r} was removed")
        elif _shape(old_field, old) != _shape(new_field, new):
            problems.append(f"field {name!r} changed shape")
    added_required = set(new.get("required", [])) - set(old.get("required", []))
    problems += [f"field {name!r} became required" for name in sorted(added_required)]
    return problems


@pytest.mark.parametrize("key", sorted(CURRENT))
def test_schema_is_compatible_with_its_snapshot(key):
    path = snapshot_path(key)
    assert path.exists(), f"no contract for {key}: run `python -m tests.contracts.snapshot` and commit it"
    old = json.loads(path.read_text())
    assert incompatibilities(old, CURRENT[key]) == [], f"{key} changed incompatibly; publish a new version"


def test_every_snapshot_still_has_a_model():
    # Retiring a version while producers may still send it would strand their events.
    catalogued = {f"{t}.v{v}.json" for t, v in CATALOGUE}
    assert {p.name for p in SCHEMAS.glob("*.json")} <= catalogued


def test_the_checker_catches_incompatible_changes():
    old = {"properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "required": ["a"]}
    assert incompatibilities(old, old) == []
    assert incompatibilities(old, {"properties": {"a": {"type": "string"}}, "required": ["a"]}) == [
        "field 'b' was removed"
    ]
    assert incompatibilities(
        old, {"properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a"]}
    ) == ["field 'a' changed shape"]
    assert incompatibilities(
        old, {"properties": {**old["properties"], "c": {"type": "string"}}, "required": ["a", "c"]}
    ) == ["field 'c' became required"]
    grown = {"properties": {**old["properties"], "c": {"type": "string"}}, "required": ["a"]}
    assert incompatibilities(old, grown) == []
