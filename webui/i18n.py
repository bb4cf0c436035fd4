"""Language of the pages: Simplified Chinese by default, English by the switch in the header.

The source language is Chinese: every message id is the Chinese text the pages always showed,
so Chinese output needs no catalogue and English comes from `translations/en/LC_MESSAGES/messages.po`.
The choice is kept in a cookie of its own (not in the session, which is cleared at sign-in, sign-out
and expiry), set by `POST /language`; `Accept-Language` is not consulted: the bureau's staff and
the public get Chinese unless they ask for English.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import IO, Any

from flask import Blueprint, Flask, abort, has_request_context, redirect, request
from flask_babel import Babel, get_locale, gettext
from werkzeug.wrappers import Response

from engine import xmlsafe
from engine.i18n import N_, Text

from .redirects import safe_next

DEFAULT_LOCALE = "zh_CN"
LANGUAGES = ("zh_CN", "en")
COOKIE = "diagflow_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Strings the static scripts show; passed to them in English only (their built-in text is the Chinese).
JS_MESSAGES = {
    "remove": N_("移除"),
    "upload_failed": N_("上传失败（HTTP {status}），请刷新页面后重试"),
    "uploading": N_("正在上传 {name} …"),
    "uploaded": N_("已上传 {name}"),
    "yuan": N_("{amount} 元"),
    "ten_thousand": N_("{amount} 万"),
    "paid": N_("已拨付"),
    "planned": N_("已列入计划"),
    "budget": N_("年度预算"),
    "element_figures": N_("{active} 件 · {days} 工作日"),
    "element_title": N_("在办实例 {active} 件，平均已停留 {days} 个工作日"),
    "diagram_failed": N_("流程图加载失败（{status}）"),
    "diagram_error": N_("流程图无法显示：{message}"),
}

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    """The language of the switch's cookie; the default outside a request (CLI, workers)."""
    chosen = request.cookies.get(COOKIE) if has_request_context() else None
    return chosen if chosen in LANGUAGES else DEFAULT_LOCALE


def is_english() -> bool:
    return str(get_locale()) == "en"


def form_language() -> str:
    """The language code engine.forms.validate_data, parse_form and _form.html take."""
    return "en" if is_english() else "zh"


def format_day(day: date) -> str:
    """A date as people of the page's language write it: 2026年3月2日, or 2 Mar 2026 (template filter `day`)."""
    if is_english():
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


@bp.post("/language")
def switch() -> Response:
    """Remember the language chosen in the header and go back to the page it was chosen on."""
    chosen = request.form.get("lang")
    if chosen not in LANGUAGES:
        abort(400)
    response = redirect(safe_next(request.form.get("next")))
    response.set_cookie(COOKIE, chosen, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=request.is_secure)
    return response


def content_label(text: str | None) -> str | None:
    """A text from the models or the engine (template filter `content`): a process's or user task's
    name (babel.cfg extracts them from processes/*.bpmn) or a text the engine marks with `N_`,
    translated when the catalogue has it, otherwise as it is. A `Text` with values is said again
    from its template, its values in the page's language (dates, nested texts)."""
    if not text or not is_english():
        return text
    if isinstance(text, Text) and text.params:
        return gettext(text.template, **{name: _value(value) for name, value in text.params.items()})
    return gettext(text)


def _value(value: Any) -> Any:
    if isinstance(value, Text):
        return content_label(value)
    if isinstance(value, list):
        return "; ".join(str(_value(item)) for item in value)
    if isinstance(value, datetime):
        return f"{format_day(value)} {value:%H:%M}"
    if isinstance(value, date):
        return format_day(value)
    return value


def content_labels(texts: dict[str, str]) -> dict[str, str]:
    """Field → message maps (form errors) in the page's language."""
    return {field: content_label(text) for field, text in texts.items()}


def content_list(texts: Iterable[str]) -> str:
    """Engine messages on one line in the page's language, joined with "；" (or "; " in English)."""
    return ("; " if is_english() else "；").join(content_label(text) or "" for text in texts)


# Elements whose names the pages show: processes (start buttons, filters), the human tasks, and
# every other step the instance page's history names (service tasks, events, gateways).
SHOWN_ELEMENTS = frozenset({
    "process", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask", "sendTask",
    "receiveTask", "callActivity", "subProcess", "startEvent", "endEvent", "intermediateCatchEvent",
    "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
    "eventBasedGateway",
})


def extract_bpmn(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple]:
    """Babel extractor (babel.cfg `[extractors]`): the names of a model's processes and user tasks."""
    root = xmlsafe.parse(fileobj.read(), getattr(fileobj, "name", "model.bpmn"))
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] in SHOWN_ELEMENTS and element.get("name"):
            yield element.sourceline, None, element.get("name"), []


def _template_globals() -> dict:
    english = is_english()
    return {
        "html_lang": "en" if english else "zh-CN",
        "current_locale": "en" if english else "zh_CN",
        "language_names": LANGUAGE_NAMES,
        "form_language": form_language(),
        "js_messages": {key: gettext(text) for key, text in JS_MESSAGES.items()} if english else None,
    }


def init_app(app: Flask) -> None:
    Babel(app, default_locale=DEFAULT_LOCALE, locale_selector=select_locale,
          default_timezone=app.config["DIAGFLOW_TIMEZONE"])
    app.register_blueprint(bp)
    app.context_processor(_template_globals)
    app.add_template_filter(format_day, "day")
    app.add_template_filter(content_label, "content")
