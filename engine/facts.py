"""Key facts of an instance for a reader: process data shown with the labels its forms give.

Each field is labelled by the title some form of the same version gives it, and each choice
by its option title, so a district reviewer reads 「合同编号：HT-1」, not `contract_no`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .records.plans import yuan_figures

Fact = tuple[str, str]


FormPair = tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]


def field_labels(forms: Iterable[FormPair]) -> dict[str, dict[str, Any]]:
    """Field name → {"title", "choices", "items"} from every (schema, ui schema) pair.

    Schemas should have their `x-options` resolved, so an enterprise id reads as its name.
    """
    labels: dict[str, dict[str, Any]] = {}
    for schema, ui_schema in forms:
        for name, prop in ((schema or {}).get("properties") or {}).items():
            labels.setdefault(name, _label(prop, (ui_schema or {}).get(name) or {}))
    return labels


def _label(prop: Mapping[str, Any], ui: Mapping[str, Any]) -> dict[str, Any]:
    items_schema = prop.get("items") if isinstance(prop.get("items"), dict) else {}
    options = prop.get("oneOf") or items_schema.get("oneOf") or []
    choices = {str(option.get("const")): option.get("title") for option in options if "const" in option}
    names = ui.get("ui:enumNames")
    if prop.get("type") == "boolean" and isinstance(names, list) and len(names) == 2:
        choices = {"True": names[0], "False": names[1]}
    return {
        "title": prop.get("title"),
        "money_fen": prop.get("format") == "money-fen",
        "date": prop.get("format") == "date",
        "choices": choices,
        "items": {k: v.get("title", k) for k, v in (items_schema.get("properties") or {}).items()},
        "money_items": {k for k, v in (items_schema.get("properties") or {}).items() if v.get("format") == "money-fen"},
    }


def format_value(value: Any, label: Mapping[str, Any]) -> str:
    if isinstance(value, bool):
        return label.get("choices", {}).get(str(value)) or ("是" if value else "否")
    if label.get("money_fen") and isinstance(value, int):
        return f"{yuan_figures(value)} 元"
    if label.get("date") and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        year, month, day = value.split("-")
        return f"{year}年{int(month)}月{int(day)}日"
    if isinstance(value, list):
        return "；".join(format_value(item, label) for item in value)
    if isinstance(value, dict):
        names = label.get("items") or {}
        money = label.get("money_items") or set()
        return "，".join(f"{names.get(k, k)} {format_value(v, {'money_fen': k in money})}" for k, v in value.items())
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
