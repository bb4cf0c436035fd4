"""The browser modeler's own texts in English: its scripts say Chinese only through `t("…")`, the
English catalogue translates every one of them, and the English editor page carries the map the
scripts read (webui/modeler.py, webui/frontend/modeler/translate.js)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from babel.messages.pofile import read_po

from engine.roles import ROLES
from tests.webui.test_pages import csrf_token, sign_in
from webui.modeler import MODELER_SOURCES, modeler_messages

CATALOGUE = Path(__file__).resolve().parents[2] / "webui" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# Chinese script and the full-width punctuation that goes with it (（）：；、).
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")
JS_COMMENT = re.compile(r"/\*.*?\*/|^\s*//.*?$", re.S | re.M)
T_CALL = re.compile(r'\bt\("(?:[^"\\\n]|\\.)*"')
# translate.js's table gives bpmn-js its Chinese (Chinese pages only); every other text goes through t().
BPMN_TABLE = re.compile(r"^const CHINESE = \{\n.*?^\};", re.S | re.M)
PLACEHOLDER = re.compile(r"\{\w+\}")
EDITOR = "/admin/processes/diagnosis_project/edit"


def chinese_outside_t(source: str) -> list[str]:
    return CHINESE.findall(T_CALL.sub("t(", BPMN_TABLE.sub("", JS_COMMENT.sub("", source))))


def test_modeler_scripts_show_chinese_only_through_t() -> None:
    found = {path.name: chinese_outside_t(path.read_text("utf-8")) for path in MODELER_SOURCES.glob("*.js")}
    assert {name: texts for name, texts in found.items() if texts} == {}
    assert chinese_outside_t('// 注释\nx = t("已保存 {n} 项", { n });\ny = `第 ${n} 版`;') == ["第", "版"]


def test_every_modeler_text_is_translated_in_the_catalogue() -> None:
    messages = modeler_messages()
    assert {"草稿修订 {revision}", "任务设置（diagflow）", "已发布第 {version} 版：{summary}"} <= set(messages)
    catalogue = read_po(CATALOGUE.open("rb"), locale="en")
    english = {message: catalogue.get(message) for message in messages}
    assert sorted(message for message, entry in english.items() if not entry or not entry.string or entry.fuzzy) == []
    assert {m: e.string for m, e in english.items() if CHINESE.search(e.string)} == {}
    lost = {m: e.string for m, e in english.items() if sorted(PLACEHOLDER.findall(m)) != sorted(PLACEHOLDER.findall(e.string))}
    assert lost == {}


def page_messages(page: str) -> dict[str, str] | None:
    root = re.search(r'<div id="df-modeler"[^>]*>', page).group(0)
    found = re.search(r"data-messages='([^']*)'", root)
    return json.loads(found.group(1)) if found else None


def test_english_editor_page_carries_the_modelers_english(app, demo_password) -> None:
    client = app.test_client()
    sign_in(client, "city", demo_password)
    chinese = client.get(EDITOR).get_data(as_text=True)
    assert '<html lang="zh-CN">' in chinese and page_messages(chinese) is None

    client.post("/language", data={"lang": "en", "next": EDITOR, "csrf_token": csrf_token(chinese)})
    english = client.get(EDITOR)
    assert "script-src 'self';" in english.headers["Content-Security-Policy"]
    page = english.get_data(as_text=True)
    assert '<html lang="en">' in page
    messages = page_messages(page)
    assert set(messages) == {*modeler_messages(), *ROLES.values()}
    assert messages["任务设置（diagflow）"] == "Task settings (diagflow)"
    assert messages["草稿修订 {revision}"] == "Draft revision {revision}"
    assert messages["区县工信主管部门"] == "District industry and IT department"
    assert {chinese: text for chinese, text in messages.items() if CHINESE.search(text)} == {}
