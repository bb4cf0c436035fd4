"""The password policy, applied wherever a password is set (identity, CLI, demo data).

At least MIN_LENGTH characters, not the user name (nor containing it), and not one of the
common passwords shipped in `common_passwords.txt`. Length beats composition rules: NIST SP
800-63B advises exactly these checks and no forced mixes of character classes.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .errors import InvalidData
from .i18n import N_, Text

MIN_LENGTH = 10
COMMON_PASSWORDS = Path(__file__).resolve().parent / "common_passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problems(password: str, username: str) -> list[Text]:
    """What is wrong with `password` for `username`, in Chinese for the person choosing it; [] if fine."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(N_("密码至少需要 %(length)s 个字符", length=MIN_LENGTH))
    if username and username.lower() in password.lower():
        problems.append(N_("密码不能是用户名，也不能包含用户名"))
    if password.lower() in common_passwords():
        problems.append(N_("该密码过于常见，请换一个"))
    return problems


def check_password(password: str, username: str) -> None:
    """Raise InvalidData({"password": ...}) unless `password` satisfies the policy."""
    problems = password_problems(password, username)
    if problems:
        raise InvalidData({"password": N_("%(problems)s", problems=problems)})
