"""Chinese identification numbers people type into forms, checked before anything is stored.

- 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet (digits and capital
  letters without I, O, Z, S, V); characters 3–8 are the administrative-division code (digits);
  the 18th is a check character computed from the first 17 (weights 3^i mod 31).
- 公民身份号码 (GB 11643-1999): 17 digits — address code, birth date (YYYYMMDD), sequence — and
  a check character (ISO 7064 MOD 11-2, `X` standing for 10).

The `*_problem` functions say in Chinese what is wrong (None: nothing), so a form can name the
field and the reason; the `*_valid` functions answer yes or no.
"""

from __future__ import annotations

import re
from datetime import date

from .i18n import N_

CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CODE_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECKS = "10X98765432"
ID_SHAPE = re.compile(r"\d{17}[\dX]")
EARLIEST_BIRTH = date(1900, 1, 1)


def credit_code_check(first17: str) -> str:
    """The check character GB 32100 assigns to the first 17 characters of a credit code."""
    total = sum(CODE_CHARACTERS.index(char) * weight for char, weight in zip(first17, CODE_WEIGHTS, strict=True))
    return CODE_CHARACTERS[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """What is wrong with a 统一社会信用代码 as typed (upper-cased first), or None."""
    code = code.strip().upper()
    if not code:
        return N_("请填写统一社会信用代码")
    if not CODE_SHAPE.fullmatch(code):
        return N_("统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V），第 3–8 位为行政区划代码")
    if code[17] != credit_code_check(code[:17]):
        return N_("统一社会信用代码校验位不正确，请核对")
    return None


def credit_code_valid(code: str) -> bool:
    """Does the 18th character of a 统一社会信用代码 match the check computed from the first 17?"""
    return credit_code_problem(code) is None


def id_number_check(first17: str) -> str:
    """The check character GB 11643 assigns to the first 17 digits of an ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECKS[total % 11]


def _birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_number_problem(number: str, today: date | None = None) -> str | None:
    """What is wrong with an 18-character 公民身份号码 as typed (upper-cased first), or None.
    The birth date must be a real day from 1900 on and, given `today`, not in the future."""
    number = number.strip().upper()
    if not number:
        return N_("请填写居民身份证号码")
    if not ID_SHAPE.fullmatch(number):
        return N_("居民身份证号码应为 18 位：17 位数字加 1 位校验码（数字或 X）")
    born = _birth_date(number)
    if born is None or born < EARLIEST_BIRTH or (today is not None and born > today):
        return N_("居民身份证号码中的出生日期（第 7–14 位）不是有效日期")
    if number[17] != id_number_check(number[:17]):
        return N_("居民身份证号码校验码不正确，请核对")
    return None


def id_number_valid(number: str, today: date | None = None) -> bool:
    """Is this an 18-character 公民身份号码 with a real birth date and the right check character?"""
    return id_number_problem(number, today) is None
