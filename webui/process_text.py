"""Process content in English: the texts of the models' forms and instructions (domain "processes").

Forms and instructions are written in Chinese by the process owner; their English is kept apart
from the pages' own catalogue, in `translations/en/LC_MESSAGES/processes.po` (extracted with
`babel-processes.cfg`, compiled by `make translations`). Extracted are the Chinese texts of the
form schemas (`title`, `description`, choice titles), of the ui schemas (`ui:help`,
`ui:placeholder`, `ui:description`, `ui:enumNames`) and the paragraphs of each user task's
Markdown instructions (a heading line is a paragraph of its own). Chinese pages show the models
as they are: every function here returns its argument itself unless the page is in English.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from typing import IO, Any

from flask import Flask
from flask_babel import Domain

from engine import xmlsafe

from .i18n import format_day, is_english

DOMAIN = Domain(domain="processes")
CJK = re.compile(r"[\u3400-\u9fff]")
SCHEMA_KEYS = ("title", "description")
UI_KEYS = ("ui:help", "ui:placeholder", "ui:description")
UI_LIST_KEYS = ("ui:enumNames",)
INSTRUCTIONS = "instructionsForEndUser"
# Paragraphs are separated by blank lines; a heading line (### …) stands alone.
_PARAGRAPH_BREAK = re.compile(r"(\n[ \t]*\n+)")
_HEADING = re.compile(r"^(#{1,6} [^\n]*)\n", re.M)


def _chinese(text: object) -> bool:
    return isinstance(text, str) and bool(CJK.search(text))


def form_texts(document: Any) -> Iterator[str]:
    """The Chinese texts of a form schema or ui schema, in document order."""
    if isinstance(document, dict):
        for key, value in document.items():
            if key in SCHEMA_KEYS + UI_KEYS and _chinese(value):
                yield value
            elif key in UI_LIST_KEYS and isinstance(value, list):
                yield from (item for item in value if _chinese(item))
            else:
                yield from form_texts(value)
    elif isinstance(document, list):
        for item in document:
            yield from form_texts(item)


def paragraphs(text: str) -> list[str]:
    """Instructions cut into what is translated: separators (blank lines) are kept as parts of
    their own, so joining the parts gives the text back."""
    parts: list[str] = []
    for part in _PARAGRAPH_BREAK.split(text):
        if _PARAGRAPH_BREAK.fullmatch(part):
            parts.append(part)
            continue
        match = _HEADING.match(part)
        if match and part[match.end():].strip():
            parts += [match.group(1), "\n", part[match.end():]]
        else:
            parts.append(part)
    return parts


def instruction_texts(text: str) -> Iterator[str]:
    return (part for part in paragraphs(text) if _chinese(part))


def extract_forms(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple]:
    """Babel extractor (babel-processes.cfg): the Chinese texts of a form's (ui) schema."""
    for text in form_texts(json.loads(fileobj.read().decode("utf-8"))):
        yield 0, None, text, []


def extract_instructions(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple]:
    """Babel extractor (babel-processes.cfg): the paragraphs of the user tasks' instructions."""
    root = xmlsafe.parse(fileobj.read(), getattr(fileobj, "name", "model.bpmn"))
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] == INSTRUCTIONS and element.text:
            for text in instruction_texts(element.text.strip()):
                yield element.sourceline, None, text, []


def process_text(text: Any) -> Any:
    """A text of a model (template filter `process_text`): its English when the page is English
    and the catalogue has it, otherwise the text itself."""
    if not _chinese(text) or not is_english():
        return text
    return DOMAIN.gettext(text)


def process_instructions(text: str | None) -> str | None:
    """Instructions (Markdown) with each paragraph translated (filter `process_instructions`)."""
    if not text or not is_english():
        return text
    return "".join(process_text(part) for part in paragraphs(text))


# What engine/facts.py:format_value writes besides the forms' texts: yes/no, amounts, dates, and
# lists ("；") of values or of rows ("，" between "title value" cells).
FACT_WORDS = {"是": "Yes", "否": "No"}
_FACT_MONEY = re.compile(r"(-?[\d,]+(?:\.\d+)?) 元")
_FACT_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def _fact_part(text: str) -> str:
    if text in FACT_WORDS:
        return FACT_WORDS[text]
    if money := _FACT_MONEY.fullmatch(text):
        return f"{money.group(1)} yuan"
    if day := _FACT_DATE.fullmatch(text):
        return format_day(date(*map(int, day.groups())))
    translated = process_text(text)
    if translated != text or "，" not in text:
        return translated
    cells = [cell.split(" ", 1) for cell in text.split("，")]
    if not all(len(cell) == 2 for cell in cells):
        return text
    return ", ".join(f"{process_text(title)} {_fact_part(value)}" for title, value in cells)


def fact_value(text: Any) -> Any:
    """A value of the facts panel (filter `fact_value`) in English: choice titles and field titles
    from the catalogue, yes/no, amounts and dates; data the users typed stays as it is."""
    if not _chinese(text) or not is_english():
        return text
    parts = text.split("；")
    translated = [_fact_part(part) for part in parts]
    return text if translated == parts else "; ".join(translated)


def _translated(document: Any, keys: tuple[str, ...]) -> Any:
    if isinstance(document, dict):
        return {
            key: process_text(value) if key in keys else
            [process_text(item) for item in value] if key in UI_LIST_KEYS and isinstance(value, list) else
            _translated(value, keys)
            for key, value in document.items()
        }
    if isinstance(document, list):
        return [_translated(item, keys) for item in document]
    return document


def process_schema(schema: Any) -> Any:
    """A form schema with its titles and descriptions in English (filter `process_schema`);
    the same object on Chinese pages."""
    return _translated(schema, SCHEMA_KEYS) if is_english() and schema else schema


def process_ui_schema(ui_schema: Any) -> Any:
    """A ui schema with its help, placeholders and choice names in English (filter `process_ui_schema`)."""
    return _translated(ui_schema, UI_KEYS) if is_english() and ui_schema else ui_schema


def init_app(app: Flask) -> None:
    app.add_template_filter(process_text, "process_text")
    app.add_template_filter(process_instructions, "process_instructions")
    app.add_template_filter(process_schema, "process_schema")
    app.add_template_filter(process_ui_schema, "process_ui_schema")
    app.add_template_filter(fact_value, "fact_value")
