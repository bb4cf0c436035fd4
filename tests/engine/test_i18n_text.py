"""engine.i18n.Text: the Chinese as before, plus what the pages need to say it in English."""

from __future__ import annotations

import json
from datetime import date, datetime

from engine.errors import ValidationFailed
from engine.i18n import N_, Text


def test_a_text_is_the_chinese_it_always_was() -> None:
    text = N_("流程实例 %(instance_id)s 不存在", instance_id=42)
    assert text == "流程实例 42 不存在" and isinstance(text, str)
    assert text.template == "流程实例 %(instance_id)s 不存在" and text.params == {"instance_id": 42}
    assert N_("满意率 100%") == "满意率 100%"  # no values: the template is the text, % and all
    assert N_("完成 %(rate)s%%", rate=95) == "完成 95%"


def test_values_are_written_the_chinese_way() -> None:
    text = N_("「%(task)s」将于 %(due)s 到期，公示自 %(day)s 起：%(reasons)s", task=N_("审核备案"),
              due=datetime(2026, 3, 2, 17, 0), day=date(2026, 3, 2), reasons=[N_("缺少合同"), "其他"])
    assert text == "「审核备案」将于 2026年3月2日 17:00 到期，公示自 2026年3月2日 起：缺少合同；其他"


def test_a_stored_text_comes_back_with_its_values() -> None:
    text = N_("%(who)s 于 %(day)s 提交 %(parts)s", who=N_("服务商"), day=date(2026, 3, 2), parts=[N_("合同"), 3])
    stored = json.loads(json.dumps(text.to_json()))
    again = Text.from_json(stored)
    assert again == text and again.template == text.template
    assert again.params["day"] == date(2026, 3, 2) and again.params["who"].template == "服务商"
    assert [str(part) for part in again.params["parts"]] == ["合同", "3"]


def test_a_deploy_refusal_lists_every_problem_as_texts() -> None:
    failed = ValidationFailed([("Task_1", N_("没有表单")), ("Flow_2", N_("没有连线"))])
    assert failed.message == "模型不能发布：Task_1：没有表单；Flow_2：没有连线"
    assert [line.params["element"] for line in failed.message.params["problems"]] == ["Task_1", "Flow_2"]
