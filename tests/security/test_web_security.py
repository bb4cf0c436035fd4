"""The web layer's defences: headers, cookies, session expiry, the password policy, defused XML."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from engine.demo import DEMO_PASSWORD
from engine.errors import InvalidData, ValidationFailed
from engine.passwords import MIN_LENGTH, common_passwords, password_problems
from engine.repository import parse_set
from handlers import OPERATORS
from tests.engine.test_sandbox import script_model
from webui import config
from webui.cli import cli

ROOT = Path(__file__).resolve().parents[2]
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def sign_in(client, username: str = "city", password: str = DEMO_PASSWORD):  # noqa: ANN201 - a response
    return client.post("/login", data={"username": username, "password": password})


@pytest.mark.parametrize("path", ["/login", "/", "/api/openapi.json", "/api/tasks", "/healthz"])
def test_every_response_carries_the_security_headers(module_app, path: str) -> None:
    response = module_app.test_client().get(path)
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (path, name)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers


def test_https_responses_ask_for_https_from_then_on(module_app) -> None:
    response = module_app.test_client().get("/login", base_url="https://diagflow.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_session_cookie_is_httponly_and_samesite_and_not_secure_over_plain_http(module_app) -> None:
    cookie = sign_in(module_app.test_client()).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_the_cookie_is_secure_in_production_or_behind_https(monkeypatch: pytest.MonkeyPatch, module_engine) -> None:
    from webui import create_app

    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.delenv("DIAGFLOW_ENV", raising=False)
    assert config.from_environment()["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setenv("DIAGFLOW_HTTPS", "true")
    settings = config.from_environment()
    assert settings["SESSION_COOKIE_SECURE"] is True
    monkeypatch.delenv("DIAGFLOW_HTTPS")
    monkeypatch.setenv("DIAGFLOW_ENV", "production")
    assert config.from_environment()["SESSION_COOKIE_SECURE"] is True
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "WTF_CSRF_ENABLED": False,
                      "SESSION_COOKIE_SECURE": True}, engine=module_engine)
    cookie = sign_in(app.test_client()).headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_sessions_default_to_30_minutes_idle_and_12_hours_in_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "k")
    for name in ("DIAGFLOW_SESSION_MINUTES", "DIAGFLOW_SESSION_MAX_HOURS"):
        monkeypatch.delenv(name, raising=False)
    settings = config.from_environment()
    assert settings["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=30)
    assert settings["SESSION_MAX_AGE"] == timedelta(hours=12)


def test_an_idle_session_ends_after_30_minutes(module_app) -> None:
    clock = module_app.extensions["diagflow"].clock
    client = module_app.test_client()
    sign_in(client)
    clock.advance(timedelta(minutes=29))
    assert client.get("/").status_code == 200
    clock.advance(timedelta(minutes=29))
    assert client.get("/").status_code == 200, "activity keeps the session alive"
    clock.advance(timedelta(minutes=31))
    expired = client.get("/")
    assert expired.status_code == 302 and "/login" in expired.location


def test_a_busy_session_still_ends_12_hours_after_sign_in(module_app) -> None:
    clock = module_app.extensions["diagflow"].clock
    client = module_app.test_client()
    sign_in(client)
    for _ in range(24):  # 24 × 29 minutes = 11 h 36 min of steady work
        clock.advance(timedelta(minutes=29))
        assert client.get("/").status_code == 200
    clock.advance(timedelta(minutes=29))
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(("password", "username", "problem"), [
    ("short-pw", "alice", f"至少需要 {MIN_LENGTH} 个字符"),
    ("zhangsan_2026", "zhangsan", "不能是用户名"),
    ("ZhangSanZhangSan", "zhangsan", "不能是用户名"),
    ("qwertyuiop", "alice", "过于常见"),
    ("Password123", "alice", "过于常见"),
])
def test_the_password_policy_names_each_problem(password: str, username: str, problem: str) -> None:
    assert any(problem in found for found in password_problems(password, username))


def test_good_passwords_and_the_demo_password_pass() -> None:
    assert password_problems("correct horse battery", "alice") == []
    assert password_problems(DEMO_PASSWORD, "city") == []
    assert len(common_passwords()) > 100 and all(word == word.lower() for word in common_passwords())


def test_identity_refuses_a_weak_password_when_creating_or_changing(module_engine) -> None:
    with pytest.raises(InvalidData) as refused:
        module_engine.identity.ensure_user("weak_user", "1234567890", "弱密码", "city_bureau")
    assert "过于常见" in refused.value.errors["password"]
    with pytest.raises(InvalidData):
        module_engine.identity.set_password("city_finance", "city_finance-2026")
    module_engine.identity.set_password("city_finance", "a-new-long-phrase")
    assert module_engine.identity.authenticate("city_finance", "a-new-long-phrase") is not None


def test_cli_sets_a_password_only_when_it_satisfies_the_policy(module_app) -> None:
    runner = module_app.test_cli_runner()
    weak = runner.invoke(cli, ["user", "password", "city_leader", "--password", "city_leader1"])
    assert weak.exit_code == 1 and "不能是用户名" in weak.output
    good = runner.invoke(cli, ["user", "password", "city_leader", "--password", "leader's long phrase"])
    assert good.exit_code == 0, good.output
    assert module_app.extensions["diagflow"].identity.authenticate("city_leader", "leader's long phrase") is not None


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<definitions xmlns="{namespace}" id="d"><documentation>&lol9;</documentation></definitions>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<definitions xmlns="{namespace}" id="d"><documentation>&secret;</documentation></definitions>"""
NAMESPACES = {"bpmn": b"http://www.omg.org/spec/BPMN/20100524/MODEL", "dmn": b"https://www.omg.org/spec/DMN/20191111/MODEL/"}


@pytest.mark.parametrize("kind", ["bpmn", "dmn"])
@pytest.mark.parametrize("attack", ["billion laughs", "external entity"])
def test_xml_bombs_and_external_entities_are_refused(kind: str, attack: str) -> None:
    template = BILLION_LAUGHS if attack == "billion laughs" else EXTERNAL_ENTITY
    hostile = template.replace(b"{namespace}", NAMESPACES[kind])
    files = {"scripted.bpmn": script_model("x = 1")}
    files[f"scripted.{kind}"] = hostile
    with pytest.raises(ValidationFailed) as refused:
        parse_set("scripted", files, OPERATORS)
    problems = dict(refused.value.problems)
    assert problems[f"scripted.{kind}"].startswith(f"scripted.{kind}：不允许使用 DTD 和实体声明"), problems


PARSE_CALL = re.compile(r"\b(etree\.(parse|fromstring|XML|iterparse|XMLParser)|ElementTree\.(parse|fromstring)"
                        r"|minidom|xml\.sax|pulldom|expat|add_(bpmn|dmn)_(file|files|str)\b"
                        r"|from (lxml\.etree|xml\.etree(\.\w+)?|xml\.dom(\.\w+)?) import|import xml\.)")
# Re-parsing diagflow's own serialization of an element that engine/xmlsafe.py already checked.
RE_PARSE_OF_CHECKED = "etree.fromstring(etree.tostring("


def test_no_xml_is_parsed_outside_xmlsafe() -> None:
    found = []
    for folder in ("engine", "webui", "handlers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "engine" / "xmlsafe.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if PARSE_CALL.search(line) and RE_PARSE_OF_CHECKED not in line:
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == [], "parse XML with engine.xmlsafe.parse instead:\n" + "\n".join(found)
