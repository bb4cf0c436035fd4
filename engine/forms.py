"""Server-side validation of task data against a task's JSON Schema.

The browser is never trusted: every submitted task form is validated here
before it reaches the workflow engine, and the errors are returned keyed by
the same dotted field paths the HTML form uses, so the UI can show each
message next to its field.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

from jsonschema import Draft202012Validator
from jsonschema.exceptions import WEAK_MATCHES, ValidationError

FORBIDDEN_KEYS: frozenset[str] = frozenset({"typename", "__builtins__"})
"""Keys that break the workflow engine's serializer or script sandbox."""

FORM_KEY = "_form"
"""Error key for problems that belong to the whole form, not one field."""

OPTIONS_KEYWORD = "x-options"

MONEY_FEN = "money-fen"
"""`{"type": "integer", "format": "money-fen"}`: an amount stored as integer fen, typed and
shown in yuan with two decimals; its limits are fen too, and messages show them in yuan."""

# Keywords whose value is a single subschema.
_SUBSCHEMA_KEYWORDS = (
    "items",
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
)
# Keywords whose value is a list of subschemas.
_SUBSCHEMA_LIST_KEYWORDS = ("allOf", "anyOf", "oneOf", "prefixItems")
# Keywords whose value maps names to subschemas.
_SUBSCHEMA_MAP_KEYWORDS = (
    "properties",
    "patternProperties",
    "dependentSchemas",
    "$defs",
    "definitions",
)

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        "required": "请填写此项",
        "required.choice": "请选择此项",
        "type.string": "格式不正确，应为文本",
        "type.number": "格式不正确，应为数字",
        "type.integer": "格式不正确，应为整数",
        "type.boolean": "格式不正确，应为是或否",
        "type.array": "格式不正确，应为列表",
        "type.object": "格式不正确，应为对象",
        "minLength": "至少 {limit} 个字符",
        "maxLength": "最多 {limit} 个字符",
        "minimum": "不能小于 {limit}",
        "maximum": "不能大于 {limit}",
        "exclusiveMinimum": "必须大于 {limit}",
        "exclusiveMaximum": "必须小于 {limit}",
        "multipleOf": "必须是 {limit} 的倍数",
        "pattern": "格式不正确",
        "format": "格式不正确",
        "format.date": "日期格式应为 YYYY-MM-DD",
        "choice": "请选择有效的选项",
        "minItems": "至少 {limit} 项",
        "maxItems": "最多 {limit} 项",
        "uniqueItems": "不能有重复项",
        "additionalProperties": "不允许的字段",
        "forbidden_key": "不允许的字段名",
        "confirm": "必须确认此项",
        "invalid": "输入无效",
        "money": "{amount} 元",
    },
    "en": {
        "required": "This field is required",
        "required.choice": "Please choose an option",
        "type.string": "Invalid format: expected text",
        "type.number": "Invalid format: expected a number",
        "type.integer": "Invalid format: expected a whole number",
        "type.boolean": "Invalid format: expected yes or no",
        "type.array": "Invalid format: expected a list",
        "type.object": "Invalid format: expected an object",
        "minLength": "At least {limit} characters",
        "maxLength": "At most {limit} characters",
        "minimum": "Must be at least {limit}",
        "maximum": "Must be at most {limit}",
        "exclusiveMinimum": "Must be greater than {limit}",
        "exclusiveMaximum": "Must be less than {limit}",
        "multipleOf": "Must be a multiple of {limit}",
        "pattern": "Invalid format",
        "format": "Invalid format",
        "format.date": "Dates must look like YYYY-MM-DD",
        "choice": "Please choose a valid option",
        "minItems": "At least {limit} item(s)",
        "maxItems": "At most {limit} item(s)",
        "uniqueItems": "Items must not repeat",
        "additionalProperties": "This field is not allowed",
        "forbidden_key": "This field name is not allowed",
        "confirm": "This must be confirmed",
        "invalid": "Invalid value",
        "money": "{amount} yuan",
    },
}
DEFAULT_LANG = "zh"

_LIMIT_KEYWORDS = frozenset(
    {
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
    }
)
_CHOICE_KEYWORDS = frozenset({"enum", "const"})
# Keywords whose MESSAGES entry has the keyword's own name.
_NAMED_KEYWORDS = _LIMIT_KEYWORDS | {
    "required",
    "pattern",
    "uniqueItems",
    "additionalProperties",
}


# --------------------------------------------------------------------------
# Option lists
# --------------------------------------------------------------------------


def resolve_options(schema: dict, sources: Mapping[str, Sequence[tuple[object, str]]]) -> dict:
    """Return a copy of ``schema`` whose ``x-options`` fields list their choices.

    Choice lists such as "enterprises the user may file for" change at run
    time, so the stored schema only names a source; this fills in a ``oneOf``
    of ``const``/``title`` pairs that both the validator and the form
    renderer understand. The original schema is left untouched because it
    is usually shared (cached process definition).
    """
    resolved = copy.deepcopy(schema)
    _fill_options(resolved, sources)
    return resolved


def _fill_options(node: object, sources: Mapping[str, Sequence[tuple[object, str]]]) -> None:
    """Walk subschemas only, so data-valued keywords (const, default) stay as is."""
    if not isinstance(node, dict):
        return
    if OPTIONS_KEYWORD in node:
        node["oneOf"] = _options_one_of(node[OPTIONS_KEYWORD], sources)
    for keyword in _SUBSCHEMA_KEYWORDS:
        _fill_options(node.get(keyword), sources)
    for keyword in _SUBSCHEMA_LIST_KEYWORDS:
        for child in node.get(keyword) or ():
            _fill_options(child, sources)
    for keyword in _SUBSCHEMA_MAP_KEYWORDS:
        for child in (node.get(keyword) or {}).values():
            _fill_options(child, sources)


def _options_one_of(name: str, sources: Mapping[str, Sequence[tuple[object, str]]]) -> list[dict]:
    """An empty source must still be a valid schema that rejects every value."""
    if name not in sources:
        raise KeyError(f"unknown {OPTIONS_KEYWORD} source: {name!r}")
    choices = [{"const": value, "title": label} for value, label in sources[name]]
    return choices or [{"not": {}}]


# --------------------------------------------------------------------------
# Forbidden keys
# --------------------------------------------------------------------------


def forbidden_keys(data: object) -> list[str]:
    """Return dotted paths of keys the workflow engine cannot safely store.

    SpiffWorkflow's serializer treats ``typename`` as a type marker and the
    script sandbox treats ``__builtins__`` and underscore names specially,
    so such keys must never enter task data, whatever the schema says.
    """
    return list(_walk_forbidden(data, ()))


def _walk_forbidden(data: object, path: tuple) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            key_path = (*path, key)
            if _is_forbidden_key(key):
                yield _dotted(key_path)
            yield from _walk_forbidden(value, key_path)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk_forbidden(value, (*path, index))


def _is_forbidden_key(key: object) -> bool:
    return isinstance(key, str) and (key in FORBIDDEN_KEYS or key.startswith("_"))


def non_finite_numbers(data: object, path: tuple = ()) -> Iterator[str]:
    """Dotted paths of NaN and infinities: Python's JSON parser accepts them, but JSON Schema lets
    them through `number` and PostgreSQL's JSON columns refuse them (the fuzzer found both)."""
    if isinstance(data, float) and not math.isfinite(data):
        yield _dotted(path)
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from non_finite_numbers(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from non_finite_numbers(value, (*path, index))


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def validate_data(schema: dict, data: object, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Validate ``data`` and return ``{dotted field path: message}``.

    Only one message per field is kept, because the form shows one message
    per field; the most specific error wins (``oneOf``/``anyOf`` failures are
    vaguer than, say, a type error on the same field). An empty dict means
    the data may be handed to the workflow engine.
    """
    messages = _messages(lang)
    errors = {path: messages["forbidden_key"] for path in forbidden_keys(data)}
    errors.update({path: messages["type.number"] for path in non_finite_numbers(data) if path not in errors})
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for error in _by_relevance(validator.iter_errors(data)):
        for path in _error_paths(error):
            if error.validator == "required" and _is_choice_field(schema, path):
                errors.setdefault(path, messages["required.choice"])
            errors.setdefault(path, _message(error, messages))
    return errors


def _is_choice_field(schema: dict, dotted_path: str) -> bool:
    """Is the field at ``dotted_path`` picked from options (radio, select, yes/no)?"""
    node: object = schema
    for part in dotted_path.split("."):
        if not isinstance(node, dict):
            return False
        node = node.get("items") if part.isdigit() else (node.get("properties") or {}).get(part)
    if not isinstance(node, dict):
        return False
    return node.get("type") == "boolean" or "enum" in node or _is_choice(node.get("oneOf"))


def _messages(lang: str) -> dict[str, str]:
    """Accept locale spellings such as ``en-US`` or ``zh_CN``."""
    base = (lang or "").replace("_", "-").split("-")[0].lower()
    return MESSAGES.get(base, MESSAGES[DEFAULT_LANG])


def _by_relevance(errors: Iterable[ValidationError]) -> list[ValidationError]:
    """Order errors like jsonschema's ``best_match``: weak keywords last.

    The sort is stable, so errors of equal weight keep the schema's keyword
    order (e.g. ``type`` before ``minimum``).
    """
    return sorted(errors, key=lambda error: error.validator in WEAK_MATCHES)


def _error_paths(error: ValidationError) -> list[str]:
    """Map an error to the field(s) it concerns.

    ``required`` and ``additionalProperties`` are reported by jsonschema on
    the parent object, but the user needs to see them on the missing or
    unexpected field itself.
    """
    base = tuple(error.absolute_path)
    if error.validator == "required":
        names = _missing_properties(error)
    elif error.validator == "additionalProperties":
        names = _unexpected_properties(error)
    else:
        names = []
    if names:
        return [_dotted((*base, name)) for name in names]
    return [_dotted(base) or FORM_KEY]


def _missing_properties(error: ValidationError) -> list[str]:
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [name for name in error.validator_value if name not in instance]


def _unexpected_properties(error: ValidationError) -> list[str]:
    if not isinstance(error.instance, dict):
        return []
    known = error.schema.get("properties", {})
    patterns = list(error.schema.get("patternProperties", {}))
    return [key for key in error.instance if key not in known and not any(re.search(p, str(key)) for p in patterns)]


def _dotted(path: Sequence[object]) -> str:
    return ".".join(str(part) for part in path)


def _message(error: ValidationError, messages: dict[str, str]) -> str:
    key = _message_key(error)
    text = messages.get(key, messages["invalid"])
    if key in _LIMIT_KEYWORDS and isinstance(error.schema, dict) and error.schema.get("format") == MONEY_FEN:
        return text.format(limit=messages["money"].format(amount=f"{error.validator_value / 100:,.2f}"))
    if key in _LIMIT_KEYWORDS:
        return text.format(limit=_format_limit(error.validator_value))
    return text


def _message_key(error: ValidationError) -> str:
    """Pick the MESSAGES entry describing ``error``."""
    keyword = error.validator
    if keyword == "type":
        return f"type.{_primary_type(error.validator_value)}"
    if keyword == "format":
        return "format.date" if error.validator_value == "date" else "format"
    if keyword == "const" and error.validator_value is True:
        return "confirm"
    if keyword in _CHOICE_KEYWORDS:
        return "choice"
    if keyword == "oneOf" and _is_choice(error.validator_value):
        return "choice"
    if keyword == "minLength" and error.instance == "":
        return "required"
    return str(keyword) if keyword in _NAMED_KEYWORDS else "invalid"


def _primary_type(expected: object) -> str:
    """``["string", "null"]`` is described as a string field."""
    if isinstance(expected, str):
        return expected
    named = [name for name in expected or () if name != "null"]
    return named[0] if named else "null"


def _is_choice(branches: object) -> bool:
    """A ``oneOf`` made of ``const`` branches is a pick-list, not a union type."""
    return isinstance(branches, list) and all(
        isinstance(branch, dict) and ("const" in branch or branch == {"not": {}}) for branch in branches
    )


def _format_limit(value: object) -> str:
    """Show ``1e7`` as ``10,000,000``: limits are read by people, not parsers."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def keep_read_only(schema: dict, submitted: object, current: object) -> object:
    """`submitted` with every `readOnly` field (at any depth, arrays of objects row by row)
    replaced by its current value: what a form shows but does not let the user change."""
    if not isinstance(submitted, dict) or schema.get("type") not in (None, "object"):
        return submitted
    known = current if isinstance(current, dict) else {}
    result = dict(submitted)
    for key, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        if prop.get("readOnly"):
            if key in known:
                result[key] = known[key]
            else:
                result.pop(key, None)
        elif key in result and prop.get("type") == "object":
            result[key] = keep_read_only(prop, result[key], known.get(key))
        elif key in result and isinstance(result[key], list) and isinstance(prop.get("items"), dict):
            rows = known.get(key) if isinstance(known.get(key), list) else []
            result[key] = [
                keep_read_only(prop["items"], row, rows[index] if index < len(rows) else None)
                for index, row in enumerate(result[key])
            ]
    return result


# --------------------------------------------------------------------------
# Attachment fields
# --------------------------------------------------------------------------

ATTACHMENT_FORMAT = "attachment"
"""`{"type": "string", "format": "attachment"}`: the value is an attachment id."""


def attachment_references(schema: dict, data: object, path: tuple = ()) -> dict[str, tuple[str, str | None]]:
    """``{dotted path: (attachment id, required media type or None)}`` for every value of an
    attachment field (at any depth, arrays included; the media type is the field's
    ``contentMediaType``). JSON Schema cannot know whether an id exists, whose file it is or
    what it holds, so the store checks these before the task completes."""
    if not isinstance(schema, dict):
        return {}
    if schema.get("format") == ATTACHMENT_FORMAT:
        return {_dotted(path): (data, schema.get("contentMediaType"))} if isinstance(data, str) else {}
    found: dict[str, tuple[str, str | None]] = {}
    if isinstance(data, dict):
        for key, prop in (schema.get("properties") or {}).items():
            if key in data:
                found.update(attachment_references(prop, data[key], (*path, key)))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found.update(attachment_references(schema.get("items") or {}, item, (*path, index)))
    return found
