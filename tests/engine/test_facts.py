"""Key facts read as the forms label them."""

from __future__ import annotations

from engine.facts import field_labels, key_facts

FORM = {
    "properties": {
        "level": {"title": "等级", "oneOf": [{"const": "L2", "title": "二级"}]},
        "areas": {"title": "诊断领域", "type": "array", "items": {"oneOf": [{"const": "rd", "title": "研发设计"},
                                                                          {"const": "mf", "title": "生产制造"}]}},
        "agreed": {"title": "确认", "type": "boolean"},
        "members": {"title": "成员", "type": "array",
                    "items": {"type": "object", "properties": {"name": {"title": "姓名"}}}},
    }
}
UI = {"agreed": {"ui:enumNames": ["同意", "不同意"]}}


def test_choices_arrays_and_booleans_use_the_forms_words() -> None:
    labels = field_labels([(FORM, UI)])
    data = {"level": "L2", "areas": ["rd", "mf"], "agreed": False, "members": [{"name": "张伟"}], "other": 1}
    assert key_facts(data, labels) == [
        ("等级", "二级"), ("诊断领域", "研发设计；生产制造"), ("确认", "不同意"), ("成员", "姓名 张伟"),
    ]
    assert key_facts(data, labels, exclude=["level", "areas"]) == [("确认", "不同意"), ("成员", "姓名 张伟")]
