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
    """What a value must look like, without its nested objects' properties (compared field by field)."""
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        return sorted(json.dumps(_shape(s, root), sort_keys=True) for s in schema["anyOf"])
    return {key: schema[key] for key in ("type", "format", "enum", "const") if key in schema}


def _compare(old: dict, old_root: dict, new: dict, new_root: dict, where: str) -> list[str]:
    """Problems a consumer of ``old`` would meet reading ``new``: removed or reshaped fields, new required
    ones, at any depth; a nested object may gain optional fields like the event itself."""
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    if _shape(old, old_root) != _shape(new, new_root):
        return [f"field {where!r} changed shape"]
    problems: list[str] = []
    if "items" in old:
        if "items" not in new:
            return [f"field {where!r} changed shape"]
        problems += _compare(old["items"], old_root, new["items"], new_root, f"{where}[]")
    for name, old_field in old.get("properties", {}).items():
        new_field = new.get("properties", {}).get(name)
        inner = f"{where}.{name}" if where else name
        if new_field is None:
            problems.append(f"field {inner!r} was removed")
        else:
            problems += _compare(old_field, old_root, new_field, new_root, inner)
    added_required = set(new.get("required", [])) - set(old.get("required", []))
    problems += [f"field {(where + '.' if where else '') + name!r} became required" for name in sorted(added_required)]
    return problems


def incompatibilities(old: dict, new: dict) -> list[str]:
    return _compare(old, old, new, new, "")


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
    nested = {"properties": {"s": {"type": "array", "items": {"$ref": "#/$defs/S"}}}, "$defs": {"S": old}}
    nested_grown = {"properties": {"s": {"type": "array", "items": {"$ref": "#/$defs/S"}}}, "$defs": {"S": grown}}
    assert incompatibilities(nested, nested_grown) == []
    nested_shrunk = {
        "properties": {"s": {"type": "array", "items": {"$ref": "#/$defs/S"}}},
        "$defs": {"S": {"properties": {"a": {"type": "string"}}, "required": ["a"]}},
    }
    assert incompatibilities(nested, nested_shrunk) == ["field 's[].b' was removed"]
