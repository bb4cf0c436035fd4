"""Turn an HTML form POST into typed JSON data for a task's JSON Schema.

HTML forms only send strings, and only for fields the browser chose to
send, so this module rebuilds the JSON the schema describes: numbers typed
the way people type them, booleans from radios and checkboxes, and arrays
of objects from ``field.N.sub`` inputs. It deliberately does not validate
anything beyond "could this be converted" -- ``engine.forms.validate_data``
is the single source of truth for the rules.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from werkzeug.datastructures import MultiDict

from engine.forms import MONEY_FEN

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        "number": "请输入数字",
        "integer": "请输入整数",
        "boolean": "请选择是或否",
        "choice": "请选择有效的选项",
        "money": "请输入金额（元），最多两位小数",
    },
    "en": {
        "number": "Please enter a number",
        "integer": "Please enter a whole number",
        "boolean": "Please choose yes or no",
        "choice": "Please choose a valid option",
        "money": "Please enter an amount in yuan with at most two decimals",
    },
}
DEFAULT_LANG = "zh"

# Thousands separators must sit every three digits, so "1,2,3" is refused
# rather than silently read as 123.
_NUMBER_RE = re.compile(
    r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d+)?",
    re.ASCII,
)
# Row indices are bounded so a forged name cannot make us build a huge int.
_MAX_INDEX_DIGITS = 6


class _Missing:
    """Marker for "leave this key out", distinct from a real ``None``."""


_MISSING = _Missing()


def parse_form(
    schema: dict,
    ui_schema: dict,
    formdata: MultiDict,
    lang: str = DEFAULT_LANG,
) -> tuple[dict, dict[str, str]]:
    """Build task data from ``formdata`` following an object ``schema``.

    Returns ``(data, conversion_errors)``. Only fields declared in the schema
    are read, so nothing the client invents (``csrf_token`` included) can
    reach the workflow engine. Blank inputs are omitted rather than sent as
    ``""`` so that the schema's ``required`` produces the message. When a
    value cannot be converted its trimmed text is kept in ``data``: the form
    can then be re-rendered with what the user typed, and the text still
    fails schema validation should a caller forget the conversion errors.
    Merge as ``{**validation_errors, **conversion_errors}`` so the more
    precise conversion message wins.
    """
    errors: dict[str, str] = {}
    context = _Context(formdata, _messages(lang), errors)
    data = _parse_object(schema, ui_schema or {}, "", "", context)
    return data, errors


class _Context:
    """What every parsing step needs, bundled to keep signatures short."""

    def __init__(self, formdata: MultiDict, messages: dict[str, str], errors: dict[str, str]) -> None:
        self.formdata = formdata
        self.messages = messages
        self.errors = errors

    def fail(self, path: str, kind: str) -> None:
        """Record the first conversion problem for ``path``."""
        self.errors.setdefault(path, self.messages[kind])


def _messages(lang: str) -> dict[str, str]:
    base = (lang or "").replace("_", "-").split("-")[0].lower()
    return MESSAGES.get(base, MESSAGES[DEFAULT_LANG])


def _join(prefix: str, name: object) -> str:
    return f"{prefix}.{name}" if prefix else str(name)


def _schema_type(schema: dict) -> str | None:
    """``["number", "null"]`` is handled as a number field."""
    declared = schema.get("type")
    if isinstance(declared, list):
        declared = next((name for name in declared if name != "null"), None)
    return declared


# --------------------------------------------------------------------------
# Containers
# --------------------------------------------------------------------------


def _parse_object(schema: dict, ui: dict, name: str, path: str, ctx: _Context) -> dict:
    """``name`` is the input-name prefix, ``path`` the data path used for errors.

    They differ inside arrays, where blank rows are dropped and the remaining
    rows are renumbered.
    """
    result: dict = {}
    for key, subschema in schema.get("properties", {}).items():
        value = _parse_value(subschema, ui.get(key) or {}, _join(name, key), _join(path, key), ctx)
        if value is not _MISSING:
            result[key] = value
    return result


def _parse_value(schema: dict, ui: dict, name: str, path: str, ctx: _Context) -> object:
    kind = _schema_type(schema)
    if kind == "object":
        return _parse_object(schema, ui, name, path, ctx) or _MISSING
    if kind == "array":
        return _parse_array(schema, ui, name, path, ctx)
    return _parse_scalar(schema, ui, ctx.formdata.get(name), path, ctx)


def _parse_array(schema: dict, ui: dict, name: str, path: str, ctx: _Context) -> object:
    items = schema.get("items") or {}
    if _schema_type(items) == "object":
        rows = _parse_rows(items, ui.get("items") or {}, name, path, ctx)
        return rows or _MISSING
    values = [_parse_scalar(items, {}, raw, path, ctx) for raw in ctx.formdata.getlist(name)]
    return [value for value in values if value is not _MISSING] or _MISSING


def _parse_rows(items: dict, ui: dict, name: str, path: str, ctx: _Context) -> list[dict]:
    """Rows may arrive with gaps (deleted in the browser) and blank rows.

    Blank rows are the untouched extra rows the form always offers, not
    members the user meant to add, so they are dropped before renumbering.
    """
    rows = []
    for index in _row_indices(ctx.formdata, name):
        row_name = f"{name}.{index}"
        if _row_is_blank(ctx.formdata, row_name):
            continue
        row_path = f"{path}.{len(rows)}"
        rows.append(_parse_object(items, ui, row_name, row_path, ctx))
    return rows


def _row_indices(formdata: MultiDict, name: str) -> list[int]:
    pattern = re.compile(rf"{re.escape(name)}\.(\d{{1,{_MAX_INDEX_DIGITS}}})\..+", re.ASCII)
    found = {int(match.group(1)) for key in formdata if (match := pattern.fullmatch(key))}
    return sorted(found)


def _row_is_blank(formdata: MultiDict, row_name: str) -> bool:
    prefix = f"{row_name}."
    return all(not value.strip() for key, value in formdata.items(multi=True) if key.startswith(prefix))


# --------------------------------------------------------------------------
# Scalars
# --------------------------------------------------------------------------


def _parse_scalar(schema: dict, ui: dict, raw: str | None, path: str, ctx: _Context) -> object:
    kind = _schema_type(schema)
    if kind == "boolean":
        return _parse_boolean(schema, ui, raw, path, ctx)
    text = _clean_text(raw)
    if not text:
        return _MISSING
    if _has_integer_choices(schema):
        return _parse_integer(text, path, ctx, "choice")
    if schema.get("format") == MONEY_FEN:
        return _parse_money(text, path, ctx)
    if kind == "integer":
        return _parse_integer(text, path, ctx, "integer")
    if kind == "number":
        return _parse_number(text, path, ctx)
    return text


def _clean_text(raw: str | None) -> str:
    """Trim, and count a textarea's CRLF line break as one character."""
    if raw is None:
        return ""
    return raw.replace("\r\n", "\n").strip()


def _parse_boolean(schema: dict, ui: dict, raw: str | None, path: str, ctx: _Context) -> object:
    """An unticked checkbox sends nothing, so absence means False for it only.

    For radios absence means "not answered", which ``required`` reports.
    A ``const: true`` boolean is rendered as a checkbox, so it counts too.
    """
    text = _clean_text(raw)
    if text == "true":
        return True
    if text == "false":
        return False
    if not text:
        return False if _is_checkbox(schema, ui) else _MISSING
    ctx.fail(path, "boolean")
    return text


def _is_checkbox(schema: dict, ui: dict) -> bool:
    return ui.get("ui:widget") == "checkbox" or schema.get("const") is True


def _choice_values(schema: dict) -> list:
    if "enum" in schema:
        return list(schema["enum"])
    return [branch["const"] for branch in schema.get("oneOf", ()) if "const" in branch]


def _has_integer_choices(schema: dict) -> bool:
    """Select options are strings in HTML; integer ids must come back as ints."""
    values = _choice_values(schema)
    return bool(values) and all(isinstance(value, int) and not isinstance(value, bool) for value in values)


def _to_decimal(text: str) -> Decimal | None:
    """Read numbers as typed in China: "1,234.50", full-width "１２３"."""
    normalized = unicodedata.normalize("NFKC", text)
    if not _NUMBER_RE.fullmatch(normalized) or not any(char.isdigit() for char in normalized):
        return None
    try:
        return Decimal(normalized.replace(",", ""))
    except InvalidOperation:
        return None


def _parse_number(text: str, path: str, ctx: _Context) -> object:
    number = _to_decimal(text)
    if number is None or not math.isfinite(float(number)):
        ctx.fail(path, "number")
        return text
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def _parse_money(text: str, path: str, ctx: _Context) -> object:
    """Yuan as typed ("1,234.5", "￥1234.50") to integer fen; more than two decimals is refused,
    never rounded, because an amount of money must be exactly what was meant."""
    amount = _to_decimal(text.lstrip("¥￥").strip())
    if amount is None or amount.as_tuple().exponent < -2:
        ctx.fail(path, "money")
        return text
    return int(amount * 100)


def _parse_integer(text: str, path: str, ctx: _Context, kind: str) -> object:
    number = _to_decimal(text)
    if number is None or number != number.to_integral_value():
        ctx.fail(path, kind)
        return text
    return int(number)
