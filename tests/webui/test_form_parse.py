"""Tests for webui.forms.parse_form and the _form.html render_form macro."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader
from werkzeug.datastructures import MultiDict

from engine.forms import resolve_options, validate_data
from webui.forms import parse_form

TEMPLATES = Path(__file__).resolve().parents[2] / "webui" / "templates"

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
CONTRACT_UI = {
    "ui:order": ["enterprise_id", "contract_no", "*"],
    "contract_no": {"ui:placeholder": "如 ZD-2024-001"},
    "contract_amount": {"ui:widget": "money", "ui:help": "以合同所载含税金额为准"},
}

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
        "on_site": {"type": "boolean", "title": "是否现场核查"},
    },
    "if": {"properties": {"decision": {"const": "return"}}, "required": ["decision"]},
    "then": {"required": ["comment"]},
}
REVIEW_UI = {
    "decision": {"ui:widget": "radio"},
    "comment": {"ui:widget": "textarea"},
    "on_site": {"ui:enumNames": ["已现场核查", "未现场核查"]},
}

ENTERPRISES = {"enterprises": [(1, "宁波甲公司"), (2, "宁波乙公司")]}


def contract_schema() -> dict:
    return resolve_options(CONTRACT_SCHEMA, ENTERPRISES)


def form(*pairs: tuple[str, str]) -> MultiDict:
    return MultiDict(list(pairs))


def single(schema: dict, raw: str | None, ui: dict | None = None) -> tuple:
    """Parse one field named "f" and return (data, errors)."""
    pairs = [] if raw is None else [("f", raw)]
    wrapper = {"type": "object", "properties": {"f": schema}}
    return parse_form(wrapper, {"f": ui or {}}, MultiDict(pairs))


VALID_POST = [
    ("csrf_token", "token-abc"),
    ("enterprise_id", "2"),
    ("contract_no", "  ZD-2024-001 "),
    ("contract_date", "2024-03-15"),
    ("contract_amount", "1,234,567.50"),
    ("working_group.0.name", "张三"),
    ("working_group.0.position", "组长"),
    ("working_group.0.phone", "13800138000"),
    ("working_group.1.name", ""),
    ("working_group.1.position", ""),
    ("working_group.1.phone", ""),
]


# --------------------------------------------------------------------------
# parse_form: scalars
# --------------------------------------------------------------------------


def test_string_is_trimmed_and_blank_is_omitted():
    assert single({"type": "string"}, "  合同 ") == ({"f": "合同"}, {})
    assert single({"type": "string"}, "   ") == ({}, {})
    assert single({"type": "string"}, None) == ({}, {})


def test_textarea_line_breaks_count_once():
    assert single({"type": "string"}, "第一行\r\n第二行\r\n") == ({"f": "第一行\n第二行"}, {})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234", 1234),
        ("1,234.50", 1234.5),
        ("１２３", 123),
        ("１，２３４．５", 1234.5),
        ("-0.25", -0.25),
        (".5", 0.5),
        (" 12 ", 12),
    ],
)
def test_number_accepts_common_spellings(raw, expected):
    data, errors = single({"type": "number"}, raw)

    assert errors == {}
    assert data == {"f": expected}
    assert type(data["f"]) is type(expected)


@pytest.mark.parametrize("raw", ["12abc", "1,2,3", "1.2.3", "-", "1e5", "¥100", "٣"])
def test_number_conversion_error_keeps_text(raw):
    assert single({"type": "number"}, raw) == ({"f": raw}, {"f": "请输入数字"})


def test_conversion_messages_in_english():
    wrapper = {"type": "object", "properties": {"f": {"type": "number"}}}

    assert parse_form(wrapper, {}, form(("f", "x")), lang="en")[1] == {"f": "Please enter a number"}


def test_integer():
    assert single({"type": "integer"}, "1,200") == ({"f": 1200}, {})
    assert single({"type": "integer"}, "12.0") == ({"f": 12}, {})
    assert single({"type": "integer"}, "12.5") == ({"f": "12.5"}, {"f": "请输入整数"})


def test_boolean_radios():
    assert single({"type": "boolean"}, "true") == ({"f": True}, {})
    assert single({"type": "boolean"}, "false") == ({"f": False}, {})
    assert single({"type": "boolean"}, None) == ({}, {})
    assert single({"type": "boolean"}, "yes") == ({"f": "yes"}, {"f": "请选择是或否"})


def test_boolean_checkbox_absence_means_false():
    checkbox = {"ui:widget": "checkbox"}

    assert single({"type": "boolean"}, None, checkbox) == ({"f": False}, {})
    assert single({"type": "boolean"}, "true", checkbox) == ({"f": True}, {})
    assert single({"type": "boolean", "const": True}, None) == ({"f": False}, {})


def test_choices_keep_strings_but_integer_consts_become_ints():
    strings = {"type": "string", "enum": ["accept", "return"]}
    ints = {"oneOf": [{"const": 1, "title": "甲"}, {"const": 2, "title": "乙"}]}

    assert single(strings, "return") == ({"f": "return"}, {})
    assert single(strings, "other") == ({"f": "other"}, {})
    assert single({"type": "string", "oneOf": ints["oneOf"]}, "2") == ({"f": 2}, {})
    assert single(ints, "") == ({}, {})
    assert single(ints, "abc") == ({"f": "abc"}, {"f": "请选择有效的选项"})


# --------------------------------------------------------------------------
# parse_form: containers and filtering
# --------------------------------------------------------------------------


def test_multi_select_uses_getlist():
    schema = {"type": "array", "items": {"type": "string", "enum": ["a", "b", "c"]}}
    wrapper = {"type": "object", "properties": {"tags": schema}}

    data, errors = parse_form(wrapper, {}, form(("tags", "a"), ("tags", "c")))

    assert (data, errors) == ({"tags": ["a", "c"]}, {})
    assert parse_form(wrapper, {}, form()) == ({}, {})


def test_array_rows_in_numeric_order_blank_rows_dropped_and_renumbered():
    formdata = form(
        ("working_group.10.name", "王五"),
        ("working_group.2.name", "李四"),
        ("working_group.2.phone", "13900139000"),
        ("working_group.0.name", "张三"),
        ("working_group.5.name", "  "),
        ("working_group.5.phone", ""),
        ("working_group.x.name", "forged"),
        ("working_group.1234567.name", "too long"),
    )

    data, errors = parse_form(contract_schema(), {}, formdata)

    assert errors == {}
    assert data == {
        "working_group": [
            {"name": "张三"},
            {"name": "李四", "phone": "13900139000"},
            {"name": "王五"},
        ]
    }


def test_row_conversion_errors_use_renumbered_paths():
    schema = {
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "label": {"type": "string"},
                        "qty": {"type": "integer"},
                        "urgent": {"type": "boolean"},
                    },
                },
            }
        },
    }
    ui = {"items": {"items": {"urgent": {"ui:widget": "checkbox"}}}}
    formdata = form(("items.0.label", ""), ("items.3.label", "螺丝"), ("items.3.qty", "x"))

    data, errors = parse_form(schema, ui, formdata)

    assert data == {"items": [{"label": "螺丝", "qty": "x", "urgent": False}]}
    assert errors == {"items.0.qty": "请输入整数"}


def test_all_blank_array_is_omitted_so_required_reports_it():
    formdata = form(("working_group.0.name", ""), ("working_group.0.phone", " "))

    data, _ = parse_form(contract_schema(), {}, formdata)

    assert "working_group" not in data
    assert validate_data(contract_schema(), data)["working_group"] == "请填写此项"


def test_nested_object():
    schema = {
        "type": "object",
        "properties": {
            "address": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
            }
        },
    }

    assert parse_form(schema, {}, form(("address.city", "宁波"))) == (
        {"address": {"city": "宁波"}},
        {},
    )
    assert parse_form(schema, {}, form(("address.city", ""))) == ({}, {})


def test_unknown_fields_and_csrf_token_are_ignored():
    formdata = form(
        ("csrf_token", "abc"),
        ("typename", "Evil"),
        ("__builtins__", "x"),
        ("contract_no", "ZD-1"),
        ("working_group.0.name", "张三"),
        ("working_group.0.is_admin", "true"),
    )

    data, errors = parse_form(contract_schema(), {}, formdata)

    assert data == {"contract_no": "ZD-1", "working_group": [{"name": "张三"}]}
    assert errors == {}


# --------------------------------------------------------------------------
# Round trip parse_form -> validate_data
# --------------------------------------------------------------------------


def test_round_trip_valid_post():
    schema = contract_schema()

    data, conversion_errors = parse_form(schema, CONTRACT_UI, MultiDict(VALID_POST))

    assert conversion_errors == {}
    assert data == {
        "enterprise_id": 2,
        "contract_no": "ZD-2024-001",
        "contract_date": "2024-03-15",
        "contract_amount": 1234567.5,
        "working_group": [{"name": "张三", "position": "组长", "phone": "13800138000"}],
    }
    assert validate_data(schema, data) == {}


def test_round_trip_invalid_post():
    schema = contract_schema()
    post = [
        ("enterprise_id", "9"),
        ("contract_no", " "),
        ("contract_date", "2024/03/15"),
        ("contract_amount", "12万"),
        ("working_group.0.name", "张三"),
        ("working_group.0.phone", "12345"),
        ("working_group.3.position", "顾问"),
    ]

    data, conversion_errors = parse_form(schema, CONTRACT_UI, MultiDict(post))
    errors = {**validate_data(schema, data), **conversion_errors}

    assert errors == {
        "enterprise_id": "请选择有效的选项",
        "contract_no": "请填写此项",
        "contract_date": "日期格式应为 YYYY-MM-DD",
        "contract_amount": "请输入数字",
        "working_group.0.position": "请填写此项",
        "working_group.0.phone": "格式不正确",
        "working_group.1.name": "请填写此项",
        "working_group.1.phone": "请填写此项",
    }


def test_round_trip_review_form_with_if_then():
    returned = form(("decision", "return"), ("comment", ""), ("on_site", "false"))
    accepted = form(("decision", "accept"), ("confirmed", "true"))

    data, conversion_errors = parse_form(REVIEW_SCHEMA, REVIEW_UI, returned)
    assert conversion_errors == {}
    assert data == {"decision": "return", "confirmed": False, "on_site": False}
    assert validate_data(REVIEW_SCHEMA, data) == {
        "comment": "请填写此项",
        "confirmed": "必须确认此项",
    }

    data, conversion_errors = parse_form(REVIEW_SCHEMA, REVIEW_UI, accepted)
    assert (data, conversion_errors) == ({"decision": "accept", "confirmed": True}, {})
    assert validate_data(REVIEW_SCHEMA, data) == {}


# --------------------------------------------------------------------------
# render_form macro
# --------------------------------------------------------------------------


class _Tags(HTMLParser):
    """Collect start tags as (tag, attrs) so tests can query attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str, tag: str, **attrs: str) -> list[dict]:
    parser = _Tags()
    parser.feed(html)
    return [
        found
        for name, found in parser.tags
        if name == tag and all(found.get(key) == value for key, value in attrs.items())
    ]


def one(html: str, tag: str, **attrs: str) -> dict:
    matches = tags(html, tag, **attrs)
    assert len(matches) == 1, (tag, attrs, matches)
    return matches[0]


def render(schema: dict, ui: dict, data: dict, errors: dict, autoescape: bool = False, **kwargs) -> str:
    """Render with a plain Environment by default; Flask's autoescaping one is tested too.

    A non-autoescaping environment is deliberate: the macros must escape by
    themselves, whoever loads them.
    """
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=autoescape)  # noqa: S701
    macro = env.get_template("_form.html").module.render_form
    return str(macro(schema, ui, data, errors, **kwargs))


def compact(html: str) -> str:
    return re.sub(r">\s+<", "><", html)


def test_render_labels_and_order():
    html = render(contract_schema(), CONTRACT_UI, {}, {})

    labels = [attrs["for"] for attrs in tags(html, "label")]
    assert labels[:5] == [
        "field-enterprise_id",
        "field-contract_no",
        "field-contract_date",
        "field-contract_amount",
        "field-working_group-0-name",
    ]
    assert '<label for="field-contract_no">合同编号 <span class="required-mark"' in html
    assert ">合同金额（元） <span" in html
    assert "<legend>诊断工作组成员 <span" in html
    labelled = {attrs["for"] for attrs in tags(html, "label")}
    fields = tags(html, "input") + tags(html, "select") + tags(html, "textarea")
    assert len(fields) == 10
    for field in fields:
        assert "required" not in field
        assert field["id"] in labelled


def test_render_widgets():
    html = render(contract_schema(), CONTRACT_UI, {}, {})

    contract_no = one(html, "input", name="contract_no")
    assert contract_no["type"] == "text"
    assert contract_no["maxlength"] == "64"
    assert contract_no["placeholder"] == "如 ZD-2024-001"
    assert one(html, "input", name="contract_date")["type"] == "date"
    amount = one(html, "input", name="contract_amount")
    assert (amount["type"], amount["inputmode"]) == ("text", "decimal")
    assert amount["aria-describedby"] == "field-contract_amount-help"
    assert '<span class="input-suffix">元</span>' in html
    assert '<p class="help" id="field-contract_amount-help">以合同所载含税金额为准</p>' in html
    assert compact(html).count('<option value="">请选择</option>') == 1
    assert '<option value="1">宁波甲公司</option>' in html


@pytest.mark.parametrize("autoescape", [False, True])
def test_render_fills_values(autoescape):
    data = {
        "enterprise_id": 2,
        "contract_no": "ZD-<1>",
        "contract_date": "2024-03-15",
        "contract_amount": 1234.5,
        "working_group": [
            {"name": "张三", "phone": "13800138000"},
            {"name": "李四"},
        ],
    }

    html = render(contract_schema(), CONTRACT_UI, data, {}, autoescape=autoescape)

    assert '<option value="2" selected>宁波乙公司</option>' in html
    assert '<option value="1">宁波甲公司</option>' in html
    assert one(html, "input", name="contract_no")["value"] == "ZD-<1>"
    assert 'value="ZD-&lt;1&gt;"' in html
    assert one(html, "input", name="contract_date")["value"] == "2024-03-15"
    assert one(html, "input", name="contract_amount")["value"] == "1234.5"
    assert one(html, "input", name="working_group.0.name")["value"] == "张三"
    assert one(html, "input", name="working_group.0.phone")["value"] == "13800138000"
    assert one(html, "input", name="working_group.1.name")["value"] == "李四"
    assert one(html, "input", name="working_group.1.phone")["value"] == ""


def test_render_array_rows_template_and_buttons():
    html = render(contract_schema(), CONTRACT_UI, {"working_group": []}, {})

    assert [attrs["name"] for attrs in tags(html, "input") if "name" in attrs][-6:] == [
        "working_group.0.name",
        "working_group.0.position",
        "working_group.0.phone",
        "working_group.__INDEX__.name",
        "working_group.__INDEX__.position",
        "working_group.__INDEX__.phone",
    ]
    fieldset = one(html, "fieldset", id="field-working_group")
    assert fieldset["data-next-index"] == "1"
    assert len(tags(html, "template", **{"class": "array-row-template"})) == 1
    assert one(html, "button", **{"class": "array-add"})["type"] == "button"
    assert '<button type="button" class="array-add" hidden>添加一行</button>' in html
    assert html.count(">删除</button>") == 2
    assert "<script" not in html
    parser = _Tags()
    parser.feed(html)
    assert not [name for _, attrs in parser.tags for name in attrs if name.startswith("on")]


def test_render_at_least_min_items_rows():
    schema = contract_schema()
    schema["properties"]["working_group"]["minItems"] = 3

    html = render(schema, {}, {"working_group": [{"name": "张三"}]}, {})

    names = [attrs["name"] for attrs in tags(html, "input") if attrs.get("name", "").endswith(".name")]
    assert names == [
        "working_group.0.name",
        "working_group.1.name",
        "working_group.2.name",
        "working_group.__INDEX__.name",
    ]
    assert '<legend class="array-row-label" data-label="第 {n} 行">第 3 行</legend>' in html


def test_render_errors():
    errors = {
        "_form": "提交失败，请检查下列各项",
        "contract_no": "请填写此项",
        "working_group.0.phone": "格式不正确",
        "working_group": "最多 20 项",
    }

    html = render(contract_schema(), CONTRACT_UI, {"working_group": [{}]}, errors)

    assert html.index("提交失败") < html.index("field-enterprise_id")
    assert '<div class="form-errors" role="alert">' in html
    field = one(html, "input", name="contract_no")
    assert field["aria-invalid"] == "true"
    assert field["aria-describedby"] == "field-contract_no-error"
    assert '<p class="error-message" id="field-contract_no-error">请填写此项</p>' in html
    assert '<div class="field field-text field-error">' in html
    phone = one(html, "input", name="working_group.0.phone")
    assert phone["aria-describedby"] == "field-working_group-0-phone-error"
    assert '<p class="error-message" id="field-working_group-0-phone-error">格式不正确</p>' in html
    group = one(html, "fieldset", id="field-working_group")
    assert group["class"] == "field field-array field-error"
    assert group["aria-describedby"] == "field-working_group-error"
    assert "aria-invalid" not in one(html, "input", name="contract_date")
    assert len(tags(html, "p", **{"class": "error-message"})) == 4


def test_render_radio_checkbox_textarea_and_boolean_labels():
    data = {"decision": "return", "comment": "请补充\n发票", "confirmed": True, "on_site": False}
    errors = {"comment": "最多 500 个字符"}

    html = render(REVIEW_SCHEMA, REVIEW_UI, data, errors)

    radios = tags(html, "input", name="decision")
    assert [(r["type"], r["value"], "checked" in r) for r in radios] == [
        ("radio", "accept", False),
        ("radio", "return", True),
    ]
    assert '<label for="field-decision-0">通过</label>' in html
    assert one(html, "fieldset", id="field-decision")["aria-required"] == "true"
    assert '<textarea id="field-comment" name="comment" rows="4" maxlength="500"' in html
    assert ">\n请补充\n发票</textarea>" in html
    assert one(html, "textarea", name="comment")["aria-invalid"] == "true"
    confirmed = one(html, "input", name="confirmed")
    assert (confirmed["type"], confirmed["value"], "checked" in confirmed) == (
        "checkbox",
        "true",
        True,
    )
    assert '<label for="field-confirmed">我已核对材料 <span' in html
    on_site = tags(html, "input", name="on_site")
    assert [(r["value"], "checked" in r) for r in on_site] == [
        ("true", False),
        ("false", True),
    ]
    assert '<label for="field-on_site-0">已现场核查</label>' in html
    assert '<label for="field-on_site-1">未现场核查</label>' in html


def test_render_default_boolean_labels_and_multi_select():
    schema = {
        "type": "object",
        "properties": {
            "sme": {"type": "boolean", "title": "是否中小企业"},
            "areas": {
                "type": "array",
                "title": "诊断领域",
                "items": {"type": "string", "enum": ["production", "quality"]},
            },
        },
    }
    ui = {"areas": {"ui:enumNames": ["生产管控", "质量管理"]}}

    html = render(schema, ui, {"areas": ["quality"]}, {})

    assert '<label for="field-sme-0">是</label>' in html
    assert '<label for="field-sme-1">否</label>' in html
    assert not any("checked" in r for r in tags(html, "input", name="sme"))
    boxes = tags(html, "input", name="areas")
    assert [(b["type"], b["value"], "checked" in b) for b in boxes] == [
        ("checkbox", "production", False),
        ("checkbox", "quality", True),
    ]
    assert "<legend>诊断领域</legend>" in html
    assert '<label for="field-areas-1">质量管理</label>' in html


@pytest.mark.parametrize("autoescape", [False, True])
def test_render_escapes_exactly_once_whatever_the_environment(autoescape):
    schema = {"type": "object", "properties": {"x": {"type": "string", "title": "<b>标题</b>"}}}

    html = render(schema, {}, {"x": '"><script>alert(1)</script>'}, {"x": "<i>错</i>"}, autoescape)

    assert "<script>" not in html
    assert "<b>" not in html
    assert "<i>" not in html
    assert "&lt;b&gt;标题&lt;/b&gt;" in html
    assert "&amp;lt;" not in html


def test_render_escapes_option_labels_and_values():
    schema = resolve_options(CONTRACT_SCHEMA, {"enterprises": [('1"<x>', "<b>甲</b>")]})
    schema["properties"]["enterprise_id"]["type"] = "string"

    html = render(schema, {}, {}, {})

    assert '<option value="1&#34;&lt;x&gt;">&lt;b&gt;甲&lt;/b&gt;</option>' in html


def test_render_english_texts():
    html = render(contract_schema(), {}, {}, {}, lang="en")

    assert '<option value="">Please choose</option>' in html
    assert ">Add a row</button>" in html
    assert 'data-label="Row {n}">Row 1</legend>' in html


def test_read_only_fields_show_as_text_with_a_hidden_value():
    schema = {"type": "object", "properties": {
        "amount": {"type": "integer", "title": "金额", "readOnly": True},
        "level": {"type": "string", "title": "等级", "readOnly": True, "oneOf": [{"const": "L2", "title": "二级"}]},
    }}
    html = render(schema, {}, {"amount": 500, "level": "L2"}, {})
    assert '<p class="readonly-value"' in html and ">500</p>" in html and ">二级</p>" in html
    assert 'type="hidden" name="amount" value="500"' in html
    assert 'type="text"' not in html


def test_read_only_booleans_keep_a_value_the_form_parser_reads_back():
    schema = {"type": "object", "properties": {"scaled": {"type": "boolean", "title": "核减", "readOnly": True}}}
    html = render(schema, {}, {"scaled": False}, {})
    assert 'type="hidden" name="scaled" value="false"' in html
    assert parse_form(schema, {}, MultiDict({"scaled": "false"})) == ({"scaled": False}, {})


def test_read_only_rows_show_as_a_table_with_their_titles_and_amounts_in_yuan():
    schema = {"type": "object", "properties": {"rows": {"type": "array", "title": "计划项目", "readOnly": True, "items": {
        "type": "object", "properties": {
            "district": {"type": "string", "title": "区县"},
            "amount": {"type": "integer", "title": "金额（元）", "format": "money-fen"},
            "paid_on": {"type": "string", "title": "拨付日期", "format": "date"},
        }}}}}
    ui = {"rows": {"items": {"ui:order": ["amount", "district"]}}}
    html = render(schema, ui, {"rows": [{"district": "历下区", "amount": 5000000, "paid_on": "2026-03-18"},
                                        {"district": "<b>历城区</b>"}]}, {})
    assert '<table class="table readonly-table" aria-labelledby="field-rows-label">' in html
    assert '<th scope="col">金额（元）</th><th scope="col">区县</th><th scope="col">拨付日期</th>' in html
    assert "<td>50,000.00 元</td><td>历下区</td><td>2026年3月18日</td>" in html
    assert "<td>—</td><td>&lt;b&gt;历城区&lt;/b&gt;</td><td>—</td>" in html
    assert "\\u" not in html  # not the JSON of the rows


def test_rows_with_read_only_cells_are_filled_in_but_not_added_or_removed():
    items = {"type": "object", "properties": {"district": {"type": "string", "title": "区县", "readOnly": True},
                                              "voucher_no": {"type": "string", "title": "凭证号"}}}
    schema = {"type": "object", "properties": {"releases": {"type": "array", "title": "拨付", "items": items}}}
    html = render(schema, {}, {"releases": [{"district": "历下区"}, {"district": "历城区"}]}, {})
    assert html.count('class="array-row"') == 2 and 'name="releases.1.voucher_no"' in html
    assert "array-add" not in html and "array-remove" not in html and "array-row-template" not in html
    editable = {"type": "object", "properties": {"members": {"type": "array", "title": "成员", "items": {
        "type": "object", "properties": {"name": {"type": "string", "title": "姓名"}}}}}}
    html = render(editable, {}, {}, {})
    assert "array-add" in html and "array-remove" in html and "array-row-template" in html
