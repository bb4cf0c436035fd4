"""Valid data for any task form, choosing the path a smooth year would take.

The simulation uses this to answer every task without knowing each model's fields: choices
prefer approving values, numbers sit inside their bounds, texts meet their lengths. A caller
can override any field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .forms import ATTACHMENT_FORMAT

PREFERRED = (
    "accept", "approve", "approved", "admit", "pass", "passed", "eligible", "agree", "confirm", "confirmed",
    "yes", "very_satisfied", "satisfied", "publish", "issue", "release", "paid", "close", "closed",
)


def fill(
    schema: Mapping[str, Any],
    today: date,
    overrides: Mapping[str, Any] | None = None,
    current: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An object satisfying `schema` (required and optional fields), with `overrides` applied.

    `readOnly` fields keep their `current` values, and an array whose rows the system made
    (items with readOnly fields) gets one filled row per current row.
    """
    data = _object(schema, today, current or {})
    data.update(overrides or {})
    return data


def _object(schema: Mapping[str, Any], today: date, current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    known = current or {}
    values = {}
    for name, prop in (schema.get("properties") or {}).items():
        if prop.get("readOnly"):
            values[name] = known.get(name)
        elif _has_system_rows(prop) and isinstance(known.get(name), list):
            values[name] = [_object(prop["items"], today, row) for row in known[name]]
        else:
            values[name] = _value(prop, name, today)
    return {name: value for name, value in values.items() if value is not None}


def _has_system_rows(prop: Mapping[str, Any]) -> bool:
    items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
    return any(p.get("readOnly") for p in (items.get("properties") or {}).values() if isinstance(p, dict))


def _value(prop: Mapping[str, Any], name: str, today: date) -> Any:
    items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
    if ATTACHMENT_FORMAT in (prop.get("format"), items.get("format")):
        return None  # a file needs a real upload; the simulation leaves (optional) files out
    if "const" in prop:
        return prop["const"]
    options = [o["const"] for o in prop.get("oneOf", []) if isinstance(o, dict) and "const" in o]
    options += list(prop.get("enum") or [])
    if options:
        return _preferred(options)
    kind = prop.get("type")
    kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return _number(prop, kind)
    if kind == "array":
        return _array(prop, name, today)
    if kind == "object":
        return _object(prop, today)
    if kind == "string":
        return _string(prop, name, today)
    return None


def _preferred(options: list[Any]) -> Any:
    for wanted in PREFERRED:
        if wanted in options:
            return wanted
    return True if any(option is True for option in options) else options[0]


def _number(prop: Mapping[str, Any], kind: str) -> int | float:
    low = prop.get("minimum", prop.get("exclusiveMinimum", 0))
    high = prop.get("maximum", prop.get("exclusiveMaximum", max(low, 0) + 100))
    value = low + (high - low) * 0.85 if high > low else low
    return int(value) if kind == "integer" else round(value, 2)


def _array(prop: Mapping[str, Any], name: str, today: date) -> list[Any]:
    items = prop.get("items") or {}
    choices = [o["const"] for o in items.get("oneOf", []) if isinstance(o, dict) and "const" in o]
    choices += list(items.get("enum") or [])
    if choices:
        return choices[: prop.get("maxItems", len(choices))]
    count = max(prop.get("minItems", 1), 1)
    return [_value(items, name, today) for _ in range(count)]


def _string(prop: Mapping[str, Any], name: str, today: date) -> str:
    if prop.get("format") == "date":
        return today.isoformat()
    if prop.get("format") == "email":
        return "simulation@example.cn"
    pattern = prop.get("pattern", "")
    if "1[3-9]" in pattern:
        return "13800000000"
    text = f"模拟填写：{prop.get('title', name)}"
    return text.ljust(prop.get("minLength", 0), "。")[: prop.get("maxLength", 200)]
