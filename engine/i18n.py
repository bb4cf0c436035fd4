"""Texts for people, written in Chinese by the engine and said again in English by the pages.

The engine does not import Flask. `N_("流程实例 %(id)s 不存在", id=7)` returns a `Text`: a `str`
holding the Chinese (流程实例 7 不存在), so logs, e-mail, comparisons and stored records see
Chinese as before, which also remembers its template and values. The web layer
(`webui.i18n.content_label`) looks the template up in the catalogue and fills the values in
the page's language; `pybabel extract` (keyword `N_`, babel.cfg) collects the templates.

Values may be numbers, plain strings (data: names, numbers, business keys), dates and times
(written 2026年3月2日 or 2 Mar 2026 by the page), other `Text`s (translated in turn) or lists of
these (joined with "；", or "; " in English). A
`Text` that must outlive the request (a notification) is stored with `to_json` and read
back with `from_json`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import reduce
from typing import Any

Value = Any  # str | int | float | date | datetime | Text | list of these


def chinese_date(value: date) -> str:
    """A date or time as the Chinese pages write it: 2026年3月2日, 2026年3月2日 17:00."""
    day = f"{value.year}年{value.month}月{value.day}日"
    return f"{day} {value:%H:%M}" if isinstance(value, datetime) else day


def _chinese(value: Value) -> Value:
    if isinstance(value, date):
        return chinese_date(value)
    if isinstance(value, list):
        return "；".join(str(item) for item in value)
    return value


class Text(str):
    """A message for people: the Chinese text, plus the template and values it was made from."""

    template: str
    params: dict[str, Value]

    def __new__(cls, template: str, params: dict[str, Value] | None = None) -> Text:
        params = dict(params or {})
        text = super().__new__(cls, template % {k: _chinese(v) for k, v in params.items()} if params else template)
        text.template = template
        text.params = params
        return text

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe form of the template and its values (dates and nested texts tagged)."""
        return {"template": self.template, "params": {k: _encode(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> Text:
        return cls(stored["template"], {k: _decode(v) for k, v in stored.get("params", {}).items()})


def _encode(value: Value) -> Any:
    if isinstance(value, list):
        return {"list": [_encode(item) for item in value]}
    if isinstance(value, Text):
        return {"text": value.to_json()}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def _decode(value: Any) -> Value:
    if isinstance(value, dict):
        if "list" in value:
            return [_decode(item) for item in value["list"]]
        if "text" in value:
            return Text.from_json(value["text"])
        if "datetime" in value:
            return datetime.fromisoformat(value["datetime"])
        if "date" in value:
            return date.fromisoformat(value["date"])
    return value


def N_(template: str, /, **params: Value) -> Text:  # noqa: N802 - the conventional gettext marker name
    """Mark a Chinese text for the catalogue; with values, its placeholders are `%(name)s`."""
    return Text(template, params)


def series(items: Sequence[Value]) -> Text:
    """Items listed the Chinese way, A、B、C; English pages write A, B, C (one template, chained)."""
    if not items:
        return Text("")
    return reduce(lambda listed, item: N_("%(series)s、%(next)s", series=listed, next=item), items[1:],
                  items[0] if isinstance(items[0], Text) else N_("%(item)s", item=items[0]))


def label(name: str) -> Text:
    """A name the catalogue may know without a literal here (a process's or user task's name from
    the models, which babel.cfg extracts from processes/): translated when it is there."""
    return Text(name)
