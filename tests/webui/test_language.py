"""Language: Chinese by default, English by the header's switch, and nothing left untranslated.

The source language is Chinese (message ids are the Chinese texts), so the checks are: no Chinese
in a template outside a translation call, every extracted message translated in the English
catalogue (none fuzzy, placeholders kept), and pages switched to English showing no Chinese
besides the data and process content they display.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.checkers import python_format
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from sqlalchemy import select

from engine.models import Organisation
from engine.roles import DISTRICTS
from tests.modelkit import timer, user_task
from tests.support import FILING, Scenario
from tests.webui.test_api import Api
from tests.webui.test_pages import csrf_token, sign_in
from tests.webui.test_process_owner_api import NOTE, owner_model
from tests.webui.test_public import announce_plan
from webui.i18n import JS_MESSAGES
from webui.modeler import modeler_messages

ROOT = Path(__file__).resolve().parents[2]
WEBUI = ROOT / "webui"
CATALOGUE = WEBUI / "translations" / "en" / "LC_MESSAGES" / "messages.po"
CJK = re.compile(r"[\u3400-\u9fff]+")
TRANSLATED_LITERAL = re.compile(r"""_\(\s*(?:'[^']*'|"[^"]*")""")
COMMENT_OR_TRANS_BLOCK = re.compile(r"\{#.*?#\}|\{%-? *trans\b.*?endtrans *-?%\}", re.S)
# _form.html is also rendered by plain Jinja environments without gettext, so it carries its own
# table of texts in both languages (render_form's `lang`), and writes dates either way.
FORM_TEXT_TABLE = re.compile(r'"zh": \{.*?\n  \},', re.S)
FORM_CHINESE_DATE = "{{ value[:4] }}年{{ value[5:7] | int }}月{{ value[8:] | int }}日"
# Date units forms.js writes after the numbers of a Chinese date (English pages get 2 Mar 2026).
JS_DATE_UNITS = {"年", "月", "日"}
JS_COMMENT = re.compile(r"/\*.*?\*/|^\s*//.*?$", re.S | re.M)


def untranslated(template: str, source: str) -> list[str]:
    text = TRANSLATED_LITERAL.sub("_(", COMMENT_OR_TRANS_BLOCK.sub("", source))
    if template == "_form.html":
        text = FORM_TEXT_TABLE.sub("", text).replace(FORM_CHINESE_DATE, "")
    return CJK.findall(text)


def test_templates_show_chinese_only_through_translation_calls() -> None:
    found = {path.name: untranslated(path.name, path.read_text("utf-8")) for path in WEBUI.glob("templates/*.html")}
    assert {name: texts for name, texts in found.items() if texts} == {}


def test_the_check_finds_chinese_outside_translation_calls() -> None:
    assert untranslated("x.html", "<p>{{ _('已办结') }}</p>") == []
    assert untranslated("x.html", '<p title="{{ _("暂定") }}">{# 注释 #}已办结</p>') == ["已办结"]
    assert untranslated("x.html", "{{ value or '未认领' }}") == ["未认领"]
    assert untranslated("x.html", "{% trans n=3 %}{{ n }} 项{% endtrans %}项") == ["项"]


def extracted_messages() -> set[str]:
    """What `pybabel extract -F babel.cfg` finds: Python under webui/, engine/ and handlers/, the
    templates, the names of processes and user tasks in the models, and the modeler scripts'
    `t("…")` texts."""
    sources = [("python", p) for folder in ("webui", "engine", "handlers") for p in (ROOT / folder).rglob("*.py")]
    sources += [("jinja2", p) for p in WEBUI.glob("templates/*.html")]
    sources += [("webui.i18n:extract_bpmn", p) for p in ROOT.glob("processes/*/*.bpmn")]
    found = {message[1] for method, path in sources for message in extract_from_file(method, str(path))}
    return found | set(modeler_messages())


def test_the_english_catalogue_translates_every_message_completely() -> None:
    catalogue = read_po(CATALOGUE.open("rb"), locale="en")
    entries = {message.id: message for message in catalogue if message.id}
    assert sorted(extracted_messages() - set(entries)) == [], "run pybabel extract/update (see the Makefile)"
    assert [m.id for m in entries.values() if not m.string or m.fuzzy] == []
    assert [m.id for m in entries.values() if CJK.search(m.string)] == []
    for message in entries.values():
        if message.python_format:
            python_format(catalogue, message)  # raises when a placeholder is lost or renamed


def test_static_scripts_show_chinese_only_as_messages_the_catalogue_translates() -> None:
    literals = {
        literal
        for path in WEBUI.glob("static/*.js")
        for literal in re.findall(r'"([^"\n]*)"', JS_COMMENT.sub("", path.read_text("utf-8")))
        if CJK.search(literal)
    }
    assert literals - set(JS_MESSAGES.values()) == JS_DATE_UNITS


def chinese_left(page: str, data: list[str]) -> list[str]:
    """Chinese in a page besides the data it shows (`data`), the values its form fields send (a stage
    is filtered by its model name) and the switch back (中文, in lang="zh-CN")."""
    page = re.sub(r'<button[^>]*lang="zh-CN"[^>]*>[^<]*</button>| value="[^"]*"', "", page)
    for text in sorted(data, key=len, reverse=True):
        page = page.replace(text, "")
    return CJK.findall(page)


def switch(client, page: str, lang: str, back_to: str):  # noqa: ANN201 - a test response
    return client.post("/language", data={"lang": lang, "next": back_to, "csrf_token": csrf_token(page)})


@pytest.fixture
def project(app) -> Scenario:
    return Scenario(app.extensions["diagflow"]).start("provider_a")


def test_pages_switch_to_english_and_back(app, project, demo_password) -> None:
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in login and "登录" in login and "data-messages" not in login

    switched = switch(client, login, "en", "/login")
    assert switched.status_code == 302 and switched.location == "/login"
    login = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in login and "Sign in" in login and "User name" in login
    assert chinese_left(login, []) == []
    assert "Wrong user name or password" in sign_in(client, "provider_a", "not-the-password").get_data(as_text=True)

    sign_in(client, "provider_a", demo_password)  # signing in keeps the language
    inbox = client.get("/").get_data(as_text=True)
    task = project.task_of("provider_a", "file_contract")
    user = project.actor("provider_a")
    data = [user.display_name or user.username, *DISTRICTS]
    assert "My tasks" in inbox and "Due soon (3 days)" in inbox and "Provider" in inbox
    assert "File the diagnosis contract" in inbox and "Start: Digital transformation diagnosis project" in inbox
    assert chinese_left(inbox, data) == []

    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    chrome = re.findall(r"<(?:header|footer|title)[^>]*>.*?</(?:header|footer|title)>", page, re.S)
    chrome += re.findall(r'<button type="submit" class="button[^"]*"[^>]*>[^<]*</button>', page)
    assert chinese_left("".join(chrome), data) == []
    assert "Submit" in page and "Project facts" in page and '"remove": "Remove"' in page
    refused = client.post(f"/tasks/{task['id']}", data={"csrf_token": csrf_token(page), "contract_amount": "x"})
    assert "Please enter" in refused.get_data(as_text=True)  # the form's own messages follow the page

    back = switch(client, inbox, "zh_CN", "/")
    assert back.location == "/"
    assert "我的待办" in client.get("/").get_data(as_text=True)
    assert switch(client, inbox, "fr", "/").status_code == 400
    assert switch(client, inbox, "en", "https://evil.example/").location == "/"


def test_public_announcements_in_english_with_english_dates(app, clock) -> None:
    plan = announce_plan(app.extensions["diagflow"])
    client = app.test_client()
    listed = client.get("/public/").get_data(as_text=True)
    assert "2026年3月2日 至 2026年3月" in listed
    switch(client, listed, "en", "/public/")
    listed = client.get("/public/").get_data(as_text=True)
    assert "Announcement period: 2 Mar 2026 to " in listed and "Announcements" in listed
    titles = [a["title"] for a in plan.engine.public.announcements()]
    assert chinese_left(listed, titles) == []
    assert json.loads(re.search(r"data-messages='([^']*)'", listed).group(1))["paid"] == "Paid"


def test_engine_refusals_are_said_in_english(app, project, demo_password) -> None:
    """Engine messages with values, on an error page and flashed after a refused form, in the
    page's language with the values as they were."""
    client = app.test_client()
    sign_in(client, "provider_a", demo_password)
    switch(client, client.get("/").get_data(as_text=True), "en", "/")
    missing = client.get("/instances/987654")
    assert missing.status_code == 404
    assert "Process instance 987654 does not exist" in missing.get_data(as_text=True)
    inbox = client.get("/").get_data(as_text=True)
    refused = client.post("/inbox/filters", data={"csrf_token": csrf_token(inbox), "name": "", "overdue": "1"},
                          follow_redirects=True)
    assert "Please name the filter (at most 60 characters)" in refused.get_data(as_text=True)


def test_a_models_problems_are_said_in_english(app, demo_password) -> None:
    """The process owner's API answers in the language of the browser's switch (the modeler sends
    its cookie): each problem and the refusal listing them."""
    api = Api(app.test_client(), demo_password)
    api.client.set_cookie("diagflow_lang", "en")
    broken = owner_model("owner_en", user_task("t", "任务", "note"), timer("wait", "P5D", "timeDuration"))
    saved = api.call("PUT", "city", "/api/processes/owner_en/draft", {"revision": 0, "bpmn": broken, "forms": NOTE})
    assert saved.status_code == 200
    assert [e["element_id"] for e in saved.json["errors"]] == ["wait"]
    assert 'is not quoted: write "P5D"' in saved.json["errors"][0]["message"]
    refused = api.call("POST", "city", "/api/processes/owner_en/deploy", {"revision": 1})
    assert refused.status_code == 422 and refused.json["error"].startswith("The model cannot be deployed: wait: ")
    assert CJK.findall(refused.json["error"] + json.dumps(refused.json["errors"], ensure_ascii=False)) == []


def test_the_instance_page_in_english_names_every_step(app, project, demo_password) -> None:
    """History, entries and related records: every step's name from the models (service tasks and
    events too) and every form text in English; the rest is what the users entered."""
    project.provider_files_contract().enterprise_confirms_filing().district_accepts_filing()
    client = app.test_client()
    sign_in(client, "provider_a", demo_password)
    switch(client, client.get("/").get_data(as_text=True), "en", "/")
    page = client.get(f"/instances/{project.instance_id}").get_data(as_text=True)
    assert '<span class="element">Record the filing</span>' in page  # a service task
    users = [project.actor(name) for name in ("provider_a", "enterprise_a", "lixia_bureau")]
    entered = [*strings(FILING), "材料齐全", *(u.display_name or "" for u in users), *DISTRICTS]
    with app.extensions["diagflow"].sessions() as session:
        entered += session.scalars(select(Organisation.name)).all()
    assert chinese_left(page, entered) == []


def strings(value: object) -> list[str]:
    """Every text in form data (nested lists and objects)."""
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return [value] if isinstance(value, str) else []
