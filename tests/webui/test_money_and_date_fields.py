"""Money fields (`"format": "money-fen"`): typed and shown in yuan with two decimals, stored as
integer fen, limits reported in yuan; the clawback repayment form uses one. Dates are shown as
people in China write them (2026年3月2日) beside the ISO date input, read-only and in the facts."""

from __future__ import annotations

import json

from werkzeug.datastructures import MultiDict

from engine.facts import field_labels, format_value
from engine.forms import validate_data
from tests.conftest import PROCESSES
from tests.webui.test_form_parse import one, render
from webui.forms import parse_form

SCHEMA = json.loads((PROCESSES / "clawback/forms/record_repayment.schema.json").read_text("utf-8"))
UI = json.loads((PROCESSES / "clawback/forms/record_repayment.uischema.json").read_text("utf-8"))


def parsed(amount: str) -> tuple[object, dict[str, str]]:
    data, errors = parse_form(SCHEMA, UI, MultiDict({"repaid_amount": amount}))
    return data.get("repaid_amount"), errors


def test_yuan_as_typed_become_integer_fen() -> None:
    assert parsed("1,234.5") == (123450, {})
    assert parsed("￥8.00") == (800, {})
    assert parsed("２０") == (2000, {})
    assert parsed("12.345") == ("12.345", {"repaid_amount": "请输入金额（元），最多两位小数"})
    assert parsed("一万") == ("一万", {"repaid_amount": "请输入金额（元），最多两位小数"})


def test_limits_are_reported_in_yuan() -> None:
    errors = validate_data(SCHEMA, {"repaid_amount": 0, "repaid_on": "2026-03-02", "repayment_voucher_no": "X"})
    assert errors == {"repaid_amount": "不能小于 0.01 元"}
    assert validate_data(SCHEMA, {"repaid_amount": 12.5, "repaid_on": "2026-03-02", "repayment_voucher_no": "X"}) == {
        "repaid_amount": "格式不正确，应为整数"}


def test_the_widget_and_the_facts_show_yuan_with_two_decimals() -> None:
    html = render(SCHEMA, UI, {"repaid_amount": 123450}, {})
    assert one(html, "input", name="repaid_amount")["value"] == "1234.50"
    assert 'class="input-suffix">元</span>' in html
    kept = render(SCHEMA, UI, {"repaid_amount": "12.345"}, {"repaid_amount": "请输入金额（元），最多两位小数"})
    assert one(kept, "input", name="repaid_amount")["value"] == "12.345"
    read_only = {**SCHEMA, "properties": {"repaid_amount": {**SCHEMA["properties"]["repaid_amount"], "readOnly": True}}}
    assert "1,234.50 元" in render(read_only, UI, {"repaid_amount": 123450}, {})
    label = field_labels([(SCHEMA, UI)])["repaid_amount"]
    assert format_value(5000000, label) == "50,000.00 元"


def test_dates_are_shown_in_chinese_beside_the_input() -> None:
    html = render(SCHEMA, UI, {"repaid_on": "2026-03-02"}, {})
    assert one(html, "input", name="repaid_on")["value"] == "2026-03-02"
    assert one(html, "span", **{"data-date-cn-for": "field-repaid_on"}) is not None
    assert "2026年3月2日</span>" in html
    read_only = {**SCHEMA, "properties": {"repaid_on": {**SCHEMA["properties"]["repaid_on"], "readOnly": True}}}
    assert "2026年3月2日" in render(read_only, UI, {"repaid_on": "2026-03-02"}, {})
    assert "2026年3月2日" not in render(SCHEMA, UI, {"repaid_on": "2026-3-2"}, {})
    label = field_labels([(SCHEMA, UI)])["repaid_on"]
    assert format_value("2026-10-01", label) == "2026年10月1日"
