"""Tests for engine.forms: option lists, validation messages, forbidden keys."""

import copy
import json

import pytest
from jsonschema import Draft202012Validator

from engine.forms import (
    FORBIDDEN_KEYS,
    forbidden_keys,
    resolve_options,
    validate_data,
)

CONTRACT_SCHEMA = json.loads(
    r"""
{"type":"object","title":"填报诊断合同备案","additionalProperties":false,
 "required":["enterprise_id","contract_no","contract_date","contract_amount","working_group"],
 "properties":{
  "enterprise_id":{"type":"integer","title":"企业","x-options":"enterprises"},
  "contract_no":{"type":"string","title":"合同编号","minLength":1,"maxLength":64},
  "contract_date":{"type":"string","format":"date","title":"合同签订日期"},
  "contract_amount":{"type":"number","title":"合同金额（元）","minimum":0,"maximum":10000000},
  "working_group":{"type":"array","title":"诊断工作组成员","minItems":1,"maxItems":20,
    "items":{"type":"object","additionalProperties":false,"required":["name","position","phone"],
      "properties":{"name":{"type":"string","title":"姓名","minLength":1,"maxLength":32},
                    "position":{"type":"string","title":"职务/岗位","maxLength":32},
                    "phone":{"type":"string","title":"手机号码","pattern":"^1[3-9]\\d{9}$"}}}}}}
"""
)

REVIEW_SCHEMA = {
    "type": "object",
    "required": ["decision", "confirmed"],
    "properties": {
        "decision": {
            "type": "string",
            "title": "审核结论",
            "oneOf": [
                {"const": "accept", "title": "通过"},
                {"const": "return", "title": "退回"},
            ],
        },
        "comment": {"type": "string", "title": "审核意见", "maxLength": 500},
        "confirmed": {"type": "boolean", "const": True, "title": "我已核对材料"},
    },
    "if": {"properties": {"decision": {"const": "return"}}, "required": ["decision"]},
    "then": {"required": ["comment"]},
}

ENTERPRISES = {"enterprises": [(1, "宁波甲公司"), (2, "宁波乙公司")]}


def contract_schema() -> dict:
    return resolve_options(CONTRACT_SCHEMA, ENTERPRISES)


def valid_contract() -> dict:
    return {
        "enterprise_id": 1,
        "contract_no": "ZD-2024-001",
        "contract_date": "2024-03-15",
        "contract_amount": 150000.5,
        "working_group": [
            {"name": "张三", "position": "组长", "phone": "13800138000"},
            {"name": "李四", "position": "", "phone": "13900139000"},
        ],
    }


def with_changes(**changes: object) -> dict:
    data = valid_contract()
    data.update(changes)
    return data


# --------------------------------------------------------------------------
# resolve_options
# --------------------------------------------------------------------------


def test_resolve_options_adds_one_of_and_keeps_x_options():
    resolved = contract_schema()

    assert resolved["properties"]["enterprise_id"] == {
        "type": "integer",
        "title": "企业",
        "x-options": "enterprises",
        "oneOf": [
            {"const": 1, "title": "宁波甲公司"},
            {"const": 2, "title": "宁波乙公司"},
        ],
    }
    Draft202012Validator.check_schema(resolved)


def test_resolve_options_does_not_touch_the_original():
    original = copy.deepcopy(CONTRACT_SCHEMA)

    resolve_options(CONTRACT_SCHEMA, ENTERPRISES)

    assert original == CONTRACT_SCHEMA


def test_resolve_options_reaches_array_items_and_nested_objects():
    schema = {
        "type": "object",
        "properties": {
            "experts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"expert_id": {"type": "integer", "x-options": "experts"}},
                },
            },
            "tags": {"type": "array", "items": {"type": "string", "x-options": "tags"}},
            "address": {
                "type": "object",
                "properties": {"district": {"type": "string", "x-options": "districts"}},
            },
        },
    }
    sources = {
        "experts": [(7, "王专家")],
        "tags": [("smart", "智能化")],
        "districts": [("330203", "海曙区")],
    }

    resolved = resolve_options(schema, sources)

    props = resolved["properties"]
    expert = props["experts"]["items"]["properties"]["expert_id"]
    assert expert["oneOf"] == [{"const": 7, "title": "王专家"}]
    assert props["tags"]["items"]["oneOf"] == [{"const": "smart", "title": "智能化"}]
    district = props["address"]["properties"]["district"]
    assert district["oneOf"] == [{"const": "330203", "title": "海曙区"}]


def test_resolve_options_unknown_source_names_it():
    with pytest.raises(KeyError, match="enterprises"):
        resolve_options(CONTRACT_SCHEMA, {})


def test_resolve_options_empty_source_rejects_every_value():
    resolved = resolve_options(CONTRACT_SCHEMA, {"enterprises": []})

    assert resolved["properties"]["enterprise_id"]["oneOf"] == [{"not": {}}]
    Draft202012Validator.check_schema(resolved)
    errors = validate_data(resolved, with_changes(enterprise_id=1))
    assert errors == {"enterprise_id": "请选择有效的选项"}


# --------------------------------------------------------------------------
# validate_data: one test per error kind
# --------------------------------------------------------------------------


def test_valid_data_has_no_errors():
    assert validate_data(contract_schema(), valid_contract()) == {}


def test_required_reports_each_missing_field():
    errors = validate_data(contract_schema(), {"contract_no": "ZD-1"})

    assert errors == {
        "enterprise_id": "请选择此项",
        "contract_date": "请填写此项",
        "contract_amount": "请填写此项",
        "working_group": "请填写此项",
    }


def test_required_inside_array_items_uses_row_path():
    data = valid_contract()
    del data["working_group"][1]["phone"]
    del data["working_group"][1]["name"]

    errors = validate_data(contract_schema(), data)

    assert errors == {
        "working_group.1.name": "请填写此项",
        "working_group.1.phone": "请填写此项",
    }


@pytest.mark.parametrize(
    ("schema", "value", "zh", "en"),
    [
        ({"type": "string"}, 5, "格式不正确，应为文本", "Invalid format: expected text"),
        ({"type": "number"}, "abc", "格式不正确，应为数字", "Invalid format: expected a number"),
        (
            {"type": "integer"},
            1.5,
            "格式不正确，应为整数",
            "Invalid format: expected a whole number",
        ),
        (
            {"type": "boolean"},
            "true",
            "格式不正确，应为是或否",
            "Invalid format: expected yes or no",
        ),
        ({"type": "array"}, "x", "格式不正确，应为列表", "Invalid format: expected a list"),
        ({"type": "object"}, [], "格式不正确，应为对象", "Invalid format: expected an object"),
        (
            {"type": ["number", "null"]},
            "x",
            "格式不正确，应为数字",
            "Invalid format: expected a number",
        ),
    ],
)
def test_type_messages_name_the_expected_type(schema, value, zh, en):
    wrapper = {"type": "object", "properties": {"field": schema}}

    assert validate_data(wrapper, {"field": value}) == {"field": zh}
    assert validate_data(wrapper, {"field": value}, lang="en") == {"field": en}


def test_type_error_wins_over_choice_error_on_the_same_field():
    errors = validate_data(contract_schema(), with_changes(enterprise_id="1"))

    assert errors == {"enterprise_id": "格式不正确，应为整数"}


def test_specific_error_wins_even_when_one_of_comes_first():
    schema = {
        "type": "object",
        "properties": {"level": {"oneOf": [{"const": 1}, {"const": 2}], "type": "integer"}},
    }

    assert validate_data(schema, {"level": "1"}) == {"level": "格式不正确，应为整数"}


def test_string_lengths():
    schema = {
        "type": "object",
        "properties": {
            "short": {"type": "string", "minLength": 3},
            "long": {"type": "string", "maxLength": 4},
        },
    }

    errors = validate_data(schema, {"short": "ab", "long": "abcde"})

    assert errors == {"short": "至少 3 个字符", "long": "最多 4 个字符"}


def test_max_length_in_contract():
    errors = validate_data(contract_schema(), with_changes(contract_no="x" * 65))

    assert errors == {"contract_no": "最多 64 个字符"}


def test_empty_string_failing_min_length_reads_as_required():
    errors = validate_data(contract_schema(), with_changes(contract_no=""))

    assert errors == {"contract_no": "请填写此项"}


def test_minimum_and_maximum():
    schema = contract_schema()

    assert validate_data(schema, with_changes(contract_amount=-1)) == {"contract_amount": "不能小于 0"}
    assert validate_data(schema, with_changes(contract_amount=10000000.01)) == {
        "contract_amount": "不能大于 10,000,000"
    }
    assert validate_data(schema, with_changes(contract_amount=-1), lang="en") == {
        "contract_amount": "Must be at least 0"
    }


def test_exclusive_limits():
    schema = {
        "type": "object",
        "properties": {"ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1.5}},
    }

    assert validate_data(schema, {"ratio": 0}) == {"ratio": "必须大于 0"}
    assert validate_data(schema, {"ratio": 1.5}) == {"ratio": "必须小于 1.5"}


def test_pattern_in_array_row():
    data = valid_contract()
    data["working_group"][0]["phone"] = "12345"

    errors = validate_data(contract_schema(), data)

    assert errors == {"working_group.0.phone": "格式不正确"}


@pytest.mark.parametrize("value", ["2024-02-30", "2024/03/15", "15-03-2024", "20240315"])
def test_date_format(value):
    errors = validate_data(contract_schema(), with_changes(contract_date=value))

    assert errors == {"contract_date": "日期格式应为 YYYY-MM-DD"}


def test_date_format_english():
    errors = validate_data(contract_schema(), with_changes(contract_date="x"), "en")

    assert errors == {"contract_date": "Dates must look like YYYY-MM-DD"}


def test_choice_from_options_enum_and_one_of():
    schema = {
        "type": "object",
        "properties": {
            "size": {"type": "string", "enum": ["small", "medium"]},
            "level": {"const": "A"},
        },
    }

    assert validate_data(contract_schema(), with_changes(enterprise_id=3)) == {"enterprise_id": "请选择有效的选项"}
    assert validate_data(schema, {"size": "huge", "level": "B"}) == {
        "size": "请选择有效的选项",
        "level": "请选择有效的选项",
    }
    assert validate_data(REVIEW_SCHEMA, {"decision": "maybe", "confirmed": True}) == {"decision": "请选择有效的选项"}


def test_non_choice_one_of_gets_generic_message():
    schema = {
        "type": "object",
        "properties": {"code": {"oneOf": [{"type": "string"}, {"minLength": 1}]}},
    }

    assert validate_data(schema, {"code": "abc"}) == {"code": "输入无效"}


def test_min_and_max_items():
    schema = contract_schema()
    row = {"name": "张三", "position": "组长", "phone": "13800138000"}

    assert validate_data(schema, with_changes(working_group=[])) == {"working_group": "至少 1 项"}
    assert validate_data(schema, with_changes(working_group=[row] * 21)) == {"working_group": "最多 20 项"}


def test_additional_properties_one_entry_per_key():
    data = with_changes(remark="x", extra=1)
    data["working_group"][1]["email"] = "a@b.c"

    errors = validate_data(contract_schema(), data)

    assert errors == {
        "remark": "不允许的字段",
        "extra": "不允许的字段",
        "working_group.1.email": "不允许的字段",
    }


def test_const_true_boolean_must_be_confirmed():
    errors = validate_data(REVIEW_SCHEMA, {"decision": "accept", "confirmed": False})

    assert errors == {"confirmed": "必须确认此项"}
    assert validate_data(REVIEW_SCHEMA, {"decision": "accept", "confirmed": False}, "en") == {
        "confirmed": "This must be confirmed"
    }


def test_if_then_required_lands_on_the_missing_field():
    returned = {"decision": "return", "confirmed": True}

    assert validate_data(REVIEW_SCHEMA, returned) == {"comment": "请填写此项"}
    assert validate_data(REVIEW_SCHEMA, {**returned, "comment": "补充材料"}) == {}
    assert validate_data(REVIEW_SCHEMA, {"decision": "accept", "confirmed": True}) == {}


def test_root_errors_go_to_form_key():
    assert validate_data(contract_schema(), ["not", "an", "object"]) == {"_form": "格式不正确，应为对象"}


def test_unknown_keyword_gets_generic_message():
    schema = {"type": "object", "minProperties": 1}

    assert validate_data(schema, {}) == {"_form": "输入无效"}
    assert validate_data(schema, {}, lang="en") == {"_form": "Invalid value"}


def test_one_message_per_field():
    schema = {
        "type": "object",
        "properties": {"code": {"type": "string", "maxLength": 2, "pattern": "^[0-9]+$"}},
    }

    assert validate_data(schema, {"code": "abcd"}) == {"code": "最多 2 个字符"}


def test_lang_accepts_locale_spellings_and_falls_back_to_chinese():
    data = {"contract_no": "ZD-1"}

    assert validate_data(contract_schema(), data, "en-US")["contract_date"] == "This field is required"
    assert validate_data(contract_schema(), data, "zh_CN")["contract_date"] == "请填写此项"
    assert validate_data(contract_schema(), data, "fr")["contract_date"] == "请填写此项"


# --------------------------------------------------------------------------
# Forbidden keys
# --------------------------------------------------------------------------


def test_forbidden_key_set():
    assert frozenset({"typename", "__builtins__"}) == FORBIDDEN_KEYS


def test_forbidden_keys_at_any_depth():
    data = {
        "typename": "Task",
        "ok": {"__builtins__": {}, "_private": 1, "fine_": 2},
        "rows": [{"name": "x"}, {"_id": 3}],
    }

    assert forbidden_keys(data) == [
        "typename",
        "ok.__builtins__",
        "ok._private",
        "rows.1._id",
    ]
    assert forbidden_keys(valid_contract()) == []
    assert forbidden_keys("text") == []


def test_validate_data_reports_forbidden_keys_even_if_schema_allows_them():
    schema = {"type": "object"}
    data = {"typename": "x", "rows": [{"_secret": 1}]}

    assert validate_data(schema, data) == {
        "typename": "不允许的字段名",
        "rows.0._secret": "不允许的字段名",
    }


def test_forbidden_key_message_wins_over_additional_properties():
    errors = validate_data(contract_schema(), with_changes(_note="x"))

    assert errors == {"_note": "不允许的字段名"}
    assert validate_data(contract_schema(), with_changes(_note="x"), "en") == {
        "_note": "This field name is not allowed"
    }


def test_read_only_fields_keep_their_current_values():
    from engine.forms import keep_read_only

    schema = {"type": "object", "properties": {
        "amount": {"type": "integer", "readOnly": True},
        "note": {"type": "string"},
        "rows": {"type": "array", "items": {"type": "object", "properties": {
            "item_id": {"type": "integer", "readOnly": True}, "voucher": {"type": "string"}}}},
    }}
    current = {"amount": 500, "rows": [{"item_id": 7}, {"item_id": 8}]}
    submitted = {"amount": 1, "note": "n", "rows": [{"item_id": 99, "voucher": "A"}, {"voucher": "B"}, {"item_id": 3}]}
    assert keep_read_only(schema, submitted, current) == {
        "amount": 500, "note": "n", "rows": [{"item_id": 7, "voucher": "A"}, {"item_id": 8, "voucher": "B"}, {}]}
