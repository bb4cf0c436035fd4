"""统一社会信用代码 (GB 32100-2015) and 公民身份号码 (GB 11643) checks, against published numbers."""

from __future__ import annotations

from datetime import date

import pytest

from engine.idnumbers import credit_code_problem, credit_code_valid, id_number_problem, id_number_valid


@pytest.mark.parametrize("code", [
    "91350100M000100Y43",  # the example in GB 32100-2015's explanatory material
    "91440300708461136T",  # a company's code as printed on its business licence
    "91370102mA3dx0005x",  # typed in lower case: read upper-cased
    " 91370102MA3DX0005X ",
])
def test_published_credit_codes_pass(code: str) -> None:
    assert credit_code_problem(code) is None and credit_code_valid(code)


@pytest.mark.parametrize("code, reason", [
    ("", "请填写"),
    ("91370102MA3DX0005", "18 位"),  # 17 characters
    ("91370102MA3P7Q8RO4", "不含 I、O、Z、S、V"),  # the letter O is not in the alphabet
    ("91ABCDEFMA3DX0005X", "行政区划代码"),  # characters 3–8 must be digits
    ("91370102MA3DX00051", "校验位不正确"),  # one character changed
    ("91440300708461136U", "校验位不正确"),
])
def test_wrong_credit_codes_say_why(code: str, reason: str) -> None:
    assert reason in credit_code_problem(code)
    assert not credit_code_valid(code)


@pytest.mark.parametrize("number", ["11010519491231002X", "11010519491231002x", "370102198803150028"])
def test_valid_id_numbers_pass(number: str) -> None:
    assert id_number_problem(number) is None and id_number_valid(number)


@pytest.mark.parametrize("number, reason", [
    ("", "请填写"),
    ("37010219880315002", "18 位"),
    ("3701021988031500X8", "18 位"),  # X only as the check character
    ("110105194902300020", "出生日期"),  # 30 February
    ("110105180001010029", "出生日期"),  # before 1900
    ("110105194912310021", "校验码不正确"),
    ("370102198803150027", "校验码不正确"),
])
def test_wrong_id_numbers_say_why(number: str, reason: str) -> None:
    assert reason in id_number_problem(number)
    assert not id_number_valid(number)


def test_a_birth_date_after_today_is_refused() -> None:
    number = "110105202701010016"  # born 2027-01-01, check character right
    assert id_number_problem(number) is None
    assert "出生日期" in id_number_problem(number, today=date(2026, 11, 27))
