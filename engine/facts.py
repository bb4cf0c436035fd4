"""Key facts of an instance for a reader: process data shown with the labels its forms give.

Each field is labelled by the title some form of the same version gives it, and each choice
by its option title, so a district reviewer reads 「合同编号：HT-1」, not `contract_no`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Fact = tuple[str, str]


def field_labels(forms: Iterable[Mapping[str, Any] | None]) -> dict[str, dict[str, Any]]:
    """Field name → {"title", "choices", "items"} collected from every form's properties."""
    labels: dict[str, dict[str, Any]] = {}
    for form in forms:
        for name, prop in ((form or {}).get("properties") or {}).items():
            labels.setdefault(name, _label(prop))
    return labels


def _label(prop: Mapping[str, Any]) -> dict[str, Any]:
    choices = {str(option.get("const")): option.get("title") for option in prop.get("oneOf", []) if "const" in option}
    items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
    return {
        "title": prop.get("title"),
        "choices": choices,
        "items": {k: v.get("title", k) for k, v in (items.get("properties") or {}).items()},
    }


def format_value(value: Any, label: Mapping[str, Any]) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "；".join(format_value(item, label) for item in value)
    if isinstance(value, dict):
        names = label.get("items") or {}
        return "，".join(f"{names.get(k, k)} {v}" for k, v in value.items())
    text = str(value)
    return label.get("choices", {}).get(text, text)


def key_facts(
    data: Mapping[str, Any], labels: Mapping[str, Mapping[str, Any]], exclude: Iterable[str] = ()
) -> list[Fact]:
    """The labelled facts in `data`, in the order the forms define them, minus `exclude`."""
    skip = set(exclude)
    return [
        (label["title"] or name, format_value(data[name], label))
        for name, label in labels.items()
        if name in data and name not in skip and data[name] not in (None, "")
    ]
