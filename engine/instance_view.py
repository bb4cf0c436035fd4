"""An instance's entries as a reader sees them: per completed user task, the fields entered
there, labelled by that task's form.

Built from the history as `HistoryService.for_instance(..., viewer=...)` returns it, never from
the workflow data, so what the history withholds from a viewer (an expert's score and comment,
`access.hides_actor`) is withheld here too. The workflow data for callers who want it raw is
filtered by `confidential_keys`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from .access import CONFIDENTIAL_ACTOR_ROLES, Actor
from .facts import field_labels, format_value
from .repository import UserTaskInfo

# A form schema with its `x-options` choice lists resolved for the viewer.
Resolve = Callable[[dict[str, Any]], dict[str, Any]]

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def entries(
    history: Iterable[Mapping[str, Any]], user_tasks: Mapping[str, UserTaskInfo], resolve: Resolve
) -> list[dict[str, Any]]:
    """One group per completed user task in `history` (oldest first): its name, when and by whom,
    and its fields in the form's order as {"name", "label", "kind", "value", "text"}.

    `kind` says how a page shows `value`: "money" (fen), "date" (a `date`), "attachments"
    (a list of attachment ids) or "text" (`text`, choices by their titles). A group whose
    entries the history withholds has `withheld` set and no fields.
    """
    groups = []
    for event in history:
        info = user_tasks.get(event.get("element_id") or "")
        if event.get("action") != "task_completed" or info is None:
            continue
        details = event.get("details") or {}
        withheld = "after" not in details
        fields = [] if withheld else _fields(details.get("after") or {}, info, resolve)
        groups.append({
            "task_id": event.get("task_id"),
            "element_id": info.bpmn_id,
            "name": info.name,
            "at": event.get("at"),
            "actor": event.get("actor_display") or event.get("actor"),
            "withheld": withheld,
            "fields": fields,
        })
    return groups


def _fields(after: Mapping[str, Any], info: UserTaskInfo, resolve: Resolve) -> list[dict[str, Any]]:
    schema = resolve(info.form or {})
    properties = schema.get("properties") or {}
    labels = field_labels([(schema, info.ui_schema)])
    shown = []
    for name, prop in properties.items():
        value = after.get(name)
        if value in (None, "", []):
            continue
        label = labels[name]
        shown.append({"name": name, "label": label["title"] or name} | _typed(value, prop, label))
    return shown


def _typed(value: Any, prop: Mapping[str, Any], label: Mapping[str, Any]) -> dict[str, Any]:
    items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
    if label["money_fen"] and isinstance(value, int) and not isinstance(value, bool):
        return {"kind": "money", "value": value, "text": format_value(value, label)}
    if label["date"] and isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return {"kind": "date", "value": date.fromisoformat(value), "text": format_value(value, label)}
    if "attachment" in (prop.get("format"), items.get("format")):
        ids = value if isinstance(value, list) else [value]
        return {"kind": "attachments", "value": [str(i) for i in ids], "text": "；".join(map(str, ids))}
    return {"kind": "text", "value": value, "text": format_value(value, label)}


def confidential_keys(user_tasks: Iterable[UserTaskInfo]) -> set[str]:
    """Data keys entered only in tasks of confidential roles (experts): what the raw process data
    must not show to anyone but the city bureau."""
    infos = list(user_tasks)

    def keys(confidential: bool) -> set[str]:
        return {key for info in infos if (info.role in CONFIDENTIAL_ACTOR_ROLES) == confidential
                for key in ((info.form or {}).get("properties") or {})}

    return keys(True) - keys(False)


def sees_confidential_data(viewer: Actor) -> bool:
    """Only the city bureau reads the whole process data: an expert sees their own entries in
    the history, not a colleague's score left in the data."""
    return viewer.role == "city_bureau"
