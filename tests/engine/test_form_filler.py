"""The simulation's form filler produces data every real form accepts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from engine.form_filler import fill
from engine.form_options import SOURCES
from engine.forms import resolve_options, validate_data

ROOT = Path(__file__).resolve().parents[2]
FORMS = sorted((ROOT / "processes").glob("*/forms/*.schema.json"))


def test_choices_prefer_the_approving_path() -> None:
    schema = {"type": "object", "properties": {
        "decision": {"type": "string", "oneOf": [{"const": "return", "title": "退回"}, {"const": "accept", "title": "受理"}]},
        "rating": {"type": "string", "enum": ["dissatisfied", "satisfied"]},
        "score": {"type": "number", "minimum": 0, "maximum": 100},
        "count": {"type": "integer", "minimum": 1, "maximum": 5},
        "on": {"type": "string", "format": "date"},
    }}
    assert fill(schema, date(2026, 3, 2), {"count": 2}) == {
        "decision": "accept", "rating": "satisfied", "score": 85.0, "count": 2, "on": "2026-03-02"}


@pytest.mark.parametrize("path", FORMS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_filled_data_is_valid_for_every_form_without_special_fields(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    stubs = {"enterprises": [(1, "企业")], "providers": [(2, "服务商")], "districts": [("历下区", "历下区")],
             "my_completed_projects": [(3, "2026-000003 企业（历下区备案）")]}
    assert set(stubs) == set(SOURCES), "a new choice source needs a stub here"
    schema = resolve_options(schema, stubs)
    errors = validate_data(schema, fill(schema, date(2026, 3, 2)))
    special = {field for field, message in errors.items()
               if message in ("格式不正确", "请选择有效的选项") or read_only(schema, field)}
    assert set(errors) == special, errors


def read_only(schema: dict, path: str) -> bool:
    """Is the field at `path` one the system fills (the filler takes it from current data)?"""
    node = schema
    for part in path.split("."):
        node = node.get("items", {}) if part.isdigit() else (node.get("properties") or {}).get(part, {})
    return bool(node.get("readOnly"))
