"""Language of the process content: the forms' texts and the instructions in English from their own
catalogue (domain "processes", webui/process_text.py), and Chinese pages exactly as before."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from tests.support import Scenario
from tests.webui.test_language import switch
from tests.webui.test_pages import sign_in
from webui.process_text import fact_value, paragraphs, process_instructions, process_schema, process_text

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "webui" / "translations" / "en" / "LC_MESSAGES" / "processes.po"


def extracted_process_texts() -> set[str]:
    """What `pybabel extract -F babel-processes.cfg` finds in processes/."""
    sources = [("webui.process_text:extract_forms", p) for p in ROOT.glob("processes/*/forms/*.json")]
    sources += [("webui.process_text:extract_instructions", p) for p in ROOT.glob("processes/*/*.bpmn")]
    return {message[1] for method, path in sources for message in extract_from_file(method, str(path))}


def test_the_processes_catalogue_translates_every_form_text_and_instruction() -> None:
    extracted = extracted_process_texts()
    assert "合同编号" in extracted and "### 填报诊断合同备案" in extracted and "18 位统一社会信用代码" in extracted
    catalogue = read_po(CATALOGUE.open("rb"), locale="en")
    assert not catalogue.fuzzy
    entries = {message.id: message for message in catalogue if message.id}
    missing = sorted(extracted - set(entries))
    assert missing == [], "extract with babel-processes.cfg and translate (see the Makefile)"
    assert [m.id for m in entries.values() if not m.string or m.fuzzy] == []
    for message in entries.values():  # Markdown kept: headings, list items, bold, line structure
        assert message.string.count("\n") == message.id.count("\n"), message.id
        assert message.string.count("**") == message.id.count("**"), message.id
        assert message.string.startswith(("### ", "- ")) == message.id.startswith(("### ", "- ")), message.id


def test_instructions_split_into_paragraphs_and_join_back() -> None:
    text = "### 标题\n第一段。\n\n- 甲\n- 乙\n\n\n最后一段。"
    parts = paragraphs(text)
    assert "".join(parts) == text
    assert [p for p in parts if p.strip()] == ["### 标题", "第一段。", "- 甲\n- 乙", "最后一段。"]


@pytest.fixture
def filed(app) -> Scenario:
    return Scenario(app.extensions["diagflow"]).start("provider_a").provider_files_contract()


def page_text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def test_task_form_instructions_and_facts_in_english_and_chinese_unchanged(app, filed, demo_password) -> None:
    client = app.test_client()
    sign_in(client, "enterprise_a", demo_password)
    task = filed.task_of("enterprise_a", "confirm_filing")
    chinese = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "企业确认联合备案" in chinese and "合同编号" in chinese and ">2026年3月1日<" in chinese

    switch(client, chinese, "en", "/")
    english = page_text(client.get(f"/tasks/{task['id']}").get_data(as_text=True))
    assert "<h3>Enterprise confirms the joint filing</h3>" in english
    assert "confirm whether to file it <strong>jointly</strong> with the provider" in english
    assert "<dt>Contract number</dt><dd>JNZD-2026-001</dd>" in english  # the facts panel
    assert "<dt>Contract date</dt><dd>1 Mar 2026</dd>" in english
    assert "<dt>Contract amount (yuan)</dt><dd>48,000.00 yuan</dd>" in english
    assert "Members of the diagnosis working group" in english and "Name 张伟" in english
    assert "Confirm the joint filing" in english and "Do not confirm" in english
    instance = page_text(client.get(f"/instances/{filed.instance_id}").get_data(as_text=True))
    assert "<dt>Contract number</dt>" in instance and "<dt>合同编号</dt>" not in instance  # 填报信息

    provider = app.test_client()
    sign_in(provider, "provider_a", demo_password)
    switch(provider, provider.get("/").get_data(as_text=True), "en", "/")
    filed.complete("enterprise_a", "confirm_filing", {"enterprise_confirmed": False, "enterprise_comment": "金额不符"})
    again = filed.task_of("provider_a", "file_contract")
    form = page_text(provider.get(f"/tasks/{again['id']}").get_data(as_text=True))
    for label in ("Enterprise", "Contract number", "Contract date", "Contract amount (yuan)",
                  "Members of the diagnosis working group", "Name", "Position", "Mobile number"):
        assert re.search(rf"<(?:label|legend)[^>]*>{re.escape(label)}[ <]", form), label
    assert 'placeholder="e.g. diagnosis team leader, industry expert"' in form
    assert "The number on the diagnosis service contract." in form
    assert not re.findall(r"<(?:label|legend)[^>]*>[^<]*[\u3400-\u9fff]", form)


def test_chinese_pages_get_the_models_texts_themselves(app) -> None:
    schema = {"title": "合同编号", "oneOf": [{"const": "a", "title": "满意"}]}
    with app.test_request_context("/"):
        assert process_schema(schema) is schema
        assert process_text("合同编号") == "合同编号" and fact_value("是；否") == "是；否"
        assert process_instructions("### 区县审核备案\n退回时须填写审核意见。") == "### 区县审核备案\n退回时须填写审核意见。"
    with app.test_request_context("/", headers={"Cookie": "diagflow_lang=en"}):
        assert process_schema(schema) == {"title": "Contract number", "oneOf": [{"const": "a", "title": "Satisfied"}]}
        assert fact_value("是；满意；2026年3月2日；1,200.00 元；张三") == "Yes; Satisfied; 2 Mar 2026; 1,200.00 yuan; 张三"
        assert fact_value("服务好；专业") == "服务好；专业"  # typed data keeps its punctuation
        assert process_instructions("### 区县审核备案\n退回时须填写审核意见。") == (
            "### District review of the filing\nA review opinion is required when returning.")
